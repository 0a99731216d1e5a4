"""Check-in: each event's door settings, personal tickets, and one row for every scan."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import false as sa_false
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow

METHODS = ("poster", "ticket_scan", "typed_code", "name_search", "walk_in")
RESULTS = ("ok", "already_checked_in", "wrong_event", "not_open", "cancelled", "invalid")


class EventCheckin(db.Model):
    """How an event's door works. Made with the event (see services.create_for_event)."""

    __tablename__ = "event_checkins"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    #: Secret in the poster's QR code (short link /c/<token>): 128 bits, url-safe.
    poster_token: Mapped[str] = mapped_column(String(32), unique=True)
    #: What people without a camera type on the check-in page, e.g. "K7PQ2X".
    typed_code: Mapped[str] = mapped_column(String(8), unique=True)
    #: Check-in opens this many minutes before the start and closes this many after the end.
    opens_minutes_before: Mapped[int] = mapped_column(Integer, default=30)
    closes_minutes_after: Mapped[int] = mapped_column(Integer, default=0)
    #: The on-screen QR changes every 30 s; a photo of an old one stops working.
    rotating: Mapped[bool] = mapped_column(Boolean, default=False)
    registration_open: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Ask people who check in from the poster for a name and email (optional, with consent).
    ask_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The most tickets (places) registration gives; past it people join the waiting list. None: no limit.
    capacity: Mapped[int | None] = mapped_column(Integer)
    #: The most people one registration may bring, the registrant included (a group booking).
    max_party: Mapped[int] = mapped_column(Integer, default=6, server_default=text("6"))

    event = relationship("Event")

    __table_args__ = (
        CheckConstraint("opens_minutes_before BETWEEN 0 AND 1440", name="opens_range"),
        CheckConstraint("closes_minutes_after BETWEEN 0 AND 1440", name="closes_range"),
        CheckConstraint("capacity IS NULL OR capacity BETWEEN 1 AND 100000", name="capacity_range"),
        CheckConstraint("max_party BETWEEN 1 AND 20", name="max_party_range"),
    )


class Ticket(db.Model):
    """A resident's registration for an event. Personal details are deleted by the retention job."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: Typed at the door: 8 characters without look-alikes (see engage.codes.CODE_ALPHABET).
    code: Mapped[str] = mapped_column(String(8), unique=True)
    #: Secret in the ticket's QR code (/t/<token>): 128 bits.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    preferred_lang: Mapped[str | None] = mapped_column(String(2))
    access_needs: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: On the waiting list (the event was full): no QR code, not let in at the door, moved up in
    #: the order of registering when a place comes free.
    waiting: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    #: When the reminder the day before the event was sent (once per ticket).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the retention job removed the personal details (the ticket and its scans stay, for counts).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: How many people the registration is for, the registrant included; capacity counts these.
    places: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    #: How many of them have checked in: the sum of ``people`` over the ticket's live ok scans, kept
    #: in the same transaction as each scan and undo (``groups.admit``/``groups.release``). Its check
    #: is what makes a double count impossible: no race can take it past ``places``.
    arrived: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    event = relationship("Event")

    __table_args__ = (CheckConstraint("preferred_lang IN ('cy', 'en')", name="lang_known"),
                      CheckConstraint("places BETWEEN 1 AND 50", name="places_range"),
                      CheckConstraint("arrived BETWEEN 0 AND places", name="arrived_range"))


class Scan(db.Model):
    """Every attempt to check someone in, whatever its result."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(12))
    result: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    device: Mapped[str | None] = mapped_column(String(60))
    #: Chosen by the client (door page) so a retried or replayed request is recognised: unique per
    #: event, so a nonce sent to another event (another organisation's) never finds this scan.
    nonce: Mapped[str] = mapped_column(String(64))
    #: When the server received it, and when the device says it happened (offline scans).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    audience_id: Mapped[int | None] = mapped_column(ForeignKey("audiences.id", ondelete="SET NULL"))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The id of the rotating screen's form pass this check-in spent (rotating.form_pass): one each.
    form_pass: Mapped[str | None] = mapped_column(String(16))
    #: A poster check-in's phone: a hash of the random mark it keeps in a cookie for this event
    #: (public.DEVICE_COOKIE). Not the mark itself, and a new one for every event: nothing links a
    #: phone's visits to two events.
    device_mark: Mapped[str | None] = mapped_column(String(32))
    #: How many people this check-in let in: one, or several of a group ticket, or a group of walk-ins.
    people: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    ticket = relationship("Ticket")
    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (
        CheckConstraint("method IN ('poster', 'ticket_scan', 'typed_code', 'name_search', 'walk_in')",
                        name="method_known"),
        CheckConstraint("result IN ('ok', 'already_checked_in', 'wrong_event', 'not_open', 'cancelled', 'invalid')",
                        name="result_known"),
        CheckConstraint("people BETWEEN 1 AND 50", name="people_range"),
        # No more entries per ticket than its places, whatever races: not an index here but the
        # ticket's own counter (Ticket.arrived, checked against Ticket.places; see groups.admit).
        Index("ix_scans_event_result", "event_id", "result"),
        # One check-in per form pass, whatever races: posting one pass again (a new nonce each time)
        # counted a person each time.
        Index("uq_scans_one_use_per_form_pass", "event_id", "form_pass", unique=True,
              sqlite_where=text("form_pass IS NOT NULL"), postgresql_where=text("form_pass IS NOT NULL")),
        # One successful self check-in per phone per event: the same phone scanning the poster
        # again (a new form, a new nonce) counted a person each time.
        Index("uq_scans_one_entry_per_device", "event_id", "device_mark", unique=True,
              sqlite_where=text("result = 'ok' AND undone_at IS NULL AND device_mark IS NOT NULL"),
              postgresql_where=text("result = 'ok' AND undone_at IS NULL AND device_mark IS NOT NULL")),
        UniqueConstraint("event_id", "nonce"),
    )


class CheckinContact(db.Model):
    """Name and email left, with consent, by someone checking in from the poster."""

    __tablename__ = "checkin_contacts"

    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
