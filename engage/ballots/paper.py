"""Paper ballots: typed in by one member of staff, counted only after a different one checks them."""
from __future__ import annotations

import json

from sqlalchemy import select

from ..accounts.models import User
from ..audit.services import record
from ..dates import today_local
from ..db import write_transaction
from ..extensions import db
from .box import Voter, cast_ballot
from .choices import check_choices
from .models import PaperEntry, Pot
from .pots import BallotRefusal, locked


def enter_paper(pot: Pot, user: User, choices: dict[int, int]) -> PaperEntry:
    """A paper ballot typed in; it counts only after a different person checks it."""
    with locked(pot):
        if pot.status != "open":
            raise BallotRefusal("not_open")
        check_choices(pot, choices)
        entry = PaperEntry(pot_id=pot.id, entered_by_id=user.id, entered_on=today_local(),
                           choices=json.dumps({str(k): v for k, v in sorted(choices.items())}))
        db.session.add(entry)
        db.session.flush()
        record("pb.paper_entered", org_id=pot.org_id, obj=pot,
               user_id=user.id)
    return entry


def pending_paper(pot: Pot) -> list[PaperEntry]:
    return list(db.session.scalars(select(PaperEntry).where(PaperEntry.pot_id == pot.id).order_by(PaperEntry.id)))


def _entry(pot: Pot, entry_id: int) -> PaperEntry:
    entry = db.session.get(PaperEntry, entry_id)
    if entry is None or entry.pot_id != pot.id:
        raise BallotRefusal("not_found")
    return entry


def confirm_paper(pot: Pot, entry_id: int, checker: User) -> None:
    """The second person agrees the typed ballot matches the paper: it goes in the box."""
    with write_transaction():
        entry = _entry(pot, entry_id)
        if entry.entered_by_id == checker.id:
            raise BallotRefusal("same_person")
        choices = {int(k): v for k, v in json.loads(entry.choices).items()}
        entered_by = entry.entered_by_id
        db.session.delete(entry)
        db.session.flush()
        cast_ballot(pot.id, Voter("paper"), choices)  # joins this transaction
        # Who entered and who checked, never the choices and never the box row.
        record("pb.paper_checked", org_id=pot.org_id,
               obj=pot, user_id=checker.id, data={"entered_by": entered_by, "checked_by": checker.id})


def reject_paper(pot: Pot, entry_id: int, checker: User) -> None:
    with write_transaction():
        entry = _entry(pot, entry_id)
        entered_by = entry.entered_by_id
        db.session.delete(entry)
        record("pb.paper_rejected", org_id=pot.org_id,
               obj=pot, user_id=checker.id, data={"entered_by": entered_by, "checked_by": checker.id})
