"""Scheduled jobs (APScheduler 3).

The embedded single-process default may run them inside the web process
(``ENGAGE_SCHEDULER_IN_PROCESS=1``, which ``make run`` sets); deployments with several workers run
``engage scheduler`` as one separate process instead, so each job runs once.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from .dates import LOCAL

log = logging.getLogger(__name__)


def _monthly_reports() -> Any:
    from .events.reports import make_last_month_reports
    return make_last_month_reports()


def _checkin_retention() -> Any:
    from .checkin.services import purge_personal_data
    return purge_personal_data()


def _pb_lifecycle() -> Any:
    from .ballots.services import run_schedule
    return run_schedule()


#: name → (function run inside an app context, trigger). Areas add their own jobs here.
JOBS: dict[str, tuple[Callable[[], Any], CronTrigger]] = {
    "monthly_reports": (_monthly_reports, CronTrigger(day=1, hour=2, minute=0, timezone=LOCAL)),
    "checkin_retention": (_checkin_retention, CronTrigger(hour=3, minute=15, timezone=LOCAL)),
    # Every minute: opens and closes funding pots on time; a run missed while down is caught up.
    "pb_lifecycle": (_pb_lifecycle, CronTrigger(minute="*", timezone=LOCAL)),
}


def run_job(app: Flask, name: str) -> Any:
    """Run one job now, in an app context (the scheduler calls this; so do tests and the CLI)."""
    func, _ = JOBS[name]
    with app.app_context():
        try:
            return func()
        except Exception:
            log.exception("scheduled job %s failed", name)
            raise


def build(app: Flask, blocking: bool = False) -> BaseScheduler:
    scheduler: BaseScheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=LOCAL)
    for name, (_, trigger) in JOBS.items():
        # A run missed while the machine was off is made up once when the scheduler starts.
        scheduler.add_job(run_job, trigger, args=[app, name], id=name, coalesce=True,
                          misfire_grace_time=24 * 3600, max_instances=1, replace_existing=True)
    return scheduler
