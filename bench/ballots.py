"""Ballot submissions per second: Engage's vote endpoint against a bare Flask+SQLAlchemy insert.

Both run under gunicorn with 4 workers on the same database (SQLite by default; a throwaway
PostgreSQL database when DATABASE_URL is set), in the same run, driven by the same client threads.
For Engage, each voter first enters a code and chooses (not timed); then every voter sends at once
and the rate of the sends is measured. Rounds alternate between the two, so both see the same
machine load. Also printed: the workers' CPU time per request, which a noisy machine disturbs less.

    .venv/bin/python bench/ballots.py                                # SQLite, 7 rounds of 300 voters
    DATABASE_URL=postgresql://user@host/db .venv/bin/python bench/ballots.py
    .venv/bin/python bench/ballots.py --short                        # checks that it runs (CI)

The rate limit on code entry is switched off (every voter here comes from one address).
Prints medians and the ratio; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness import Server, Session, gunicorn, instance, median, python

BENCH = Path(__file__).resolve().parent

POT = """
from engage.accounts import services as accounts
from engage.ballots import lifecycle, pots, voters
import json
org = accounts.get_org("bench") or accounts.create_org("bench", "Bench", "Mainc")
pot = pots.create_pot(org, {{"title": {{"cy": "Mainc", "en": "Bench"}}, "description": {{}}, "area": {{}},
    "budget_pence": 1000000, "ballot_type": "knapsack", "rule": "greedy", "eligibility": "codes"}})
ids = [pots.save_project(pot, {{"title": {{"cy": f"P{{i}}", "en": f"P{{i}}"}}, "cost_pence": 200000}}).id
       for i in range(6)]
plain = voters.generate_codes(pot, {codes})
lifecycle.open_pot(pot)
print(json.dumps({{"id": pot.id, "projects": ids, "codes": plain}}))
"""


class Voter(Session):
    """A voter's browser that does not follow redirects (a 302 is the vote's confirmation)."""

    def __init__(self, base: str) -> None:
        super().__init__(base, follow_redirects=False)

    def prepare(self, pot: dict, n: int) -> None:
        path = f"/en/pb/{pot['id']}/vote"
        self.get(path)
        assert self.post_form(path, {"code": pot["codes"][n]}) == 302
        self.get(path + "/choose")
        chosen = [str(p) for p in pot["projects"][n % 3:][:3]]
        assert self.post_form(path + "/choose", {"project": chosen, "action": "continue"}) == 302

    def send(self, pot: dict) -> int:
        return self.post_form(f"/en/pb/{pot['id']}/vote/submit", {})


def timed(server: Server, pool: ThreadPoolExecutor, send, jobs: list) -> tuple[float, float, list[int]]:  # type: ignore[no-untyped-def]
    """Run ``send`` over ``jobs`` on the pool: (requests per second, worker CPU ms per request, statuses)."""
    cpu, start = server.worker_cpu_seconds(), time.perf_counter()
    statuses = list(pool.map(send, jobs))
    elapsed, used = time.perf_counter() - start, server.worker_cpu_seconds() - cpu
    return len(jobs) / elapsed, used * 1000 / len(jobs), statuses


def engage_round(server: Server, env: dict[str, str], voters: int, pool: ThreadPoolExecutor) -> tuple[float, float]:
    pot = python(POT.format(codes=voters), env)
    people = [Voter(server.base) for _ in range(voters)]
    list(pool.map(lambda n: people[n].prepare(pot, n), range(voters)))
    rate, cpu, statuses = timed(server, pool, lambda v: v.send(pot), people)
    if any(s != 302 for s in statuses):
        raise RuntimeError(f"submissions refused: {sorted(set(statuses) - {302})}")
    return rate, cpu


def bare_round(server: Server, voters: int, pool: ThreadPoolExecutor) -> tuple[float, float]:
    def send(i: int) -> int:
        data = urllib.parse.urlencode({"choices": f'{{"{i % 6}": 1}}'}).encode()
        with urllib.request.urlopen(server.base + "/insert", data, timeout=60) as r:
            r.read()
            return r.status

    rate, cpu, statuses = timed(server, pool, send, list(range(voters)))
    if any(s != 201 for s in statuses):
        raise RuntimeError("bare inserts failed")
    return rate, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="one small round: checks that it runs")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--voters", type=int, default=300)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--sync", choices=("FULL", "NORMAL"), default="FULL",
                        help="SQLite synchronous for Engage (FULL is the default: durable on power loss)")
    args = parser.parse_args()
    rounds, voters = (1, 60) if args.short else (args.rounds, args.voters)
    with instance(os.environ.get("DATABASE_URL")) as env:
        env["ENGAGE_RATELIMIT_ENABLED"] = "false"
        env["ENGAGE_SQLITE_SYNCHRONOUS"] = args.sync
        database = env.get("DATABASE_URL") or f"sqlite:///{env['ENGAGE_INSTANCE_PATH']}/bare.sqlite3"
        bare_env = dict(env, BARE_DATABASE_URL=database)
        # Make the bare table once, before four workers would race to make it.
        subprocess.run([sys.executable, "-c", "import bare_insert"], cwd=BENCH, env=bare_env, check=True)
        engage, bare = [], []
        with gunicorn(env, args.workers) as e_server, \
                gunicorn(bare_env, args.workers, app="bare_insert:app", chdir=BENCH) as b_server, \
                ThreadPoolExecutor(args.threads) as pool:
            bare_round(b_server, 40, pool)  # warm up: workers import lazily and open connections
            engage_round(e_server, env, 40, pool)
            for n in range(rounds):
                bare.append(bare_round(b_server, voters, pool))
                engage.append(engage_round(e_server, env, voters, pool))
                print(f"round {n + 1}: engage {engage[-1][0]:.0f}/s ({engage[-1][1]:.2f} ms CPU each), "
                      f"bare {bare[-1][0]:.0f}/s ({bare[-1][1]:.2f} ms CPU each)", flush=True)
    e_rate, b_rate = median([r for r, _ in engage]), median([r for r, _ in bare])
    e_cpu, b_cpu = median([c for _, c in engage]), median([c for _, c in bare])
    dialect = "PostgreSQL" if "DATABASE_URL" in os.environ else "SQLite"
    print(f"{dialect} (Engage synchronous={args.sync}), gunicorn {args.workers} workers, {args.threads} client threads, {voters} voters x {rounds} rounds")
    print(f"engage ballot submissions/s (median): {e_rate:.0f}, worker CPU {e_cpu:.2f} ms each")
    print(f"bare Flask+SQLAlchemy inserts/s (median): {b_rate:.0f}, worker CPU {b_cpu:.2f} ms each")
    print(f"ratio engage/bare: {e_rate / b_rate:.2f} (target >= 0.60); CPU per request bare/engage: {b_cpu / e_cpu:.2f}")


if __name__ == "__main__":
    main()
