"""A pot's ballots as a pabulib file, out (open data) and in (real elections for demos and training)."""
from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import replace
from datetime import date
from typing import Any, NamedTuple, TextIO

from sqlalchemy import BigInteger, Column, Date, MetaData, String, Table, Text, insert, literal, null, select

from ..accounts.models import Organisation
from ..audit.services import record
from ..dates import today_local
from ..db import write_transaction
from ..extensions import db
from ..tally import BallotType, Election, meta_number, parse_pabulib, shown, write_pabulib
from ..tally.model import Ballot
from ..tally.model import Project as TallyProject
from ..types import utcnow
from .box import BOX, BOX_COLUMNS, ROLL, ROLL_COLUMNS
from .models import Pot, Project
from .pots import BallotRefusal
from .results import election_of

#: pabulib's ballot types in ours.
FROM_TALLY_TYPE = {"knapsack": "knapsack", "approval": "approval", "cumulative": "points", "choose-1": "approval"}
#: The largest numbers our columns hold (INTEGER, BIGINT): PostgreSQL refuses more, SQLite too past BIGINT.
MAX_INTEGER, MAX_BIGINT = 2**31 - 1, 2**63 - 1
#: The longest title a pot or a project may have (VARCHAR(200): PostgreSQL refuses more).
MAX_TITLE = Pot.__table__.c.title_en.type.length


#: The META ``money_unit`` of a file whose budget and costs are pence (Engage writes it; pabulib's are
#: whole units of ``currency``).
PENCE = "pence"
#: The languages a pot's words are kept in, as suffixes of the extra META keys and PROJECTS columns.
LANGS = ("cy", "en")


def export_pabulib(pot: Pot, lang: str = "en") -> str:
    """The anonymised ballots as a pabulib file (no receipts, channels, dates or voter ids).

    A pot imported from a file gives the file back: its META unchanged and in order, its projects'
    ids, costs, names and extra columns, and the same ballots (numbered afresh, without the voters'
    own columns: see docs/secrecy.md). A pot made here is written in its own ids and in pence
    (``currency`` GBP, ``money_unit`` pence): ``description`` (META) and ``name`` (PROJECTS) are in
    ``lang``, the language of the page it was downloaded from (the other language when that one is
    empty); both languages are kept beside them, in the extra META keys ``description_cy``,
    ``description_en``, ``unit_cy``, ``unit_en`` and the extra PROJECTS columns ``name_cy``,
    ``name_en`` (pabulib allows extra keys and columns)."""
    election = election_of(pot)
    if pot.source_meta is not None:
        return write_pabulib(_as_imported(pot, election))
    other = "en" if lang == "cy" else "cy"
    meta = dict(election.meta)
    meta["description"] = pot.text("title", lang) or pot.text("title", other)
    meta["unit"] = pot.text("area", lang) or pot.text("area", other)
    meta["money_unit"] = PENCE
    for key, field in (("description", "title"), ("unit", "area")):
        meta.update({f"{key}_{code}": pot.text(field, code) for code in LANGS})
    titles = {str(p.id): p for p in pot.projects}
    projects = tuple(replace(p, name=titles[p.id].text("title", lang) or titles[p.id].text("title", other),
                             extra={**p.extra, **{f"name_{code}": titles[p.id].text("title", code) for code in LANGS}})
                     for p in election.projects)
    return write_pabulib(replace(election, projects=projects, meta={k: v for k, v in meta.items() if v}))


def _as_imported(pot: Pot, election: Election) -> Election:
    """An imported pot as its file had it: the file's META, project ids, names and columns."""
    meta = dict(json.loads(pot.source_meta or "[]"))
    source = {str(p.id): p.source_id or str(p.id) for p in pot.projects}
    projects = []
    for p in pot.projects:
        columns = dict(json.loads(p.source_extra or "[]"))
        name = columns.pop("name", "")
        projects.append(TallyProject(source[str(p.id)], p.cost_pence, name, columns))
    ballots = tuple(Ballot(tuple(source[pid] for pid in b.projects), b.points) for b in election.ballots)
    return Election(election.budget, tuple(projects), ballots, _source_type(meta), meta)


