"""Changes to events, themes and audiences, and the queries the pages share."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_login import current_user
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Organisation
from ..audit.services import record
from ..db import after_commit, write_transaction
from ..extensions import db
from ..hooks import CHECKIN_COUNTERS, EVENT_CREATED, EVENT_MOVED
from ..refusals import Refusal
from ..types import utcnow
from .models import Audience, AudienceHeadcount, Event, PulseResponse, Theme
from .taxonomy import AUDIENCES, THEMES

#: Fewer answers than this and pulse results are not shown (people could be identified).
PULSE_MIN_ANSWERS = 5


class EventRefusal(Refusal):
    """A change the events rules refuse (words in ``events/labels.py``)."""

    area = "events"


# --- taxonomy ------------------------------------------------------------------------------------


def preload_taxonomy(org: Organisation) -> None:
    """Add the programme's themes and the common audiences to a new organisation."""
    for code, cy, en in THEMES:
        db.session.add(Theme(org_id=org.id, code=code, name_cy=cy, name_en=en))
    for key, cy, en in AUDIENCES:
        db.session.add(Audience(org_id=org.id, key=key, name_cy=cy, name_en=en))


def themes_of(org: Organisation, active_only: bool = True) -> list[Theme]:
    query = select(Theme).where(Theme.org_id == org.id).order_by(Theme.code)
    if active_only:
        query = query.where(Theme.active.is_(True))
    return list(db.session.scalars(query))


def audiences_of(org: Organisation, active_only: bool = True) -> list[Audience]:
    query = select(Audience).where(Audience.org_id == org.id).order_by(Audience.id)
    if active_only:
        query = query.where(Audience.active.is_(True))
    return list(db.session.scalars(query))


def save_theme(org: Organisation, theme: Theme | None, code: str, names: dict[str, str], active: bool) -> Theme:
    with write_transaction():
        clash = db.session.scalar(select(Theme).where(Theme.org_id == org.id, Theme.code == code.strip()))
        if clash is not None and clash is not theme:
            raise EventRefusal("code_taken", "code")
        if theme is None:
            theme = Theme(org_id=org.id)
            db.session.add(theme)
        theme.code = code.strip()
        theme.set_text("name", names)
        theme.active = active
        record("events.theme_saved", org_id=org.id, obj=theme,
               data={"code": theme.code, "name": theme.texts("name"), "active": active})
    return theme


def save_audience(org: Organisation, audience: Audience | None, names: dict[str, str], active: bool) -> Audience:
    with write_transaction():
        if audience is None:
            audience = Audience(org_id=org.id)
            db.session.add(audience)
        audience.set_text("name", names)
        audience.active = active
        record("events.audience_saved", org_id=org.id, obj=audience,
               data={"name": audience.texts("name"), "active": active})
    return audience


# --- events --------------------------------------------------------------------------------------

EDITABLE = ("kind", "starts_at", "ends_at", "online", "venue_address", "postcode",
            "delivery_language", "status", "public", "pulse_enabled")
#: Each ``{"cy": …, "en": …}``; a public event needs every one given in both languages (see
#: ``Event.public_gaps``), a staff-only draft may have gaps.
BILINGUAL = ("title", "description", "venue_name", "accessibility", "partners")


def _pick(org: Organisation, model: type, ids: list[int]) -> list[Any]:
    """The org's own themes/audiences with these ids; anything else is refused, not ignored."""
    if not ids:
        return []
    found = list(db.session.scalars(select(model).where(model.org_id == org.id, model.id.in_(ids))))
    if len(found) != len(set(ids)):
        raise EventRefusal("unknown_choice", "themes" if model is Theme else "audiences")
    return found


def _apply(event: Event, org: Organisation, data: dict[str, Any]) -> None:
    if data["ends_at"] <= data["starts_at"]:
        raise EventRefusal("ends_before_start", "ends_at")
    for name in EDITABLE:
        setattr(event, name, data[name])
    for name in BILINGUAL:
        event.set_text(name, data.get(name) or {})
    gaps = event.public_gaps() if event.public else []
    if gaps:
        # At the first field with a gap, so the error sits next to it (the form's own check says the same).
        raise EventRefusal("public_needs_both_languages", gaps[0][0])
    event.themes = _pick(org, Theme, data.get("themes", []))
    event.audiences = _pick(org, Audience, data.get("audiences", []))


