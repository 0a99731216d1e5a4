"""What an organisation's staff should do first, for its home page: events that happened with no
record of what happened, "you said, we did" drafts still missing a language, funds closing soon or
counted and waiting for a second person, and today's doors. Read-only; each list is short."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, or_, select

from ..ballots.models import Pot, ResultCheck
from ..dates import LOCAL
from ..events.models import Event
from ..extensions import db
from ..feedback.models import FeedbackEntry
from ..types import utcnow
from .models import Organisation

SHOWN = 5
CLOSING_SOON = timedelta(days=7)


@dataclass
class ToDo:
    today: list[Event] = field(default_factory=list)
    no_outcome: list[Event] = field(default_factory=list)
    no_outcome_more: int = 0
    drafts_missing_language: list[FeedbackEntry] = field(default_factory=list)
    closing_soon: list[Pot] = field(default_factory=list)
    awaiting_sign_off: list[Pot] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.today, self.no_outcome, self.drafts_missing_language, self.closing_soon, self.awaiting_sign_off))


def to_do(org: Organisation) -> ToDo:
    now = utcnow()
    local_now = now.astimezone(LOCAL)
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    events = select(Event).where(Event.org_id == org.id, Event.status != "cancelled")
    today = list(db.session.scalars(events.where(
        Event.starts_at < midnight + timedelta(days=1), Event.ends_at >= now).order_by(Event.starts_at)))
    # Held, or past and still "planned": either way nobody has written what happened.
    quiet = list(db.session.scalars(events.where(
        Event.ends_at < now, or_(Event.narrative_en.is_(None), Event.narrative_en == ""),
        or_(Event.narrative_cy.is_(None), Event.narrative_cy == "")).order_by(Event.starts_at.desc()).limit(50)))
    drafts = [entry for entry in db.session.scalars(select(FeedbackEntry).where(
        FeedbackEntry.org_id == org.id, FeedbackEntry.published.is_(False))
        .order_by(FeedbackEntry.updated_at.desc()).limit(50))
        if entry.missing_translations()][:SHOWN]
    closing = list(db.session.scalars(select(Pot).where(
        Pot.org_id == org.id, Pot.status == "open", Pot.closes_at.is_not(None),
        Pot.closes_at <= now + CLOSING_SOON).order_by(Pot.closes_at)))
    waiting = list(db.session.scalars(select(Pot).join(ResultCheck, ResultCheck.pot_id == Pot.id).where(
        and_(Pot.org_id == org.id, ResultCheck.signed_off_at.is_(None), Pot.status != "published"))))
    return ToDo(today=today, no_outcome=quiet[:SHOWN], no_outcome_more=max(0, len(quiet) - SHOWN),
                drafts_missing_language=drafts, closing_soon=closing, awaiting_sign_off=waiting)

