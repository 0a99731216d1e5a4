"""Scheduled jobs (APScheduler 3).

The embedded single-process default may run them inside the web process
(``ENGAGE_SCHEDULER_IN_PROCESS=1``, which ``make run`` sets); deployments with several workers run
``engage scheduler`` as one separate process instead, so each job runs once.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from . import jobruns
from .dates import LOCAL
from .db import write_transaction

log = logging.getLogger(__name__)


def _monthly_reports() -> Any:
    from .events.reports import make_last_month_reports
    return make_last_month_reports()


def _checkin_retention() -> Any:
    from .checkin.services import purge_personal_data
    return purge_personal_data()


def _ticket_reminders() -> Any:
    from .checkin.ticket_mail import send_reminders
    return send_reminders()


def _pb_lifecycle() -> Any:
    from .ballots.lifecycle import run_schedule
    return run_schedule()


#: name → (function run inside an app context, trigger). Areas add their own jobs here.
JOBS: dict[str, tuple[Callable[[], Any], CronTrigger]] = {
    "monthly_reports": (_monthly_reports, CronTrigger(day=1, hour=2, minute=0, timezone=LOCAL)),
    "checkin_retention": (_checkin_retention, CronTrigger(hour=3, minute=15, timezone=LOCAL)),
    # Hourly, so a run missed while down is caught up the same day; each ticket is reminded once.
    "ticket_reminders": (_ticket_reminders, CronTrigger(minute=5, timezone=LOCAL)),
    # Every minute: opens and closes funding pots on time (a run missed while down is caught up) and
    # seals the boxes of open pots (see engage/ballots/models.py on secrecy).
    "pb_lifecycle": (_pb_lifecycle, CronTrigger(minute="*", timezone=LOCAL)),
    # The per-minute job's rows would otherwise grow by half a million a year.
    "prune_job_runs": (jobruns.prune, CronTrigger(hour=3, minute=45, timezone=LOCAL)),
}
#: How a job's ticks are named (local time): one run per month, per day, per minute …
TICKS: dict[str, str] = {"monthly_reports": "%Y-%m", "checkin_retention": "%Y-%m-%d", "prune_job_runs": "%Y-%m-%d",
                         "ticket_reminders": "%Y-%m-%dT%H"}
SKIPPED = "skipped"


def current_tick(name: str, at: datetime | None = None) -> str:
    return (at or datetime.now(LOCAL)).astimezone(LOCAL).strftime(TICKS.get(name, "%Y-%m-%dT%H:%M"))


def run_job(app: Flask, name: str, tick: str | None = None) -> Any:
    """Run one job for its current tick, unless another run has it (then return ``SKIPPED``)."""
    func, _ = JOBS[name]
    with app.app_context():
        tick = tick or current_tick(name)
        run_id = jobruns.claim(name, tick, timedelta(seconds=app.config["SCHEDULER_LEASE_SECONDS"]))
        if run_id is None:
            log.info("job %s %s: already run or running elsewhere", name, tick)
            return SKIPPED
        if app.config["JOB_START_DELAY"]:
            time.sleep(app.config["JOB_START_DELAY"])  # fault tests kill a run here
        try:
            # The job's writes and "done" commit together: a run that dies leaves no half-done work.
            with write_transaction():
                result = func()
                jobruns.mark(run_id, "done")
            return result
        except Exception:
            log.exception("scheduled job %s failed", name)
            with write_transaction():
                jobruns.mark(run_id, "failed")
            raise


def build(app: Flask, blocking: bool = False) -> BaseScheduler:
    scheduler: BaseScheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=LOCAL)
    for name, (_, trigger) in JOBS.items():
        # A run missed while the machine was off is made up once when the scheduler starts.
        scheduler.add_job(run_job, trigger, args=[app, name], id=name, coalesce=True,
                          misfire_grace_time=24 * 3600, max_instances=1, replace_existing=True)
    return scheduler
