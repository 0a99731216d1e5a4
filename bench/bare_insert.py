"""The yardstick for bench/ballots.py: the least a Flask + SQLAlchemy app can do per submission.

One POST, one INSERT of a random-keyed row, one COMMIT, on the database of BARE_DATABASE_URL (on
SQLite with WAL and the same busy timeout as Engage). Served by gunicorn like Engage:
``gunicorn --chdir bench bare_insert:app`` with BARE_DATABASE_URL set.
"""
from __future__ import annotations

import os
import uuid

from flask import Flask, request
from sqlalchemy import String, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "bare_rows"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    body: Mapped[str] = mapped_column(String(200))


URL = os.environ["BARE_DATABASE_URL"]
engine = create_engine(URL.replace("postgresql://", "postgresql+psycopg://", 1))

if engine.dialect.name == "sqlite":
    @event.listens_for(engine, "connect")
    def _pragmas(conn, _record):  # type: ignore[no-untyped-def]
        cur = conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()


Base.metadata.create_all(engine)
app = Flask(__name__)


@app.post("/insert")
def insert():  # type: ignore[no-untyped-def]
    with Session(engine) as session, session.begin():
        session.add(Row(id=uuid.uuid4().hex, body=request.form.get("choices", "")[:200]))
    return "ok", 201


@app.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    return "ok"
