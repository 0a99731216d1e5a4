"""The report as files: CSV in one language (with a byte-order mark, for Excel) and a standalone HTML
document; and the staff event log's CSV export (headings in both languages, unchanged)."""
from __future__ import annotations

import io
from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ...formatting import long_date, month_name
from ...i18n import BABEL_LOCALES
from ...dates import utc_to_local
from ...safetext import CSVWriter, spreadsheet_csv
from ...types import utcnow
from .. import services
from ..models import Event
from .data import ReportData, event_attendance

#: Columns of an event row in the staff CSV export. Headers are in both languages because the file
#: goes to partners who read either.
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
    writer.writerow([header for _h, header in EVENT_COLUMNS])
    checked_in = services.checkins([e.id for e in events])
    for event in events:
        row = event_row(event, checked_in.get(event.id, 0))
        writer.writerow([row[key] for key, _h in EVENT_COLUMNS])
    return out.getvalue()


def _kind(code: str) -> str:
    return _("Engagement event") if code == "engagement" else _("Training or information sharing")


def _text(event: Event, name: str, lang: str) -> str:
    """The event's text in ``lang``, or the other language's when it has none."""
    return event.text(name, lang) or event.text(name, "en" if lang == "cy" else "cy") or ""


def _csv(data: ReportData, lang: str, narrative: dict[str, str] | None) -> str:
    """Two tables a blank line apart. The first: section code (total, kind, objective, audience,
    cancelled, planned), code (stable: "engagement", "2.1", "refugees"), then the name, events and
    people in ``lang``. The second: one row per counted event, its id first."""
    out, writer = spreadsheet_csv()
    writer.writerow([_("Section code"), _("Code"), _("Name"), _("Events"), _("People")])
    title = month_name(data.first_day)
    if data.so_far:
        title = _("%(month)s so far, up to %(date)s", month=title, date=long_date(data.as_of))
    writer.writerow(["total", data.key, f"{data.org.text('name', lang)}: {title}", len(data.events),
                     data.total_attendance])
    for section, rows in (("kind", data.by_kind), ("objective", data.by_theme), ("audience", data.by_audience)):
        for r in rows:
            name = _kind(r.code) if section == "kind" else r.name(lang)
            writer.writerow([section, r.code, name, r.events, r.attendance])
    writer.writerow(["cancelled", "", _("Cancelled events (not counted)"), data.cancelled, ""])
    writer.writerow(["planned", "", _("Planned later this month (not counted)"), len(data.planned_later), ""])
    if narrative and narrative.get(lang):
        writer.writerow(["narrative", "", narrative[lang], "", ""])
    writer.writerow([])
    writer.writerow([_("Event ID"), _("Date"), _("Title"), _("Kind"), _("Objectives"), _("Audiences"),
                     _("Venue"), _("Partners"), _("People"), _("People checked in"), _("People by audience"),
                     _("What happened, and what people raised"), _("Outcomes"), _("Follow-up actions")])
    for event in data.events:
        checked_in = data.checked_in.get(event.id, 0)
        writer.writerow([
            event.id, utc_to_local(event.starts_at).strftime("%Y-%m-%d %H:%M"), _text(event, "title", lang),
            _kind(event.kind), " ".join(t.code for t in event.themes),
            "; ".join(a.text("name", lang) for a in event.audiences),
            _("Online") if event.online else (event.venue_name or ""), event.partners or "",
            data.attendance(event), checked_in,
            "; ".join(f"{h.audience.text('name', lang)}: {h.count}" for h in event.headcounts),
            *(_text(event, name, lang) for name in ("narrative", "outcomes", "follow_up"))])
    return out.getvalue()


def render_csv(data: ReportData, lang: str, narrative: dict[str, str] | None = None) -> str:
    """The report as CSV in ``lang`` (headings and names), UTF-8 with a byte-order mark."""
    with force_locale(BABEL_LOCALES[lang]):
        return _csv(data, lang, narrative)


def render_html(data: ReportData, lang: str, narrative: dict[str, str] | None = None,
                generated_at: datetime | None = None) -> str:
    """A standalone printable document (its own styles), kept for download and for the command line."""
    with force_locale(BABEL_LOCALES[lang]):
        return render_template("events/report_document.html", report=data, lang=lang,
                               narrative=(narrative or {}).get(lang) or "", generated_at=generated_at or utcnow())


def render(data: ReportData, fmt: str, lang: str, narrative: dict[str, str] | None = None) -> str:
    return render_csv(data, lang, narrative) if fmt == "csv" else render_html(data, lang, narrative)