def _source_type(meta: dict[str, str]) -> BallotType:
    """The ballot type the reader makes of a file's META (approval with a cost limit is knapsack)."""
    vote_type = meta.get("vote_type", "approval")
    if vote_type in ("choose-1", "cumulative"):
        return vote_type  # type: ignore[return-value]
    return "knapsack" if meta_number(meta, "max_sum_cost") is not None else "approval"


def import_pabulib(org: Organisation, source: str | TextIO, title: str | None = None) -> Pot:
    """A closed pot made from a pabulib file (its text, or the file from ``open_pabulib``), for demos
    and training. Raises PabulibError, or BallotRefusal for what our tables cannot hold; either way
    nothing is written (one transaction).

    The file is read once, a line at a time, and its ballots written in chunks as they are read, so
    memory stays near one chunk (plus one copy of each distinct ballot) whatever the file's size.
    """
    with write_transaction():
        importer = _Importer(org, title)
        try:
            election = parse_pabulib(source, on_votes=importer.start, sink=importer.take)
            return importer.finish(election)
        except BaseException as exc:
            importer.abandon(exc)  # PostgreSQL: its COPY ends before the transaction rolls back
            raise


#: Ballots written per INSERT: memory stays at one chunk of rows, whatever the file's size.
CHUNK = 5000
#: Distinct ballots whose JSON is kept for reuse (real elections repeat ballots; a file that does not
#: must not fill memory with them).
DISTINCT_KEPT = 20_000


class _Distinct(NamedTuple):
    """What the box keeps of one distinct ballot, made once for every ballot like it."""

    choices: str
    total: int
    #: PostgreSQL: the end of its line in COPY's text format, total and choices after the two keys.
    copy_line: str = ""


