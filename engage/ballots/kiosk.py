"""Kiosks: a device at a named event where each voter takes a fresh code behind the scenes.

An admin starts a kiosk on the device itself, for one event and until a time that day; starting it
signs the device out of the staff area, so nothing of the staff session is reachable from the
voter's screen. The device then holds only the kiosk's token. It issues codes while the kiosk is
live (started, not ended, before its end time, the pot open) and shows a running count: the ballots
cast with its codes. It ends by the PIN set when it started (on the device, :data:`PIN_TRIES`
tries), by staff on the fund's page, or at its end time.

A kiosk code is an ordinary single-use voter code (``VoterCode`` of kind "kiosk"), listed against
its kiosk in ``pb_kiosk_codes``; it never leaves the server. No audit entry is written per code: the
kiosk's start and end (with its count) are recorded, not when each voter began.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..accounts.models import User
from ..audit.services import record
from ..codes import random_code, secret_hash
from ..dates import today_local
from ..db import write_transaction
from ..events.models import Event
from ..extensions import db
from ..types import utcnow
from .models import Kiosk, KioskCode, Pot, RollEntry, VoterCode
from .pots import BallotRefusal, locked, require_admin
from .voters import CODE_LENGTH, code_hash

#: Wrong PINs before the PIN stops working (the kiosk must then be ended on the fund's page).
PIN_TRIES = 5
PIN_RE = re.compile(r"[0-9]{4,8}")  # ASCII digits only (\d would take any script's)
#: The longest a kiosk may run: a day's event, not a standing door into the vote.
LONGEST = timedelta(hours=12)
#: The shortest time between two voters at one kiosk.
BETWEEN_VOTERS = timedelta(seconds=15)
#: Events offered for a kiosk: those running now or starting within this time.
EVENT_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class KioskView:
    """A kiosk as staff and the device see it."""

    kiosk: Kiosk
    ballots: int
    live: bool


def kiosk_events(pot: Pot, now: datetime | None = None) -> list[Event]:
    """The organisation's events a kiosk may be started for: on now, or starting within a week."""
    now = now or utcnow()
    return list(db.session.scalars(select(Event).where(
        Event.org_id == pot.org_id, Event.ends_at > now - timedelta(hours=12),
        Event.starts_at < now + EVENT_WINDOW).order_by(Event.starts_at, Event.id)))


def start_kiosk(pot: Pot, event_id: int, user: User, ends_at: datetime, pin: str) -> tuple[Kiosk, str]:
    """Start a kiosk now, until ``ends_at``; returns it and the token for the device's session."""
    now = utcnow()
    require_admin(pot, user)
    if not PIN_RE.fullmatch(pin or ""):
        raise BallotRefusal("kiosk_pin_form", "pin")
    if not now < ends_at <= now + LONGEST:
        raise BallotRefusal("kiosk_window", "until")
    token = secrets.token_urlsafe(32)
    with locked(pot):
        if pot.status != "open" or pot.eligibility != "codes":
            raise BallotRefusal("wrong_status")
        event = db.session.get(Event, event_id)
        if event is None or event.org_id != pot.org_id or event not in kiosk_events(pot, now):
            raise BallotRefusal("kiosk_event", "event")
        kiosk = Kiosk(pot_id=pot.id, event_id=event.id, started_by_id=user.id, starts_at=now, ends_at=ends_at,
                      token_hash=secret_hash(token), pin_hash=generate_password_hash(pin), wrong_pins=0)
        db.session.add(kiosk)
        db.session.flush()
        record("pb.kiosk_started", org_id=pot.org_id, obj=pot, user_id=user.id,
               data={"kiosk": kiosk.id, "event": event.id, "ends_at": ends_at.isoformat()})
    return kiosk, token


def device_kiosk(kiosk_id: int, token: str) -> Kiosk | None:
    """The kiosk a device's session names, if its token is right (ended or not)."""
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None or not secrets.compare_digest(kiosk.token_hash, secret_hash(token or "")):
        return None
    return kiosk


def pot_kiosk(pot: Pot, kiosk_id: int) -> Kiosk | None:
    """A kiosk of ``pot`` (staff pages): another pot's kiosk is not found."""
    kiosk = db.session.get(Kiosk, kiosk_id)
    return kiosk if kiosk is not None and kiosk.pot_id == pot.id else None


