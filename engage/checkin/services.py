"""Check-in rules: every scan becomes a row with a result code; the database keeps one entry per ticket.

Result codes (``presenter`` puts them into colour and words for every page and the JSON API):
``ok`` · ``already_checked_in`` (with when and by whom) · ``wrong_event`` · ``not_open`` ·
``cancelled`` (ticket or event) · ``invalid`` (no such ticket or code).
"""
from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit.services import record
from ..codes import is_code, normalise_code, random_code, random_token
from ..db import write_transaction
from ..events.models import Event
from ..events.services import audiences_of
from ..extensions import db
from ..refusals import Refusal
from ..types import utcnow
from . import groups
from .models import CheckinContact, EventCheckin, Scan, Ticket
from .outcome import Outcome
from .registration import (cancel_ticket, places_left, places_taken, register,  # noqa: F401 (their old address)
                           registration_open, ticket_by_token, tickets_of)

NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
#: How long the door page (static/js/door.js) keeps a scan made with no signal, and so how far back
#: a queued scan's own time is believed: a door that lost its signal at an evening event sends its
#: queue that night or the next morning. Older queued scans are dropped by the page, not sent.
QUEUE_LIFE = timedelta(hours=12)
#: How far ahead of the server a phone's clock may be: a queued time later than that is not believed.
CLOCK_SKEW = timedelta(minutes=2)
#: What staff change on the check-in settings page (and what its audit entry records).
SETTINGS_FIELDS = ("opens_minutes_before", "closes_minutes_after", "registration_open", "rotating", "ask_contact",
                   "capacity", "max_party")
#: Settings a form may leave out (kept as they are): they have no "none".
NOT_NULL_SETTINGS = ("max_party",)


class CheckinRefusal(Refusal):
    """A check-in request the rules refuse (words in ``checkin/labels.py``)."""

    area = "checkin"


#: The poster's typed code: about 30 bits, short enough to type from across a room.
POSTER_CODE_LENGTH = 6


def create_for_event(event: Event) -> EventCheckin:
    settings = EventCheckin(event_id=event.id, poster_token=random_token(),
                            typed_code=random_code(POSTER_CODE_LENGTH))
    db.session.add(settings)
    return settings


def settings_for(event: Event) -> EventCheckin:
    found = db.session.get(EventCheckin, event.id)
    if found is None:  # only for events made before check-in existed and missed by the migration
        raise LookupError(f"event {event.id} has no check-in settings")
    return found


def update_settings(event: Event, values: dict[str, Any], user: User) -> EventCheckin:
    """Change how an event's door works (``SETTINGS_FIELDS`` of ``values``), and log who did."""
    with write_transaction():
        settings = settings_for(event)
        for name in SETTINGS_FIELDS:
            if values.get(name) is not None or name not in NOT_NULL_SETTINGS:
                setattr(settings, name, values[name])
        record("checkin.settings", org_id=event.org_id,
               obj=event, user_id=user.id, data={name: getattr(settings, name) for name in SETTINGS_FIELDS})
    return settings


def poster_settings(token: str) -> EventCheckin | None:
    """The door settings behind a poster's QR code. Listed or not: as in pretix, an event left off
    the public list still lets in whoever holds its poster (a secret staff printed for its door)."""
    return db.session.scalar(select(EventCheckin).where(EventCheckin.poster_token == token))


def settings_by_code(typed: str) -> EventCheckin | None:
    """The door settings of a poster's typed code, as typed (any case, spaces and dashes)."""
    code = normalise_code(typed)
    if not is_code(code, POSTER_CODE_LENGTH):
        return None
    return db.session.scalar(select(EventCheckin).where(EventCheckin.typed_code == code))


def window(event: Event, settings: EventCheckin) -> tuple[datetime, datetime]:
    return (event.starts_at - timedelta(minutes=settings.opens_minutes_before),
            event.ends_at + timedelta(minutes=settings.closes_minutes_after))


def is_open(event: Event, settings: EventCheckin, at: datetime | None = None) -> bool:
    opens, closes = window(event, settings)
    return event.status != "cancelled" and opens <= (at or utcnow()) <= closes


def live_count(event_id: int) -> int:
    """People checked in so far (a group's scan counts its people, not one)."""
    return db.session.scalar(select(func.coalesce(func.sum(Scan.people), 0)).where(
        Scan.event_id == event_id, Scan.result == "ok", Scan.undone_at.is_(None))) or 0


