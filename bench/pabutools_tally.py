"""pabutools' recount of a pabulib file, as a process of its own (bench/tally.py --whole-process).

    python bench/pabutools_tally.py FILE RULE

Prints ``winners: ...`` like ``engage pb tally`` does, using the recipe the tests use
(tests/tally/pabutools_ref.py) for Engage's rules: greedy, mes-plain, mes-add1, mes.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "tally"))


def main() -> None:
    from pabutools.election import parse_pabulib
    from pabutools_ref import pabutools_select

    path, rule = sys.argv[1:3]
    instance, profile = parse_pabulib(path)
    print(f"winners: {' '.join(pabutools_select(instance, profile, rule))}", flush=True)


if __name__ == "__main__":
    main()
