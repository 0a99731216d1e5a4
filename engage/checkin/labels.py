"""Words for check-in: each scan result, the line of detail under it, and the area's refusals."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext, pgettext

from ..formatting import clock

if TYPE_CHECKING:
    from .outcome import Outcome

#: The door's big answer for each result code (``models.RESULTS``).
RESULTS = {
    "ok": _l("Checked in"),
    "already_checked_in": _l("Already checked in"),
    "wrong_event": _l("This ticket is for a different event"),
    "not_open": _l("Check-in is not open at this time"),
    "cancelled": _l("This ticket or event has been cancelled"),
    "invalid": _l("This ticket is not valid"),
    "group": _l("Group booking"),  # never stored: the door's question (group_message has the words)
}

#: Words a resident checking in from the poster reads instead of the door's (``RESULTS``).
SELF_RESULTS = {
    "already_checked_in": _l("You have already checked in"),
}

#: The door page's script, of a scan it kept with no signal for longer than ``services.QUEUE_LIFE``:
#: it drops it rather than send it, since the server no longer believes when it happened.
QUEUE_TOO_OLD = _l("Not sent: it waited on this phone for more than %(hours)s hours. If they are still here, check them in again.")

#: The poster's typed code (``/c``): no event has it; its event checks in from a changing screen.
NO_SUCH_CODE = _l("No event has this code. Check the code on the poster and type it again.")
USE_THE_SCREEN = _l("This event uses the changing QR code on the screen at the event. Scan that code, or ask the staff at the door.")

#: Why a request was refused (``CheckinRefusal`` codes).
REFUSALS = {
    "bad_request": _l("The scan could not be read. Reload the page and try again."),
    "bad_people": _l("Enter a number of people, from 1 to 50."),
}


def group_message(places: int) -> str:
    """A group ticket's heading at the door, before staff say how many have arrived."""
    return ngettext("Booking for %(num)d person: how many have arrived?",
                    "Booking for %(num)d people: how many have arrived?", places)


def tickets_for(places: int) -> str:
    """What a ticket is for, on the ticket page and in its email ("Ticket for 3 people")."""
    return ngettext("Ticket for %(num)d person", "Ticket for %(num)d people", places)


def arrived_line(outcome: Outcome) -> str:
    """How far a group ticket has got: "Arrived: 2 of 4. Still to come: 2." (label: value, so the
    Welsh needs no mutated noun after a number)."""
    return _("Arrived: %(arrived)s of %(places)s. Still to come: %(left)s.", arrived=outcome.arrived,
             places=outcome.places, left=outcome.to_come)


#: The number field under a group ticket's question, and its refusals.
HOW_MANY = _l("How many have arrived?")
PEOPLE_NUMBER = _l("Enter a number of people, from 1 to %(most)s.")


def detail(outcome: Outcome) -> str:
    """The line under the answer, in the current language: who was first in, that a screen's form
    was used already, or whose event it is; for a group ticket, how many of it have arrived."""
    group = arrived_line(outcome) if outcome.places > 1 and outcome.ticket_code else ""
    if outcome.result == "group" and outcome.too_many:
        return " ".join((ngettext("Only %(num)d more is still to come.", "Only %(num)d more are still to come.",
                                  outcome.to_come), group))
    if outcome.result == "group" and outcome.arrived == 0:
        return ""  # the question says it all: nobody of the group is in yet
    if outcome.result in ("group", "ok") and group:
        return group
    line = _detail(outcome)
    return " ".join(filter(None, (line, group)))


def _detail(outcome: Outcome) -> str:
    if outcome.result == "already_checked_in" and outcome.device_seen and outcome.earlier_at:
        return _("This phone checked in to this event at %(time)s. Each person is counted once.",
                 time=clock(outcome.earlier_at))
    if outcome.result == "already_checked_in" and outcome.earlier_at:
        # Self check-in from the poster has no person to name.
        who = _("the poster") if outcome.earlier_by == "poster" else outcome.earlier_by
        return _("First checked in at %(time)s by %(who)s.", time=clock(outcome.earlier_at), who=who)
    if outcome.result == "already_checked_in" and outcome.form_used:
        return _("This form has already been used to check in. To check in someone else, scan the code on the screen again.")
    if outcome.result == "wrong_event" and outcome.other_event:
        return _("It is for: %(event)s", event=outcome.other_event)
    return ""


def place_of(ticket: Any) -> str:
    """A registration's standing, in the page's language."""
    if ticket.cancelled_at is not None:
        return _("Cancelled")
    return _("Waiting list") if ticket.waiting else _("Has a place")


def checked_in_people(people: int) -> str:
    """The door's answer when several of a group (or several walk-ins) came in at once."""
    return ngettext("Checked in: %(num)d person", "Checked in: %(num)d people", people)


def arrived_of(ticket: Any) -> str:
    """A registration's arrivals in a list: "2 of 4" (a group), or yes / no (one person)."""
    if ticket.places > 1:
        return _("%(arrived)s of %(places)s", arrived=ticket.arrived, places=ticket.places)
    return pgettext("arrived", "Yes") if ticket.arrived else pgettext("arrived", "No")
