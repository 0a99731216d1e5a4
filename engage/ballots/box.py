"""The ballot box: casting a ballot (roll row + box row, all or nothing), sealing, reading it back.

Secrecy is a property of the schema (see ``models.py``) and of sealing (``seal.py``): the roll says
*that* a code, browser or paper ballot voted; the box says *what* was chosen; the receipts that a
ballot was put in; nothing joins them.

Casting is the one hot path that bypasses the ORM. Its statements are built once per database from
the table models (never SQL strings, so a column added to the model is a column the statement
writes or the test ``test_box_statements_write_every_column`` fails):

- SQLite: the roll INSERT (which finds the code and checks the pot is open in the same statement),
  then the box INSERT and the receipt INSERT, in one short ``BEGIN IMMEDIATE`` run straight on the pooled driver
  connection: half the CPU of the same through a SQLAlchemy Connection, and SQLite has one writer
  at a time, so the less the lock is held, the more ballots a second. Values go through their
  types' bind processors and driver errors are wrapped as SQLAlchemy's (values hidden), so callers
  and the 503 page see no difference.
- PostgreSQL: one statement, the roll INSERT and the box INSERT in data-modifying WITHs, each
  selecting from the one before it, and the receipt INSERT last: atomic on its own, so it needs no BEGIN and COMMIT. Its read of the pot takes
  the lock the foreign keys take anyway (KEY SHARE), but first: a vote that meets a close in
  progress waits for it and then sees the pot closed, instead of slipping into the closed (and
  already sealed) box on the strength of a snapshot taken before the close committed.

Inside another write transaction (a paper ballot being confirmed) the statements are a savepoint
of it instead.
"""
from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Date, Executable, and_, bindparam, func, insert, literal_column, null, select
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError

from ..codes import normalise_code, random_code
from ..dates import today_local
from ..db import end_read_snapshot, in_write_transaction
from ..extensions import db
from .caps import Cap, caps_for, counted
from .choices import check_choices
from .models import BoxBallot, Pot, Project, Receipt, RollEntry, VoterCode
from .pots import BallotRefusal
from .voters import salted_hash

RECEIPT_LENGTH = 10
#: Characters of the receipt hash shown in the published list (48 bits: no collisions in practice).
FINGERPRINT = 12

ROLL, BOX, RECEIPTS = RollEntry.__table__, BoxBallot.__table__, Receipt.__table__
POTS, CODES = Pot.__table__, VoterCode.__table__
#: The box's columns in table order; every statement that writes a box row writes all of them.
BOX_COLUMNS = tuple(c.name for c in BOX.columns)
ROLL_COLUMNS = ("id", "pot_id", "code_id", "browser_hash", "channel", "voted_on")
RECEIPT_COLUMNS = tuple(c.name for c in RECEIPTS.columns)


# --- receipts ------------------------------------------------------------------------------------


def receipt_hash(text: str) -> str:
    """What the receipts table keeps of a receipt code (the code itself is only ever the voter's)."""
    return salted_hash("receipt", normalise_code(text))


def fingerprint(hash_hex: str) -> str:
    return hash_hex[:FINGERPRINT]


def receipt_counted(pot: Pot, text: str) -> bool:
    cleaned = normalise_code(text or "")
    if not cleaned or len(cleaned) > 40:
        return False
    return db.session.scalar(select(Receipt.pot_id).where(
        Receipt.pot_id == pot.id, Receipt.receipt_hash == receipt_hash(cleaned))) is not None


def receipt_fingerprints(pot: Pot) -> list[str]:
    """The published list: a fingerprint of every receipt, in alphabetical order."""
    return sorted(fingerprint(h) for h in db.session.scalars(select(Receipt.receipt_hash).where(Receipt.pot_id == pot.id)))


# --- the statements, from the table models -------------------------------------------------------


def _param(name: str, column: Any) -> Any:
    return bindparam(name, type_=column.type)


def _roll_select(by_code: bool) -> Any:
    """The roll row, selected only while the pot is open (and, for a code, only if it is the pot's)."""
    rows = POTS
    if by_code:
        rows = POTS.join(CODES, and_(CODES.c.pot_id == POTS.c.id, CODES.c.code_hash == _param("code_hash", CODES.c.code_hash)))
    return select(_param("roll_id", ROLL.c.id), POTS.c.id, CODES.c.id if by_code else null(),
                  null() if by_code else _param("browser_hash", ROLL.c.browser_hash),
                  _param("channel", ROLL.c.channel), bindparam("cast_on", type_=Date)).select_from(rows).where(
        POTS.c.id == bindparam("pot_id"), POTS.c.status == literal_column("'open'"))


def _box_values() -> list[Any]:
    return [_param("box_id" if name == "id" else name, BOX.c[name]) for name in BOX_COLUMNS]


def _receipt_values() -> list[Any]:
    return [_param(name, RECEIPTS.c[name]) for name in RECEIPT_COLUMNS]


