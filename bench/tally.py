"""Benchmark: Engage's tally against pabutools on the same pabulib files, in one run.

    python bench/tally.py                          # every file in tests/data/pabulib/
    python bench/tally.py ../shared/pabulib/large/Hungary_Budapest_2024.pb --pabutools-timeout 600
    python bench/tally.py --whole-process --synthetic wieliczka,lodz --rules mes   # whole processes


For each file and rule it runs Engage (median of --repeat runs) and pabutools (once, in a child
process stopped after --pabutools-timeout seconds), checks that the winners are identical and
prints both times and the speed ratio. When pabutools is stopped, the line says so and gives an
estimate: pabutools' MES add1 runs plain MES once per budget step, and Engage reports how many
steps there were.

With --whole-process it runs, for each file and rule, ``engage pb tally FILE --rule R --min-votes 0``
(the console script's own code) and bench/pabutools_tally.py as separate processes, one after the
other, and reports each one's wall time, time to its first line of output and peak memory (RSS of
the process, from wait4), and the ratio of wall times: what a person running a recount waits for.
--synthetic adds generated files of the size of real elections (bench/pbgen.py). --reading
times read_pabulib alone next to reading and decoding the file's bytes, with the memory it adds.

Where pabutools cannot finish MES add1 (a city's election: hours of plain MES runs), --exact-check
compares Engage's add1 search (float screens, skips and certified leaps) with Engage's plain add1:
one exact MES run at every budget step from the first, the rule as pabutools states it (the tests
hold that plain add1 against pabutools on the real files). Same steps, same budget, same winners.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "tally"))
sys.path.insert(0, str(ROOT / "bench"))

from engage.tally import read_pabulib, tally  # noqa: E402
from pbgen import path_for  # noqa: E402

RULES = ("greedy", "mes-plain", "mes-add1", "mes")


def _pabutools_child(path: str, rule: str, conn: Any) -> None:
    from pabutools_ref import pabutools_select  # the same recipe the tests use
    from pabutools.election import parse_pabulib

    instance, profile = parse_pabulib(path)
    t = time.perf_counter()
    winners = pabutools_select(instance, profile, rule)
    conn.send((time.perf_counter() - t, winners))


def run_pabutools(path: Path, rule: str, timeout: float) -> tuple[float, list[str]] | None:
    """pabutools' time and winners, or None if it did not finish within `timeout` seconds."""
    parent, child = mp.get_context("fork").Pipe()
    proc = mp.get_context("fork").Process(target=_pabutools_child, args=(str(path), rule, child))
    proc.start()
    got = parent.recv() if parent.poll(timeout) else None
    proc.kill()
    proc.join()
    return got


def _engage_child(path: str, rule: str, repeat: int, conn: Any) -> None:
    election = read_pabulib(path)
    times, outcome = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        outcome = tally(election, rule, min_votes=0)
        times.append(time.perf_counter() - t)
    assert outcome is not None
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send((statistics.median(times), outcome.selected, outcome.budget_increments, peak_mb))


def run_engage(path: Path, rule: str, repeat: int) -> tuple[float, list[str], int | None, float]:
    """Engage's median time, winners, add1 steps and peak memory (MB), in a fresh process."""
    parent, child = mp.get_context("fork").Pipe()
    proc = mp.get_context("fork").Process(target=_engage_child, args=(str(path), rule, repeat, child))
    proc.start()
    got = parent.recv()
    proc.join()
    return got  # type: ignore[no-any-return]


@dataclass
class Process:
    """One finished (or stopped) process: wall time, time to its first line, peak RSS, winners."""

    wall: float
    first_line: float | None
    peak_mb: float
    winners: list[str] | None  # None: stopped, or no "winners:" line
    stopped: bool


