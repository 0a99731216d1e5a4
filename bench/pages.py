"""Requests per second for public pages (events list, PB results) against gunicorn, on the demo data.

    .venv/bin/python bench/pages.py [--short]        (DATABASE_URL=... for PostgreSQL)

Concurrent anonymous clients fetch each page for a fixed time; prints the median over rounds.
"""
from __future__ import annotations

import argparse
import os
import threading
import time
import urllib.request

from harness import gunicorn, instance, median, percentile, python, run

FIND = """
import json
from sqlalchemy import select
from engage.extensions import db
try:
    from engage.ballots.models import Pot
    pot = db.session.scalar(select(Pot.id).where(Pot.status == "published").order_by(Pot.id))
except ImportError:
    pot = None
print(json.dumps({"pot": pot}))
"""


def hammer(url: str, clients: int, seconds: float) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            with urllib.request.urlopen(url, timeout=30) as r:
                r.read()
            with lock:
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - began), latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--short", action="store_true")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    seconds, rounds = (2.0, 1) if args.short else (10.0, 3)
    with instance(os.environ.get("DATABASE_URL")) as env:
        run(["demo"], env)
        pot = python(FIND, env)["pot"]
        pages = {"events list": "/cy/events/"}
        if pot:
            pages["PB results"] = f"/cy/pb/{pot}/results"
        with gunicorn(env, workers=args.workers) as server:
            print(f"pages: {'postgresql' if 'DATABASE_URL' in env else 'sqlite'}, {args.workers} workers, "
                  f"{args.clients} clients, {seconds:.0f} s × {rounds} round(s)")
            for name, path in pages.items():
                results = [hammer(server.base + path, args.clients, seconds) for _ in range(rounds)]
                rates = [r for r, _ in results]
                p95 = median([percentile(lat, 95) * 1000 for _, lat in results])
                print(f"  {name:12} {path:28} requests/s median {median(rates):.0f}, p95 {p95:.0f} ms")
            if not pot:
                print("  (no published PB pot in the demo data: results page not measured)")


if __name__ == "__main__":
    main()
