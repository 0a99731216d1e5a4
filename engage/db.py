"""Database engine set-up and the one way services write: :func:`write_transaction`.

SQLite (the embedded default) runs in WAL mode with a busy timeout, so readers never block the
writer and a writer waits for the lock instead of failing. A *deferred* transaction that first reads
and then writes cannot wait: if another connection wrote in between, SQLite refuses the upgrade at
once ("database is locked"), which showed up as 27 % HTTP 500s under a 4-worker vote load. So every
service that changes data runs inside ``write_transaction()``, which on SQLite starts with
``BEGIN IMMEDIATE`` (take the write lock first, waiting up to the busy timeout) and on PostgreSQL is
an ordinary transaction. Invariants are still enforced by constraints in the schema; this only
stops the lock upgrade from failing.
"""
from __future__ import annotations

import contextvars
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.orm import Session

from .extensions import db

_IMMEDIATE: contextvars.ContextVar[bool] = contextvars.ContextVar("engage_immediate", default=False)
#: The Core connection of the write_connection() block we are in, for nested blocks to join.
_ACTIVE: contextvars.ContextVar[Connection | None] = contextvars.ContextVar("engage_active", default=None)


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Attach the SQLite pragmas and our own BEGIN; PostgreSQL needs nothing here."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Take transaction control away from the sqlite3 module: it would otherwise issue its own
        # deferred BEGIN, and we need to choose between BEGIN and BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

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
            configure_engine(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


@contextmanager
def write_transaction() -> Iterator[Session]:
    """Run the block as one write transaction, committed at the end or rolled back on error."""
    session = db.session()  # the request's Session behind the scoped proxy
    if _IMMEDIATE.get() and session.in_transaction():
        yield session  # already inside a write transaction: join it
        return
    if session.in_transaction():
        # A read transaction (e.g. loading the signed-in user) is open; its snapshot could not be
        # upgraded to a write on SQLite, so end it before taking the write lock.
        session.commit()
    token = _IMMEDIATE.set(True)
    try:
        with session.begin():
            yield session
    finally:
        _IMMEDIATE.reset(token)


@contextmanager
def write_connection(autocommit: bool = False) -> Iterator[Connection]:
    """A Core connection in a write transaction, for hot paths that need no ORM objects.

    Inside :func:`write_transaction` it is that transaction's connection (the work joins it);
    otherwise a connection of its own from the pool, committed at the end or rolled back on error.
    ``autocommit=True`` is for a single statement, atomic by itself: on PostgreSQL it then runs
    with no BEGIN and COMMIT (two round trips fewer); SQLite still takes the write lock first.
    """
    joined = _joined()
    if joined is not None:
        yield joined
        return
    if db.session.registry.has() and db.session().in_transaction():
        # End the request's read snapshot (as write_transaction does), so what it reads after
        # this write includes the write.
        db.session().commit()
    if autocommit and db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")
        return
    token = _IMMEDIATE.set(True)
    try:
        with db.engine.begin() as conn:
            active = _ACTIVE.set(conn)
            try:
                yield conn
            finally:
                _ACTIVE.reset(active)
    finally:
        _IMMEDIATE.reset(token)


class _Unwritten(Exception):
    """A statement of a chain wrote no row: roll the chain back."""


def write_chain(statements: Sequence[TextClause], params: Mapping[str, Any]) -> bool:
    """Run the statements in one write transaction, all or nothing: each must write exactly one
    row, else the chain stops, is undone, and the answer is False. Constraint errors raise.

    The hot path of a ballot. On SQLite, outside any other write, it runs straight on the driver's
    connection (taken from the engine's pool): ``BEGIN IMMEDIATE``, the statements, ``COMMIT``,
    which costs half the CPU of the same through a SQLAlchemy Connection. Values go through their
    bound types' processors as SQLAlchemy would send them, and driver errors are wrapped as
    SQLAlchemy's (``IntegrityError``, ``OperationalError``, values hidden), so callers and the 503
    page see no difference. Inside another write the chain is a savepoint of it; elsewhere
    (PostgreSQL) it is :func:`write_connection`.
    """
    joined = _joined()
    if joined is None and db.engine.dialect.name == "sqlite":
        return _sqlite_chain(statements, params)
    try:
        if joined is not None:
            with joined.begin_nested():
                _run_chain(joined, statements, params)
        else:
            with write_connection(autocommit=len(statements) == 1) as conn:
                _run_chain(conn, statements, params)
    except _Unwritten:
        return False
    return True


def _run_chain(conn: Connection, statements: Sequence[TextClause], params: Mapping[str, Any]) -> None:
    for statement in statements:
        if conn.execute(statement, params).rowcount != 1:
            raise _Unwritten  # rolls back what the chain wrote (one statement alone wrote nothing)


#: Per statement, the bind processors of its typed parameters on SQLite (Date → ISO text, ...).
_PROCESSORS: dict[TextClause, dict[str, Callable[[Any], Any]]] = {}


def _processors(clause: TextClause) -> dict[str, Callable[[Any], Any]]:
    found = _PROCESSORS.get(clause)
    if found is None:
        dialect = db.engine.dialect
        found = {}
        for name, bind in clause.compile(dialect=dialect).binds.items():
            process = bind.type.bind_processor(dialect)
            if process is not None:
                found[name] = process
        _PROCESSORS[clause] = found
    return found


def _sqlite_chain(statements: Sequence[TextClause], params: Mapping[str, Any]) -> bool:
    if db.session.registry.has() and db.session().in_transaction():
        db.session().commit()  # end the request's read snapshot, as write_connection does
    # Values are made ready before the write lock is taken (and fail as SQLAlchemy's would).
    prepared = []
    for clause in statements:
        processors = _processors(clause)
        try:
            values = {key: processors[key](value) if key in processors else value for key, value in params.items()}
        except Exception as err:
            raise StatementError(str(err), clause.text, None, err, hide_parameters=True) from err
        prepared.append((clause.text, values))  # its :name parameters are sqlite3's own style
    pooled = db.engine.raw_connection()
    statement = "BEGIN IMMEDIATE"
    try:
        driver = pooled.driver_connection
        driver.execute(statement)
        try:
            for statement, values in prepared:
                if driver.execute(statement, values).rowcount != 1:
                    driver.execute("ROLLBACK")
                    return False
            statement = "COMMIT"
            driver.execute(statement)
        except BaseException:
            if driver.in_transaction:
                with suppress(sqlite3.Error):  # keep the first error, not the rollback's
                    driver.execute("ROLLBACK")
            raise
    except sqlite3.Error as err:
        raise DBAPIError.instance(statement, None, err, sqlite3.Error, hide_parameters=True) from err
    finally:
        pooled.close()
    return True


def _joined() -> Connection | None:
    """The connection of the write we are inside, if any: a second one would ask SQLite for the
    write lock this one holds and wait for itself."""
    active = _ACTIVE.get()
    if active is not None:
        return active
    if _IMMEDIATE.get():
        return db.session().connection()  # inside write_transaction()
    return None


@contextmanager
def read_connection() -> Iterator[Connection]:
    """A Core connection for a few reads, handed back to the pool at once.

    Inside a write transaction it is that transaction's connection: a second connection would ask
    SQLite for the write lock this one holds. Outside, a request never keeps it while it waits for
    another, so concurrent requests cannot use up the pool holding one connection each.
    """
    joined = _joined()
    if joined is not None:
        yield joined
        return
    with db.engine.connect() as conn:
        yield conn


def dispose_engines(app: Flask) -> None:
    """Drop pooled connections; gunicorn calls this after forking so no socket is shared."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
