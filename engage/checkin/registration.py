"""Registering for an event: tickets for one person or a group, capacity in people, the waiting list.

Capacity counts places (people), not tickets: a ticket for 3 takes 3 of the event's places. A party
that does not fit in the places left goes on the waiting list whole (never split: they came together).
When a place comes free, the waiting list is walked in the order people registered and every party
that fits in the places now free is moved up; a party too big for them keeps its turn and the smaller
parties after it may go ahead (as a box office does), so free places are not left empty while a large
party waits. Every change locks the event's check-in settings row first, so two registrations (or a
registration and a cancellation) never both count the same free place.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..audit.services import record
from ..codes import random_code, random_token
from ..db import write_transaction
from ..events.models import Event
from ..extensions import db
from ..types import utcnow
from .models import EventCheckin, Ticket
from .ticket_mail import send_ticket

#: The most people one ticket can hold (the database's check); each event sets its own lower limit.
MAX_PLACES = 50


def _locked_settings(event_id: int) -> EventCheckin:
    return db.session.scalars(select(EventCheckin).where(EventCheckin.event_id == event_id).with_for_update()).one()


def register(event: Event, data: dict[str, Any]) -> Ticket:
    """Register someone (and ``data["places"]`` people in all, 1 if not given) for an event: a ticket
    with an unguessable QR token and a short typed code, or a place on the waiting list when the
    party does not fit in the places left (in the order people registered)."""
    places = int(data.get("places") or 1)
    if not 1 <= places <= MAX_PLACES:
        raise ValueError(f"a ticket holds 1 to {MAX_PLACES} people, not {places}")
    with write_transaction():
        # Locked first: two people registering for the last places at once cannot both get them.
        settings = _locked_settings(event.id)
        full = settings.capacity is not None and places_taken(event) + places > settings.capacity
        ticket = Ticket(event_id=event.id, code=random_code(8), token=random_token(), waiting=full, places=places,
                        name=data["name"].strip(), email=(data.get("email") or "").strip().lower() or None,
                        phone=(data.get("phone") or "").strip() or None, preferred_lang=data.get("preferred_lang"),
                        access_needs=(data.get("access_needs") or "").strip() or None)
        db.session.add(ticket)
    send_ticket(ticket)  # after the commit: the place is kept whether or not the mail server answers
    return ticket


def places_taken(event: Event) -> int:
    """People holding a place: the places of tickets not cancelled and not waiting."""
    return db.session.scalar(select(func.coalesce(func.sum(Ticket.places), 0)).where(
        Ticket.event_id == event.id, Ticket.cancelled_at.is_(None), Ticket.waiting.is_(False))) or 0


def places_left(event: Event) -> int | None:
    """Places left before the waiting list (None: no limit)."""
    capacity = db.session.get(EventCheckin, event.id).capacity
    return None if capacity is None else max(0, capacity - places_taken(event))


def cancel_ticket(ticket: Ticket) -> list[Ticket]:
    """A resident gives up their place (from the link in their ticket email); once only. The parties
    on the waiting list that now fit get places, and their tickets by email (see the module's note);
    returns them (none if the ticket was cancelled already)."""
    promoted: list[Ticket] = []
    with write_transaction():
        settings = _locked_settings(ticket.event_id)
        db.session.refresh(ticket)
        if ticket.cancelled_at is not None:
            return []
        ticket.cancelled_at = utcnow()
        record("checkin.ticket_cancelled", org_id=ticket.event.org_id, obj=ticket.event, user_id=None,
               data={"ticket": ticket.id, "places": ticket.places})
        db.session.flush()
        if not ticket.waiting:
            promoted = _move_up(ticket.event, settings)
    for party in promoted:
        send_ticket(party)
    return promoted


def _move_up(event: Event, settings: EventCheckin) -> list[Ticket]:
    """Give free places to the waiting parties that fit, first registered first (the settings row is locked)."""
    free = None if settings.capacity is None else settings.capacity - places_taken(event)
    moved = []
    for party in db.session.scalars(select(Ticket).where(
            Ticket.event_id == event.id, Ticket.waiting.is_(True), Ticket.cancelled_at.is_(None))
            .order_by(Ticket.created_at, Ticket.id)):
        if free is not None and party.places > free:
            continue  # too big for the places free now: keeps its turn for a later cancellation
        party.waiting = False
        moved.append(party)
        if free is not None:
            free -= party.places
            if free <= 0:
                break
    return moved


def registration_open(event: Event) -> bool:
    """Whether residents can register for the event now (staff opened it; not cancelled or over)."""
    settings = db.session.get(EventCheckin, event.id)
    return settings.registration_open and event.status != "cancelled" and event.ends_at >= utcnow()


def ticket_by_token(token: str) -> Ticket | None:
    return db.session.scalar(select(Ticket).where(Ticket.token == token))


def tickets_of(event: Event) -> list[Ticket]:
    """Everyone registered for the event, first to register first."""
    return list(db.session.scalars(select(Ticket).where(Ticket.event_id == event.id).order_by(Ticket.created_at)))
