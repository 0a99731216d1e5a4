"""Online backups. SQLite: the sqlite3 backup API copies a consistent snapshot while the app keeps
serving (readers and the writer carry on; the copy restarts itself if a write lands mid-way)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from .db import make_private
from .extensions import db


class BackupError(RuntimeError):
    pass


def backup(target: Path) -> int:
    """Back the app's database up to ``target``; returns the number of pages copied."""
    url = make_url(str(db.engine.url))
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "This is a PostgreSQL database: back it up with pg_dump, e.g. "
            "pg_dump --format=custom --file=engage.dump \"$DATABASE_URL\" (restore with pg_restore).")
    source = url.database
    if not source or source == ":memory:":
        raise BackupError("nothing to back up: the database is in memory")
    target = target.resolve()
    if target == Path(source).resolve():
        raise BackupError("the backup must not overwrite the database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    make_private(tmp)  # the copy holds the ballot box too
    with sqlite3.connect(source) as src, sqlite3.connect(tmp) as dst:
        src.backup(dst, pages=1024)
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("the copy failed its integrity check")
    src.close()
    dst.close()
    tmp.replace(target)  # a half-written file never takes the backup's name
    return int(pages)