def _copy_text(value: str) -> str:
    """A value as COPY's text format reads it (backslash, tab and line ends escaped)."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _Importer:
    """One file's import: the pot and its projects once PROJECTS has been read, then the ballots."""

    def __init__(self, org: Organisation, title: str | None) -> None:
        self.org, self.title = org, title
        self.pot: Pot | None = None
        self.ids: dict[str, int] = {}
        self.costs: dict[str, int] = {}
        self.waiting: list[Ballot] = []
        self.made: dict[tuple[tuple[str, ...], tuple[int, ...] | None], _Distinct] = {}
        self.ballots = 0
        self.most_points = 0
        self.insert: _BulkInsert | None = None

    def start(self, election: Election) -> None:
        """The pot and its projects (called when the VOTES section starts)."""
        ballot_type = FROM_TALLY_TYPE[election.ballot_type]
        name = self.title or election.meta.get("description") or "Imported vote"
        # A file Engage wrote keeps both languages (description_cy, description_en); others have one.
        titles = {code: self.title or election.meta.get(f"description_{code}") or name for code in LANGS}
        max_choices, points_total = _fits(election, name, bool(self.title))
        pot = Pot(org_id=self.org.id, title_cy=titles["cy"], title_en=titles["en"], budget_pence=election.budget,
                  currency=_currency(election.meta), amount_scale=100 if election.meta.get("money_unit") == PENCE else 1,
                  source_meta=json.dumps(list(election.meta.items()), ensure_ascii=False), ballot_type=ballot_type,
                  rule="mes" if "equal" in election.meta.get("rule", "").lower()
                  or election.meta.get("rule") == "mes" else "greedy", eligibility="codes", status="closed",
                  code_salt=secrets.token_hex(16), imported=True, closed_at=utcnow())
        if ballot_type == "approval":
            pot.max_choices = max_choices
        if ballot_type == "points":
            pot.points_total = points_total
        db.session.add(pot)
        db.session.flush()
        for p in election.projects:
            names = _names(p)
            project = Project(pot_id=pot.id, title_cy=names["cy"], title_en=names["en"], cost_pence=p.cost,
                              source_id=p.id, source_extra=json.dumps([["name", p.name], *p.extra.items()],
                                                                      ensure_ascii=False))
            db.session.add(project)
            db.session.flush()
            self.ids[p.id] = project.id
        self.costs = {p.id: p.cost for p in election.projects}
        self.pot = pot

    def take(self, ballot: Ballot) -> None:
        """One ballot as read (called for each of millions: the least work here; the rest by chunk)."""
        waiting = self.waiting
        waiting.append(ballot)
        if len(waiting) >= CHUNK:
            self.write()

    def write(self) -> None:
        """The ballots read so far into the roll (as paper ballots: no identity) and the box. Each
        distinct ballot's JSON, total and most points are made once (real elections repeat ballots a
        great deal)."""
        pot, chunk = self.pot, self.waiting
        if pot is None or not chunk:
            return
        if self.insert is None:
            self.insert = _BulkInsert(pot, today_local())
        made, distinct = self.made, self.distinct
        keys = os.urandom(32 * len(chunk)).hex()  # random row keys (no insertion order), two per ballot
        self.insert.write(keys, [made.get((b.projects, b.points)) or distinct(b) for b in chunk])
        self.ballots += len(chunk)
        self.waiting = []

    def distinct(self, ballot: Ballot) -> _Distinct:
        """What the box keeps of a ballot not seen lately, kept for the ballots like it."""
        made, ids = self.made, self.ids
        if len(made) >= DISTINCT_KEPT:  # a file with few repeats: keep memory bounded
            made.clear()
        if ballot.points:
            self.most_points = max(self.most_points, sum(ballot.points))
        choices = json.dumps({str(ids[pid]): pts for pid, pts in ballot.weights()})
        total = sum(self.costs[pid] for pid in ballot.projects)
        line = f"\t{total}\t{_copy_text(choices)}\n" if self.insert is not None and self.insert.copies else ""
        found = made[(ballot.projects, ballot.points)] = _Distinct(choices, total, line)
        return found

    def abandon(self, exc: BaseException) -> None:
        """After an error: end what is still being written (nothing once finished)."""
        if self.insert is not None:
            self.insert.end_copy(exc)

    def finish(self, election: Election) -> Pot:
        pot = self.pot
        assert pot is not None  # the reader refuses a file without VOTES
        self.write()
        if self.insert is not None:
            self.insert.finish()
        if pot.ballot_type == "points" and meta_number(election.meta, "max_sum_points") is None:
            # A file without max_sum_points: the pot's points to give are the most any ballot gave.
            if self.most_points > MAX_INTEGER:
                raise BallotRefusal("import_too_large", what="max_sum_points", limit=str(MAX_INTEGER),
                                    found=str(self.most_points))
            pot.points_total = max(self.most_points, 1)
        # The box was written by this one transaction in the order of random keys, so it is sealed
        # as it stands (docs/secrecy.md); the scheduler would otherwise rewrite it all for nothing.
        pot.sealed_ballots = self.ballots
        record("pb.imported", f"Funding pot {pot.id} imported from a pabulib file", org_id=self.org.id, obj=pot,
               data={"projects": len(election.projects), "ballots": self.ballots})
        return pot


#: An import's ballots as read (a temporary table: each connection has its own, gone with it), before
#: they go to the roll and the box in key order.
STAGED = Table("pb_import_staged", MetaData(), Column("roll_id", String(32)), Column("box_id", String(32)),
               Column("total_pence", BigInteger), Column("choices", Text), prefixes=["TEMPORARY"])


