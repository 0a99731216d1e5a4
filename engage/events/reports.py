"""The monthly monitoring report: numbers by kind, objective and audience, and each event's story."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from ..accounts.models import Organisation
from ..audit.services import record
from ..i18n import BABEL_LOCALES
from ..dates import is_future_month, month_bounds, previous_month, today_local, utc_to_local
from ..db import write_transaction
from ..extensions import db
from ..safetext import CSVWriter
from ..types import utcnow
from . import services
from .services import EventRefusal
from .models import Audience, Event, MonthlyReport, Theme

#: Columns of an event row (the staff CSV export and the report's second table). Headers are in
#: both languages because the file goes to Welsh Government and to partners who read either.
EVENT_COLUMNS = [
    ("id", "ID / ID"), ("date", "Dyddiad / Date"), ("title_cy", "Teitl (Cymraeg) / Title (Welsh)"),
    ("title_en", "Teitl (Saesneg) / Title (English)"), ("kind", "Math / Kind"), ("status", "Statws / Status"),
    ("public", "Cyhoeddus / Public"), ("themes", "Amcanion / Objectives"), ("audiences", "Cynulleidfaoedd / Audiences"),
    ("venue", "Lleoliad / Venue"), ("postcode", "Cod post / Postcode"), ("online", "Ar-lein / Online"),
    ("delivery_language", "Iaith / Language"), ("partners", "Partneriaid / Partners"),
    ("headcount", "Presenoldeb / Attendance"), ("checked_in", "Presenoldeb wedi’i gofrestru / Checked in"), ("audience_counts", "Presenoldeb fesul cynulleidfa / Attendance by audience"),
    ("narrative_cy", "Naratif (Cymraeg) / Narrative (Welsh)"), ("narrative_en", "Naratif (Saesneg) / Narrative (English)"),
    ("outcomes_cy", "Deilliannau (Cymraeg) / Outcomes (Welsh)"), ("outcomes_en", "Deilliannau (Saesneg) / Outcomes (English)"),
    ("follow_up_cy", "Camau dilynol (Cymraeg) / Follow-up (Welsh)"), ("follow_up_en", "Camau dilynol (Saesneg) / Follow-up (English)"),
]
SUMMARY_COLUMNS = ["Adran / Section", "Cod / Code", "Enw (Cymraeg) / Name (Welsh)", "Enw (Saesneg) / Name (English)",
                   "Digwyddiadau / Events", "Presenoldeb / Attendance"]
KIND_NAMES = {"engagement": ("Digwyddiad ymgysylltu", "Engagement event"),
              "training": ("Hyfforddiant neu rannu gwybodaeth", "Training or information sharing")}


def event_attendance(event: Event, checked_in: int = 0) -> int:
    """Attendance of one event: the staff headcount when entered (it counts everyone, including
    people who never checked in); otherwise the larger of the check-ins and the headcounts by audience."""
    if event.headcount is not None:
        return event.headcount
    return max(checked_in, sum(h.count for h in event.headcounts))


@dataclass
class Row:
    code: str
    name_cy: str
    name_en: str
    events: int
    attendance: int


@dataclass
class ReportData:
    org: Organisation
    year: int
    month: int
    events: list[Event]
    cancelled: int
    by_kind: list[Row]
    by_theme: list[Row]
    by_audience: list[Row]
    total_attendance: int
    pulse: dict
    checked_in: dict[int, int]

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def attendance(self, event: Event) -> int:
        return event_attendance(event, self.checked_in.get(event.id, 0))


def build(org: Organisation, year: int, month: int, today: date | None = None) -> ReportData:
    """Gather the month's numbers. Cancelled events are counted but not added up."""
    if is_future_month(year, month, today or today_local()):
        raise EventRefusal("future_month", "month")
    start, end = month_bounds(year, month)
    every = services.month_events(org, start, end)
    events = [e for e in every if e.status != "cancelled"]
    checked_in = services.checkins([e.id for e in events])

    def attendance(event: Event) -> int:
        return event_attendance(event, checked_in.get(event.id, 0))

    by_kind = [Row(kind, *KIND_NAMES[kind], sum(1 for e in events if e.kind == kind),
                   sum(attendance(e) for e in events if e.kind == kind)) for kind in ("engagement", "training")]
    themes = db.session.scalars(select(Theme).where(Theme.org_id == org.id).order_by(Theme.code)).all()
    by_theme = []
    for theme in themes:
        tagged = [e for e in events if theme in e.themes]
        if tagged or theme.active:
            by_theme.append(Row(theme.code, theme.name_cy, theme.name_en, len(tagged), sum(attendance(e) for e in tagged)))
    audiences = db.session.scalars(select(Audience).where(Audience.org_id == org.id).order_by(Audience.id)).all()
    by_audience = []
    for audience in audiences:
        reached = [e for e in events if audience in e.audiences or audience.id in e.audience_counts]
        if reached or audience.active:
            by_audience.append(Row(audience.key or str(audience.id), audience.name_cy, audience.name_en, len(reached),
                                   sum(e.audience_counts.get(audience.id, 0) for e in reached)))
    return ReportData(org=org, year=year, month=month, events=events, cancelled=len(every) - len(events),
                      by_kind=by_kind, by_theme=by_theme, by_audience=by_audience,
                      total_attendance=sum(attendance(e) for e in events),
                      pulse=services.pulse_summary([e.id for e in events]), checked_in=checked_in)


