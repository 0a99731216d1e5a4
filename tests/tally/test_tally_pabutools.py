"""Engage against pabutools and against the official results, on real pabulib files."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engage.tally import read_pabulib, tally

DATA = Path(__file__).resolve().parent.parent / "data" / "pabulib"
FILES = sorted(DATA.glob("*.pb"))
PABUTOOLS_RULES = ("greedy", "mes-plain", "mes-add1", "mes")


def test_the_data_set_is_in_the_repository() -> None:
    assert len(FILES) >= 6
    assert (FILES[0].parent / "CREDITS.md").exists()


@pytest.mark.parametrize("rule", PABUTOOLS_RULES)
@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_same_winners_as_pabutools(path: Path, rule: str, pabutools_results: Callable[[Path, str], list[str]]) -> None:
    election = read_pabulib(path)
    # pabutools knows no threshold, and none of these files sets one.
    assert election.min_votes_default() is None
    outcome = tally(election, rule)
    expected = pabutools_results(path, rule)
    assert set(outcome.selected) == set(expected)
    assert outcome.selected == expected  # the same selection order, too
    assert outcome.total_cost <= election.budget


OFFICIAL = {"equalshares/add1": "mes-add1", "greedy": "greedy", "greedy-threshold": "greedy"}


def official(path: Path) -> tuple[str, set[str]] | None:
    """(Engage rule, official winners) when the file records winners of a rule Engage implements."""
    election = read_pabulib(path)
    rule = OFFICIAL.get(election.meta.get("rule", ""))
    marked = [p for p in election.projects if p.extra.get("selected", "").strip() in ("0", "1")]
    if rule is None or not marked:
        return None
    return rule, {p.id for p in marked if p.extra["selected"].strip() == "1"}


WITH_OFFICIAL = [f for f in FILES if official(f) is not None]


def test_some_file_records_an_official_result() -> None:
    assert [f.stem for f in WITH_OFFICIAL] == ["Netherlands_Assen_2024"]


@pytest.mark.parametrize("path", WITH_OFFICIAL, ids=[f.stem for f in WITH_OFFICIAL])
def test_official_result_is_reproduced(path: Path) -> None:
    found = official(path)
    assert found is not None
    rule, winners = found
    election = read_pabulib(path)
    # The file's own threshold applies by default, as it did in the official count.
    assert set(tally(election, rule).selected) == winners


def test_assen_2024_matches_the_official_equal_shares_result() -> None:
    # Stated outright so the official MES check can never be skipped away by a data change.
    election = read_pabulib(FILES[0].parent / "Netherlands_Assen_2024.pb")
    outcome = tally(election, "mes-add1")
    assert set(outcome.selected) == {"3", "9", "2", "11", "13", "14", "5", "6", "12"}
    assert outcome.total_cost == 76700
    assert outcome.budget_increments is not None and outcome.budget_increments > 0
