"""The changing on-screen QR: a code signed per 30-second slot, and the form pass it gives out."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app

from ..types import utcnow
from .models import EventCheckin

#: Seconds each on-screen QR is valid for; the previous one is still accepted (a slow phone).
ROTATION_SECONDS = 30
#: How long someone who opened the form from a fresh rotating code has to send it: time to type a
#: name, fix a mistake or use a screen reader (WCAG 2.2.1), not time to share a photo of the screen.
FORM_GRACE = timedelta(minutes=20)


def _signature(settings: EventCheckin, body: str, purpose: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{purpose}:{settings.poster_token}:{body}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]


def _signed(settings: EventCheckin, param: str | None, purpose: str) -> tuple[int, str] | None:
    """The time slot and the rest of a ``slot[.id].signature`` value signed for ``purpose``, or
    None if it is not genuine."""
    # Only ASCII: hmac.compare_digest refuses other text (a TypeError), and "²".isdigit() is true.
    if not param or not param.isascii() or "." not in param:
        return None
    body, sig = param.rsplit(".", 1)
    slot_text, _, rest = body.partition(".")
    if not slot_text.isdigit() or len(slot_text) > 12:
        return None
    return (int(slot_text), rest) if hmac.compare_digest(sig, _signature(settings, body, purpose)) else None


def _slot(at: datetime | None) -> int:
    return int((at or utcnow()).timestamp()) // ROTATION_SECONDS


def rotating_param(settings: EventCheckin, at: datetime | None = None) -> str:
    slot = _slot(at)
    return f"{slot}.{_signature(settings, str(slot), 'screen')}"


def rotating_valid(settings: EventCheckin, param: str | None, at: datetime | None = None) -> bool:
    """The current or the previous slot's signature (so a code shown a moment ago still works)."""
    found = _signed(settings, param, "screen")
    return found is not None and _slot(at) - 1 <= found[0] <= _slot(at)


def form_pass(settings: EventCheckin, at: datetime | None = None) -> str:
    """Given with the form to someone who came from a fresh rotating code: sending the form needs
    this, not the code, so the code changing on the screen meanwhile does not turn them away. Its
    random id makes it one person's: the check-in it makes records the id, once (``Scan.form_pass``)."""
    body = f"{_slot(at)}.{secrets.token_hex(8)}"
    return f"{body}.{_signature(settings, body, 'form')}"


def form_pass_id(settings: EventCheckin, param: str | None, at: datetime | None = None) -> str | None:
    """The id of a pass this event gave out no longer than FORM_GRACE ago, used or not (the
    check-in tells: a used one answers "already checked in"); None for any other value."""
    found = _signed(settings, param, "form")
    if found is None or not found[1]:
        return None
    slot, pass_id = found
    return pass_id if _slot(at) - FORM_GRACE.total_seconds() // ROTATION_SECONDS <= slot <= _slot(at) else None
