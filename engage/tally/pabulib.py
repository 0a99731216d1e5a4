"""Read and write pabulib (.pb) files: META, PROJECTS and VOTES sections, `;`-separated."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .model import Ballot, BallotType, Election, ElectionError, Project

SECTIONS = ("meta", "projects", "votes")
_VOTE_TYPES: dict[str, BallotType] = {"approval": "approval", "choose-1": "choose-1", "cumulative": "cumulative"}


class PabulibError(ValueError):
    """A pabulib file that cannot be read; the message names the line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def _whole(text: str, line: int, what: str) -> int:
    """Parse a money amount that must be a whole number ("4000.0" is fine, "12.5" is not)."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise PabulibError(line, f"{what} {text.strip()!r} is not a number") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise PabulibError(line, f"{what} {text.strip()!r} is not a whole number")
    if value < 0:
        raise PabulibError(line, f"{what} {text.strip()!r} is negative")
    return int(value)


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, stripped cells) for every non-blank row."""
    # csv handles quoted fields with ';' and '""' inside; a quoted field may span lines, so the
    # number reported is the line where the row starts.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";")
    start = 1
    for row in reader:
        cells = [c.strip() for c in row]
        if any(cells):
            yield start, cells
        start = reader.line_num + 1


def _is_section_row(cells: list[str]) -> bool:
    # A lone upper-case word is a section marker; anything else in column 1 is data.
    return len([c for c in cells if c]) == 1 and cells[0].isalpha() and cells[0].isupper()


def parse_pabulib(text: str) -> Election:
    """Parse the text of a pabulib file into an Election (raises PabulibError)."""
    meta: dict[str, str] = {}
    projects: list[Project] = []
    ballots: list[Ballot] = []
    seen: set[str] = set()
    section, header, header_line = "", [], 0
    costs: dict[str, int] = {}
    limits: _Limits | None = None
    rows = _rows(text)
    for line, cells in rows:
        if _is_section_row(cells):
            section = cells[0].lower()
            if section not in SECTIONS:
                raise PabulibError(line, f"unknown section {cells[0]!r} (expected META, PROJECTS or VOTES)")
            if section in seen:
                raise PabulibError(line, f"section {cells[0]} appears twice")
            seen.add(section)
            nxt = next(rows, None)
            if nxt is None:
                raise PabulibError(line, f"section {cells[0]} has no header row")
            header_line, header = nxt[0], nxt[1]
            while header and not header[-1]:
                header.pop()
            need = {"meta": ("key", "value"), "projects": ("project_id", "cost"), "votes": ("vote",)}[section]
            for col in need:
                if col not in header:
                    raise PabulibError(header_line, f"{section.upper()} header is missing the {col!r} column")
            if section == "votes":
                _check_meta(meta, line, text)
                if "projects" not in seen:
                    raise PabulibError(line, "VOTES before PROJECTS")
                costs = {p.id: p.cost for p in projects}
                limits = _Limits(meta, text)
            continue
        if not section:
            raise PabulibError(line, "data before the first section (expected META)")
        if section == "meta":
            # A stray ';' in a comment would split the value: keep it whole.
            meta[cells[0]] = ";".join(cells[1:]).strip() if len(cells) > 1 else ""
            continue
        if len(cells) < len(header):
            raise PabulibError(line, f"expected {len(header)} columns ({';'.join(header)}), found {len(cells)}")
        # Trailing empty cells (a row ending in ';') are harmless; data past the header is not.
        if any(cells[len(header):]):
            raise PabulibError(line, f"more columns than the header has ({len(header)})")
        record = dict(zip(header, cells))
        if section == "projects":
            projects.append(_project(record, line, {p.id for p in projects}))
        else:
            assert limits is not None  # set when the VOTES header was read
            ballots.append(_ballot(record, line, costs, limits))
    for name in ("meta", "projects", "votes"):
        if name not in seen:
            raise PabulibError(1, f"missing {name.upper()} section")
    budget = _whole(meta["budget"], _meta_line(text, "budget"), "budget")
    meta["budget"] = str(budget)  # normalised so that write/read round trips compare equal
    vote_type = _VOTE_TYPES[meta["vote_type"]]
    if vote_type == "approval" and meta.get("max_sum_cost"):
        vote_type = "knapsack"
    try:
        return Election(budget, tuple(projects), tuple(ballots), vote_type, meta)
    except ElectionError as exc:
        raise PabulibError(1, str(exc)) from None


