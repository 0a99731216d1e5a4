"""One row per scheduled job tick, so a tick runs once however many schedulers are running.

A scheduler claims ``(job, tick)`` by inserting a row (a unique constraint decides races), then
runs the job and marks the row done in the same transaction as the job's own writes, so a run that
dies part-way leaves nothing behind. A claim whose process died is taken over once its lease has
run out; because the dead run's writes were rolled back, the tick's work still happens exactly once.
"""
from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .db import write_transaction
from .extensions import db
from .types import UTCDateTime, utcnow


class JobRun(db.Model):
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    #: Which occurrence, e.g. "2026-11" for the monthly reports, "2026-11-24" for a daily job.
    tick: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="running")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    #: Who holds the claim (host:pid), for people reading the table.
    runner: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("job", "tick"),
        CheckConstraint("status IN ('running', 'done', 'failed')", name="status_known"),
    )


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def claim(job: str, tick: str, lease: timedelta) -> int | None:
    """The run's id if this process should run ``job`` for ``tick``, else None."""
    now = utcnow()
    try:
        with write_transaction():
            row = db.session.scalar(select(JobRun).where(JobRun.job == job, JobRun.tick == tick).with_for_update())
            if row is None:
                row = JobRun(job=job, tick=tick, runner=runner_name(), started_at=now)
                db.session.add(row)
                db.session.flush()
                return row.id
            if row.status == "done" or (row.status == "running" and row.started_at > now - lease):
                return None
            # A failed run, or a claim whose process died: take it over.
            row.status, row.started_at, row.runner = "running", now, runner_name()
            row.attempts += 1
            return row.id
    except IntegrityError:
        db.session.rollback()
        return None  # another scheduler inserted the same tick a moment earlier


def mark(run_id: int, status: str) -> None:
    """Record the end of a run (call inside the job's own transaction for "done")."""
    row = db.session.get(JobRun, run_id)
    if row is not None:
        row.status, row.finished_at = status, utcnow()


#: Rows of frequent jobs are deleted after this long. Re-running one of their old ticks would be
#: harmless (they are idempotent), and the scheduler never makes up a run more than a day old.
KEEP: dict[str, timedelta] = {"pb_lifecycle": timedelta(days=2)}


def prune(now: datetime | None = None) -> int:
    """Delete finished rows of the jobs in KEEP that are past their time; returns how many."""
    now = now or utcnow()
    removed = 0
    for job, keep in KEEP.items():
        removed += db.session.execute(delete(JobRun).where(
            JobRun.job == job, JobRun.status == "done", JobRun.started_at < now - keep)).rowcount
    return removed
