"""What sealing a ballot box costs on PostgreSQL: the per-minute check, the seal, and its WAL.

A pabulib election is imported into a throwaway database on the server of DATABASE_URL (an import
writes roll and box in one transaction, so the box starts unsealed), then sealed several times.
Votes for that pot wait while a seal holds the pot, so the seal's time is how long they wait.

    DATABASE_URL=postgresql://user@host/db .venv/bin/python bench/seal.py ../shared/pabulib/large/Hungary_Budapest_2024.pb
    DATABASE_URL=postgresql://user@host/db .venv/bin/python bench/seal.py --short     # checks that it runs (CI)

Prints medians; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from harness import instance, python, run

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "data" / "pabulib" / "Netherlands_Amsterdam_179.pb"

MEASURE = """
import json, statistics, time
from sqlalchemy import text
from engage.ballots import pots, seal
from engage.ballots.models import Pot
from engage.extensions import db
pot = db.session.get(Pot, {pot_id})
ballots = db.session.scalar(text("SELECT count(*) FROM pb_box WHERE pot_id = :p"), {{"p": pot.id}})
checks, seals, wal = [], [], []
for _ in range({rounds}):
    start = time.perf_counter()
    seal.box_unsealed(pot.id)
    checks.append(time.perf_counter() - start)
    lsn = db.session.scalar(text("SELECT pg_current_wal_lsn()"))
    db.session.commit()
    start = time.perf_counter()
    with pots.locked(pot):
        seal.seal_now(pot)
    seals.append(time.perf_counter() - start)
    wal.append(float(db.session.scalar(text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), :l)"), {{"l": lsn}})))
    db.session.commit()
print(json.dumps({{"ballots": ballots, "check": statistics.median(checks), "seal": statistics.median(seals),
                  "wal": statistics.median(wal)}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(SMALL), help="a pabulib file (default: a small one)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--short", action="store_true", help="one round on the small file: checks that it runs")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        sys.exit("bench/seal.py measures PostgreSQL: set DATABASE_URL=postgresql://… (SQLite needs no sealing)")
    rounds, path = (1, str(SMALL)) if args.short else (args.rounds, args.file)
    with instance(os.environ["DATABASE_URL"]) as env:
        python('from engage.accounts import services\nservices.create_org("bench", "Bench", "Mainc")\nprint("1")', env)
        pot_id = int(run(["pb", "import", path, "--org", "bench"], env).strip().splitlines()[-1])
        got = python(MEASURE.format(pot_id=pot_id, rounds=rounds), env)
    print(f"PostgreSQL, {Path(path).name}: {got['ballots']} ballots, {rounds} rounds (medians)")
    print(f"check whether the box needs sealing: {got['check'] * 1000:.0f} ms")
    print(f"seal (votes for this pot wait meanwhile): {got['seal'] * 1000:.0f} ms, WAL {got['wal'] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