def _meta_line(text: str, key: str) -> int:
    for n, raw in enumerate(text.splitlines(), start=1):
        if raw.lstrip("\ufeff").split(";", 1)[0].strip() == key:
            return n
    return 1


def _check_meta(meta: dict[str, str], line: int, text: str) -> None:
    for key in ("budget", "vote_type"):
        if key not in meta:
            raise PabulibError(line, f"META has no {key!r} entry")
    if meta["vote_type"] not in _VOTE_TYPES:
        raise PabulibError(
            _meta_line(text, "vote_type"),
            f"vote_type {meta['vote_type']!r} is not supported (approval, choose-1, cumulative)",
        )


def _project(record: dict[str, str], line: int, known: set[str]) -> Project:
    pid = record.pop("project_id")
    if not pid:
        raise PabulibError(line, "empty project_id")
    if pid in known:
        raise PabulibError(line, f"duplicate project_id {pid!r}")
    cost = _whole(record.pop("cost"), line, "cost")
    name = record.pop("name", "")
    return Project(pid, cost, name, record)


class _Limits:
    """The ballot limits META declares (lengths, knapsack budget, points)."""

    def __init__(self, meta: dict[str, str], text: str) -> None:
        def num(key: str) -> int | None:
            raw = meta.get(key, "").strip()
            if not raw or raw.lower() == "none":
                return None
            return _whole(raw, _meta_line(text, key), key)

        self.min_len, self.max_len, self.max_cost = num("min_length"), num("max_length"), num("max_sum_cost")
        self.max_pts, self.max_sum_pts = num("max_points"), num("max_sum_points")
        self.min_sum_pts = num("min_sum_points")
        self.cumulative = meta["vote_type"] == "cumulative"

    def check(self, b: Ballot, costs: dict[str, int], line: int) -> None:
        """Raise PabulibError if the ballot breaks a declared limit."""
        n = len(b.projects)
        if self.max_len is not None and n > self.max_len:
            raise PabulibError(line, f"vote has {n} projects, more than max_length {self.max_len}")
        # Empty ballots are kept (a voter who chose nothing) even when min_length is set.
        if self.min_len is not None and 0 < n < self.min_len:
            raise PabulibError(line, f"vote has {n} projects, fewer than min_length {self.min_len}")
        if self.max_cost is not None and sum(costs[p] for p in b.projects) > self.max_cost:
            raise PabulibError(line, f"vote is over budget: its projects cost more than max_sum_cost {self.max_cost}")
        if b.points is not None:
            total = sum(b.points)
            if self.max_pts is not None and any(x > self.max_pts for x in b.points):
                raise PabulibError(line, f"vote gives a project more than max_points {self.max_pts}")
            if self.max_sum_pts is not None and total > self.max_sum_pts:
                raise PabulibError(line, f"vote gives {total} points, more than max_sum_points {self.max_sum_pts}")
            if self.min_sum_pts is not None and 0 < total < self.min_sum_pts:
                raise PabulibError(line, f"vote gives {total} points, fewer than min_sum_points {self.min_sum_pts}")


def _ballot(record: dict[str, str], line: int, costs: dict[str, int], limits: _Limits) -> Ballot:
    raw = record.pop("vote")
    voter = record.pop("voter_id", "")
    chosen = tuple(v.strip() for v in raw.split(",") if v.strip())
    for pid in chosen:
        if pid not in costs:
            raise PabulibError(line, f"vote for unknown project {pid!r}")
    if len(set(chosen)) != len(chosen):
        raise PabulibError(line, "the same project appears twice in one vote")
    points: tuple[int, ...] | None = None
    if limits.cumulative:
        raw_pts = record.pop("points", None)
        if raw_pts is None:
            raise PabulibError(line, "cumulative votes need a 'points' column")
        parts = [x.strip() for x in raw_pts.split(",") if x.strip()]
        if len(parts) != len(chosen):
            raise PabulibError(line, f"{len(chosen)} projects but {len(parts)} points")
        try:
            points = tuple(int(x) for x in parts)
        except ValueError:
            raise PabulibError(line, f"points {raw_pts!r} are not whole numbers") from None
        if any(x < 0 for x in points):
            raise PabulibError(line, "negative points")
    ballot = Ballot(chosen, points, voter, record if record else {})
    limits.check(ballot, costs, line)
    return ballot


def read_pabulib(path: str | Path) -> Election:
    """Read a pabulib file from disk (UTF-8, with or without BOM)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return parse_pabulib(fh.read())


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
