"""Fixtures for the tally tests: the real pabulib files and pabutools as the reference."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pabutools_ref import pabutools_select



@pytest.fixture(scope="session")
def pabutools_results() -> Callable[[Path, str], list[str]]:
    """pabutools' winners per (file, rule), computed once per test session."""
    from pabutools.election import parse_pabulib  # in the test extra: missing means a broken setup

    parsed: dict[Path, tuple[Any, Any, dict]] = {}
    results: dict[tuple[Path, str], list[str]] = {}

    def get(path: Path, rule: str) -> list[str]:
        if path not in parsed:
            inst, prof = parse_pabulib(str(path))
            parsed[path] = (inst, prof, {})
        if (path, rule) not in results:
            inst, prof, cache = parsed[path]
            results[(path, rule)] = pabutools_select(inst, prof, rule, cache)
        return results[(path, rule)]

    return get