def event_row(event: Event, checked_in: int = 0) -> dict[str, str]:
    local = utc_to_local(event.starts_at)
    return {
        "id": str(event.id), "date": local.strftime("%Y-%m-%d %H:%M"),
        "title_cy": event.title_cy or "", "title_en": event.title_en or "", "kind": event.kind,
        "status": event.status, "public": "yes" if event.public else "no",
        "themes": " ".join(t.code for t in event.themes),
        "audiences": "; ".join(a.name_en for a in event.audiences),
        "venue": event.venue_name or "", "postcode": event.postcode or "", "online": "yes" if event.online else "no",
        "delivery_language": event.delivery_language, "partners": event.partners or "",
        "headcount": str(event_attendance(event, checked_in)), "checked_in": str(checked_in),
        "audience_counts": "; ".join(f"{h.audience.name_en}: {h.count}" for h in event.headcounts),
        **{f"{name}_{lang}": getattr(event, f"{name}_{lang}") or ""
           for name in ("narrative", "outcomes", "follow_up") for lang in ("cy", "en")},
    }


def events_csv(events: list[Event]) -> str:
    out = io.StringIO()
    writer = CSVWriter(out)
    writer.writerow([header for _, header in EVENT_COLUMNS])
    checked_in = services.checkins([e.id for e in events])
    for event in events:
        row = event_row(event, checked_in.get(event.id, 0))
        writer.writerow([row[key] for key, _ in EVENT_COLUMNS])
    return out.getvalue()


def render_csv(data: ReportData) -> str:
    out = io.StringIO()
    writer = CSVWriter(out)
    writer.writerow(SUMMARY_COLUMNS)
    writer.writerow(["total", data.key, data.org.name_cy, data.org.name_en, len(data.events), data.total_attendance])
    for section, rows in (("kind", data.by_kind), ("objective", data.by_theme), ("audience", data.by_audience)):
        for r in rows:
            writer.writerow([section, r.code, r.name_cy, r.name_en, r.events, r.attendance])
    writer.writerow(["cancelled", "", "", "", data.cancelled, ""])
    writer.writerow([])
    return out.getvalue() + events_csv(data.events)


def render_html(data: ReportData, lang: str) -> str:
    """A standalone printable document (its own styles), for download and the command line."""
    with force_locale(BABEL_LOCALES[lang]):
        return render_template("events/report_document.html", report=data, lang=lang, generated_at=utcnow())


def render(data: ReportData, fmt: str, lang: str) -> str:
    return render_csv(data) if fmt == "csv" else render_html(data, lang)


def store(org: Organisation, year: int, month: int, fmt: str, lang: str, user_id: int | None) -> MonthlyReport:
    """Make the report and keep it (replacing an earlier one for the same month, format and language)."""
    data = build(org, year, month)
    content = render(data, fmt, lang)
    lang_key = "both" if fmt == "csv" else lang
    with write_transaction():
        report = db.session.scalar(select(MonthlyReport).where(
            MonthlyReport.org_id == org.id, MonthlyReport.month == data.key,
            MonthlyReport.format == fmt, MonthlyReport.lang == lang_key))
        if report is None:
            report = MonthlyReport(org_id=org.id, month=data.key, format=fmt, lang=lang_key, content=content)
            db.session.add(report)
        report.content = content
        report.generated_at = utcnow()
        report.generated_by_id = user_id
        record("events.report_made", f"Monthly report {data.key} ({fmt}) made", org_id=org.id, obj=report,
               user_id=user_id)
    return report


def make_last_month_reports(today: date | None = None) -> list[MonthlyReport]:
    """The scheduled job (1st of each month): last month's CSV and HTML (both languages), every org."""
    year, month = previous_month(today or today_local())
    made = []
    for org in db.session.scalars(select(Organisation).order_by(Organisation.id)).all():
        made.append(store(org, year, month, "csv", "both", None))
        for lang in ("cy", "en"):
            made.append(store(org, year, month, "html", lang, None))
    return made


def stored_reports(org: Organisation) -> list[MonthlyReport]:
    return list(db.session.scalars(select(MonthlyReport).where(MonthlyReport.org_id == org.id)
                                   .order_by(MonthlyReport.month.desc(), MonthlyReport.format, MonthlyReport.lang)))