def cast_statements(dialect: str, by_code: bool) -> list[Executable]:
    """The statements that write one ballot on ``dialect`` (its voter on the roll, its choices in the
    box, its receipt); each must write exactly one row."""
    roll_select = _roll_select(by_code)
    if dialect == "postgresql":
        roll = insert(ROLL).from_select(ROLL_COLUMNS, roll_select.with_for_update(read=True, key_share=True, of=POTS))
        on_roll = roll.returning(literal_column("1")).cte("roll")
        in_box = (insert(BOX).from_select(BOX_COLUMNS, select(*_box_values()).select_from(on_roll))
                  .returning(literal_column("1")).cte("box"))
        return [insert(RECEIPTS).from_select(RECEIPT_COLUMNS, select(*_receipt_values()).select_from(in_box))]
    return [insert(ROLL).from_select(ROLL_COLUMNS, roll_select), insert(BOX).values(dict(zip(BOX_COLUMNS, _box_values()))),
            insert(RECEIPTS).values(dict(zip(RECEIPT_COLUMNS, _receipt_values())))]


#: {(dialect, by code): statements}, built on first use (building costs more than SQLite running them).
_CAST: dict[tuple[str, bool], list[Executable]] = {}


class _Unwritten(Exception):
    """A statement wrote no row: undo the ballot."""


def write_all_or_nothing(statements: Sequence[Executable], params: dict[str, Any]) -> bool:
    """Run the statements all or nothing: each must write exactly one row, else nothing is kept and the
    answer is False. Constraint errors raise (as SQLAlchemy's, values hidden), keeping nothing."""
    try:
        if in_write_transaction():
            conn = db.session.connection()
            with conn.begin_nested():
                _run(conn, statements, params)
            return True
        end_read_snapshot()  # what the request reads after the ballot must include it
        if db.engine.dialect.name == "sqlite":
            return _write_sqlite(statements, params)
        if len(statements) == 1:  # atomic on its own: no BEGIN and COMMIT, two round trips fewer
            with db.engine.connect() as conn:
                _run(conn.execution_options(isolation_level="AUTOCOMMIT"), statements, params)
            return True
        with db.engine.begin() as conn:
            _run(conn, statements, params)
        return True
    except _Unwritten:
        return False


def _run(conn: Any, statements: Sequence[Executable], params: dict[str, Any]) -> None:
    for statement in statements:
        # SQLAlchemy keeps an INSERT's row count only when asked.
        if conn.execute(statement, params, execution_options={"preserve_rowcount": True}).rowcount != 1:
            raise _Unwritten  # rolls back what was written (a lone statement wrote nothing)


@dataclass(frozen=True)
class _Compiled:
    """A statement as sqlite3 takes it: SQL with ``?`` and, in their order, each value's name and processor."""

    sql: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]


_SQLITE: dict[int, _Compiled] = {}


def _compiled(statement: Executable) -> _Compiled:
    found = _SQLITE.get(id(statement))
    if found is None:
        dialect = db.engine.dialect
        compiled = statement.compile(dialect=dialect)
        names = tuple(compiled.positiontup or ())
        found = _SQLITE[id(statement)] = _Compiled(
            compiled.string, names, tuple(compiled.binds[n].type.bind_processor(dialect) for n in names))
    return found


def _write_sqlite(statements: Sequence[Executable], params: dict[str, Any]) -> bool:
    prepared = []
    for statement in statements:
        compiled = _compiled(statement)
        try:  # values are made ready before the write lock is taken (and fail as SQLAlchemy's would)
            values = tuple(process(params[name]) if process else params[name]
                           for name, process in zip(compiled.names, compiled.processors))
        except Exception as err:
            raise StatementError(str(err), compiled.sql, None, err, hide_parameters=True) from err
        prepared.append((compiled.sql, values))
    pooled = db.engine.raw_connection()
    sql = "BEGIN IMMEDIATE"
    try:
        driver = pooled.driver_connection
        driver.execute(sql)
        try:
            for sql, values in prepared:
                if driver.execute(sql, values).rowcount != 1:
                    driver.execute("ROLLBACK")
                    return False
            sql = "COMMIT"
            driver.execute(sql)
        except BaseException:
            if driver.in_transaction:
                with suppress(sqlite3.Error):  # keep the first error, not the rollback's
                    driver.execute("ROLLBACK")
            raise
    except sqlite3.Error as err:
        raise DBAPIError.instance(sql, None, err, sqlite3.Error, hide_parameters=True) from err
    finally:
        pooled.close()
    return True


# --- casting -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Voter:
    """Who is casting, as far as the roll needs to know: a channel and a code or browser hash; for
    open voting's caps also the postcode given (cleaned) and the internet address (never stored)."""

    channel: str
    code_hash: str | None = None
    browser_hash: str | None = None
    postcode: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class OpenTerms:
    """What a ballot is checked against. Frozen once a pot opens (edits then refuse), so cacheable."""

    budget_pence: int
    ballot_type: str
    max_choices: int | None
    points_total: int | None
    eligibility: str
    costs: dict[int, int]
    salt: str = ""
    max_per_postcode: int | None = None
    max_per_address: int | None = None


