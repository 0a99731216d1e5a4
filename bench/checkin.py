"""Check-in scans per second and latency with 20 doors scanning at once, against gunicorn.

    .venv/bin/python bench/checkin.py             # SQLite, 4 workers, 3 rounds
    DATABASE_URL=postgresql://... .venv/bin/python bench/checkin.py
    .venv/bin/python bench/checkin.py --short     # a quick run that checks it works (CI)

Each door is a signed-in staff session posting to the door page's JSON API; each scan is a real
ticket (typed code), so every request is a write. Prints the median over rounds of scans/s and p95.
"""
from __future__ import annotations

import argparse
import os
import threading
import time

from harness import PASSWORD, Session, gunicorn, instance, median, percentile, python

SETUP = """
from datetime import datetime, timedelta, timezone
from engage.accounts import services as accounts
from engage.events import services as events
from engage.checkin import services as checkin
org = accounts.create_org("bench", "Benchmark Council", "Cyngor Meincnodi")
for n in range({doors}):
    accounts.create_user(f"door{{n}}@example.org", "{password}", org, "organiser")
now = datetime.now(timezone.utc)
event = events.create_event(org, {{"title": {{"cy": "Meincnod", "en": "Benchmark"}}, "description": {{"cy": "x", "en": "x"}},
    "accessibility": {{}}, "kind": "engagement", "starts_at": now - timedelta(minutes=5), "ends_at": now + timedelta(hours=3),
    "online": False, "venue_name": {{"cy": "Neuadd y Dref", "en": "Town Hall"}}, "venue_address": None, "postcode": None, "delivery_language": "bilingual",
    "partners": {{}}, "status": "planned", "public": True, "pulse_enabled": False, "themes": [], "audiences": []}})
codes = [checkin.register(event, {{"name": f"Person {{n}}", "email": f"p{{n}}@example.org"}}).code for n in range({tickets})]
import json
print(json.dumps({{"event": event.id, "codes": codes}}))
"""


def one_round(base: str, event: int, codes: list[str], doors: int) -> tuple[float, list[float], int]:
    sessions = []
    for n in range(doors):
        s = Session(base)
        s.sign_in(f"door{n}@example.org")
        s.get(f"/en/manage/bench/events/{event}/door")
        sessions.append(s)
    per_door = [codes[i::doors] for i in range(doors)]
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    barrier = threading.Barrier(doors)

    def door(i: int) -> None:
        nonlocal errors
        barrier.wait()
        for code in per_door[i]:
            started = time.perf_counter()
            status, body = sessions[i].post_json(f"/api/orgs/bench/events/{event}/scans",
                                                 {"method": "typed_code", "code": code, "nonce": os.urandom(12).hex()})
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                if status != 200 or body.get("result") not in ("ok", "already_checked_in"):
                    errors += 1

    threads = [threading.Thread(target=door, args=(i,)) for i in range(doors)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return len(latencies) / elapsed, latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--short", action="store_true", help="a quick run (CI)")
    parser.add_argument("--doors", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    scans_per_door = 5 if args.short else 40
    rounds = 1 if args.short else args.rounds
    with instance(os.environ.get("DATABASE_URL")) as env:
        data = python(SETUP.format(doors=args.doors, password=PASSWORD, tickets=args.doors * scans_per_door * rounds), env)
        dialect = "postgresql" if "DATABASE_URL" in env else "sqlite"
        rates, p95s, p50s, errors = [], [], [], 0
        with gunicorn(env, workers=args.workers) as server:
            per_round = args.doors * scans_per_door
            for r in range(rounds):
                codes = data["codes"][r * per_round:(r + 1) * per_round]
                rate, latencies, errs = one_round(server.base, data["event"], codes, args.doors)
                rates.append(rate)
                p95s.append(percentile(latencies, 95) * 1000)
                p50s.append(percentile(latencies, 50) * 1000)
                errors += errs
    print(f"check-in: {dialect}, {args.workers} gunicorn workers, {args.doors} doors, "
          f"{args.doors * scans_per_door} scans per round, {rounds} round(s)")
    print(f"  scans/s median {median(rates):.0f} (rounds: {', '.join(f'{r:.0f}' for r in rates)})")
    print(f"  latency p50 median {median(p50s):.1f} ms, p95 median {median(p95s):.1f} ms (target < 100 ms)")
    print(f"  errors {errors}")
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
