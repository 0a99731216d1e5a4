"""Keeping a month's report as it is sent: four files (HTML and CSV, Welsh and English) rendered once,
with the officer's narrative, in one transaction, audited. Later edits to events never change them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select

from ...accounts.models import Organisation
from ...audit.services import record
from ...dates import previous_month, today_local
from ...db import write_transaction
from ...extensions import db
from ...types import utcnow
from ..models import MonthlyReport
from ..services import EventRefusal
from .data import build
from .files import render

FILES = (("html", "cy"), ("html", "en"), ("csv", "cy"), ("csv", "en"))


def keep(org: Organisation, year: int, month: int, narrative: dict[str, str] | None, user_id: int | None,
         today: date | None = None) -> list[MonthlyReport]:
    """Keep the month's report (replacing one kept before). A month not yet over is refused: its
    report is a draft "so far", to print or download but not to send."""
    data = build(org, year, month, today=today)
    if data.so_far:
        raise EventRefusal("month_not_over", "month")
    narrative = {lang: ((narrative or {}).get(lang) or "").strip() for lang in ("cy", "en")}
    contents = {(fmt, lang): render(data, fmt, lang, narrative) for fmt, lang in FILES}
    kept = []
    with write_transaction():
        db.session.execute(delete(MonthlyReport).where(MonthlyReport.org_id == org.id, MonthlyReport.month == data.key,
                                                       MonthlyReport.lang == "both"))
        for (fmt, lang), content in contents.items():
            report = db.session.scalar(select(MonthlyReport).where(
                MonthlyReport.org_id == org.id, MonthlyReport.month == data.key,
                MonthlyReport.format == fmt, MonthlyReport.lang == lang))
            if report is None:
                report = MonthlyReport(org_id=org.id, month=data.key, format=fmt, lang=lang)
                db.session.add(report)
            report.content = content
            report.set_text("narrative", narrative)
            report.generated_at = utcnow()
            report.generated_by_id = user_id
            kept.append(report)
        db.session.flush()
        record("events.report_made", org_id=org.id, obj=kept[0], user_id=user_id, data={"month": data.key})
    return kept


def make_last_month_reports(today: date | None = None) -> list[MonthlyReport]:
    """The scheduled job (1st of each month): keep last month's report for every organisation that
    has not kept it yet (one an officer kept is never replaced by the job)."""
    today = today or today_local()
    year, month = previous_month(today)
    key = f"{year:04d}-{month:02d}"
    made = []
    for org in db.session.scalars(select(Organisation).order_by(Organisation.id)).all():
        if kept_files(org, key):
            continue
        made.extend(keep(org, year, month, None, None, today=today))
    return made


def kept_files(org: Organisation, month: str) -> dict[tuple[str, str], MonthlyReport]:
    """The month's kept files by (format, language)."""
    return {(r.format, r.lang): r for r in db.session.scalars(select(MonthlyReport).where(
        MonthlyReport.org_id == org.id, MonthlyReport.month == month))}


@dataclass
class KeptMonth:
    month: str
    files: dict[tuple[str, str], MonthlyReport] = field(default_factory=dict)

    @property
    def kept_at(self):  # type: ignore[no-untyped-def]
        return max(r.generated_at for r in self.files.values())


def stored_reports(org: Organisation) -> list[KeptMonth]:
    """Kept reports, newest month first, one entry per month."""
    months: dict[str, KeptMonth] = {}
    for r in db.session.scalars(select(MonthlyReport).where(MonthlyReport.org_id == org.id)
                                .order_by(MonthlyReport.month.desc(), MonthlyReport.format, MonthlyReport.lang)):
        months.setdefault(r.month, KeptMonth(r.month)).files[(r.format, r.lang)] = r
    return list(months.values())