def _open_terms(pot_id: int) -> OpenTerms:
    """The pot's terms, read once per process while it is open; refused ``not_open`` if it is not.

    Only the terms are cached, never the status: the roll INSERT checks the status itself.
    """
    cache: dict[int, OpenTerms] = current_app.extensions.setdefault("pb_open_terms", {})
    terms = cache.get(pot_id)
    if terms is None:
        pot = db.session.execute(select(Pot.status, Pot.budget_pence, Pot.ballot_type, Pot.max_choices,
                                        Pot.points_total, Pot.eligibility, Pot.code_salt, Pot.max_per_postcode,
                                        Pot.max_per_address).where(Pot.id == pot_id)).first()
        if pot is None or pot.status != "open":
            raise BallotRefusal("not_open")
        costs = dict(db.session.execute(select(Project.id, Project.cost_pence).where(Project.pot_id == pot_id)).all())
        terms = cache[pot_id] = OpenTerms(pot.budget_pence, pot.ballot_type, pot.max_choices, pot.points_total,
                                          pot.eligibility, costs, pot.code_salt, pot.max_per_postcode,
                                          pot.max_per_address)
    return terms


def cast_ballot(pot_id: int, voter: Voter, choices: dict[int, int]) -> str:
    """Put one ballot in the box and its voter on the roll, all or nothing. Returns the receipt.

    Refusals: ``not_open``, ``code_not_valid`` (unknown or already used: the same code for both),
    ``already_voted`` (open mode), ``postcode_cap`` and ``address_cap`` (open mode: that postcode or
    address has sent the most ballots the pot allows; ``caps.py``), and the choice refusals of
    :func:`choices.check_choices`.
    """
    terms = _open_terms(pot_id)
    total = check_choices(terms, choices, terms.costs)
    caps: list[Cap] = []
    if voter.channel in ("code", "kiosk"):
        by_code, params = True, {"code_hash": voter.code_hash}
    elif voter.channel == "open" and terms.eligibility == "open" and voter.browser_hash:
        by_code, params = False, {"browser_hash": voter.browser_hash}
        caps = caps_for(pot_id, terms.salt, terms.max_per_postcode, terms.max_per_address, voter.postcode,
                        voter.address)
    elif voter.channel == "paper":
        by_code, params = False, {"browser_hash": None}
    else:
        raise BallotRefusal("code_not_valid")
    receipt = random_code(RECEIPT_LENGTH)
    params.update(roll_id=uuid.uuid4().hex, box_id=uuid.uuid4().hex, pot_id=pot_id, channel=voter.channel,
                  cast_on=today_local(), budget_pence=terms.budget_pence, ballot_type=terms.ballot_type,
                  total_pence=total, choices=json.dumps({str(k): v for k, v in sorted(choices.items())}),
                  receipt_hash=receipt_hash(receipt))
    key = (db.engine.dialect.name, by_code)
    statements = _CAST.get(key) or _CAST.setdefault(key, cast_statements(*key))
    with counted(caps):  # open voting: one more from this postcode and address, given back if not cast
        _write(pot_id, voter, statements, params)
    return receipt


def _write(pot_id: int, voter: Voter, statements: list[Executable], params: dict[str, Any]) -> None:
    try:
        written = write_all_or_nothing(statements, params)
    except IntegrityError:
        db.session.rollback()
        # Should the cached terms ever be wrong, the box's constraints refuse: read them afresh next time.
        current_app.extensions["pb_open_terms"].pop(pot_id, None)
        # The roll already has this code (or browser): someone voted with it first.
        raise BallotRefusal("already_voted" if voter.channel == "open" else "code_not_valid") from None
    if not written:
        # Nothing written: the pot closed a moment ago, or the code is not one of this pot's.
        if db.session.scalar(select(Pot.status).where(Pot.id == pot_id)) != "open":
            raise BallotRefusal("not_open")
        raise BallotRefusal("code_not_valid")


# --- reading the box -----------------------------------------------------------------------------


def turnout(pot: Pot) -> dict[str, int]:
    """Ballots by channel, and the total (from the roll: who voted, never what)."""
    rows = dict(db.session.execute(select(RollEntry.channel, func.count()).where(
        RollEntry.pot_id == pot.id).group_by(RollEntry.channel)).all())
    out = {channel: rows.get(channel, 0) for channel in ("code", "kiosk", "paper", "open")}
    out["total"] = sum(out.values())
    return out


def box_choices(pot: Pot) -> list[dict[int, int]]:
    """Every ballot's choices, in the box's random key order (never the order cast)."""
    return [{int(k): v for k, v in json.loads(raw).items()}
            for raw in db.session.scalars(select(BoxBallot.choices).where(BoxBallot.pot_id == pot.id)
                                          .order_by(BoxBallot.id))]
