"""The ballot in progress, kept in the signed session under the pot's id, and reading choices from a form.

``{"v": channel, "h": code or browser hash, "c": {project id: points}, "s": shuffle seed}``, and in
open voting ``"p"``: the postcode given (cleaned), which the ballot counts against when it is cast
(``caps.py``) and which leaves the session with the ballot. It survives a language switch (the
session is the same on /cy/ and /en/) and needs no JavaScript. The public ballot pages and the
staff kiosk and paper-ballot pages share these helpers.
"""
from __future__ import annotations

import secrets
from typing import Any

from flask import request, session

from .choices import parse_choices
from .models import Pot


#: The session key of a kiosk device: ``{"k": kiosk id, "t": token}`` (``kiosk.py``).
KIOSK_SESSION = "pb_kiosk"


def state(pot_id: int) -> dict[str, Any] | None:
    return (session.get("pb") or {}).get(str(pot_id))


def save_state(pot_id: int, value: dict[str, Any] | None) -> None:
    ballots = dict(session.get("pb") or {})
    if value is None:
        ballots.pop(str(pot_id), None)
    else:
        ballots[str(pot_id)] = value
    session["pb"] = ballots


def start_ballot(pot: Pot, channel: str, hashed: str, postcode: str | None = None) -> None:
    """A fresh ballot for a voter who has shown a code (or browser, and a postcode) of ``channel``."""
    ballot: dict[str, Any] = {"v": channel, "h": hashed, "c": {}, "s": secrets.randbelow(2**31)}
    if postcode is not None:
        ballot["p"] = postcode
    save_state(pot.id, ballot)


def read_choices(pot: Pot) -> dict[int, int]:
    """The choices as posted: ticked projects, or points per project. Refuses what cannot be read."""
    if pot.ballot_type == "points":
        raw: dict[str, Any] = {}
        for key, value in request.form.items():
            if key.startswith("points-"):
                raw[key[7:]] = value.strip() or "0"
        return parse_choices(raw)
    return parse_choices({value: 1 for value in request.form.getlist("project")})
