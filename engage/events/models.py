"""The engagement event log: events, their themes and audiences, what happened, and reports."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, Column, ForeignKey, Index, Integer, SmallInteger, String,
                        Table, Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..bilingual import Bilingual, bilingual_columns
from ..extensions import db
from ..types import UTCDateTime, utcnow

KINDS = ("engagement", "training")
STATUSES = ("planned", "held", "cancelled")
DELIVERY_LANGUAGES = ("cy", "en", "bilingual", "other")
PULSE_QUESTIONS = ("belong", "get_on", "respect")

event_themes = Table(
    "event_themes", db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)
event_audiences = Table(
    "event_audiences", db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("audience_id", ForeignKey("audiences.id", ondelete="CASCADE"), primary_key=True),
)


class Theme(Bilingual, db.Model):
    """One objective of the Community Cohesion Programme (1.1 … 3.3), per organisation."""

    __tablename__ = "themes"
    bilingual_fields = ("name",)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    #: The programme's own number, e.g. "2.3"; reports are ordered by it.
    code: Mapped[str] = mapped_column(String(10))
    name_cy, name_en = bilingual_columns(200)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        UniqueConstraint("org_id", "code"),
        CheckConstraint("name_cy IS NOT NULL AND name_en IS NOT NULL", name="name_both_languages"),
    )


class Audience(Bilingual, db.Model):
    """A group an event reached (young people, refugees and asylum seekers, …), per organisation."""

    __tablename__ = "audiences"
    bilingual_fields = ("name",)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    #: Stable key for the preloaded tags (e.g. "young_people"); None for ones admins add.
    key: Mapped[str | None] = mapped_column(String(40))
    name_cy, name_en = bilingual_columns(200)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        UniqueConstraint("org_id", "key"),
        CheckConstraint("name_cy IS NOT NULL AND name_en IS NOT NULL", name="name_both_languages"),
    )


class Event(Bilingual, db.Model):
    __tablename__ = "events"
    #: Needed in both languages before an event is shown to the public.
    bilingual_fields = ("title", "description")
    #: Council-written texts an event may leave out; given in one language, a public event needs both.
    optional_public_fields = ("venue_name", "accessibility", "partners")
    #: Needed in both languages before outcomes are published.
    outcome_fields = ("narrative", "outcomes")

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    title_cy, title_en = bilingual_columns(200)
    description_cy, description_en = bilingual_columns(None)
    #: "engagement" (engagement event) or "training" (training / information sharing): the two
    #: logs the Community Cohesion Programme asks for.
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The venue's name in each language ("Neuadd Goffa Cricieth" / "Criccieth Memorial Hall"; the same
    #: words twice when it has one name).
    venue_name_cy, venue_name_en = bilingual_columns(200)
    #: Written once: a postal address is a proper noun (street and town as the Royal Mail has them), not
    #: a text the council translates; the venue's name above carries the words that differ by language.
    venue_address: Mapped[str | None] = mapped_column(String(500))
    postcode: Mapped[str | None] = mapped_column(String(10))
    #: Language of delivery: cy, en, bilingual or other.
    delivery_language: Mapped[str] = mapped_column(String(10), default="bilingual")
    accessibility_cy, accessibility_en = bilingual_columns(None)
    #: Partner organisations, as free text in each language (they are often not on Engage).
    partners_cy, partners_en = bilingual_columns(500)
    status: Mapped[str] = mapped_column(String(12), default="planned")
    #: Shown on the public pages (needs every public text in both languages: see ``public_gaps``).
    public: Mapped[bool] = mapped_column(Boolean, default=False)

    # After the event: what happened and what people raised (the "you said" input).
    narrative_cy, narrative_en = bilingual_columns(None)
    outcomes_cy, outcomes_en = bilingual_columns(None)
    follow_up_cy, follow_up_en = bilingual_columns(None)
    #: Staff-entered headcount of everyone who attended (check-ins are counted separately).
    headcount: Mapped[int | None] = mapped_column(Integer)
    outcomes_public: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Attendees may answer the three anonymous cohesion questions after the event.
    pulse_enabled: Mapped[bool] = mapped_column(Boolean, default=False)

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Loaded when used (a check-in scan needs none of them); lists that show them ask for them with
    # selectinload, see services.with_tags.
    themes = relationship("Theme", secondary=event_themes, order_by="Theme.code")
    audiences = relationship("Audience", secondary=event_audiences, order_by="Audience.id")
    headcounts = relationship("AudienceHeadcount", cascade="all, delete-orphan")
    org = relationship("Organisation")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("kind IN ('engagement', 'training')", name="kind_known"),
        CheckConstraint("status IN ('planned', 'held', 'cancelled')", name="status_known"),
        CheckConstraint("delivery_language IN ('cy', 'en', 'bilingual', 'other')", name="language_known"),
        CheckConstraint("headcount IS NULL OR headcount >= 0", name="headcount_not_negative"),
        # Publishing needs both languages: the database refuses a public event without them. (The
        # venue, accessibility and partners rule of issue #19 is the forms' and the service's, see
        # ``public_gaps``: a new check here would mean rebuilding ``events`` on SQLite, which others reference.)
        CheckConstraint("NOT public OR (title_cy IS NOT NULL AND title_en IS NOT NULL "
                        "AND description_cy IS NOT NULL AND description_en IS NOT NULL)",
                        name="public_needs_both_languages"),
        CheckConstraint("NOT outcomes_public OR (narrative_cy IS NOT NULL AND narrative_en IS NOT NULL "
                        "AND outcomes_cy IS NOT NULL AND outcomes_en IS NOT NULL)",
                        name="outcomes_need_both_languages"),
        Index("ix_events_org_starts", "org_id", "starts_at"),
        Index("ix_events_public_starts", "public", "starts_at"),
    )

    def public_gaps(self) -> list[tuple[str, str]]:
        """(field, language) pairs a public event may not lack: the title and description, and any
        optional text given in one language but not the other."""
        gaps = self.missing_translations()
        for name in self.optional_public_fields:
            missing = self.missing_translations((name,))
            if len(missing) == 1:
                gaps += missing
        return gaps

    def text_or_other(self, name: str, lang: str) -> str:
        """The text in ``lang``, else in the other language (for files that cannot mark a language:
        calendars, emails, CSV). Only events saved before both were needed can lack one."""
        return self.text(name, lang) or self.text(name, "en" if lang == "cy" else "cy")

    def address(self, lang: str) -> str:
        """Where it is held, on one line in ``lang`` (venue, address, postcode); empty for an online event."""
        return ", ".join(p for p in (self.text_or_other("venue_name", lang), self.venue_address, self.postcode) if p)

    @property
    def audience_counts(self) -> dict[int, int]:
        return {h.audience_id: h.count for h in self.headcounts}


class AudienceHeadcount(db.Model):
    """How many people of one audience an event reached, as counted by staff."""

    __tablename__ = "audience_headcounts"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    audience_id: Mapped[int] = mapped_column(ForeignKey("audiences.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)

    audience = relationship("Audience", lazy="joined")

    __table_args__ = (CheckConstraint("count >= 0", name="count_not_negative"),)


class PulseResponse(db.Model):
    """One anonymous answer to one cohesion question. No person, time of day or device is kept:
    only the event, the question, the answer and the date."""

    __tablename__ = "pulse_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(10))
    #: 1 (strongly disagree) … 5 (strongly agree); 0 is "prefer not to say".
    answer: Mapped[int] = mapped_column(SmallInteger)

    __table_args__ = (
        CheckConstraint("question IN ('belong', 'get_on', 'respect')", name="question_known"),
        CheckConstraint("answer BETWEEN 0 AND 5", name="answer_range"),
    )


class MonthlyReport(Bilingual, db.Model):
    """One file of a monthly monitoring report as it was kept (sent): rendered once when kept, so
    later edits to events never change it. Kept again on demand (the newest wins)."""

    __tablename__ = "monthly_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    #: "YYYY-MM".
    month: Mapped[str] = mapped_column(String(7))
    #: "csv" or "html".
    format: Mapped[str] = mapped_column(String(4))
    #: The language the report is written in ("cy"/"en"); "both" for CSV files kept before 0019.
    lang: Mapped[str] = mapped_column(String(4))
    content: Mapped[str] = mapped_column(Text)
    #: The officer's overall narrative for the month, as kept with the report.
    narrative_cy, narrative_en = bilingual_columns(None)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: None when the scheduler made it.
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("org_id", "month", "format", "lang"),
        CheckConstraint("format IN ('csv', 'html')", name="format_known"),
    )