def counts_by_event(event_ids: list[int]) -> dict[int, int]:
    """People checked in per event, for reports."""
    if not event_ids:
        return {}
    rows = db.session.execute(select(Scan.event_id, func.sum(Scan.people)).where(
        Scan.event_id.in_(event_ids), Scan.result == "ok", Scan.undone_at.is_(None)).group_by(Scan.event_id))
    return {event_id: int(people) for event_id, people in rows.all()}


def _who(scan: Scan) -> str:
    if scan.method == "poster":
        return "poster"
    return (scan.user.name or scan.user.email) if scan.user else "—"


def _entry(event_id: int, ticket_id: int) -> Scan | None:
    """The ticket's first live check-in (a group's may have several)."""
    return db.session.scalar(select(Scan).where(Scan.event_id == event_id, Scan.ticket_id == ticket_id,
                                                Scan.result == "ok", Scan.undone_at.is_(None))
                             .order_by(Scan.scanned_at, Scan.id).limit(1))


def _outcome(scan: Scan, replayed: bool = False) -> Outcome:
    out = Outcome(result=scan.result, scan_id=scan.id, count=live_count(scan.event_id), replayed=replayed,
                  form_used=scan.method == "poster" and scan.result == "already_checked_in", people=scan.people)
    if out.form_used and scan.device_mark and (first := device_entry(scan.event_id, scan.device_mark)):
        out.form_used, out.device_seen, out.earlier_at = False, True, first.scanned_at
    ticket = scan.ticket
    if ticket is not None:
        if scan.result != "wrong_event":  # whose ticket it is, only to the door of its own event
            out.ticket_name, out.ticket_code = ticket.name, ticket.code
            out.places, out.arrived = groups.standing(ticket.id)
        if scan.result == "already_checked_in":
            first = _entry(scan.event_id, ticket.id)
            if first is not None:
                out.earlier_at, out.earlier_by = first.scanned_at, _who(first)
        if scan.result == "wrong_event":
            other = db.session.get(Event, ticket.event_id)
            event = db.session.get(Event, scan.event_id)
            if other is not None and event is not None and other.org_id == event.org_id:
                out.other_event = other.text("title")  # only name events of the same organisation
    return out


def _find_ticket(event: Event, token: str | None, code: str | None, ticket_id: int | None) -> Ticket | None:
    """The ticket a scan names, among the tickets of the event's own organisation. Another
    organisation's is not found, by the same one query as a ticket that does not exist: its door
    learns nothing of it, not even from the time the answer takes."""
    if token:
        named = Ticket.token == token
    elif code:
        named = Ticket.code == normalise_code(code)
    elif ticket_id:  # from the API (ScanRequest bounds it) or a URL (the app's int converter does)
        named = Ticket.id == ticket_id
    else:
        return None
    # A place on the waiting list is not a ticket: it has no QR code and does not get in.
    return db.session.scalar(select(Ticket).join(Event, Ticket.event_id == Event.id)
                             .where(named, Event.org_id == event.org_id, Ticket.waiting.is_(False)))


def _believable(scanned_at: datetime | None, queued: bool, now: datetime) -> datetime:
    """When the scan happened: the device's own time only for a scan its offline queue kept (no
    longer than QUEUE_LIFE, and not ahead of us by more than CLOCK_SKEW); otherwise now. A scan sent
    at once happened now, whatever it claims: a claimed time let a walk-in be counted a day late."""
    if not queued or scanned_at is None or not now - QUEUE_LIFE <= scanned_at <= now + CLOCK_SKEW:
        return now
    return min(scanned_at, now)


