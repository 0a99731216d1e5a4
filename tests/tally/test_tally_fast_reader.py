"""The block reader of VOTES (engage/tally/votes.py) gives exactly what the line-at-a-time reader
gives: the same Election, the same ballots to a sink, the same error with the same line.

"Line at a time" is the csv reader every file went through before; it is still what reads a block
the fast reader refuses, and the tests get it alone by making the fast reader refuse every block.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from engage.tally import Ballot, Election, PabulibError, parse_pabulib, read_pabulib, tally
from engage.tally import votes as votes_module
from engage.tally.model import Compiled
from engage.tally.table import BallotTable

DATA = Path(__file__).resolve().parent.parent / "data" / "pabulib"
FILES = sorted(DATA.glob("*.pb"))

HEAD = """META
key;value
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
a;60;"Park; with ""trees"", benches"
b;40;Library
C;10;Upper-case id
"""


def both(source: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    """What each reader makes of ``source``: an Election, or the error as (line, code, details)."""

    def one() -> object:
        try:
            return parse_pabulib(source)
        except PabulibError as exc:
            return (exc.line, exc.code, exc.details, str(exc))

    fast = one()
    with monkeypatch.context() as m:
        m.setattr(votes_module.FastVotes, "read", lambda self, text, first_line: None)
        slow = one()
    return fast, slow


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_real_files_read_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = read_pabulib(path)
    with monkeypatch.context() as m:
        m.setattr(votes_module.FastVotes, "read", lambda self, text, first_line: None)
        slow = read_pabulib(path)
    assert isinstance(fast.ballots, BallotTable)
    assert fast == slow
    assert list(fast.ballots) == list(slow.ballots)
    assert fast.ballots[-1] == slow.ballots[-1] and fast.ballots[3:5] == tuple(slow.ballots)[3:5]
    # The same election built from plain Ballot objects compiles and tallies alike.
    plain = Election(fast.budget, fast.projects, tuple(fast.ballots), fast.ballot_type, fast.meta)
    assert plain == fast and _same_compiled(plain, fast)
    assert tally(plain, "greedy").selected == tally(fast, "greedy").selected


def _same_compiled(a: Election, b: Election) -> bool:
    ca, cb = Compiled.of(a), Compiled.of(b)
    return (ca.ids, ca.costs, ca.n_voters, ca.votes, ca.score, ca.mult.tolist(),
            [s.tolist() for s in ca.supp], [w.tolist() for w in ca.wts]) == \
        (cb.ids, cb.costs, cb.n_voters, cb.votes, cb.score, cb.mult.tolist(),
         [s.tolist() for s in cb.supp], [w.tolist() for w in cb.wts])


TRICKY = {
    "quoted field with ';' in a vote row": 'voter_id;vote;note\n1;a,b;"x; y"\n2;b;plain\n',
    "quoted field across lines": 'voter_id;vote;note\n1;a;"two\nlines"\n2;b;z\n',
    "trailing ';'": "voter_id;vote;\n1;a,b;\n2;b;;\n",
    "blank rows and ';' rows": "voter_id;vote\n1;a\n\n;\n2;b\n\n",
    "spaces around cells and ids": "voter_id;vote\n 1 ; a , b \n2;b\n",
    "tab": "voter_id;vote\n1;\ta\n",
    "empty vote": "voter_id;vote\n1;\n2;a\n",
    "vote first, no voter_id": "vote;age\na,b;30\nb;\n",
    "only a vote column": "vote\na\nb,a\n\n",
    "upper-case project id alone": "vote\nC\n",
    "upper-case project id with voter": "voter_id;vote\n1;C\n",
    "repeated header name": "voter_id;vote;age;age\n1;a;30;31\n",
    "non-breaking space": "voter_id;vote;town\n1;a;\xa0Łódź\xa0\n",
    "lone CR line ends": "voter_id;vote\r1;a\r2;b\r",
    "unknown project late": "voter_id;vote\n" + "".join(f"{n};a\n" for n in range(1, 500)) + "500;zz\n",
    "project twice": "voter_id;vote\n1;a\n2;b,b\n",
    "too few columns": "voter_id;vote;age\n1;a;3\n2;b\n",
    "too many columns": "voter_id;vote\n1;a;x\n",
    "section after VOTES": "voter_id;vote\n1;a\nMETA\n",
    "unknown section after VOTES": "voter_id;vote\n1;a\nEXTRA\n",
    "open quote": 'voter_id;vote\n1;"a\n',
    "NUL": "voter_id;vote\n1;a\x00\n",
    "over max_length": "voter_id;vote\n1;a,b,C\n",
    "vote rows only": "voter_id;vote\n",
    "empty ids between commas": "voter_id;vote\n1;a,,b\n2;,a\n3;b,\n4;a,b\n",
    "the same projects in another order": "voter_id;vote\n1;a,b\n2;b,a\n3;b\n4;a,b\n",
    "a project twice among good votes": "voter_id;vote\n1;a\n2;b,a\n3;a,b\n4;b,a,b\n5;C\n",
    "a known id and an unknown one": "voter_id;vote\n1;a,b\n2;a,c\n",
}


@pytest.mark.parametrize("votes", list(TRICKY.values()), ids=list(TRICKY))
@pytest.mark.parametrize("line_end", ["\n", "\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("bom", ["", "\ufeff"], ids=["", "BOM"])
def test_tricky_votes_read_the_same(votes: str, line_end: str, bom: str, monkeypatch: pytest.MonkeyPatch) -> None:
    head = HEAD.replace("vote_type;approval", "vote_type;approval\nmax_length;2")
    source = bom + (head + "VOTES\n" + votes).replace("\n", line_end)
    fast, slow = both(source, monkeypatch)
    assert fast == slow
    if isinstance(fast, Election):
        assert list(fast.ballots) == list(slow.ballots)  # type: ignore[attr-defined]


def test_values_keep_their_line_breaks_and_semicolons() -> None:
    source = HEAD + 'VOTES\nvoter_id;vote;note\n1;a;"two\nlines"\n2;b;"x; y"\n3;a;\n'
    election = parse_pabulib(source)
    assert [b.extra["note"] for b in election.ballots] == ["two\nlines", "x; y", ""]
    assert [b.voter_id for b in election.ballots] == ["1", "2", "3"]


def test_cumulative_votes_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    head = HEAD.replace("vote_type;approval", "vote_type;cumulative\nmax_sum_points;10")
    ok = head + "VOTES\nvoter_id;vote;points\n1;a,b;3,7\n2;b;2\n3;a,b;3,7\n"
    fast, slow = both(ok, monkeypatch)
    assert isinstance(fast, Election) and fast == slow
    assert fast.ballots[0] == Ballot(("a", "b"), (3, 7), "1")
    for bad in ("3;a,b;3,8\n", "3;a,b;3\n", "3;a;x\n"):
        fast, slow = both(ok + bad, monkeypatch)
        assert isinstance(fast, tuple) and fast == slow


def test_blocks_meet_at_line_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small blocks: CRLF pairs and quoted fields fall across block edges; line numbers still hold."""
    monkeypatch.setattr(votes_module, "BLOCK", 7)
    rows = "".join(f"{n};a,b;\r\n" for n in range(1, 40)) + '40;b;"q\r\n"\r\n41;a;\r\n'
    source = HEAD + "VOTES\r\nvoter_id;vote;note\r\n" + rows
    fast, slow = both(source, monkeypatch)
    assert fast == slow
    fast, slow = both(source + "42;zz;\r\n", monkeypatch)
    assert isinstance(fast, tuple) and fast[:2] == (source.count("\n") + 1, "unknown_project") and fast == slow


