"""Database engine set-up and the one way services write: :func:`write_transaction`.

SQLite (the embedded default) runs in WAL mode with a busy timeout, so readers never block the
writer and a writer waits for the lock instead of failing. A *deferred* transaction that first reads
and then writes cannot wait: if another connection wrote in between, SQLite refuses the upgrade at
once ("database is locked"), which showed up as 27 % HTTP 500s under a 4-worker vote load. So every
service that changes data runs inside ``write_transaction()``, which on SQLite starts with
``BEGIN IMMEDIATE`` (take the write lock first, waiting up to the busy timeout) and on PostgreSQL is
an ordinary transaction. Invariants are still enforced by constraints in the schema; this only
stops the lock upgrade from failing.

The one hot path that bypasses the ORM, writing a ballot, lives with the ballot box
(``engage/ballots/box.py``); it uses :func:`end_read_snapshot` and :func:`in_write_transaction`.
"""
from __future__ import annotations

import contextvars
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from .extensions import db

#: Set while a write_transaction() runs: its BEGIN is IMMEDIATE, and nested blocks join it.
_IMMEDIATE: contextvars.ContextVar[bool] = contextvars.ContextVar("engage_immediate", default=False)
#: What to do once the outermost write transaction has committed (see after_commit()).
_AFTER: contextvars.ContextVar[list[Callable[[], object]] | None] = contextvars.ContextVar("engage_after", default=None)


#: Only the app's own user may read the database files: they hold the ballot box.
PRIVATE_FILE = 0o600


def make_private(path: str | Path) -> None:
    """Make ``path`` readable by its owner alone, creating it empty if it is not there (the database,
    its -wal and -shm, backups). SQLite gives -wal and -shm the main file's permissions.

    An existing file is only chmod-ed, never opened: closing any descriptor of a database file drops
    every POSIX lock this process holds on it, which SQLite's other connections rely on (opening
    and closing the -shm here once killed a process with SIGBUS).
    """
    try:
        if not os.path.exists(path):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        os.chmod(path, PRIVATE_FILE)
    except FileExistsError:
        os.chmod(path, PRIVATE_FILE)  # made a moment ago by another process
    except PermissionError:
        pass  # someone else's file (a read-only copy under test): not ours to change


def configure_engine(engine: Engine, busy_timeout_ms: int, synchronous: str = "FULL") -> None:
    """Attach the SQLite pragmas and our own BEGIN, and keep the database files private; PostgreSQL
    needs nothing here (its files are the server's)."""
    if engine.dialect.name != "sqlite":
        return
    path = engine.url.database
    on_disk = bool(path) and path != ":memory:" and not path.startswith("file:")
    if on_disk and not os.path.exists(path) and os.path.isdir(os.path.dirname(path) or "."):
        make_private(path)  # private from its first byte (SQLite takes an empty file as a new database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Take transaction control away from the sqlite3 module: it would otherwise issue its own
        # deferred BEGIN, and we need to choose between BEGIN and BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before it is acknowledged, so a power cut cannot take a ballot
        # whose voter holds a receipt (NORMAL may lose the last commits; bench/ballots.py --sync).
        cur.execute(f"PRAGMA synchronous={synchronous}")
        # What a deleted row leaves on its page is zeroed (a sealed box keeps no trace of its old order).
        cur.execute("PRAGMA secure_delete=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()
        if on_disk:
            for name in (path, f"{path}-wal", f"{path}-shm"):
                if os.path.exists(name):
                    make_private(name)

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # Straight to the driver (every write pays for this statement), with the driver's error
        # wrapped as SQLAlchemy would, so a lock timeout is still the bilingual 503.
        statement = "BEGIN IMMEDIATE" if _IMMEDIATE.get() else "BEGIN"
        try:
            conn.connection.driver_connection.execute(statement)
        except sqlite3.Error as err:
            raise DBAPIError.instance(statement, None, err, sqlite3.Error) from err


def init_app(app: Flask) -> None:
    with app.app_context():
        for engine in db.engines.values():
            synchronous = str(app.config["SQLITE_SYNCHRONOUS"]).upper()
            if synchronous not in ("FULL", "NORMAL", "EXTRA"):
                raise RuntimeError(f"ENGAGE_SQLITE_SYNCHRONOUS must be FULL, NORMAL or EXTRA, not {synchronous!r}")
            configure_engine(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"], synchronous)


def in_write_transaction() -> bool:
    """Whether this request (or job) is inside :func:`write_transaction`."""
    return _IMMEDIATE.get()


def end_read_snapshot() -> None:
    """End the request's read transaction, if one is open (e.g. loading the signed-in user).

    On SQLite its snapshot could not be upgraded to a write, and a write made on another connection
    would be invisible to reads made through it afterwards.
    """
    if db.session.registry.has() and db.session().in_transaction():
        db.session().commit()


@contextmanager
def write_transaction() -> Iterator[Session]:
    """Run the block as one write transaction, committed at the end or rolled back on error.

    Inside another write transaction it joins it (the block is part of the outer one).
    """
    session = db.session()  # the request's Session behind the scoped proxy
    if _IMMEDIATE.get() and session.in_transaction():
        yield session
        return
    end_read_snapshot()
    token, after = _IMMEDIATE.set(True), _AFTER.set([])
    try:
        with session.begin():
            yield session
        waiting = _AFTER.get() or []
    finally:
        _IMMEDIATE.reset(token)
        _AFTER.reset(after)
    for callback in waiting:
        callback()


def after_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` once the write transaction we are in has committed (not at all if it rolls
    back); outside one, now. For work that cannot run inside a transaction (an SQLite checkpoint)."""
    waiting = _AFTER.get()
    if _IMMEDIATE.get() and waiting is not None:
        waiting.append(callback)
    else:
        callback()


def dispose_engines(app: Flask) -> None:
    """Drop pooled connections; gunicorn calls this after forking so no socket is shared."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
