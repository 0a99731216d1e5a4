"""Benchmark: Engage's tally against pabutools on the same pabulib files, in one run.

    python bench/tally.py                          # every file in tests/data/pabulib/
    python bench/tally.py ../shared/pabulib/large/Hungary_Budapest_2024.pb --pabutools-timeout 600

For each file and rule it runs Engage (median of --repeat runs) and pabutools (once, in a child
process stopped after --pabutools-timeout seconds), checks that the winners are identical and
prints both times and the speed ratio. When pabutools is stopped, the line says so and gives an
estimate: pabutools' MES add1 runs plain MES once per budget step, and Engage reports how many
steps there were.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "tally"))

from engage.tally import read_pabulib, tally  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--rules", default=",".join(RULES))
    parser.add_argument("--repeat", type=int, default=3, help="Engage runs per rule (median reported)")
    parser.add_argument("--pabutools-timeout", type=float, default=300.0)
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "tests" / "data" / "pabulib").glob("*.pb"))
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
