"""How long `engage pb import` takes, and how much memory, on a large generated pabulib file.

The file is made here, the same every time for the same arguments (a seeded generator: no file is
kept in the repository): ``--votes`` approval ballots (2 million by default, 29.6 MB) of 1 to 4
of 24 projects, each vote's size and projects drawn at random with a fixed seed. It is imported into
a fresh Engage (SQLite by default; a throwaway PostgreSQL database when DATABASE_URL is set) by the
CLI in a child process, whose wall time and peak resident memory are printed.

    .venv/bin/python bench/pb_import.py                     # 2,000,000 votes
    .venv/bin/python bench/pb_import.py --votes 200000
    DATABASE_URL=postgresql://user@host/db .venv/bin/python bench/pb_import.py
    .venv/bin/python bench/pb_import.py --short             # 20,000 votes: checks that it runs (CI)

Asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

PROJECTS = 24


def write_big_pb(fh: TextIO, votes: int, seed: int = 20) -> None:
    """A valid approval election of ``votes`` ballots, written a line at a time (never whole in memory)."""
    rng = random.Random(seed)
    costs = [rng.randrange(20, 400) * 1000 for _ in range(PROJECTS)]
    fh.write(f"META\nkey;value\ndescription;Generated election ({votes} votes)\ncountry;Poland\nunit;Generated\n"
             f"instance;2023\nnum_projects;{PROJECTS}\nnum_votes;{votes}\nbudget;{sum(costs) // 3}\n"
             "vote_type;approval\nrule;greedy\nmax_length;4\ncurrency;PLN\nlanguage;pl\n")
    fh.write("PROJECTS\nproject_id;cost;name\n")
    fh.writelines(f"c{i + 1};{cost};Project {i + 1}\n" for i, cost in enumerate(costs))
    fh.write("VOTES\nvoter_id;vote\n")
    ids = [f"c{i + 1}" for i in range(PROJECTS)]
    weights = [1 / (i + 1) for i in range(PROJECTS)]  # some projects much more popular than others
    lines = []
    for voter in range(1, votes + 1):
        chosen = dict.fromkeys(rng.choices(ids, weights, k=rng.randint(1, 4)))
        lines.append(f"{voter};{','.join(chosen)}\n")
        if len(lines) == 10_000:
            fh.writelines(lines)
            lines = []
    fh.writelines(lines)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from harness import instance, python, run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=2_000_000)
    parser.add_argument("--short", action="store_true", help="20,000 votes: checks that it runs")
    args = parser.parse_args()
    votes = 20_000 if args.short else args.votes
    with tempfile.TemporaryDirectory(prefix="engage-pb-") as tmp, instance(os.environ.get("DATABASE_URL")) as env:
        path = Path(tmp) / "big.pb"
        with path.open("w", encoding="utf-8", newline="") as fh:
            write_big_pb(fh, votes)
        python('from engage.accounts import services\nservices.create_org("bench", "Bench", "Mainc")\nprint("1")', env)
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        before, cpu = used.ru_maxrss, used.ru_utime + used.ru_stime
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", "from engage.cli import main; main()", "pb", "import", str(path),
                              "--org", "bench"], env=env, check=True, capture_output=True, text=True).stdout
        seconds = time.perf_counter() - start
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak, cpu = used.ru_maxrss, used.ru_utime + used.ru_stime - cpu  # KiB, the largest child so far
        pot_id = int(out.strip().splitlines()[-1])
        size = path.stat().st_size
        ballots = python(f"from sqlalchemy import text\nfrom engage.extensions import db\n"
                         f"print(db.session.scalar(text('SELECT count(*) FROM pb_box WHERE pot_id = {pot_id}')))", env)
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    print(f"{database}: {votes} votes ({size / 1e6:.1f} MB), {ballots} ballots in the box")
    print(f"import: {seconds:.1f} s ({cpu:.1f} s of CPU), peak memory {peak / 1024:.0f} MB"
          + (f" (an earlier child peaked at {before / 1024:.0f} MB)" if before >= peak else ""))


if __name__ == "__main__":
    main()
