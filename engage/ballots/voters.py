"""Who may vote: single-use voter codes (kept only as salted hashes) and open-mode browser tokens."""
from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from ..accounts.models import User
from ..audit.services import record
from ..codes import is_code, normalise_code, random_code
from ..dates import today_local
from ..extensions import db
from .models import Pot, RollEntry, VoterCode
from .pots import BallotRefusal, locked, require_admin

#: 12 characters from a 31-character alphabet without look-alikes: about 59 bits, far beyond guessing
#: at the rate limit of code entry.
CODE_LENGTH = 12


def salted_hash(*parts: str) -> str:
    """sha256 of the parts joined by ":", hex."""
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def code_hash(pot: Pot, text: str) -> str:
    """What the database keeps of a voter code: salted by the pot, so it means nothing elsewhere."""
    return salted_hash(pot.code_salt, normalise_code(text))


def browser_hash(pot: Pot, token: str) -> str:
    """What the roll keeps of an open-mode voter's browser token."""
    return salted_hash(pot.code_salt, "browser", token)


def generate_codes(pot: Pot, count: int, *, by: User | None = None) -> list[str]:
    """Make ``count`` printed single-use codes; returns the plain codes, which are not kept anywhere.

    While a pot is a draft any of its staff may make codes; once it is open, only an admin (codes
    made during a vote are ballots one person could cast alone). ``by`` is None only for the demo
    and tests, run by whoever holds the server.
    """
    codes = [random_code(CODE_LENGTH) for _ in range(count)]
    with locked(pot):
        if pot.status not in ("draft", "open") or pot.eligibility != "codes":
            raise BallotRefusal("wrong_status")
        if pot.status == "open" and by is not None:
            require_admin(pot, by)
        today = today_local()  # the date in Wales, not the machine's
        db.session.execute(VoterCode.__table__.insert(), [
            {"pot_id": pot.id, "code_hash": code_hash(pot, c), "kind": "card", "created_on": today} for c in codes])
        record("pb.codes_generated", org_id=pot.org_id, obj=pot,
               data={"count": count, "while_open": pot.status == "open"}, user_id=by.id if by else None)
    return codes


def code_counts(pot: Pot) -> dict[str, int]:
    """Printed codes made, used and unused (never which)."""
    made = db.session.scalar(select(func.count()).select_from(VoterCode).where(
        VoterCode.pot_id == pot.id, VoterCode.kind == "card")) or 0
    used = db.session.scalar(select(func.count()).select_from(RollEntry).join(
        VoterCode, VoterCode.id == RollEntry.code_id).where(RollEntry.pot_id == pot.id, VoterCode.kind == "card")) or 0
    return {"made": made, "used": used, "unused": made - used}


def usable_code(pot: Pot, text: str) -> str | None:
    """The code's hash if it belongs to this pot and has not voted; None otherwise (never say which)."""
    cleaned = normalise_code(text or "")
    if not is_code(cleaned, CODE_LENGTH):
        return None
    hashed = code_hash(pot, cleaned)
    found = db.session.execute(
        select(VoterCode.id, RollEntry.id).outerjoin(RollEntry, RollEntry.code_id == VoterCode.id)
        .where(VoterCode.code_hash == hashed, VoterCode.pot_id == pot.id)).first()
    if found is None or found[1] is not None:
        return None
    return hashed
