"""The lifecycle of a pot: draft → open → closed (→ published, in ``results.py``), by staff or on time.

Each step is a :func:`pots.transition`; closing seals the box in the same transaction.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..audit.services import record
from ..extensions import db
from ..types import utcnow
from .seal import empty_log, seal_all, seal_now
from .models import PaperEntry, Pot
from .pots import BallotRefusal, prefixes, transition


def readiness(pot: Pot) -> list[str]:
    """What stops a draft from opening (empty when it can open)."""
    problems = []
    if pot.missing_translations(("title",)):
        problems.append("title_both_languages")
    if len(pot.projects) < 2:
        problems.append("two_projects")
    if any(p.missing_translations(("title",)) for p in pot.projects):
        problems.append("project_titles")
    if pot.eligibility == "open" and not prefixes(pot):
        problems.append("postcodes")
    return problems


def open_pot(pot: Pot, user_id: int | None = None) -> None:
    with transition(pot, "draft", "open"):
        if readiness(pot):
            raise BallotRefusal("not_ready")
        record("pb.opened", org_id=pot.org_id, obj=pot, user_id=user_id)


def close_pot(pot: Pot, user_id: int | None = None) -> None:
    with transition(pot, "open", "closed"):
        # Paper ballots nobody checked do not count; they hold no identity, so they simply go.
        db.session.execute(PaperEntry.__table__.delete().where(PaperEntry.pot_id == pot.id))
        seal_now(pot)
        record("pb.closed", org_id=pot.org_id, obj=pot, user_id=user_id)
    empty_log()


def run_schedule(now: datetime | None = None) -> dict[str, int]:
    """Open and close pots whose time has come, and seal the boxes of open pots. Idempotent: a
    missed run is caught up next time."""
    now = now or utcnow()
    done = {"opened": 0, "closed": 0, "sealed": 0}
    due_open = db.session.scalars(select(Pot).where(Pot.status == "draft", Pot.opens_at <= now)).all()
    for pot in due_open:
        if pot.closes_at is not None and pot.closes_at <= now:
            continue  # its whole window passed while nobody was watching: leave it for staff
        try:
            open_pot(pot)
            done["opened"] += 1
        except BallotRefusal:
            db.session.rollback()  # not ready: staff will see why on its page
    for pot in db.session.scalars(select(Pot).where(Pot.status == "open", Pot.closes_at <= now)).all():
        try:
            close_pot(pot)
            done["closed"] += 1
        except BallotRefusal:
            pass  # staff closed it a moment ago
    # Closed pots too: closing seals, but a box must never stay pairable because something slipped by.
    done["sealed"] = seal_all()
    return done
