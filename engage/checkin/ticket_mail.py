"""Tickets by email: on registering, a reminder the day before, and a notice if the event is moved
or cancelled — in the resident's language, or Welsh then English when they did not choose.

Each email carries the ticket's code and its address (the page with the QR code), the QR code itself
as a PNG (what the door scans), a calendar file, and a link to cancel one's place. Nothing here
fails a resident's request: a mail server that is down is logged (``mail.send_quietly``).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from .. import mail
from ..dates import LOCAL
from ..db import write_transaction
from ..events.calendar import one_event
from ..events.models import Event
from ..extensions import db
from ..formatting import when
from ..links import public_url
from ..qr import qr_png
from ..types import utcnow
from .models import Ticket

Compose = Callable[[Ticket, str], tuple[str, list[str]]]


def _ticket_lines(ticket: Ticket, lang: str) -> list[str]:
    event = ticket.event
    return [
        _("When: %(when)s", when=when(event.starts_at, event.ends_at)),
        _("Where: %(where)s", where=_("Online") if event.online else event.address(lang)),
        _("Ticket code: %(code)s", code=f"{ticket.code[:4]} {ticket.code[4:]}"),
        *([ngettext("Ticket for %(num)d person", "Ticket for %(num)d people", ticket.places)] if ticket.places > 1 else []),
        _("Show the QR code attached to this email at the door, on your phone or printed. Your ticket is also here:")
        + " " + public_url("checkin.ticket", lang=lang, token=ticket.token),
        _("Cannot come? Cancel your place, so someone else can have it:")
        + " " + public_url("checkin.cancel_ticket", lang=lang, token=ticket.token),
    ]


def _registered(ticket: Ticket, lang: str) -> tuple[str, list[str]]:
    title = ticket.event.text("title", lang)
    return _("Your ticket: %(title)s", title=title), [_("You have a place at %(title)s.", title=title),
                                                       *_ticket_lines(ticket, lang)]


def _waiting(ticket: Ticket, lang: str) -> tuple[str, list[str]]:
    title = ticket.event.text("title", lang)
    return _("Waiting list: %(title)s", title=title), [
        _("Every place at %(title)s is taken, so you are on the waiting list.", title=title),
        *([ngettext("Ticket for %(num)d person", "Ticket for %(num)d people", ticket.places)] if ticket.places > 1 else []),
        _("If someone gives up their place, the first person on the list gets it, and we email them their ticket."),
        _("When: %(when)s", when=when(ticket.event.starts_at, ticket.event.ends_at)),
        _("Leave the waiting list:") + " " + public_url("checkin.cancel_ticket", lang=lang, token=ticket.token)]


def _reminder(ticket: Ticket, lang: str) -> tuple[str, list[str]]:
    title = ticket.event.text("title", lang)
    return _("Tomorrow: %(title)s", title=title), [_("A reminder: %(title)s is tomorrow.", title=title),
                                                    *_ticket_lines(ticket, lang)]


def _changed(ticket: Ticket, lang: str) -> tuple[str, list[str]]:
    event, title = ticket.event, ticket.event.text("title", lang)
    if event.status == "cancelled":
        return _("Cancelled: %(title)s", title=title), [
            _("We are sorry: %(title)s has been cancelled. Your ticket no longer works.", title=title),
            _("Other events:") + " " + public_url("events.upcoming", lang=lang)]
    return _("Changed: %(title)s", title=title), [_("The time or place of %(title)s has changed.", title=title),
                                                   *_ticket_lines(ticket, lang)]


def _send(ticket: Ticket, compose: Compose, *, with_files: bool = True) -> bool:
    """Render ``compose`` in the ticket's language, or Welsh then English, and send it with the files."""
    if not ticket.email or ticket.anonymised_at is not None:
        return False
    files: tuple[mail.Attachment, ...] = ()
    if with_files:
        link = public_url("checkin_links.ticket_link", token=ticket.token)
        files = (mail.Attachment(f"ticket-{ticket.code}.png", "image/png", qr_png(link)),
                 mail.Attachment(f"event-{ticket.event_id}.ics", "text/calendar",
                                 one_event(ticket.event, ticket.preferred_lang or "cy")))
    message = mail.in_languages(ticket.preferred_lang, lambda lang: _joined(compose(ticket, lang)))
    return mail.send_quietly(ticket.email, *message, org_id=ticket.event.org_id, attachments=files)


def _joined(message: tuple[str, list[str]]) -> tuple[str, str]:
    subject, lines = message
    return subject, "\n\n".join(lines)


def send_ticket(ticket: Ticket) -> bool:
    """The ticket, just after registering or on being moved up from the waiting list (only if the
    resident gave an email address); a place on the waiting list says so, with no QR code."""
    return _send(ticket, _waiting, with_files=False) if ticket.waiting else _send(ticket, _registered)


def _live_tickets(event_ids: list[int], waiting_too: bool = False) -> list[Ticket]:
    query = select(Ticket).where(Ticket.event_id.in_(event_ids), Ticket.email.is_not(None),
                                 Ticket.cancelled_at.is_(None), Ticket.anonymised_at.is_(None))
    return list(db.session.scalars((query if waiting_too else query.where(Ticket.waiting.is_(False)))
                                   .order_by(Ticket.id)))


def send_reminders(now: datetime | None = None) -> int:
    """Remind everyone with a ticket for an event tomorrow (the date in Wales), once each."""
    now = now or utcnow()
    tomorrow = now.astimezone(LOCAL).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), LOCAL)
    events = list(db.session.scalars(select(Event).where(
        Event.starts_at >= start, Event.starts_at < start + timedelta(days=1), Event.status == "planned")))
    sent = 0
    for ticket in _live_tickets([e.id for e in events]):
        if ticket.reminded_at is not None:
            continue
        with write_transaction():  # with the job's own transaction, the outbox row and the mark commit together
            ticket.reminded_at = utcnow()
            sent += _send(ticket, _reminder)
    return sent


def notify_change(event: Event) -> int:
    """Tell ticket holders that the event was moved or cancelled (people on the waiting list too, if it
    was cancelled); returns how many were told."""
    people = _live_tickets([event.id], waiting_too=event.status == "cancelled")
    for ticket in people:
        _send(ticket, _changed, with_files=event.status != "cancelled")
    return len(people)
