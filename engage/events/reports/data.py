"""The monthly report's numbers: what happened in the month, by kind, objective and audience.

Only events that happened count: marked as held and started before now. A month still under way is
a draft "so far" (``ReportData.so_far``); the events still to come are listed, never counted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from ...accounts.models import Organisation
from ...dates import is_future_month, month_bounds, utc_to_local
from ...extensions import db
from ...types import utcnow
from ...welsh import sort_for_language
from .. import services
from ..models import Audience, Event, Theme
from ..services import EventRefusal

KIND_NAMES = {"engagement": ("Digwyddiad ymgysylltu", "Engagement event"),
              "training": ("Hyfforddiant neu rannu gwybodaeth", "Training or information sharing")}


def event_attendance(event: Event, checked_in: int = 0) -> int:
    """Attendance of one event: the staff headcount when entered (it counts everyone, including
    people who never checked in); otherwise the larger of the people checked in and the headcounts
    by audience."""
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

    def name(self, lang: str) -> str:
        return self.name_cy if lang == "cy" else self.name_en


def split_partners(events: list[Event], lang: str) -> list[str]:
    """The partners named on the events in ``lang`` (free text, "A, B; C"), each once."""
    seen: dict[str, str] = {}
    for event in events:
        for name in re.split(r"[,;\n]", event.text_or_other("partners", lang)):
            name = name.strip()
            if name:
                seen.setdefault(name.casefold(), name)
    return list(seen.values())


@dataclass
class Objective:
    """What the programme's monitoring form asks for one objective (1.1 … 3.3)."""

    code: str
    name_cy: str
    name_en: str
    events: list[Event]
    engagement: int
    training: int
    people: int
    audiences: list[Row]
    #: By language ("cy", "en"): each language's report names them in its own words.
    partners: dict[str, list[str]]
    pulse: dict

    def name(self, lang: str) -> str:
        return self.name_cy if lang == "cy" else self.name_en

    def partners_sorted(self, lang: str) -> list[str]:
        return sort_for_language(self.partners[lang], str, lang)


@dataclass
class ReportData:
    org: Organisation
    year: int
    month: int
    #: Counted: held, and started before ``as_of``.
    events: list[Event]
    cancelled: int
    by_kind: list[Row]
    by_theme: list[Row]
    by_audience: list[Row]
    objectives: list[Objective]
    total_attendance: int
    pulse: dict
    checked_in: dict[int, int]
    #: When the numbers were gathered (UTC).
    as_of: datetime
    #: The month is not over: a draft of the month so far, never kept.
    so_far: bool = False
    #: Still to come this month (listed, not counted).
    planned_later: list[Event] = field(default_factory=list)
    #: Started before now but not marked as held (listed, not counted, until an officer records them).
    not_recorded: list[Event] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def attendance(self, event: Event) -> int:
        return event_attendance(event, self.checked_in.get(event.id, 0))

    def partners_sorted(self, lang: str) -> list[str]:
        return sort_for_language(split_partners(self.events, lang), str, lang)


def _audience_rows(audiences: list[Audience], events: list[Event], everyone: bool) -> list[Row]:
    rows = []
    for audience in audiences:
        reached = [e for e in events if audience in e.audiences or audience.id in e.audience_counts]
        if reached or (everyone and audience.active):
            rows.append(Row(audience.key or str(audience.id), audience.name_cy, audience.name_en, len(reached),
                            sum(e.audience_counts.get(audience.id, 0) for e in reached)))
    return rows


def build(org: Organisation, year: int, month: int, today: date | None = None,
          now: datetime | None = None) -> ReportData:
    """Gather the month's numbers as of ``now`` (UTC; ``today`` alone means the end of that day's
    month is checked against it, for tests of past months). Cancelled events are counted apart."""
    now = now or utcnow()
    today = today or utc_to_local(now).date()
    if is_future_month(year, month, today):
        raise EventRefusal("future_month", "month")
    start, end = month_bounds(year, month)
    every = services.month_events(org, start, end)
    live = [e for e in every if e.status != "cancelled"]
    events = [e for e in live if e.status == "held" and e.starts_at < now]
    checked_in = services.checkins([e.id for e in live])

    def attendance(event: Event) -> int:
        return event_attendance(event, checked_in.get(event.id, 0))

    by_kind = [Row(kind, *KIND_NAMES[kind], sum(1 for e in events if e.kind == kind),
                   sum(attendance(e) for e in events if e.kind == kind)) for kind in ("engagement", "training")]
    themes = db.session.scalars(select(Theme).where(Theme.org_id == org.id).order_by(Theme.code)).all()
    audiences = list(db.session.scalars(select(Audience).where(Audience.org_id == org.id).order_by(Audience.id)))
    by_theme, objectives = [], []
    for theme in themes:
        tagged = [e for e in events if theme in e.themes]
        if tagged or theme.active:
            by_theme.append(Row(theme.code, theme.name_cy, theme.name_en, len(tagged),
                                sum(attendance(e) for e in tagged)))
        if tagged:
            objectives.append(Objective(
                theme.code, theme.name_cy, theme.name_en, tagged,
                engagement=sum(1 for e in tagged if e.kind == "engagement"),
                training=sum(1 for e in tagged if e.kind == "training"),
                people=sum(attendance(e) for e in tagged), audiences=_audience_rows(audiences, tagged, False),
                partners={lang: split_partners(tagged, lang) for lang in ("cy", "en")}, pulse=services.pulse_summary([e.id for e in tagged])))
    return ReportData(org=org, year=year, month=month, events=events, cancelled=len(every) - len(live),
                      by_kind=by_kind, by_theme=by_theme, by_audience=_audience_rows(audiences, events, True),
                      objectives=objectives, total_attendance=sum(attendance(e) for e in events),
                      pulse=services.pulse_summary([e.id for e in events]), checked_in=checked_in, as_of=now,
                      so_far=(year, month) == (today.year, today.month) and end > now,
                      planned_later=[e for e in live if e.starts_at >= now],
                      not_recorded=[e for e in live if e.status != "held" and e.starts_at < now])
