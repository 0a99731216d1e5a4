"""The staff event log as CSV, in the language of the page it was downloaded from.

Headings, kinds, statuses, yes/no, language of delivery, objectives and audiences are words in that
language (UTF-8 with a byte-order mark, for Excel). Beside the words, columns whose headings and values
never change with the language (documented in the README): ``event_id``, ``kind_code`` (engagement,
training), ``status_code`` (planned, held, cancelled), ``language_code`` (cy, en, bilingual, other),
``objective_codes`` (the programme's numbers, "1.1 2.3") and ``audience_codes`` (a preloaded
audience's key, e.g. "young_people", or the number of one an admin added). The council's own texts
(titles, narrative, outcomes, follow-up) are given in both languages, as written.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from ..dates import utc_to_local
from ..safetext import spreadsheet_csv
from . import services
from .forms import KIND_CHOICES, LANGUAGE_CHOICES, STATUS_CHOICES
from .models import Audience, Event
from .reports.data import event_attendance

KINDS = {c.value: c.label for c in KIND_CHOICES}
STATUSES = {c.value: c.label for c in STATUS_CHOICES}
DELIVERY = {c.value: c.label for c in LANGUAGE_CHOICES}


def _public(yes: bool) -> str:
    return pgettext("public", "Yes") if yes else pgettext("public", "No")


def _online(yes: bool) -> str:
    return pgettext("online", "Yes") if yes else pgettext("online", "No")


def audience_code(audience: Audience) -> str:
    return audience.key or str(audience.id)


def _text(obj: Any, lang: str) -> str:
    """A theme's or audience's name in ``lang``, or the other language's when it has none."""
    return obj.text("name", lang) or obj.text("name", "en" if lang == "cy" else "cy")


Cell = Callable[[Event, int, str], Any]

#: (heading, cell) in column order; a str heading is a stable code, the same in every language.
COLUMNS: list[tuple[Any, Cell]] = [
    ("event_id", lambda e, n, lang: e.id),
    (_l("Date"), lambda e, n, lang: utc_to_local(e.starts_at).strftime("%Y-%m-%d %H:%M")),
    (_l("Title (Welsh)"), lambda e, n, lang: e.title_cy or ""),
    (_l("Title (English)"), lambda e, n, lang: e.title_en or ""),
    (_l("Kind"), lambda e, n, lang: KINDS.get(e.kind, e.kind)),
    ("kind_code", lambda e, n, lang: e.kind),
    (_l("Status"), lambda e, n, lang: STATUSES.get(e.status, e.status)),
    ("status_code", lambda e, n, lang: e.status),
    (_l("Public"), lambda e, n, lang: _public(e.public)),
    (_l("Objectives"), lambda e, n, lang: "; ".join(f"{t.code} {_text(t, lang)}" for t in e.themes)),
    ("objective_codes", lambda e, n, lang: " ".join(t.code for t in e.themes)),
    (_l("Audiences"), lambda e, n, lang: "; ".join(_text(a, lang) for a in e.audiences)),
    ("audience_codes", lambda e, n, lang: " ".join(audience_code(a) for a in e.audiences)),
    (_l("Venue (Welsh)"), lambda e, n, lang: e.venue_name_cy or ""),
    (_l("Venue (English)"), lambda e, n, lang: e.venue_name_en or ""),
    (_l("Postcode"), lambda e, n, lang: e.postcode or ""),
    (_l("Online"), lambda e, n, lang: _online(e.online)),
    (_l("Language of delivery"), lambda e, n, lang: DELIVERY.get(e.delivery_language, e.delivery_language)),
    ("language_code", lambda e, n, lang: e.delivery_language),
    (_l("Partners (Welsh)"), lambda e, n, lang: e.partners_cy or ""),
    (_l("Partners (English)"), lambda e, n, lang: e.partners_en or ""),
    (_l("People"), lambda e, n, lang: event_attendance(e, n)),
    (_l("People checked in"), lambda e, n, lang: n),
    (_l("People by audience"),
     lambda e, n, lang: "; ".join(f"{_text(h.audience, lang)}: {h.count}" for h in e.headcounts)),
    (_l("What happened (Welsh)"), lambda e, n, lang: e.narrative_cy or ""),
    (_l("What happened (English)"), lambda e, n, lang: e.narrative_en or ""),
    (_l("Outcomes (Welsh)"), lambda e, n, lang: e.outcomes_cy or ""),
    (_l("Outcomes (English)"), lambda e, n, lang: e.outcomes_en or ""),
    (_l("Follow-up actions (Welsh)"), lambda e, n, lang: e.follow_up_cy or ""),
    (_l("Follow-up actions (English)"), lambda e, n, lang: e.follow_up_en or ""),
]


def events_csv(events: list[Event], lang: str) -> str:
    """One row per event; words in the current locale (``lang``'s)."""
    out, writer = spreadsheet_csv()
    writer.writerow([str(heading) for heading, _cell in COLUMNS])
    checked_in = services.checkins([e.id for e in events])
    for event in events:
        n = checked_in.get(event.id, 0)
        writer.writerow([cell(event, n, lang) for _heading, cell in COLUMNS])
    return out.getvalue()

