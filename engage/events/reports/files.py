"""The report as files: CSV in one language (with a byte-order mark, for Excel) and a standalone HTML
document. (The staff event log's CSV export is ``events/export.py``.)"""
from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ...formatting import long_date, month_name
from ...i18n import BABEL_LOCALES
from ...dates import utc_to_local
from ...safetext import spreadsheet_csv
from ...types import utcnow
from ..models import Event
from .data import ReportData

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
            _("Online") if event.online else _text(event, "venue_name", lang), _text(event, "partners", lang),
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