class _BulkInsert:
    """Many roll and box rows of one imported pot: staged as read, then written in key order.

    Each chunk is appended to a temporary table (on PostgreSQL through one COPY that stays open while
    the file is read, so the database stages one chunk while the next is read and made; on SQLite one
    executemany straight to the driver); at the end one INSERT ... SELECT ... ORDER BY key fills the
    roll and one the box. The keys are random, so that order says nothing of the file's, and each
    table's B-trees grow at one end instead of taking every row at a random place: millions of
    ballots in seconds, not minutes, and no more memory (the database sorts on disk). The
    statements are built from the table models."""

    def __init__(self, pot: Pot, today: date) -> None:
        self.pot, self.today = pot, today
        self.conn = db.session.connection()
        self.copies = self.conn.dialect.name == "postgresql"  # staged with COPY (else executemany)
        self.copying: ExitStack | None = None  # PostgreSQL: the COPY, open from the first chunk to the end
        self.copy: Any = None
        STAGED.drop(self.conn, checkfirst=True)  # left by an import that failed on this connection
        STAGED.create(self.conn)
        compiled = STAGED.insert().compile(dialect=self.conn.dialect)
        self.sql = compiled.string
        names = [c.name for c in STAGED.columns]
        self.params: Callable[[tuple[Any, ...]], Any] | None = None  # rows as they are (SQLite's ?s)
        if compiled.positiontup is None:
            self.params = lambda row: dict(zip(names, row))  # PostgreSQL's %(name)s
        elif list(compiled.positiontup) != names:
            order = [names.index(name) for name in compiled.positiontup]
            self.params = lambda row: tuple(row[i] for i in order)

    def write(self, keys: str, ballots: list[_Distinct]) -> None:
        """Stage a chunk of ballots; ``keys`` holds two random keys of 32 hex digits for each, its
        roll key and then its box key."""
        starts = range(0, 64 * len(ballots), 64)
        if self.copies:
            # COPY (a third of the time of an executemany), its text made here in one piece: a row
            # at a time through the driver took as long as reading the file.
            text = "".join([f"{keys[i:i + 32]}\t{keys[i + 32:i + 64]}{b.copy_line}" for i, b in zip(starts, ballots)])
            if self.copying is None:
                # One COPY for the whole file: the driver sends each chunk and returns at once, and
                # the database takes it in while the reading goes on (a COPY a chunk waited for each).
                # Until it ends, nothing else may use the connection (import_pabulib ends it).
                columns = ", ".join(c.name for c in STAGED.columns)
                self.copying = ExitStack()
                cursor = self.copying.enter_context(self.conn.connection.driver_connection.cursor())
                self.copy = self.copying.enter_context(cursor.copy(f"COPY {STAGED.name} ({columns}) FROM STDIN"))
            self.copy.write(text)
            return
        rows = [(keys[i:i + 32], keys[i + 32:i + 64], b.total, b.choices) for i, b in zip(starts, ballots)]
        self.conn.exec_driver_sql(self.sql, rows if self.params is None else [self.params(row) for row in rows])

    def end_copy(self, exc: BaseException | None = None) -> None:
        """End the COPY, if one is open: at the end (the database's error, if any, is raised here), or
        after ``exc`` (the database is told to drop what it was given; ``exc`` is what is raised)."""
        copying, self.copying, self.copy = self.copying, None, None
        if copying is None:
            return
        if exc is None:
            copying.close()
            return
        with suppress(Exception):
            copying.__exit__(type(exc), exc, exc.__traceback__)

    def finish(self) -> None:
        self.end_copy()
        pot, staged = self.pot, STAGED.c
        roll = {"id": staged.roll_id, "pot_id": literal(pot.id), "code_id": null(), "browser_hash": null(),
                "channel": literal("paper"), "voted_on": literal(self.today, Date)}
        box = {"id": staged.box_id, "pot_id": literal(pot.id), "budget_pence": literal(pot.budget_pence, BigInteger),
               "ballot_type": literal(pot.ballot_type), "total_pence": staged.total_pence, "choices": staged.choices}
        # PostgreSQL sorts the keys byte by byte (COLLATE "C"): for hex digits the order of the
        # indexes' own collation (either way random), without the C library's strcoll at each step.
        by_bytes = (lambda key: key.collate("C")) if self.conn.dialect.name == "postgresql" else (lambda key: key)
        self.conn.execute(insert(ROLL).from_select(ROLL_COLUMNS, select(*(roll[c] for c in ROLL_COLUMNS))
                                                   .order_by(by_bytes(staged.roll_id))))
        self.conn.execute(insert(BOX).from_select(BOX_COLUMNS, select(*(box[c] for c in BOX_COLUMNS))
                                                  .order_by(by_bytes(staged.box_id))))
        STAGED.drop(self.conn)