def record_scan(event: Event, *, method: str, nonce: str | None, user: User | None = None,
                device: str | None = None, token: str | None = None, code: str | None = None,
                ticket_id: int | None = None, scanned_at: datetime | None = None, queued: bool = False,
                audience_id: int | None = None, form_pass: str | None = None,
                device_mark: str | None = None, people: int | None = None) -> Outcome:
    """Check someone in (or say why not). A nonce seen before at this event returns its first answer, writing nothing.

    ``people``: how many of a group ticket have arrived (or walk-ins came at once). A group ticket
    scanned without it is answered "group" and nothing is written: the door asks how many, then scans
    again with the number (see ``groups``)."""
    if method == "poster" or people is None and method == "walk_in":
        people = 1
    nonce = nonce if nonce and NONCE_RE.match(nonce) else uuid.uuid4().hex
    if audience_id is not None and (method != "walk_in" or audience_id not in {a.id for a in audiences_of(event.org)}):
        audience_id = None  # only a walk-in has one, and only one of the organisation's own, current ones
    for attempt in range(3):
        try:
            return _record_once(event, method, nonce, user, device, token, code, ticket_id,
                                _believable(scanned_at, queued, utcnow()), audience_id, form_pass,
                                device_mark, people, look_first=attempt > 0)
        except IntegrityError as err:
            # The nonce was seen before (a retry, or another request just now), the ticket is
            # already in (perhaps at a second door a moment ago), or the form pass or the phone was used. Start
            # again, looking first: the database holds the earlier scan, so the answer is
            # consistent. Any other refusal (a foreign key, a check) would only fail again: let it
            # through.
            db.session.rollback()
            if "unique" not in str(err.orig).lower():
                raise
    raise RuntimeError("check-in kept colliding")  # pragma: no cover - three races in a row


def _record_once(event: Event, method: str, nonce: str, user: User | None, device: str | None,
                 token: str | None, code: str | None, ticket_id: int | None, when: datetime,
                 audience_id: int | None, form_pass: str | None, device_mark: str | None,
                 people: int | None, look_first: bool) -> Outcome:
    """One try. Without ``look_first`` it writes at once and leaves the unique nonce and the
    one-use-per-pass and one-entry-per-phone indexes to refuse a replay or a second entry
    (IntegrityError, then a try that looks first): most scans are first scans, and this saves them
    two queries. A ticket's people are counted in by its own counter (``groups.admit``), never past
    its places."""
    with write_transaction():
        if look_first:  # a nonce is one device's for one event: another event's scan is never replayed
            seen = db.session.scalar(select(Scan).where(Scan.event_id == event.id, Scan.nonce == nonce))
            if seen is not None:
                return _outcome(seen, replayed=True)
        settings = settings_for(event)
        ticket = None if method in ("walk_in", "poster") else _find_ticket(event, token, code, ticket_id)
        if method not in ("walk_in", "poster") and ticket is None:
            result = "invalid"
        elif ticket is not None and ticket.event_id != event.id:
            result = "wrong_event"
        elif event.status == "cancelled" or (ticket is not None and ticket.cancelled_at is not None):
            result = "cancelled"
        elif not is_open(event, settings, when):
            result = "not_open"
        elif look_first and (form_pass is not None and _pass_used(event.id, form_pass)
                             or device_mark is not None and device_entry(event.id, device_mark) is not None):
            result = "already_checked_in"
        else:
            result = "ok"
        if result == "ok" and ticket is not None:
            result, ask = groups.check_in(ticket, people)
            if ask is not None:
                ask.count, ask.method = live_count(event.id), method
                return ask
        scan = Scan(event_id=event.id, ticket_id=ticket.id if ticket else None, method=method, result=result,
                    user_id=user.id if user else None, device=(device or "")[:60] or None, nonce=nonce,
                    created_at=utcnow(), scanned_at=when, audience_id=audience_id,
                    form_pass=form_pass if result == "ok" else None,  # a pass is spent only by getting in
                    device_mark=device_mark if method == "poster" else None, people=people or 1)
        db.session.add(scan)
        db.session.flush()
        return _outcome(scan)


def group_question(event: Event, ticket_id: int, method: str) -> Outcome:
    """The door's question again (its number was not one the form takes): nothing is written."""
    ticket = _find_ticket(event, None, None, ticket_id)
    if ticket is None or ticket.event_id != event.id:
        return Outcome(result="invalid")
    places, arrived = groups.standing(ticket.id)
    return Outcome(result="group" if arrived < places else "already_checked_in", ticket_name=ticket.name,
                   ticket_code=ticket.code, ticket_id=ticket.id, places=places, arrived=arrived,
                   people=max(1, places - arrived), method=method, count=live_count(event.id))


def undo(event: Event, scan_id: int, user: User) -> Outcome | None:
    """Take back a successful check-in (a mistaken scan or walk-in). None if there is nothing to undo."""
    with write_transaction():
        scan = db.session.scalar(select(Scan).where(Scan.id == scan_id, Scan.event_id == event.id,
                                                    Scan.result == "ok", Scan.undone_at.is_(None)))
        if scan is None:
            return None
        scan.undone_at = utcnow()
        scan.undone_by_id = user.id
        groups.release(scan)
        record("checkin.undone", org_id=event.org_id, obj=scan,
               data={"method": scan.method, "ticket_id": scan.ticket_id, "people": scan.people})
        db.session.flush()
        out = _outcome(scan)
    return out


