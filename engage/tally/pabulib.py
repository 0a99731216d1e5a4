"""Read and write pabulib (.pb) files: META, PROJECTS and VOTES sections, `;`-separated.

The reader takes the file a line at a time and refuses, with the line's number, anything it could
not hold safely: a line over :data:`MAX_LINE` characters, a NUL, bytes that are not UTF-8, a number
beyond :data:`MAX_NUMBER`. Every refusal is a :class:`PabulibError` with a ``code`` and ``details``
from a fixed set, so that an app can put it into its own words (in Welsh, say).
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TextIO

from .checks import (MAX_AMOUNT, MAX_LINE, MAX_NUMBER, VOTE_TYPES, Limits, PabulibError, ballot_of, meta_number, row_record, shown,
                     whole)
from .model import Ballot, Election, ElectionError, Project
from .table import BallotTable
from .votes import SINK_BLOCK, SINK_DISTINCT, Blocks, FastVotes

__all__ = ["MAX_LINE", "MAX_NUMBER", "PabulibError", "meta_number", "open_pabulib", "parse_pabulib", "read_pabulib",
           "shown", "write_pabulib"]

#: The sections, in the order a file must give them.
SECTIONS = ("meta", "projects", "votes")
_NOT_TEXT = re.compile("[\x00\udc80-\udcff]")  # NUL, or a byte that was not UTF-8 (surrogateescape)


def _lines(fh: TextIO, first: int = 1) -> Iterator[str]:
    """The file's lines from line ``first`` on, each checked before csv reads it (one in memory)."""
    n = first - 1
    while True:
        # Two more than the limit, so that a line of exactly MAX_LINE keeps its "\r\n" whole.
        line = fh.readline(MAX_LINE + 2)
        if not line:
            return
        n += 1
        if n == 1:
            line = line.lstrip("\ufeff")  # a BOM in text given as a string
        if len(line.rstrip("\r\n")) > MAX_LINE:
            raise PabulibError(n, "line_too_long", f"line longer than {MAX_LINE} characters", limit=str(MAX_LINE))
        bad = _NOT_TEXT.search(line)
        if bad and bad.group() == "\x00":
            raise PabulibError(n, "nul", "NUL character (is this a text file?)")
        if bad:
            raise PabulibError(n, "not_utf8", "not UTF-8 text")
        yield line


class _Rows:
    """(line number, stripped cells) for every non-blank row, from line ``first`` on."""

    def __init__(self, fh: TextIO, first: int = 1) -> None:
        # csv handles quoted fields with ';' and '""' inside; a quoted field may span lines, so the
        # number reported is the line where the row starts. strict: a quote left open is an error,
        # not the rest of the file read as one field.
        self.reader = csv.reader(_lines(fh, first), delimiter=";", strict=True)
        self.first = first

    @property
    def next_line(self) -> int:
        """The number of the first line not read yet."""
        return self.first + self.reader.line_num

    def __iter__(self) -> _Rows:
        return self

    def __next__(self) -> tuple[int, list[str]]:
        while True:
            start = self.next_line
            try:
                row = next(self.reader)
            except csv.Error as exc:
                if "field larger" in str(exc):
                    raise PabulibError(start, "field_too_long", f"a field is longer than {MAX_LINE} characters",
                                       limit=str(MAX_LINE)) from None
                raise PabulibError(start, "bad_quotes", f"a quoted field is not closed properly ({exc})") from None
            cells = [c.strip() for c in row]
            if any(cells):
                return start, cells


def _is_section_row(cells: list[str]) -> bool:
    # A lone upper-case word is a section marker; anything else in column 1 is data.
    return len([c for c in cells if c]) == 1 and cells[0].isalpha() and cells[0].isupper()


def parse_pabulib(source: str | TextIO, *, on_votes: Callable[[Election], None] | None = None,
                  sink: Callable[[Ballot], None] | None = None) -> Election:
    """Parse a pabulib file, given as its text or as a text file open for reading (raises PabulibError).

    A file is read a line at a time; open it with :func:`open_pabulib` so that bad bytes are
    reported with their line rather than raised by the decoder. With ``sink``, each ballot goes to it
    as soon as it is read and checked, and the Election returned has none: memory stays small
    whatever the file's size. ``on_votes`` is given the election without ballots when the VOTES
    section starts (META and PROJECTS are complete by then: the order is checked).
    """
    reader = _Reader(on_votes, sink)
    return reader.read(io.StringIO(source, newline="") if isinstance(source, str) else source)


