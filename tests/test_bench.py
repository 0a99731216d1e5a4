"""The benchmarks run (in their short mode) and print their figures: CI checks they work, the closing
notes and README carry the full figures. Nothing here is timed."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import need

BENCH = Path(__file__).resolve().parent.parent / "bench"


def run_bench(name: str, *args: str, server: str | None = None) -> str:
    env = dict(os.environ)
    # Benchmarks make their own throwaway database: SQLite, or with ``server`` a new one on that
    # PostgreSQL server (the test database itself is not theirs).
    env.pop("DATABASE_URL", None)
    if server:
        env["DATABASE_URL"] = server
    result = subprocess.run([sys.executable, str(BENCH / name), *args], env=env, capture_output=True,
                            text=True, timeout=600, cwd=BENCH.parent)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.slow
def test_check_in_benchmark_runs():
    out = run_bench("checkin.py", "--short")
    assert re.search(r"scans/s median \d+", out) and "errors 0" in out


@pytest.mark.slow
def test_pages_benchmark_runs():
    out = run_bench("pages.py", "--short")
    assert re.search(r"events list .* requests/s median \d+", out)


@pytest.mark.slow
@pytest.mark.browser
def test_sizes_benchmark_runs():
    need(Path(os.environ.get("ENGAGE_CHROMIUM", "/usr/bin/chromium")).exists(), "Chromium not found (apt-get install chromium)")
    out = run_bench("sizes.py")
    assert re.search(r"door page\s+\d+\.\d kB", out)


@pytest.mark.slow
def test_ballots_benchmark_runs():
    out = run_bench("ballots.py", "--short")
    assert re.search(r"engage ballot submissions/s \(median\): \d+", out) and re.search(r"ratio engage/bare: \d", out)


@pytest.mark.slow
@pytest.mark.postgres_only
def test_seal_benchmark_runs():
    out = run_bench("seal.py", "--short", server=os.environ["DATABASE_URL"])
    assert re.search(r"219 ballots", out) and re.search(r"seal \(votes for this pot wait meanwhile\): \d+ ms, WAL", out)


@pytest.mark.slow
def test_tally_benchmark_runs_whole_processes():
    out = run_bench("tally.py", "--whole-process", "tests/data/pabulib/Netherlands_Assen_2024.pb",
                    "--synthetic", "wieliczka", "--scale", "0.02", "--rules", "greedy,mes-plain")
    assert re.search(r"Netherlands_Assen_2024\s+greedy\s+\d+\.\d+\s+\d+\.\d+\s+\d+\s+\d+\.\d+ .* yes", out), out
    assert re.search(r"synthetic_wieliczka_x0\.02_v1\s+mes-plain .* yes", out), out


@pytest.mark.slow
def test_tally_benchmark_runs_in_process():
    out = run_bench("tally.py", "--rules", "greedy", "--repeat", "1",
                    "tests/data/pabulib/Netherlands_Assen_2024.pb")
    assert re.search(r"Netherlands_Assen_2024\s+greedy\s+\d+\.\d+\s+\d+\.\d+ .* yes", out), out


@pytest.mark.slow
def test_pabulib_import_benchmark_runs():
    out = run_bench("pb_import.py", "--short")
    assert re.search(r"20000 votes .* 20000 ballots in the box", out) and re.search(r"peak memory \d+ MB", out)


@pytest.mark.slow
def test_tally_benchmark_checks_add1_against_plain_stepping():
    """Where pabutools cannot finish MES add1, the bench holds the fast search against exact stepping."""
    out = run_bench("tally.py", "--exact-check", "tests/data/pabulib/Netherlands_Assen_2024.pb",
                    "--synthetic", "wieliczka", "--scale", "0.02")
    assert re.search(r"Netherlands_Assen_2024\s+\d+\.\d+\s+\d+\.\d+\s+\d+\s+yes", out), out
    assert re.search(r"synthetic_wieliczka_x0\.02_v1\s+\d+\.\d+\s+\d+\.\d+\s+\d+\s+yes", out), out