def test_a_sink_gets_the_same_ballots(monkeypatch: pytest.MonkeyPatch) -> None:
    source = HEAD + "VOTES\nvoter_id;vote;age\n" + "".join(f"{n};{'a,b' if n % 3 else 'b'};{n % 70}\n"
                                                          for n in range(1, 3000))
    got: dict[str, list[Ballot]] = {"fast": [], "slow": []}
    started: list[Election] = []
    election = parse_pabulib(io.StringIO(source, newline=""), on_votes=started.append, sink=got["fast"].append)
    with monkeypatch.context() as m:
        m.setattr(votes_module.FastVotes, "read", lambda self, text, first_line: None)
        parse_pabulib(source, sink=got["slow"].append)
    assert got["fast"] == got["slow"] and len(got["fast"]) == 2999
    assert election.ballots == () and len(started) == 1 and started[0].ballots == ()


def test_a_sink_gets_the_same_ballots_when_distinct_votes_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a sink the reader remembers few distinct votes (memory must not grow with the file)."""
    from engage.tally import pabulib

    monkeypatch.setattr(pabulib, "SINK_DISTINCT", 2)
    monkeypatch.setattr(pabulib, "SINK_BLOCK", 64)
    votes = ["a", "b", "a,b", "b,a", "C", "a,C"]
    source = HEAD + "VOTES\nvoter_id;vote\n" + "".join(f"{n};{votes[n % 6]}\n" for n in range(1, 400))
    fast: list[Ballot] = []
    parse_pabulib(io.StringIO(source, newline=""), sink=fast.append)
    assert fast == list(parse_pabulib(source).ballots) and len(fast) == 399


LIMITED = {
    "within every limit": "1;a\n2;b,C\n3;C,b\n",
    "under min_length": "1;a,b\n2;C\n",
    "over max_sum_cost": "1;b,C\n2;a,b\n",
    "at max_sum_cost": "1;a,b\n2;b,a\n",
    "over max_length": "1;a\n2;a,b,C\n",
}


@pytest.mark.parametrize("votes", list(LIMITED.values()), ids=list(LIMITED))
@pytest.mark.parametrize("limits", ["min_length;2", "max_sum_cost;100", "max_length;2", "min_length;1\nmax_sum_cost;70"])
def test_votes_checked_a_block_at_a_time_keep_every_limit(votes: str, limits: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The block reader checks new approval votes together, as numbers; a block with any vote it
    is unsure of is checked vote by vote, so the answer and the line named are the slow reader's."""
    source = HEAD.replace("vote_type;approval", "vote_type;approval\n" + limits) + "VOTES\nvoter_id;vote\n" + votes
    fast, slow = both(source, monkeypatch)
    assert fast == slow
    if isinstance(fast, Election):
        assert list(fast.ballots) == list(slow.ballots)  # type: ignore[attr-defined]
        assert _same_compiled(fast, slow)  # type: ignore[arg-type]


