"""The pabulib reader and writer: real files round-trip, bad files fail with a line number."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from engage.tally import Ballot, Election, PabulibError, Project, parse_pabulib, read_pabulib, write_pabulib

DATA = Path(__file__).resolve().parent.parent / "data" / "pabulib"
FILES = sorted(DATA.glob("*.pb"))

GOOD = """META
key;value
description;Test
num_projects;2
num_votes;2
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
a;60;"Park; with ""trees"", benches"
b;40.0;Library
VOTES
voter_id;vote
1;a,b
2;b
"""


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_real_files_round_trip(path: Path) -> None:
    election = read_pabulib(path)
    assert len(election.ballots) == int(election.meta["num_votes"])
    assert len(election.projects) == int(election.meta["num_projects"])
    again = parse_pabulib(write_pabulib(election))
    assert again == election


def test_quirks_bom_quotes_decimal_costs_and_extra_columns() -> None:
    e = parse_pabulib("\ufeff" + GOOD.replace("\n", "\r\n"))
    assert e.budget == 100
    assert [p.cost for p in e.projects] == [60, 40]
    assert e.projects[0].name == 'Park; with "trees", benches'
    assert e.ballots[0] == Ballot(("a", "b"), None, "1")
    assert parse_pabulib(write_pabulib(e)) == e


def test_kinds_of_ballot_are_recognised() -> None:
    dieppe = read_pabulib(DATA / "Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals.pb")
    assert dieppe.ballot_type == "approval"
    assert read_pabulib(DATA / "Netherlands_Amsterdam_179.pb").ballot_type == "knapsack"
    assert read_pabulib(DATA / "Poland_Zabrze_2021_Guido.pb").ballot_type == "choose-1"
    points = read_pabulib(DATA / "Poland_Czestochowa_2020_Bleszno.pb")
    assert points.ballot_type == "cumulative"
    assert points.ballots[0].projects == ("500", "567") and points.ballots[0].points == (5, 5)
    assert points.project("567").extra["score"] == "732"


def test_an_election_built_in_python_writes_and_reads_back() -> None:
    e = Election.build(10, [Project("x", 4, "Benches"), ("y", 6)], [{"x": 2, "y": 1}, {"y": 3}],
                       ballot_type="cumulative")
    back = parse_pabulib(write_pabulib(e))
    assert back.budget == 10 and back.ballot_type == "cumulative"
    assert [b.points for b in back.ballots] == [(2, 1), (3,)]
    assert back.projects[0].name == "Benches"


def bad(text: str) -> PabulibError:
    with pytest.raises(PabulibError) as info:
        parse_pabulib(text)
    return info.value


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("PROJECTS\n", "PROJECTZ\n"), 8, "unknown section"),
        (("project_id;cost;name", "project_id;price;name"), 9, "missing the 'cost' column"),
        (("voter_id;vote", "voter_id;ballot"), 13, "missing the 'vote' column"),
        (("1;a,b\n", "1;a,c\n"), 14, "unknown project 'c'"),
        (("b;40.0;Library", "b;forty;Library"), 11, "not a number"),
        (("b;40.0;Library", "b;40.5;Library"), 11, "not a whole number"),
        (("b;40.0;Library", "b;40.0"), 11, "expected 3 columns"),
        (("2;b\n", "2;b,b\n"), 15, "twice"),
        (("vote_type;approval", "vote_type;ordinal"), 7, "not supported"),
    ],
)
def test_bad_input_names_the_line(change: tuple[str, str], line: int, words: str) -> None:
    err = bad(GOOD.replace(*change))
    assert err.line == line
    assert words in str(err)
    assert str(err).startswith(f"line {line}: ")


def test_knapsack_ballot_over_budget_is_rejected() -> None:
    text = GOOD.replace("vote_type;approval", "vote_type;approval\nmax_sum_cost;80")
    err = bad(text)
    assert (err.line, "over budget" in str(err)) == (15, True)


def test_ballot_limits_are_checked() -> None:
    assert "max_length" in str(bad(GOOD.replace("vote_type;approval", "vote_type;approval\nmax_length;1")))
    points = GOOD.replace("vote_type;approval", "vote_type;cumulative\nmax_sum_points;5")
    points = points.replace("voter_id;vote", "voter_id;vote;points").replace("1;a,b", "1;a,b;3,3").replace("2;b\n", "2;b;1\n")
    err = bad(points)
    assert err.line == 15 and "max_sum_points" in str(err)
    assert "points" in str(bad(points.replace("1;a,b;3,3", "1;a,b;3")))


def test_missing_sections_and_meta() -> None:
    assert "missing VOTES" in str(bad(GOOD.split("VOTES")[0]))
    assert "budget" in str(bad(GOOD.replace("budget;100\n", "")))


class _LinesOnly:
    """A file that can only be read a line at a time (read() would hold all of it)."""

    def __init__(self, text: str) -> None:
        self._fh = io.StringIO(text, newline="")

    def readline(self, size: int = -1) -> str:
        return self._fh.readline(size)


def test_a_file_is_read_a_line_at_a_time(tmp_path: Path) -> None:
    assert parse_pabulib(_LinesOnly(GOOD)) == parse_pabulib(GOOD)  # type: ignore[arg-type]
    path = tmp_path / "crlf.pb"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    assert read_pabulib(path) == parse_pabulib(GOOD)


def test_a_byte_that_is_not_utf8_is_reported_on_its_own_line(tmp_path: Path) -> None:
    # Far past the decoder's first chunk (8 KB), so the line is the byte's, not the chunk's.
    votes = "".join(f"{n};a\n" for n in range(3, 3000))
    path = tmp_path / "latin1.pb"
    path.write_bytes((GOOD + votes).encode() + b"3000;b\xe9\n")
    with pytest.raises(PabulibError) as info:
        read_pabulib(path)
    assert (info.value.line, info.value.code) == (GOOD.count("\n") + 2998, "not_utf8")


@pytest.mark.parametrize(
    ("change", "line", "code", "details"),
    [
        (("b;40.0;Library", "b;1e999999999;Library"), 11, "too_large", {"what": "cost", "value": "1e999999999"}),
        (("b;40.0;Library", f"b;{2**63};Library"), 11, "too_large", {"what": "cost"}),
        (("budget;100", "budget;-1"), 6, "negative", {"what": "budget", "value": "-1"}),
        (("vote_type;approval", "vote_type;approval\nmax_length;0"), 8, "limit_zero", {"what": "max_length"}),
        (("Library", "Lib\x00rary"), 11, "nul", {}),
        (("Library", "L" * 200_000), 11, "line_too_long", {"limit": str(128 * 1024)}),
        (("a;60;", "a;60;\"" + ("x" * 70_000 + "\n") * 2), 10, "field_too_long", {}),
        (("2;b\n", "2;\"b\n"), 15, "bad_quotes", {}),
        (("META\n", "PROJECTS\nproject_id;cost\nMETA\n"), 1, "section_order", {"section": "PROJECTS"}),
        (("1;a,b\n", "1;a,\x1b[31mevil\n"), 14, "unknown_project", {"project": "?[31mevil"}),
        # A vote lists ids separated by commas: an id with a comma in it could never be named.
        (("b;40.0;Library", '"b,c";40.0;Library'), 11, "bad_project_id", {"project": "b,c"}),
        (("budget;100", f"budget;{10**12 + 1}"), 6, "too_large", {"what": "budget", "limit": str(10**12)}),
    ],
)
def test_bad_input_has_a_code_and_safe_details(change: tuple[str, str], line: int, code: str,
                                               details: dict[str, str]) -> None:
    err = bad(GOOD.replace(*change))
    assert (err.line, err.code) == (line, code)
    assert {k: err.details[k] for k in details} == details
    assert len(str(err)) < 300


def test_max_sum_cost_none_is_no_cost_limit() -> None:
    e = parse_pabulib(GOOD.replace("vote_type;approval", "vote_type;approval\nmax_sum_cost;None"))
    assert e.ballot_type == "approval"
