"""Sealing a pot's box: afterwards nothing pairs a ballot with its voter (roll) or its receipt.

A ballot's roll row, box row and receipt are written by one transaction, and each database keeps
traces of that together (``docs/secrecy.md`` says what holds against whom):

- PostgreSQL: every row carries the id of the transaction that wrote it (``xmin``, a column anyone
  who may SELECT can read) and the heap keeps rows in the order they were written (``ctid``).
- SQLite: within a b-tree page each new cell is stored below the previous one, so cell offsets give
  the order rows were written; and the write-ahead log holds a copy of every page each commit
  changed, commit by commit, with older frames left in the file until overwritten.

Sealing rewrites the pot's whole box in one transaction: its rows are deleted and put back in random
order under new random keys. On SQLite, ``secure_delete`` (set on every connection) zeroes what the
deleted rows leave on their pages, and after the seal commits the log is checkpointed into the
database and truncated to nothing. The scheduler seals every minute while ballots arrive (a pot
whose box holds more ballots than at its last seal) and closing a pot always seals it.
"""
from __future__ import annotations

import logging
import random
import uuid
from typing import Any

from sqlalchemy import String, bindparam, cast, delete, func, insert, select
from sqlalchemy.sql import Executable

from ..db import after_commit, end_read_snapshot
from ..extensions import db
from .box import BOX, BOX_COLUMNS
from .models import BoxBallot, Pot
from .pots import locked

log = logging.getLogger(__name__)
#: Shuffles with the operating system's randomness: the new order must not be predictable.
_SHUFFLE = random.SystemRandom()


def seal_statement() -> Executable:
    """PostgreSQL: delete the pot's box rows and insert them again in random order under new keys."""
    gone = delete(BOX).where(BOX.c.pot_id == bindparam("pot_id")).returning(*BOX.c).cte("gone")
    new_key = func.replace(cast(func.gen_random_uuid(), String), "-", "")
    return insert(BOX).from_select(BOX_COLUMNS, select(new_key, *[gone.c[name] for name in BOX_COLUMNS[1:]])
                                   .order_by(func.random()))


_SEAL = seal_statement()


def _in_box(pot_id: Any) -> Any:
    return select(func.count()).select_from(BoxBallot).where(BoxBallot.pot_id == pot_id).scalar_subquery()


def box_unsealed(pot_id: int) -> bool:
    """Whether the box holds ballots cast since its last seal (which could still be paired)."""
    return bool(db.session.scalar(select(_in_box(pot_id) != Pot.sealed_ballots).where(Pot.id == pot_id)))


def seal_now(pot: Pot) -> None:
    """Rewrite the pot's box; call inside a write transaction that holds the pot (``locked``)."""
    if db.engine.dialect.name == "postgresql":
        # How many rows the rewrite put back is how many the box holds: no second count.
        pot.sealed_ballots = db.session.execute(_SEAL, {"pot_id": pot.id},
                                                execution_options={"preserve_rowcount": True}).rowcount
        return
    columns = [BOX.c[name] for name in BOX_COLUMNS[1:]]
    rows = [dict(row._mapping) for row in db.session.execute(select(*columns).where(BOX.c.pot_id == pot.id))]
    db.session.execute(BOX.delete().where(BOX.c.pot_id == pot.id))
    _SHUFFLE.shuffle(rows)
    if rows:  # one INSERT after another, in the shuffled order: that order is what a page keeps
        db.session.execute(BOX.insert(), [{"id": uuid.uuid4().hex, **row} for row in rows])
    pot.sealed_ballots = len(rows)


def seal_box(pot: Pot) -> bool:
    """Seal an open or closed pot's box if it needs it; True if it was rewritten."""
    if not box_unsealed(pot.id):
        return False  # nothing new: no write lock taken
    return _seal_locked(pot)


def _seal_locked(pot: Pot) -> bool:
    """Take the pot's lock, check again under it, seal; then empty the SQLite log."""
    with locked(pot):
        if pot.status not in ("open", "closed") or not box_unsealed(pot.id):
            return False  # published, or sealed by a close a moment ago
        seal_now(pot)
    empty_log()
    return True


def empty_log() -> None:
    """Empty the SQLite log once the transaction that sealed has committed (now, outside one)."""
    after_commit(_checkpoint)


def _checkpoint(attempts: int = 3) -> bool:
    """SQLite: copy the write-ahead log into the database and truncate it to nothing, so no earlier
    version of a page (the box before its seal) stays on disk. True when done (always on PostgreSQL,
    whose log is the server's: see docs/secrecy.md). A reader still on an old snapshot makes it wait
    (the busy timeout) and then try again; it is tried again at the next seal."""
    if db.engine.dialect.name != "sqlite":
        return True
    end_read_snapshot()  # this request's own connection must not hold a snapshot either
    for _ in range(attempts):
        pooled = db.engine.raw_connection()  # straight to the driver: a checkpoint runs outside any transaction
        try:
            busy, _frames, _done = pooled.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            pooled.close()
        if not busy:
            return True
    log.warning("the write-ahead log could not be emptied after a seal (readers busy); it will be at the next")
    return False


def seal_all() -> int:
    """Seal every box that needs it (the scheduler each minute; ``engage backup`` before it copies)."""
    return sum(_seal_locked(pot) for pot in unsealed_pots())  # found unsealed already: check under the lock only


def unsealed_pots() -> list[Pot]:
    """Open and closed pots whose box needs sealing (one query, for the scheduler)."""
    return list(db.session.scalars(select(Pot).where(Pot.status.in_(("open", "closed")),
                                                     _in_box(Pot.id) != Pot.sealed_ballots)))

