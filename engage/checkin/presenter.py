"""One scan's answer, the one way it is shown: its colour, its words in both languages, its JSON.

The door page (no JavaScript), the ``/t/<token>`` page, the self check-in page, the JSON API and
door.js (which shows the ``colour`` and ``messages`` the API sends) all take it from here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale

from ..i18n import BABEL_LOCALES, LANGUAGES
from . import labels
from .services import Outcome

#: Green goes in; amber was already in (let them in, but look); anything else is red.
COLOURS = {"ok": "green", "already_checked_in": "amber"}


def colour(result: str) -> str:
    return COLOURS.get(result, "red")


def message(result: str) -> str:
    """A result code's words in the current language (also for the list of recent scans)."""
    return str(labels.RESULTS[result])


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

    @property
    def undoable(self) -> bool:
        return self.result == "ok" and self.scan_id is not None


def view(outcome: Outcome, resident: bool = False) -> ResultView:
    """The answer for a server-rendered page, in the current language; ``resident`` for the person
    checking themselves in, who reads "You have already checked in", not the door's words."""
    words = labels.SELF_RESULTS.get(outcome.result) if resident else None
    return ResultView(result=outcome.result, colour=colour(outcome.result), message=str(words or message(outcome.result)),
                      detail=labels.detail(outcome), name=outcome.ticket_name, code=outcome.ticket_code,
                      scan_id=outcome.scan_id, count=outcome.count)


def words(outcome: Outcome) -> dict[str, dict[str, str]]:
    """The message and detail in every language: the door page's script picks the page's own."""
    found = {}
    for lang in LANGUAGES:
        with force_locale(BABEL_LOCALES[lang]):
            found[lang] = {"message": message(outcome.result), "detail": labels.detail(outcome)}
    return found


def as_json(outcome: Outcome) -> dict[str, Any]:
    """The JSON API's answer (its shape is documented in the README, "Check-in JSON API")."""
    return {"result": outcome.result, "colour": colour(outcome.result), "scan_id": outcome.scan_id,
            "count": outcome.count, "replayed": outcome.replayed,
            "ticket": {"name": outcome.ticket_name, "code": outcome.ticket_code} if outcome.ticket_code else None,
            "earlier": ({"at": outcome.earlier_at.isoformat(), "by": outcome.earlier_by}
                        if outcome.earlier_at else None),
            "other_event": outcome.other_event, "messages": words(outcome)}