def run_process(cmd: list[str], timeout: float) -> Process:
    """Run ``cmd``, timing it from start to exit; killed after ``timeout`` seconds."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    first: list[float] = []
    lines: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not first:
                first.append(time.perf_counter() - start)
            lines.append(line)

    reader = threading.Thread(target=read)
    reader.start()
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    stopped = proc.returncode < 0
    winners = next((ln.split(":", 1)[1].split() for ln in lines if ln.startswith("winners:")), None)
    if winners == ["(none)"]:
        winners = []
    return Process(wall, first[0] if first else None, usage.ru_maxrss / 1024, None if stopped else winners, stopped)


def whole_process(files: list[Path], rules: list[str], timeout: float) -> int:
    """Engage and pabutools side by side as whole processes; returns the number of mismatches."""
    engage = [sys.executable, "-c", "from engage.cli import main; main()", "pb", "tally"]
    pabutools = [sys.executable, str(ROOT / "bench" / "pabutools_tally.py")]
    mismatches = 0
    print(f"{'file':<36} {'rule':<9} {'engage s':>8} {'1st line':>8} {'MB':>5}   {'pabutools s':>11} {'MB':>5} "
          f"{'ratio':>7}  same")
    for path in files:
        for rule in rules:
            e = run_process([*engage, str(path), "--rule", rule, "--min-votes", "0"], timeout)
            p = run_process([*pabutools, str(path), rule], timeout)
            first = f"{e.first_line:8.3f}" if e.first_line is not None else f"{'-':>8}"
            if p.stopped:
                theirs, ratio, same = f">{timeout:.0f} stopped", f">{timeout / e.wall:.0f}x", "-"
            else:
                theirs, ratio = f"{p.wall:11.2f}", f"{p.wall / e.wall:6.1f}x"
                same = "yes" if e.winners is not None and set(e.winners) == set(p.winners or []) else "NO"
                mismatches += same == "NO"
            print(f"{path.stem[:36]:<36} {rule:<9} {e.wall:8.3f} {first} {e.peak_mb:5.0f}   {theirs:>11} "
                  f"{p.peak_mb:5.0f} {ratio:>7}  {same}", flush=True)
    return mismatches


def _reading_child(path: str, conn: Any) -> None:
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    raw, parsed = [], []
    for _ in range(3):
        t = time.perf_counter()
        with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
            fh.read()
        raw.append(time.perf_counter() - t)
        t = time.perf_counter()
        election = read_pabulib(path)
        parsed.append(time.perf_counter() - t)
        del election
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    conn.send((statistics.median(raw), statistics.median(parsed), (peak - base) / 1024))


def reading(files: list[Path]) -> None:
    """How long read_pabulib takes next to reading and decoding the bytes alone, and its memory."""
    print(f"{'file':<36} {'MB':>6} {'bytes s':>8} {'read s':>8} {'ratio':>6} {'extra peak MB':>14}")
    for path in files:
        parent, child = mp.get_context("fork").Pipe()
        proc = mp.get_context("fork").Process(target=_reading_child, args=(str(path), child))
        proc.start()
        raw, parsed, extra = parent.recv()
        proc.join()
        size = path.stat().st_size / 1e6
        print(f"{path.stem[:36]:<36} {size:6.1f} {raw:8.3f} {parsed:8.3f} {parsed / raw:5.1f}x {extra:14.0f}", flush=True)


def exact_check(files: list[Path]) -> int:
    """The add1 search against exact plain stepping, per file (with --min-votes 0); mismatches."""
    from fractions import Fraction

    from engage.tally.add1 import Add1
    from engage.tally.model import Compiled
    from engage.tally.shares import prepare

    mismatches = 0
    print(f"{'file':<36} {'search s':>8} {'plain s':>8} {'steps':>6}  same")
    for path in files:
        election = read_pabulib(path)
        cp = Compiled.of(election)
        pd = prepare(cp)
        free = [i for i in range(len(cp.ids)) if cp.score[i] > 0 and cp.costs[i] == 0]
        active = [i for i in range(len(cp.ids)) if cp.score[i] > 0 and cp.costs[i] > 0]
        b0 = Fraction(election.budget, cp.n_voters)
        t = time.perf_counter()
        fast, k_fast = Add1(cp, pd, active, free, election.budget, b0).search()
        t_fast = time.perf_counter() - t
        t = time.perf_counter()
        plain, k_plain = Add1(cp, pd, active, free, election.budget, b0).linear()
        t_plain = time.perf_counter() - t
        same = (k_fast, fast.b, fast.selected) == (k_plain, plain.b, plain.selected)
        mismatches += not same
        print(f"{path.stem[:36]:<36} {t_fast:8.2f} {t_plain:8.2f} {k_plain:6d}  {'yes' if same else 'NO'}", flush=True)
    return mismatches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--rules", default=",".join(RULES))
    parser.add_argument("--repeat", type=int, default=3, help="Engage runs per rule (median reported)")
    parser.add_argument("--pabutools-timeout", type=float, default=300.0)
    parser.add_argument("--whole-process", action="store_true", help="time whole processes, side by side")
    parser.add_argument("--reading", action="store_true", help="time reading the files only")
    parser.add_argument("--exact-check", action="store_true",
                        help="MES add1: the fast search against exact plain stepping")
    parser.add_argument("--synthetic", default="", help="comma-separated shapes of bench/pbgen.py to add")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the synthetic files' voters")
    args = parser.parse_args()
    synthetic = [path_for(name, args.scale) for name in args.synthetic.split(",") if name]
    files = args.files + synthetic or sorted((ROOT / "tests" / "data" / "pabulib").glob("*.pb"))
    if args.reading:
        reading(files)
        return 0
    if args.exact_check:
        return 1 if exact_check(files) else 0
    if args.whole_process:
        mismatches = whole_process(files, args.rules.split(","), args.pabutools_timeout)
        if mismatches:
            print(f"{mismatches} rule(s) gave different winners from pabutools")
        return 1 if mismatches else 0
    mismatches = 0
    print(f"{'file':<44} {'rule':<9} {'engage s':>9} {'pabutools s':>12} {'ratio':>8}  same  peak MB  steps")
    for path in files:
        t = time.perf_counter()
        read_pabulib(path)
        print(f"{path.stem:<44} {'read':<9} {time.perf_counter() - t:9.3f}")
        plain_time: float | None = None
        for rule in args.rules.split(","):
            e_time, e_sel, steps, peak = run_engage(path, rule, args.repeat)
            got = run_pabutools(path, rule, args.pabutools_timeout)
            if got is None:
                note = f">{args.pabutools_timeout:.0f} (stopped)"
                if rule in ("mes-add1", "mes") and plain_time is not None and steps is not None:
                    estimate = plain_time * (steps + 1)
                    note += f", est. {estimate:.0f} s = {steps + 1} x plain MES; ratio ~{estimate / e_time:.0f}x"
                print(f"{path.stem:<44} {rule:<9} {e_time:9.3f} {note}  peak {peak:.0f} MB  steps {steps}")
                continue
            p_time, p_sel = got
            if rule == "mes-plain":
                plain_time = p_time
            same = set(p_sel) == set(e_sel)
            mismatches += not same
            print(
                f"{path.stem:<44} {rule:<9} {e_time:9.3f} {p_time:12.3f} {p_time / e_time:7.1f}x  "
                f"{'yes' if same else 'NO '}  {peak:7.0f}  {steps if steps is not None else ''}"
            )
            sys.stdout.flush()
    if mismatches:
        print(f"{mismatches} rule(s) gave different winners from pabutools")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
