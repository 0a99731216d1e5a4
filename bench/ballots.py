"""Ballot submissions per second: Engage's vote endpoint against a bare Flask+SQLAlchemy insert.

Both run under gunicorn with 4 workers on SQLite, in the same run, driven by the same client threads.
For Engage, each voter first enters a code and chooses (not timed); then every voter sends at once
and the rate of the sends is measured. The figure is the ratio of the two medians.

    .venv/bin/python bench/ballots.py            # 5 rounds of 400 voters, 16 client threads
    .venv/bin/python bench/ballots.py --short    # 1 round of 60: checks that it runs (CI)

Prints medians and the ratio; asserts nothing.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int, chdir: Path = ROOT) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", "1", "--chdir",
                             str(chdir), "-b", f"127.0.0.1:{port}", "--log-level", "warning", app],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "gunicorn died")
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(20)


class Voter:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())
        self.token = ""

    def call(self, path: str, data: dict | None = None) -> int:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as r:
                page = r.read().decode()
                found = CSRF.search(page)
                if found:
                    self.token = found.group(1) or found.group(2)
                return r.status
        except urllib.error.HTTPError as err:
            return err.code

    def prepare(self, pot: int, code: str, projects: list[int]) -> None:
        self.call(f"/en/pb/{pot}/vote")
        assert self.call(f"/en/pb/{pot}/vote", {"code": code, "csrf_token": self.token}) == 302
        self.call(f"/en/pb/{pot}/vote/choose")
        assert self.call(f"/en/pb/{pot}/vote/choose", {"project": [str(p) for p in projects], "action": "continue",
                                                        "csrf_token": self.token}) == 302

    def send(self, pot: int) -> int:
        return self.call(f"/en/pb/{pot}/vote/submit", {"csrf_token": self.token})


def engage_env(tmp: str) -> dict[str, str]:
    env = dict(os.environ, ENGAGE_INSTANCE_PATH=tmp, ENGAGE_SECRET_KEY="bench-" + "x" * 40,
               ENGAGE_RATELIMIT_ENABLED="false", PYTHONPATH=str(ROOT))
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-c", "from engage.cli import main; main()", "db", "upgrade"], env=env,
                   check=True, capture_output=True)
    return env


def make_pot(env: dict[str, str], codes: int) -> dict:
    """An open knapsack pot with ``codes`` voter codes, made in a child process."""
    script = f"""
import json
from engage import create_app
from engage.accounts import services as accounts
from engage.ballots import services
app = create_app()
with app.app_context():
    org = accounts.get_org("bench") or accounts.create_org("bench", "Bench", "Mainc")
    pot = services.create_pot(org, {{"title": {{"cy": "Mainc", "en": "Bench"}}, "description": {{}}, "area": {{}},
        "budget_pence": 1000000, "ballot_type": "knapsack", "rule": "greedy", "eligibility": "codes"}})
    ids = [services.save_project(pot, {{"title": {{"cy": f"P{{i}}", "en": f"P{{i}}"}}, "cost_pence": 200000}}).id
           for i in range(6)]
    plain = services.generate_codes(pot, {codes})
    services.open_pot(pot)
    print(json.dumps({{"id": pot.id, "projects": ids, "codes": plain}}))
"""
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def engage_round(base: str, env: dict[str, str], voters: int, threads: int) -> float:
    pot = make_pot(env, voters)
    people = [Voter(base) for _ in range(voters)]
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda iv: iv[1].prepare(pot["id"], pot["codes"][iv[0]], pot["projects"][iv[0] % 3:][:3]),
                      enumerate(people)))
        start = time.perf_counter()
        statuses = list(pool.map(lambda v: v.send(pot["id"]), people))
        elapsed = time.perf_counter() - start
    bad = [s for s in statuses if s != 302]
    if bad:
        raise RuntimeError(f"{len(bad)} submissions refused: {sorted(set(bad))}")
    return voters / elapsed


def bare_round(base: str, voters: int, threads: int) -> float:
    def send(i: int) -> int:
        data = urllib.parse.urlencode({"choices": json.dumps({str(i % 6): 1})}).encode()
        with urllib.request.urlopen(base + "/insert", data, timeout=60) as r:
            r.read()
            return r.status

    with ThreadPoolExecutor(threads) as pool:
        start = time.perf_counter()
        statuses = list(pool.map(send, range(voters)))
        elapsed = time.perf_counter() - start
    assert all(s == 201 for s in statuses)
    return voters / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="one small round: checks that it runs")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--voters", type=int, default=400)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    rounds, voters = (1, 60) if args.short else (args.rounds, args.voters)
    with tempfile.TemporaryDirectory(prefix="engage-bench-pb-") as tmp:
        env = engage_env(tmp)
        bare_env = dict(os.environ, BARE_DB=str(Path(tmp) / "bare.sqlite3"))
        engage_rates, bare_rates = [], []
        with gunicorn("wsgi:app", env, args.workers) as engage, \
                gunicorn("bare_insert:app", bare_env, args.workers, chdir=ROOT / "bench") as bare:
            bare_round(bare, 40, args.threads)  # warm up: workers import lazily and open connections
            engage_round(engage, env, 40, args.threads)
            for n in range(rounds):  # interleaved, so both see the same machine load
                bare_rates.append(bare_round(bare, voters, args.threads))
                engage_rates.append(engage_round(engage, env, voters, args.threads))
                print(f"round {n + 1}: engage {engage_rates[-1]:.0f}/s, bare {bare_rates[-1]:.0f}/s", flush=True)
    e, b = statistics.median(engage_rates), statistics.median(bare_rates)
    print(f"SQLite, gunicorn {args.workers} workers, {args.threads} client threads, {voters} voters x {rounds} rounds")
    print(f"engage ballot submissions/s (median): {e:.0f}")
    print(f"bare Flask+SQLAlchemy inserts/s (median): {b:.0f}")
    print(f"ratio engage/bare: {e / b:.2f}")


if __name__ == "__main__":
    main()
