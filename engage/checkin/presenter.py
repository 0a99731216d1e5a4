"""One scan's answer, the one way it is shown: its colour, its words in both languages, its JSON.

The door page (no JavaScript), the ``/t/<token>`` page, the self check-in page, the JSON API and
door.js (which shows the ``colour`` and ``messages`` the API sends) all take it from here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from ..i18n import BABEL_LOCALES, LANGUAGES
from . import labels
from .outcome import Outcome

#: Green goes in; amber was already in (let them in, but look); anything else is red.
COLOURS = {"ok": "green", "already_checked_in": "amber", "group": "blue"}


def colour(result: str) -> str:
    return COLOURS.get(result, "red")


def message(result: str) -> str:
    """A result code's words in the current language (also for the list of recent scans)."""
    return str(labels.RESULTS[result])


def headline(outcome: Outcome) -> str:
    """The big answer: a result's words; a group's question; "Checked in: 3 people" for several."""
    if outcome.result == "group":
        return labels.group_message(outcome.places)
    if outcome.result == "ok" and outcome.people > 1:
        return labels.checked_in_people(outcome.people)
    return message(outcome.result)


@dataclass(frozen=True)
class ResultView:
    """What a page shows about one scan, in the page's language (templates/checkin/_result.html)."""

    result: str
    colour: str
    message: str
    detail: str
    name: str | None
    code: str | None
    scan_id: int | None
    count: int
    #: A group ticket's question (result "group"): its ticket, how many to suggest, and up to how many.
    ticket_id: int | None = None
    method: str | None = None
    suggest: int = 1
    most: int = 1

    @property
    def undoable(self) -> bool:
        return self.result == "ok" and self.scan_id is not None


def view(outcome: Outcome, resident: bool = False) -> ResultView:
    """The answer for a server-rendered page, in the current language; ``resident`` for the person
    checking themselves in, who reads "You have already checked in", not the door's words."""
    words = labels.SELF_RESULTS.get(outcome.result) if resident else None
    return ResultView(result=outcome.result, colour=colour(outcome.result), message=str(words or headline(outcome)),
                      detail=labels.detail(outcome), name=outcome.ticket_name, code=outcome.ticket_code,
                      scan_id=outcome.scan_id, count=outcome.count, ticket_id=outcome.ticket_id,
                      method=outcome.method, suggest=outcome.to_come or 1, most=outcome.to_come or 1)


def words(outcome: Outcome) -> dict[str, dict[str, str]]:
    """The message and detail in every language: the door page's script picks the page's own."""
    found = {}
    for lang in LANGUAGES:
        with force_locale(BABEL_LOCALES[lang]):
            found[lang] = {"message": headline(outcome), "detail": labels.detail(outcome)}
            if outcome.result == "group":
                found[lang].update(how_many=str(labels.HOW_MANY), check_in=_("Check in"),
                                   bad_number=str(labels.PEOPLE_NUMBER) % {"most": outcome.to_come})
    return found


def as_json(outcome: Outcome) -> dict[str, Any]:
    """The JSON API's answer (its shape is documented in the README, "Check-in JSON API")."""
    return {"result": outcome.result, "colour": colour(outcome.result), "scan_id": outcome.scan_id,
            "count": outcome.count, "replayed": outcome.replayed,
            "ticket": {"name": outcome.ticket_name, "code": outcome.ticket_code} if outcome.ticket_code else None,
            "earlier": ({"at": outcome.earlier_at.isoformat(), "by": outcome.earlier_by}
                        if outcome.earlier_at else None),
            "other_event": outcome.other_event, "messages": words(outcome),
            # A group ticket: how many it holds and have arrived; "people" this scan let in.
            "group": ({"places": outcome.places, "arrived": outcome.arrived, "to_come": outcome.to_come,
                       "people": outcome.people} if outcome.places > 1 or outcome.result == "group" else None)}