def create_event(org: Organisation, data: dict[str, Any]) -> Event:
    """Log a new event from validated form data."""
    with write_transaction():
        event = Event(org_id=org.id, created_by_id=_user_id())
        _apply(event, org, data)
        db.session.add(event)
        db.session.flush()
        EVENT_CREATED(event)
        record("events.created", org_id=org.id, obj=event, data={"title": event.texts("title")})
    return event


#: What, changed, moves an event for the people coming to it.
WHERE_AND_WHEN = ("starts_at", "ends_at", "online", "venue_address", "postcode")


def _venue_renamed(before: dict[str, str], event: Event) -> bool:
    """A venue name that was given changed. Filling in a language it lacked (an event saved before
    both were needed) is not a move, and tells ticket holders nothing."""
    return any(before[lang] and before[lang] != event.text("venue_name", lang) for lang in before)


def update_event(event: Event, data: dict[str, Any]) -> Event:
    with write_transaction():
        before = {"status": event.status, "public": event.public,
                  "starts_at": event.starts_at.isoformat(), "title": event.texts("title")}
        place = [getattr(event, name) for name in WHERE_AND_WHEN]
        venue = event.texts("venue_name")
        _apply(event, event.org, data)
        record("events.updated", org_id=event.org_id, obj=event,
               data={"title": event.texts("title"), "before": before})
        cancelled = event.status == "cancelled" and before["status"] != "cancelled"
        moved = place != [getattr(event, n) for n in WHERE_AND_WHEN] or _venue_renamed(venue, event)
        if cancelled or (event.status != "cancelled" and moved):
            after_commit(lambda: EVENT_MOVED(event))
    return event


def duplicate_event(event: Event) -> Event:
    """A planned, unpublished copy of an event (for a series); what happened is not copied."""
    with write_transaction():
        copy = Event(org_id=event.org_id, created_by_id=_user_id(), status="planned", public=False)
        for name in EDITABLE:
            if name not in ("status", "public"):
                setattr(copy, name, getattr(event, name))
        for name in BILINGUAL:
            copy.set_text(name, event.texts(name))
        copy.themes = list(event.themes)
        copy.audiences = list(event.audiences)
        db.session.add(copy)
        db.session.flush()
        EVENT_CREATED(copy)
        record("events.duplicated", org_id=event.org_id, obj=copy,
               data={"from": event.id})
    return copy


def record_outcome(event: Event, data: dict[str, Any]) -> Event:
    """Record what happened: narrative, outcomes, follow-up and headcounts by audience."""
    with write_transaction():
        for name in ("narrative", "outcomes", "follow_up"):
            event.set_text(name, data[name])
        event.headcount = data["headcount"]
        event.status = data["status"]
        event.outcomes_public = data["outcomes_public"]
        if event.outcomes_public and event.missing_translations(Event.outcome_fields):
            raise EventRefusal("outcomes_need_both_languages", "outcomes_public")
        allowed = {a.id for a in audiences_of(event.org, active_only=False)}
        counts = {aid: n for aid, n in data["audience_counts"].items() if n is not None}
        if set(counts) - allowed:
            raise EventRefusal("unknown_choice", "audiences")
        event.headcounts = [AudienceHeadcount(audience_id=aid, count=n) for aid, n in sorted(counts.items())]
        event.recorded_by_id = _user_id()
        event.recorded_at = utcnow()
        record("events.outcome_recorded", org_id=event.org_id,
               obj=event, data={"headcount": event.headcount, "audience_counts": counts})
    return event


def _user_id() -> int | None:
    return current_user.id if current_user and current_user.is_authenticated else None


def get_event(org: Organisation, event_id: int) -> Event | None:
    """The org's event with this id, or None (another org's event is as good as missing)."""
    return db.session.scalar(select(Event).where(Event.id == event_id, Event.org_id == org.id))


# --- lists ---------------------------------------------------------------------------------------


@dataclass
class EventFilter:
    date_from: datetime | None = None
    date_to: datetime | None = None
    theme_id: int | None = None
    audience_id: int | None = None
    kind: str | None = None
    status: str | None = None
    q: str = ""


