"""Read and write pabulib (.pb) files: META, PROJECTS and VOTES sections, `;`-separated.

The reader takes the file a line at a time and refuses, with the line's number, anything it could
not hold safely: a line over :data:`MAX_LINE` characters, a NUL, bytes that are not UTF-8, a number
beyond :data:`MAX_NUMBER`. Every refusal is a :class:`PabulibError` with a ``code`` and ``details``
from a fixed set, so that an app can put it into its own words (in Welsh, say).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

from .model import Ballot, BallotType, Election, ElectionError, Project

#: The sections, in the order a file must give them.
SECTIONS = ("meta", "projects", "votes")
_VOTE_TYPES: dict[str, BallotType] = {"approval": "approval", "choose-1": "choose-1", "cumulative": "cumulative"}
#: The longest line read (csv's own limit on a field); real files' lines are a few hundred.
MAX_LINE = 128 * 1024
#: The largest number read: the tally counts in 64 bits (numpy int64), and so do databases.
MAX_NUMBER = 2**63 - 1
#: META limits that, when given, must be at least 1 (0 would allow only an empty ballot).
_AT_LEAST_ONE = ("max_length", "max_sum_cost", "max_points", "max_sum_points")
_NOT_TEXT = re.compile("[\x00\udc80-\udcff]")  # NUL, or a byte that was not UTF-8 (surrogateescape)


class PabulibError(ValueError):
    """A pabulib file that cannot be read; the message names the line.

    ``message`` is English (for the ``pb tally`` command); ``code`` names the problem and
    ``details`` (keys: what, value, project, section, limit, found) give what an app needs to say
    it in its own words.
    """

    def __init__(self, line: int, code: str, message: str, **details: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.code = code
        self.message = message
        self.details = details


def shown(text: str, most: int = 40) -> str:
    """A value from a file as it is safe to print: short, and without control characters."""
    text = "".join(c if c.isprintable() else "?" for c in text[: most + 1].strip())
    return text if len(text) <= most else text[:most] + "…"


def _whole(text: str, line: int, what: str) -> int:
    """Parse a number that must be whole and at least 0 ("4000.0" is fine, "12.5" is not)."""
    value_shown = shown(text)
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise PabulibError(line, "not_number", f"{what} {value_shown!r} is not a number",
                           what=what, value=value_shown) from None
    if value.is_finite() and value < 0:
        raise PabulibError(line, "negative", f"{what} {value_shown!r} is negative", what=what, value=value_shown)
    # Compare the exponent first: "1e999999999" is a short text but a billion digits as an int.
    if value.is_finite() and (value.adjusted() > 18 or value > MAX_NUMBER):
        raise PabulibError(line, "too_large", f"{what} {value_shown!r} is larger than {MAX_NUMBER}",
                           what=what, value=value_shown, limit=str(MAX_NUMBER))
    if not value.is_finite() or value != value.to_integral_value():
        raise PabulibError(line, "not_whole", f"{what} {value_shown!r} is not a whole number",
                           what=what, value=value_shown)
    return int(value)


def _lines(fh: TextIO) -> Iterator[str]:
    """The file's lines, each checked before csv reads it (one line in memory, not the file)."""
    n = 0
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