def self_check_in(event: Event, nonce: str | None, contact: dict[str, str] | None = None,
                  form_pass: str | None = None, device_mark: str | None = None) -> Outcome:
    """Someone checks in from the poster: an anonymous count, plus a contact if they chose to leave one.
    From a rotating screen, ``form_pass`` (see ``rotating.form_pass_id``) checks in one person only;
    ``device_mark`` (see ``device_hash``) one phone only."""
    out = record_scan(event, method="poster", nonce=nonce, form_pass=form_pass, device_mark=device_mark)
    if out.result == "ok" and not out.replayed and contact and (contact.get("name") or contact.get("email")):
        with write_transaction():
            db.session.add(CheckinContact(scan_id=out.scan_id, name=contact.get("name") or None,
                                          email=contact.get("email") or None))
    return out


def device_hash(event_id: int, mark: str) -> str:
    """What is kept of a phone's mark for one event: never the mark (a cookie) itself."""
    return hashlib.sha256(f"{event_id}:{mark}".encode()).hexdigest()[:32]


def device_entry(event_id: int, device_mark: str) -> Scan | None:
    """The phone's successful check-in at the event, if any (one at most: a unique index)."""
    return db.session.scalar(select(Scan).where(Scan.event_id == event_id, Scan.device_mark == device_mark,
                                                Scan.result == "ok", Scan.undone_at.is_(None)))


def _pass_used(event_id: int, pass_id: str) -> bool:
    return db.session.scalar(select(Scan.id).where(Scan.event_id == event_id, Scan.form_pass == pass_id)) is not None


# --- registration (in registration.py) and finding tickets ---------------------------------------


def search_tickets(event: Event, query: str, limit: int = 20) -> list[Ticket]:
    q = query.strip().lower()
    if len(q) < 2:
        return []
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(db.session.scalars(select(Ticket).where(
        Ticket.event_id == event.id, Ticket.anonymised_at.is_(None), Ticket.waiting.is_(False),
        or_(func.lower(Ticket.name).like(like, escape="\\"), func.lower(Ticket.email).like(like, escape="\\")))
        .order_by(Ticket.name).limit(limit)))


def checked_in_ticket_ids(event: Event) -> set[int]:
    """Tickets whose people have all arrived (a group partly in is not among them: see Ticket.arrived)."""
    return set(db.session.scalars(select(Ticket.id).where(Ticket.event_id == event.id,
                                                          Ticket.arrived >= Ticket.places)))


def people_registered(event: Event) -> tuple[int, int]:
    """(people holding places, people of them arrived) over the event's tickets."""
    row = db.session.execute(select(func.coalesce(func.sum(Ticket.places), 0), func.coalesce(func.sum(Ticket.arrived), 0))
                             .where(Ticket.event_id == event.id, Ticket.cancelled_at.is_(None),
                                    Ticket.waiting.is_(False))).one()
    return int(row[0]), int(row[1])


def recent_scans(event: Event, limit: int = 10) -> list[Scan]:
    return list(db.session.scalars(select(Scan).where(Scan.event_id == event.id)
                                   .order_by(Scan.id.desc()).limit(limit)))


def purge_personal_data(now: datetime | None = None, days: int | None = None) -> int:
    """Retention: delete attendees' names and contact details ``days`` after their event ended.

    Counts stay: tickets and scans are kept, only who they were is removed. Returns tickets changed.
    """
    now = now or utcnow()
    days = current_app.config["CHECKIN_RETENTION_DAYS"] if days is None else days
    cutoff = now - timedelta(days=days)
    ended = select(Event.id).where(Event.ends_at < cutoff)
    with write_transaction():
        changed = db.session.execute(
            update(Ticket).where(Ticket.event_id.in_(ended), Ticket.anonymised_at.is_(None))
            .values(name=None, email=None, phone=None, access_needs=None, anonymised_at=now)
            .execution_options(synchronize_session=False)).rowcount
        scans = select(Scan.id).where(Scan.event_id.in_(ended))
        db.session.execute(CheckinContact.__table__.delete().where(CheckinContact.scan_id.in_(scans)))
        if changed:
            record("checkin.retention", data={"count": changed, "days": days})
    return changed or 0