def staff_query(org: Organisation, f: EventFilter) -> Select[tuple[Event]]:
    query = select(Event).where(Event.org_id == org.id)
    if f.date_from:
        query = query.where(Event.starts_at >= f.date_from)
    if f.date_to:
        query = query.where(Event.starts_at < f.date_to)
    if f.theme_id:
        query = query.where(Event.themes.any(Theme.id == f.theme_id))
    if f.audience_id:
        query = query.where(Event.audiences.any(Audience.id == f.audience_id))
    if f.kind:
        query = query.where(Event.kind == f.kind)
    if f.status:
        query = query.where(Event.status == f.status)
    if f.q.strip():
        like = "%" + f.q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        cols = (Event.title_cy, Event.title_en, Event.venue_name_cy, Event.venue_name_en, Event.partners_cy,
                Event.partners_en, Event.postcode)
        query = query.where(or_(*(func.lower(c).like(like, escape="\\") for c in cols)))
    return query.order_by(Event.starts_at.desc(), Event.id.desc())


def upcoming_public(now: datetime | None = None, limit: int | None = None) -> list[Event]:
    now = now or utcnow()
    query = (select(Event).where(Event.public.is_(True), Event.ends_at >= now, Event.status != "cancelled")
             .order_by(Event.starts_at, Event.id).limit(limit))
    return list(db.session.scalars(query))


def past_public(now: datetime | None = None, limit: int = 50) -> list[Event]:
    now = now or utcnow()
    query = (select(Event).where(Event.public.is_(True), Event.ends_at < now, Event.status == "held")
             .order_by(Event.starts_at.desc()).limit(limit))
    return list(db.session.scalars(query))


def public_event(event_id: int) -> Event | None:
    return db.session.scalar(select(Event).where(Event.id == event_id, Event.public.is_(True)))


# --- cohesion pulse ------------------------------------------------------------------------------


def pulse_open(event: Event, now: datetime | None = None) -> bool:
    """Answers are taken from the start of the event until 14 days after it."""
    from datetime import timedelta

    now = now or utcnow()
    return (event.pulse_enabled and event.status != "cancelled"
            and event.starts_at <= now <= event.ends_at + timedelta(days=14))


def answer_pulse(event: Event, answers: dict[str, int]) -> None:
    with write_transaction():
        for question, answer in answers.items():
            db.session.add(PulseResponse(event_id=event.id, question=question, answer=answer))


def pulse_summary(event_ids: list[int]) -> dict[str, dict[str, Any]]:
    """Per question: answer counts and % agreeing, or ``suppressed`` below PULSE_MIN_ANSWERS."""
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(PulseResponse.question, PulseResponse.answer, func.count())
        .where(PulseResponse.event_id.in_(event_ids))
        .group_by(PulseResponse.question, PulseResponse.answer)
    ).all()
    out: dict[str, dict[str, Any]] = {}
    for question in ("belong", "get_on", "respect"):
        counts = {answer: n for q, answer, n in rows if q == question}
        total = sum(counts.values())
        if total < PULSE_MIN_ANSWERS:
            out[question] = {"total": total, "suppressed": True}
            continue
        answered = total - counts.get(0, 0)
        agree = counts.get(4, 0) + counts.get(5, 0)
        out[question] = {"total": total, "suppressed": False, "counts": counts,
                         "agree_percent": round(100 * agree / answered) if answered else None}
    return out


def with_tags(query: Select[tuple[Event]]) -> Select[tuple[Event]]:
    """Load events' objectives, audiences and headcounts in three queries, not three per event."""
    return query.options(selectinload(Event.themes), selectinload(Event.audiences),
                         selectinload(Event.headcounts).joinedload(AudienceHeadcount.audience))


def month_events(org: Organisation, start: datetime, end: datetime) -> list[Event]:
    query = (select(Event).where(and_(Event.org_id == org.id, Event.starts_at >= start, Event.starts_at < end))
             .order_by(Event.starts_at, Event.id))
    return list(db.session.scalars(with_tags(query)))


def checkins(event_ids: list[int]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for counter in CHECKIN_COUNTERS:
        for event_id, n in counter(event_ids).items():
            totals[event_id] = totals.get(event_id, 0) + n
    return totals