def _rows(fh: TextIO) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, stripped cells) for every non-blank row."""
    # csv handles quoted fields with ';' and '""' inside; a quoted field may span lines, so the
    # number reported is the line where the row starts. strict: a quote left open is an error,
    # not the rest of the file read as one field.
    reader = csv.reader(_lines(fh), delimiter=";", strict=True)
    start = 1
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            if "field larger" in str(exc):
                raise PabulibError(start, "field_too_long", f"a field is longer than {MAX_LINE} characters",
                                   limit=str(MAX_LINE)) from None
            raise PabulibError(start, "bad_quotes", f"a quoted field is not closed properly ({exc})") from None
        if row is None:
            return
        cells = [c.strip() for c in row]
        if any(cells):
            yield start, cells
        start = reader.line_num + 1


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
        self.ballots: list[Ballot] = []
        self.limits: _Limits | None = None
        self.on_votes = on_votes
        self.keep = sink or self.ballots.append

    def read(self, fh: TextIO) -> Election:
        seen: list[str] = []
        section, header = "", []
        rows = _rows(fh)
        for line, cells in rows:
            if _is_section_row(cells):
                section = self.section(line, cells[0], seen)
                header = self.header(line, section, next(rows, None))
                if section == "votes" and self.on_votes is not None:
                    self.on_votes(self.election())
                continue
            if not section:
                raise PabulibError(line, "data_before_section", "data before the first section (expected META)")
            if section == "meta":
                # A stray ';' in a comment would split the value: keep it whole.
                self.meta[cells[0]] = ";".join(cells[1:]).strip() if len(cells) > 1 else ""
                self.meta_lines[cells[0]] = line
                continue
            record = _record(header, cells, line)
            if section == "projects":
                project = _project(record, line, self.costs)
                self.projects.append(project)
                self.costs[project.id] = project.cost
            else:
                assert self.limits is not None  # set when the PROJECTS header was read
                self.keep(_ballot(record, line, self.costs, self.limits))
        for name in SECTIONS:
            if name not in seen:
                raise PabulibError(1, "missing_section", f"missing {name.upper()} section", section=name.upper())
        return self.election()

    def election(self) -> Election:
        """What has been read, as an Election (with the ballots kept so far)."""
        assert self.limits is not None
        meta = dict(self.meta)
        meta["budget"] = str(self.limits.budget)  # normalised so that write/read round trips compare equal
        vote_type = _VOTE_TYPES[meta["vote_type"]]
        if vote_type == "approval" and self.limits.max_cost is not None:
            vote_type = "knapsack"
        try:
            return Election(self.limits.budget, tuple(self.projects), tuple(self.ballots), vote_type, meta)
        except ElectionError as exc:  # the checks above should have caught it first
            raise PabulibError(1, "invalid", str(exc)) from None

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
            self.limits = _Limits(self.meta, self.meta_lines, line)
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


def _record(header: list[str], cells: list[str], line: int) -> dict[str, str]:
    if len(cells) < len(header):
        raise PabulibError(line, "too_few_columns",
                           f"expected {len(header)} columns ({shown(';'.join(header))}), found {len(cells)}",
                           limit=str(len(header)), found=str(len(cells)))
    # Trailing empty cells (a row ending in ';') are harmless; data past the header is not.
    if any(cells[len(header):]):
        raise PabulibError(line, "too_many_columns", f"more columns than the header has ({len(header)})",
                           limit=str(len(header)), found=str(len(cells)))
    return dict(zip(header, cells))


def _project(record: dict[str, str], line: int, known: Mapping[str, int]) -> Project:
    pid = record.pop("project_id")
    if not pid:
        raise PabulibError(line, "empty_project_id", "empty project_id")
    if pid in known:
        raise PabulibError(line, "duplicate_project", f"duplicate project_id {shown(pid)!r}", project=shown(pid))
    cost = _whole(record.pop("cost"), line, "cost")
    name = record.pop("name", "")
    return Project(pid, cost, name, record)


def meta_number(meta: Mapping[str, str], key: str, line: int = 1) -> int | None:
    """A whole-number META entry (max_length, max_sum_points, ...); None when absent or "None"."""
    raw = meta.get(key, "").strip()
    return None if not raw or raw.lower() == "none" else _whole(raw, line, key)


class _Limits:
    """What META declares: the budget, the kind of ballot and its limits (lengths, cost, points)."""

    def __init__(self, meta: dict[str, str], lines: dict[str, int], line: int) -> None:
        for key in ("budget", "vote_type"):
            if key not in meta:
                raise PabulibError(line, "meta_missing", f"META has no {key!r} entry", what=key)
        if meta["vote_type"] not in _VOTE_TYPES:
            value = shown(meta["vote_type"])
            raise PabulibError(lines["vote_type"], "vote_type",
                               f"vote_type {value!r} is not supported (approval, choose-1, cumulative)",
                               what="vote_type", value=value)
        self.budget = _whole(meta["budget"], lines["budget"], "budget")

        def num(key: str) -> int | None:
            value = meta_number(meta, key, lines.get(key, 1))
            if value == 0 and key in _AT_LEAST_ONE:
                raise PabulibError(lines[key], "limit_zero", f"{key} is 0: it must be at least 1", what=key, value="0")
            return value

        self.min_len, self.max_len, self.max_cost = num("min_length"), num("max_length"), num("max_sum_cost")
        self.max_pts, self.max_sum_pts = num("max_points"), num("max_sum_points")
        self.min_sum_pts = num("min_sum_points")
        self.cumulative = meta["vote_type"] == "cumulative"

    def check(self, b: Ballot, costs: dict[str, int], line: int) -> None:
        """Raise PabulibError if the ballot breaks a declared limit."""
        n = len(b.projects)
        if self.max_len is not None and n > self.max_len:
            raise _broken(line, "vote_over", "max_length", self.max_len, n,
                          f"vote has {n} projects, more than max_length {self.max_len}")
        # Empty ballots are kept (a voter who chose nothing) even when min_length is set.
        if self.min_len is not None and 0 < n < self.min_len:
            raise _broken(line, "vote_under", "min_length", self.min_len, n,
                          f"vote has {n} projects, fewer than min_length {self.min_len}")
        if self.max_cost is not None and (cost := sum(costs[p] for p in b.projects)) > self.max_cost:
            raise _broken(line, "vote_over", "max_sum_cost", self.max_cost, cost,
                          f"vote is over budget: its projects cost more than max_sum_cost {self.max_cost}")
        if b.points is not None:
            total = sum(b.points)
            if self.max_pts is not None and (most := max(b.points, default=0)) > self.max_pts:
                raise _broken(line, "vote_over", "max_points", self.max_pts, most,
                              f"vote gives a project more than max_points {self.max_pts}")
            if self.max_sum_pts is not None and total > self.max_sum_pts:
                raise _broken(line, "vote_over", "max_sum_points", self.max_sum_pts, total,
                              f"vote gives {total} points, more than max_sum_points {self.max_sum_pts}")
            if self.min_sum_pts is not None and 0 < total < self.min_sum_pts:
                raise _broken(line, "vote_under", "min_sum_points", self.min_sum_pts, total,
                              f"vote gives {total} points, fewer than min_sum_points {self.min_sum_pts}")


def _broken(line: int, code: str, key: str, limit: int, found: int, message: str) -> PabulibError:
    """A ballot over (or under) the META limit ``key``."""
    return PabulibError(line, code, message, what=key, limit=str(limit), found=str(found))


def _ballot(record: dict[str, str], line: int, costs: dict[str, int], limits: _Limits) -> Ballot:
    raw = record.pop("vote")
    voter = record.pop("voter_id", "")
    chosen = tuple(v.strip() for v in raw.split(",") if v.strip())
    for pid in chosen:
        if pid not in costs:
            raise PabulibError(line, "unknown_project", f"vote for unknown project {shown(pid)!r}", project=shown(pid))
    if len(set(chosen)) != len(chosen):
        raise PabulibError(line, "project_twice", "the same project appears twice in one vote")
    points: tuple[int, ...] | None = None
    if limits.cumulative:
        parts = [x.strip() for x in record.pop("points").split(",") if x.strip()]
        if len(parts) != len(chosen):
            raise PabulibError(line, "points_count", f"{len(chosen)} projects but {len(parts)} points",
                               limit=str(len(chosen)), found=str(len(parts)))
        points = tuple(_whole(x, line, "points") for x in parts)
    ballot = Ballot(chosen, points, voter, record if record else {})
    limits.check(ballot, costs, line)
    return ballot


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