def open_pabulib(path: str | Path) -> TextIO:
    """Open a pabulib file for :func:`parse_pabulib` (UTF-8, with or without BOM)."""
    # surrogateescape: a byte that is not UTF-8 reaches _lines, which names its line.
    return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")


def read_pabulib(path: str | Path) -> Election:
    """Read a pabulib file from disk (UTF-8, with or without BOM)."""
    with open_pabulib(path) as fh:
        return parse_pabulib(fh)


class _Reader:
    """One file's reading: the section it is in, what it has read so far."""

    def __init__(self, on_votes: Callable[[Election], None] | None = None,
                 sink: Callable[[Ballot], None] | None = None) -> None:
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.projects: list[Project] = []
        self.costs: dict[str, int] = {}
        self.table: BallotTable | None = None  # the ballots, unless they go to the sink
        self.limits: Limits | None = None
        self.on_votes = on_votes
        self.sink = sink

    def read(self, fh: TextIO) -> Election:
        """Read the whole file: META and PROJECTS a line at a time, then VOTES (see :meth:`votes`)."""
        seen: list[str] = []
        section, header = "", []
        rows = _Rows(fh)
        for line, cells in rows:
            if _is_section_row(cells):
                section = self.section(line, cells[0], seen)
                header = self.header(line, section, next(rows, None))
                if section == "votes":
                    if self.on_votes is not None:
                        self.on_votes(self.election())
                    self.votes(fh, header, rows.next_line, seen)
                    break
                continue
            if not section:
                raise PabulibError(line, "data_before_section", "data before the first section (expected META)")
            if section == "meta":
                # A stray ';' in a comment would split the value: keep it whole.
                self.meta[cells[0]] = ";".join(cells[1:]).strip() if len(cells) > 1 else ""
                self.meta_lines[cells[0]] = line
                continue
            project = _project(row_record(header, cells, line), line, self.costs)
            self.projects.append(project)
            self.costs[project.id] = project.cost
        for name in SECTIONS:
            if name not in seen:
                raise PabulibError(1, "missing_section", f"missing {name.upper()} section", section=name.upper())
        return self.election()

    def election(self) -> Election:
        """What has been read, as an Election (with the ballots kept so far)."""
        assert self.limits is not None
        meta = dict(self.meta)
        meta["budget"] = str(self.limits.budget)  # normalised so that write/read round trips compare equal
        vote_type = VOTE_TYPES[meta["vote_type"]]
        if vote_type == "approval" and self.limits.max_cost is not None:
            vote_type = "knapsack"
        try:
            ballots = self.table if self.table is not None and self.sink is None else ()
            return Election(self.limits.budget, tuple(self.projects), ballots, vote_type, meta)
        except ElectionError as exc:  # the checks above should have caught it first
            raise PabulibError(1, "invalid", str(exc)) from None

    def votes(self, fh: TextIO, header: list[str], first: int, seen: list[str]) -> None:
        """The VOTES section, from line ``first`` to the end: in plain blocks, else a line at a time."""
        assert self.limits is not None  # set when the PROJECTS header was read
        # The reading makes many small objects and frees none: the cyclic garbage collector would
        # scan them all again and again (a third of the time on a city's file) and find nothing.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._votes(fh, header, first, seen)
        finally:
            if collecting:
                gc.enable()

    def _votes(self, fh: TextIO, header: list[str], first: int, seen: list[str]) -> None:
        assert self.limits is not None
        self.table = BallotTable(*FastVotes.stored_columns(header, self.limits.cumulative))
        fast = FastVotes(header, self.costs, self.limits, self.table, bulk=self.sink is None)
        # With a sink (an import), small blocks and a bounded memory of distinct votes: what is held
        # at once does not grow with the file.
        blocks = Blocks(fh, first, None if self.sink is None else SINK_BLOCK)
        for text, line in blocks:
            got = fast.read(text, line)
            if got is None:
                self.slow_votes(blocks.rest(text), header, line, seen)
                return
            if self.sink is None:
                self.table.add_block(*got)
                continue
            for ballot in self.table.built(*got):
                self.sink(ballot)
            if self.table.n_kinds() > SINK_DISTINCT:
                fast.forget()

    def slow_votes(self, fh: TextIO, header: list[str], first: int, seen: list[str]) -> None:
        """VOTES rows from line ``first`` on, a line at a time (what blocks could not read)."""
        assert self.limits is not None and self.table is not None
        keep = self.sink or self.table.add
        for line, cells in _Rows(fh, first):
            if _is_section_row(cells):
                self.section(line, cells[0], seen)  # VOTES is the last section: this raises
            keep(ballot_of(row_record(header, cells, line), line, self.costs, self.limits))

    def section(self, line: int, name: str, seen: list[str]) -> str:
        """The section a marker row starts, checked against the sections before it."""
        section = name.lower()
        if section not in SECTIONS:
            raise PabulibError(line, "unknown_section", f"unknown section {name!r} (expected META, PROJECTS or VOTES)",
                               section=shown(name))
        if section in seen:
            raise PabulibError(line, "section_twice", f"section {name} appears twice", section=name)
        expected = SECTIONS[len(seen)]
        if section != expected:
            raise PabulibError(line, "section_order", f"{name} before {expected.upper()}", section=name)
        seen.append(section)
        if section == "projects":
            self.limits = Limits(self.meta, self.meta_lines, line)
        return section

    def header(self, line: int, section: str, row: tuple[int, list[str]] | None) -> list[str]:
        """The header row after a section marker, with the columns the section needs."""
        if row is None:
            raise PabulibError(line, "no_header", f"section {section.upper()} has no header row",
                               section=section.upper())
        header_line, header = row
        while header and not header[-1]:
            header.pop()
        need = {"meta": ("key", "value"), "projects": ("project_id", "cost"), "votes": ("vote",)}[section]
        for col in need:
            if col not in header:
                raise PabulibError(header_line, "missing_column",
                                   f"{section.upper()} header is missing the {col!r} column",
                                   section=section.upper(), what=col)
        if section == "votes" and self.limits is not None and self.limits.cumulative and "points" not in header:
            raise PabulibError(header_line, "missing_column", "cumulative votes need a 'points' column",
                               section="VOTES", what="points")
        return header


