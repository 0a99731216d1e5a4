"""Group tickets at the door: how many of a ticket's people have arrived, kept race-proof.

The invariant: a ticket's ``arrived`` is the number of people its live successful scans let in, and it
never passes ``places``. Every check-in adds to it with one conditional UPDATE, in the transaction
that writes the scan::

    UPDATE tickets SET arrived = arrived + :n WHERE id = :ticket AND arrived + :n <= places

One row changed: the people are in. None: they do not fit (someone else checked them in a moment
ago). The UPDATE is atomic on both databases: SQLite runs one writer at a time (BEGIN IMMEDIATE,
``db.write_transaction``); PostgreSQL locks the row, and a second door's UPDATE waits for the first to
commit and then checks its WHERE against the new ``arrived`` (READ COMMITTED re-reads the updated
row). The table's check (``arrived BETWEEN 0 AND places``) refuses anything the WHERE might miss.
An undo takes the scan's people off again, in the undo's transaction. A single ticket is a group of
one: the same counter replaces the old unique index "one ok scan per ticket".
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm.util import identity_key

from ..extensions import db
from .models import Scan, Ticket
from .outcome import Outcome

#: The most people one check-in takes (a group ticket's places, or walk-ins at once): the scans' check.
MAX_PEOPLE = 50


def standing(ticket_id: int) -> tuple[int, int]:
    """The ticket's (places, arrived), read from the database now, not from the session's copy."""
    row = db.session.execute(select(Ticket.places, Ticket.arrived).where(Ticket.id == ticket_id)).one()
    return row.places, row.arrived


def admit(ticket_id: int, people: int) -> bool:
    """Count ``people`` more of the ticket as arrived, if they fit; whether they did."""
    changed = db.session.execute(
        update(Ticket).where(Ticket.id == ticket_id, Ticket.arrived + people <= Ticket.places)
        .values(arrived=Ticket.arrived + people).execution_options(synchronize_session=False)).rowcount
    _forget_arrived(ticket_id)
    return changed == 1


def check_in(ticket: Ticket, people: int | None) -> tuple[str, Outcome | None]:
    """Count a ticket's arrivals in: ("ok", None) when they fit; ("already_checked_in", None) when all
    its people are in; or a question for the door (result "group", nothing written): how many of a
    group ticket have arrived, or fewer than asked for, since only so many are still to come."""
    places, arrived = standing(ticket.id)
    if arrived < places and (people is not None or places == 1) and admit(ticket.id, people or 1):
        return "ok", None
    places, arrived = standing(ticket.id)  # perhaps another door let them in a moment ago
    if arrived >= places:
        return "already_checked_in", None
    return "group", Outcome(result="group", ticket_name=ticket.name, ticket_code=ticket.code, ticket_id=ticket.id,
                            places=places, arrived=arrived, people=places - arrived, too_many=people is not None)


def release(scan: Scan) -> None:
    """An undone check-in: its people are no longer counted as arrived on their ticket."""
    if scan.ticket_id is None:
        return
    db.session.execute(update(Ticket).where(Ticket.id == scan.ticket_id)
                       .values(arrived=Ticket.arrived - scan.people).execution_options(synchronize_session=False))
    _forget_arrived(scan.ticket_id)


def _forget_arrived(ticket_id: int) -> None:
    ticket = db.session.identity_map.get(identity_key(Ticket, ticket_id))
    if ticket is not None:
        db.session.expire(ticket, ["arrived"])


def people_from(raw: object) -> int | None:
    """A number of people typed or sent (form text or a JSON number): 1 to MAX_PEOPLE, else None.
    JSON's true and false are not numbers, though Python's bool is an int."""
    if type(raw) is int:
        value = raw
    elif isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) <= 3:
        value = int(raw.strip())
    else:
        return None
    return value if 1 <= value <= MAX_PEOPLE else None
