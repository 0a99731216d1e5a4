"""“You said, we did”: feedback entries, their dated updates and the people following them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Column, Date, ForeignKey, Index, Integer, SmallInteger,
                        String, Table, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..bilingual import Bilingual, bilingual_columns
from ..extensions import db
from ..types import UTCDateTime, utcnow

#: In the order a decision usually moves through them; "not_possible" needs a reason.
STATUSES = ("considering", "planned", "in_progress", "done", "not_possible")
_STATUS_SQL = ", ".join(f"'{s}'" for s in STATUSES)


def _both(*names: str) -> str:
    return " AND ".join(f"{n}_cy IS NOT NULL AND {n}_en IS NOT NULL" for n in names)


entry_events = Table(
    "feedback_entry_events", db.metadata,
    Column("entry_id", ForeignKey("feedback_entries.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
)
entry_themes = Table(
    "feedback_entry_themes", db.metadata,
    Column("entry_id", ForeignKey("feedback_entries.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class FeedbackEntry(Bilingual, db.Model):
    """One "we asked / you said / we did" record of an organisation."""

    __tablename__ = "feedback_entries"
    #: Needed in both languages before the entry is published.
    bilingual_fields = ("title", "asked", "said", "did")

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    title_cy, title_en = bilingual_columns(200)
    #: We asked: the question or the occasion.
    asked_cy, asked_en = bilingual_columns(None)
    #: You said: what people told us (summary, key themes, numbers).
    said_cy, said_en = bilingual_columns(None)
    #: We did: the decision, who made it and when.
    did_cy, did_en = bilingual_columns(None)
    #: How many people took part (responses, attendees or votes); optional.
    people_count: Mapped[int | None] = mapped_column(Integer)
    decided_on: Mapped[date | None] = mapped_column(Date)
    #: The place the entry is about ("Bangor", "Gwynedd"); events have no area yet.
    area_cy, area_en = bilingual_columns(100)
    #: URL key of the area (for the area feed), made from the English name, else the Welsh one.
    area_slug: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="considering")
    #: Why it was not possible (required in both languages with that status).
    reason_cy, reason_en = bilingual_columns(None)
    progress: Mapped[int | None] = mapped_column(SmallInteger)
    budget_pence: Mapped[int | None] = mapped_column(BigInteger)
    #: Linked PB pot/project. Plain integers for now: the FK is added by the ballots migration.
    pot_id: Mapped[int | None] = mapped_column(Integer)
    project_ref: Mapped[int | None] = mapped_column(Integer)
    #: What made a draft ("pb:<pot>:project:<ref>", "pb:<pot>:summary"); makes drafting idempotent.
    source_key: Mapped[str | None] = mapped_column(String(100))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    org = relationship("Organisation", lazy="joined")
    events = relationship("Event", secondary=entry_events, lazy="selectin", order_by="Event.starts_at")
    themes = relationship("Theme", secondary=entry_themes, lazy="selectin", order_by="Theme.code")
    updates = relationship("FeedbackUpdate", back_populates="entry", cascade="all, delete-orphan",
                           order_by="(FeedbackUpdate.happened_on.desc(), FeedbackUpdate.id.desc())")

    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_SQL})", name="status_known"),
        CheckConstraint("progress IS NULL OR progress BETWEEN 0 AND 100", name="progress_range"),
        CheckConstraint("budget_pence IS NULL OR budget_pence >= 0", name="budget_not_negative"),
        CheckConstraint("people_count IS NULL OR people_count >= 0", name="people_not_negative"),
        CheckConstraint(f"status <> 'not_possible' OR ({_both('reason')})", name="not_possible_needs_reason"),
        # Publishing needs both languages; an area, when given, must be in both too.
        CheckConstraint(f"NOT published OR ({_both('title', 'asked', 'said', 'did')} "
                        "AND (area_cy IS NULL) = (area_en IS NULL))", name="published_needs_both_languages"),
        UniqueConstraint("org_id", "source_key"),
        Index("ix_feedback_entries_org_published", "org_id", "published"),
    )


class FeedbackUpdate(Bilingual, db.Model):
    """A dated milestone; it may move the entry to a new status or progress."""

    __tablename__ = "feedback_updates"
    bilingual_fields = ("body",)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("feedback_entries.id", ondelete="CASCADE"), index=True)
    happened_on: Mapped[date] = mapped_column(Date)
    body_cy, body_en = bilingual_columns(None)
    #: The status and progress this update set (None: unchanged).
    status: Mapped[str | None] = mapped_column(String(20))
    progress: Mapped[int | None] = mapped_column(SmallInteger)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry = relationship("FeedbackEntry", back_populates="updates")

    __table_args__ = (
        # Updates are shown on the public page at once, so both languages always.
        CheckConstraint(_both("body"), name="body_both_languages"),
        CheckConstraint(f"status IS NULL OR status IN ({_STATUS_SQL})", name="status_known"),
        CheckConstraint("progress IS NULL OR progress BETWEEN 0 AND 100", name="progress_range"),
    )


class FeedbackSubscription(db.Model):
    """A resident following an entry by email; the confirmation token is kept only as a hash."""

    __tablename__ = "feedback_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("feedback_entries.id", ondelete="CASCADE"))
    #: Lower-cased.
    email: Mapped[str] = mapped_column(String(254))
    #: "cy", "en", or None for both (Welsh first).
    lang: Mapped[str | None] = mapped_column(String(2))
    #: SHA-256 of the confirmation token; the unsubscribe token is an HMAC of it (see follow.py).
    confirm_hash: Mapped[str] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry = relationship("FeedbackEntry", lazy="joined")

    __table_args__ = (
        UniqueConstraint("entry_id", "email"),
        CheckConstraint("lang IS NULL OR lang IN ('cy', 'en')", name="lang_known"),
    )