def _project(record: dict[str, str], line: int, known: Mapping[str, int]) -> Project:
    pid = record.pop("project_id")
    if not pid:
        raise PabulibError(line, "empty_project_id", "empty project_id")
    if "," in pid or pid != pid.strip():
        # A vote lists its projects by id, separated by commas and read without spaces at their ends:
        # such an id could never be voted for, or would read as two.
        raise PabulibError(line, "bad_project_id", f"project_id {shown(pid)!r} has a comma or spaces at its ends",
                           project=shown(pid))
    if pid in known:
        raise PabulibError(line, "duplicate_project", f"duplicate project_id {shown(pid)!r}", project=shown(pid))
    cost = whole(record.pop("cost"), line, "cost", MAX_AMOUNT)
    name = record.pop("name", "")
    return Project(pid, cost, name, record)


def write_pabulib(election: Election) -> str:
    """Write an election as pabulib text; reading it back gives an equal Election."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    vote_type = "approval" if election.ballot_type == "knapsack" else election.ballot_type
    meta.update(budget=str(election.budget), vote_type=vote_type)
    meta.setdefault("num_projects", str(len(election.projects)))
    meta.setdefault("num_votes", str(len(election.ballots)))
    if election.ballot_type == "knapsack":
        meta.setdefault("max_sum_cost", str(election.budget))
    # Minimal quoting: only fields with ';', quotes or newlines are quoted, as pabulib writes them.
    w.writerow(["META"])
    w.writerow(["key", "value"])
    for key, value in meta.items():
        w.writerow([key, value])
    extra_p = _columns(p.extra for p in election.projects)
    has_name = any(p.name for p in election.projects)
    w.writerow(["PROJECTS"])
    w.writerow(["project_id", "cost"] + (["name"] if has_name else []) + extra_p)
    for p in election.projects:
        w.writerow([p.id, p.cost] + ([p.name] if has_name else []) + [p.extra.get(c, "") for c in extra_p])
    cumulative = election.ballot_type == "cumulative"
    extra_v = _columns(b.extra for b in election.ballots)
    w.writerow(["VOTES"])
    w.writerow(["voter_id", "vote"] + (["points"] if cumulative else []) + extra_v)
    for n, b in enumerate(election.ballots, start=1):
        row = [b.voter_id or str(n), ",".join(b.projects)]
        if cumulative:
            row.append(",".join(str(x) for x in (b.points or ())))
        w.writerow(row + [b.extra.get(c, "") for c in extra_v])
    return out.getvalue()


def _columns(dicts: Iterable[Mapping[str, str]]) -> list[str]:
    """Column names in first-seen order across rows."""
    cols: dict[str, None] = {}
    for d in dicts:
        for k in d:
            cols.setdefault(k, None)
    return list(cols)