def is_live(kiosk: Kiosk, pot: Pot, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (kiosk.ended_at is None and kiosk.starts_at <= now < kiosk.ends_at and pot.status == "open"
            and kiosk.pot_id == pot.id)


def ballots_cast(kiosk_ids: list[int]) -> dict[int, int]:
    """Ballots cast with each kiosk's codes (the running count), by kiosk id."""
    if not kiosk_ids:
        return {}
    rows = db.session.execute(
        select(KioskCode.kiosk_id, func.count()).join(RollEntry, RollEntry.code_id == KioskCode.code_id)
        .where(KioskCode.kiosk_id.in_(kiosk_ids)).group_by(KioskCode.kiosk_id)).all()
    counts = dict.fromkeys(kiosk_ids, 0)
    counts.update({k: n for k, n in rows})
    return counts


def view(kiosk: Kiosk, pot: Pot) -> KioskView:
    return KioskView(kiosk, ballots_cast([kiosk.id])[kiosk.id], is_live(kiosk, pot))


def pot_kiosks(pot: Pot) -> list[KioskView]:
    """Every kiosk of the pot, newest first, with its count."""
    kiosks = list(db.session.scalars(select(Kiosk).where(Kiosk.pot_id == pot.id).order_by(Kiosk.id.desc())))
    counts = ballots_cast([k.id for k in kiosks])
    now = utcnow()
    return [KioskView(k, counts[k.id], is_live(k, pot, now)) for k in kiosks]


def _drop_unused_codes(kiosk: Kiosk) -> None:
    """Delete the kiosk's codes nobody has voted with (inside the caller's transaction): a kiosk has
    at most one code waiting, and none once it has ended, so codes cannot be gathered to use later."""
    unused = (select(KioskCode.code_id).outerjoin(RollEntry, RollEntry.code_id == KioskCode.code_id)
              .where(KioskCode.kiosk_id == kiosk.id, RollEntry.id.is_(None)))
    db.session.execute(delete(VoterCode).where(VoterCode.id.in_(unused)).execution_options(synchronize_session=False))


def issue_code(kiosk: Kiosk, pot: Pot) -> str:
    """A fresh single-use code for the next voter at a live kiosk (it never leaves the server). The
    code given to the voter before, if unused, stops working."""
    code = random_code(CODE_LENGTH)
    with locked(pot):
        db.session.refresh(kiosk)
        now = utcnow()
        if not is_live(kiosk, pot, now):
            raise BallotRefusal("kiosk_ended")
        if kiosk.last_code_at is not None and now < kiosk.last_code_at + BETWEEN_VOTERS:
            raise BallotRefusal("kiosk_wait")
        _drop_unused_codes(kiosk)
        row = VoterCode(pot_id=pot.id, code_hash=code_hash(pot, code), kind="kiosk", created_on=today_local())
        db.session.add(row)
        db.session.flush()
        db.session.add(KioskCode(code_id=row.id, kiosk_id=kiosk.id))
        kiosk.last_code_at = now
    return code


def end_kiosk(kiosk: Kiosk, pot: Pot, user: User | None = None) -> None:
    """End a kiosk (staff on the fund's page, or the PIN on the device); ending twice changes nothing."""
    with locked(pot):
        db.session.refresh(kiosk)
        if kiosk.ended_at is not None:
            return
        kiosk.ended_at = utcnow()
        _drop_unused_codes(kiosk)
        record("pb.kiosk_ended", org_id=pot.org_id, obj=pot,
               user_id=user.id if user else None,
               data={"kiosk": kiosk.id, "ballots": ballots_cast([kiosk.id])[kiosk.id],
                     "by": "staff" if user else "pin"})


def end_with_pin(kiosk: Kiosk, pot: Pot, pin: str) -> None:
    """End the kiosk on the device with its PIN. Each try is taken from the kiosk's allowance before
    the PIN is checked (one atomic UPDATE, so tries sent at once cannot share one), and given back if
    the PIN is right; after :data:`PIN_TRIES` wrong ones even the right PIN is refused."""
    with write_transaction():
        left = db.session.execute(
            update(Kiosk).where(Kiosk.id == kiosk.id, Kiosk.wrong_pins < PIN_TRIES)
            .values(wrong_pins=Kiosk.wrong_pins + 1).returning(Kiosk.wrong_pins)).first()
    if left is None:
        raise BallotRefusal("kiosk_pin_spent", "pin")
    if not check_password_hash(kiosk.pin_hash, pin or ""):  # outside the transaction: it is slow on purpose
        raise BallotRefusal("kiosk_pin_spent" if left[0] >= PIN_TRIES else "kiosk_pin_wrong", "pin")
    with write_transaction():
        db.session.execute(update(Kiosk).where(Kiosk.id == kiosk.id).values(wrong_pins=Kiosk.wrong_pins - 1))
    end_kiosk(kiosk, pot)