def _currency(meta: dict[str, str]) -> str:
    """The file's ``currency`` as an ISO 4217 code ("pln" → "PLN"); "" when it gives none we can name."""
    code = meta.get("currency", "").strip().upper()
    return code if len(code) == 3 and code.isascii() and code.isalpha() else ""


def _names(p: TallyProject) -> dict[str, str]:
    """A project's title in each language: its ``name_cy``/``name_en`` column, else ``name``, else its id."""
    return {code: p.extra.get(f"name_{code}") or p.name or p.id for code in LANGS}


def _fits(election: Election, name: str, titled: bool) -> tuple[int, int]:
    """Refuse what our tables would not hold (rather than let the database refuse it halfway, or
    change it); return the pot's max_choices and points_total."""
    if not election.projects:
        raise BallotRefusal("import_no_projects")
    for key in ("description", "description_cy", "description_en"):
        text = name if titled or key == "description" else election.meta.get(key, "")
        if len(text) > MAX_TITLE:
            raise BallotRefusal("import_title_too_long", what="--title" if titled else key,
                                limit=str(MAX_TITLE), found=str(len(text)))
    if election.budget < 1:
        raise BallotRefusal("import_zero", what="budget", value=str(election.budget))
    for p in election.projects:
        if p.cost < 1:
            raise BallotRefusal("import_zero", what="cost", project=shown(p.id), value=str(p.cost))
        if len(p.name or p.id) > MAX_TITLE:
            raise BallotRefusal("import_name_too_long", what="name" if p.name else "project_id", project=shown(p.id),
                                limit=str(MAX_TITLE), found=str(len(p.name or p.id)))
        for code, text in _names(p).items():
            if len(text) > MAX_TITLE:
                raise BallotRefusal("import_name_too_long", what=f"name_{code}", project=shown(p.id),
                                    limit=str(MAX_TITLE), found=str(len(text)))
    # A ballot's total cost is kept (BIGINT): every project together must fit.
    if (total := sum(p.cost for p in election.projects)) > MAX_BIGINT:
        raise BallotRefusal("import_too_large", what="cost", limit=str(MAX_BIGINT), found=str(total))
    # The box refuses a knapsack ballot over the budget; the file's limit must not allow one.
    max_cost = meta_number(election.meta, "max_sum_cost")
    if max_cost is not None and max_cost > election.budget:
        raise BallotRefusal("import_over_budget", what="max_sum_cost", limit=str(election.budget), found=str(max_cost))
    max_choices = meta_number(election.meta, "max_length") or len(election.projects)
    # Points pots: spread at most this many (a file without max_sum_points: set at the end, see _Importer).
    points_total = meta_number(election.meta, "max_sum_points") or 1
    # Only the one the pot keeps (INTEGER) must fit.
    kept = {"approval": ("max_length", max_choices), "points": ("max_sum_points", points_total)}
    key, value = kept.get(FROM_TALLY_TYPE[election.ballot_type], ("", 0))
    if value > MAX_INTEGER:
        raise BallotRefusal("import_too_large", what=key, limit=str(MAX_INTEGER), found=str(value))
    return max_choices, points_total