def test_blocks_checked_together_and_vote_by_vote_compile_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small blocks, some of which hold a vote only the vote-by-vote check accepts ("a,,b"): the
    distinct votes then come partly as numbers and partly one at a time, and group as one."""
    monkeypatch.setattr(votes_module, "BLOCK", 40)
    picks = ["a", "b,a", "a,b", "C", "a,,b", "b", "C,a", "a,C,b", ""]
    rows = "".join(f"{n};{picks[n % 9] or 'b'};{n % 3}\n" for n in range(1, 200))
    source = HEAD + "VOTES\nvoter_id;vote;age\n" + rows
    fast, slow = both(source, monkeypatch)
    assert isinstance(fast, Election) and fast == slow
    table = fast.ballots
    assert isinstance(table, BallotTable) and table._codes and len(table._codes) < len(table.kinds)
    assert _same_compiled(fast, slow)  # type: ignore[arg-type]
    compiled = Compiled.of(fast)
    # a, b, C, {a,b}, {a,C}, {a,b,C}: six groups however the ids were ordered or spaced.
    assert len(compiled.mult) == 6 and int(compiled.mult.sum()) == 199


def test_a_file_of_very_many_projects_is_read_and_grouped_vote_by_vote(monkeypatch: pytest.MonkeyPatch) -> None:
    """Votes become rows of bits, one per 32 projects; a file of thousands of projects (none real
    has more than a few hundred) would make those rows huge, so past CODED_PROJECTS the reader and
    the tally keep to the one-vote-at-a-time path (and past CODED_CELLS the grouping does)."""
    from engage.tally import table as table_module

    n = table_module.CODED_PROJECTS + 1
    head = "META\nkey;value\nbudget;1000\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
    source = head + "".join(f"p{i};{i % 7 + 1}\n" for i in range(n)) + "VOTES\nvoter_id;vote\n" + \
        "".join(f"{v};p{v % n},p{(v + 1) % n}\n" for v in range(1, n + 200))
    fast, slow = both(source, monkeypatch)
    assert isinstance(fast, Election) and fast == slow
    assert isinstance(fast.ballots, BallotTable) and not fast.ballots._codes and fast.ballots.codes() is None
    assert _same_compiled(fast, slow)  # type: ignore[arg-type]
    # A smaller cap on the cells: the grouping falls back too, with the same arrays.
    small = parse_pabulib(HEAD + "VOTES\nvoter_id;vote\n1;a,b\n2;b\n3;C,a\n")
    assert isinstance(small.ballots, BallotTable) and small.ballots.codes() is not None
    monkeypatch.setattr(table_module, "CODED_CELLS", 2)
    assert small.ballots.codes() is None
    assert _same_compiled(small, Election(small.budget, small.projects, tuple(small.ballots), small.ballot_type,
                                          small.meta))
