"""Funding pots and their projects: finding, changing, and the lock every change takes.

Every status change (``lifecycle.py``, ``results.publish``) goes through :func:`transition`, which
re-reads the pot under a lock inside the write transaction: a copy loaded earlier in the request
(or by a colleague pressing the same button at the same moment) can never move a pot twice or from
the wrong status.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..accounts.models import Organisation, User
from ..audit.services import record
from ..db import write_transaction
from ..extensions import db
from ..images import services as images
from ..images.picture import prepare
from ..refusals import Refusal
from ..types import utcnow
from .models import Pot, Project

POT_FIELDS = ("budget_pence", "ballot_type", "max_choices", "points_total", "rule", "opens_at", "closes_at",
              "eligibility", "postcode_prefixes", "max_per_postcode", "max_per_address")
PROJECT_FIELDS = ("cost_pence", "proposer")
PROJECT_TEXTS = ("title", "summary", "description", "category", "location", "image_alt")
#: When each status was reached, by status.
STATUS_TIMES = {"open": "opened_at", "closed": "closed_at", "published": "published_at"}


class BallotRefusal(Refusal):
    """A ballot or staff action the PB rules refuse (words in ``ballots/labels.py``)."""

    area = "ballots"


# --- finding pots -------------------------------------------------------------------------------


def get_pot(org: Organisation, pot_id: int) -> Pot | None:
    """A pot of ``org`` (staff pages): another organisation's pot is not found."""
    pot = db.session.get(Pot, pot_id)
    return pot if pot is not None and pot.org_id == org.id else None


def public_pot(pot_id: int) -> Pot | None:
    """A pot residents may see: anything but a draft."""
    pot = db.session.get(Pot, pot_id)
    return pot if pot is not None and pot.status != "draft" else None


#: The public list's order of statuses: what a resident can still do first, then what they can read.
PUBLIC_ORDER = {"open": 0, "published": 1, "closed": 2}


def public_pots(status: str | None = None) -> list[Pot]:
    """Pots residents may see: open ones first (closing soonest; no closing time last), then the
    published (latest first), then the closed ones waiting for results (latest closed first)."""
    query = select(Pot).where(Pot.status != "draft") if status is None else select(Pot).where(Pot.status == status)
    pots = list(db.session.scalars(query))

    def key(pot: Pot) -> tuple[int, int, float, int]:
        when = {"open": pot.closes_at, "published": pot.published_at, "closed": pot.closed_at}.get(pot.status)
        seconds = when.timestamp() if when else 0.0
        if pot.status == "open":  # soonest first, and a pot with no closing time after those that have one
            return (0, when is None, seconds, -pot.id)
        return (PUBLIC_ORDER[pot.status], when is None, -seconds, -pot.id)
    return sorted(pots, key=key)


def org_pots(org: Organisation) -> list[Pot]:
    return list(db.session.scalars(select(Pot).where(Pot.org_id == org.id).order_by(Pot.id.desc())))


def require_admin(pot: Pot, user: User) -> None:
    """Refuse ``admin_only`` unless ``user`` is an admin of the pot's organisation (the steps that
    could change a result: codes during a vote, kiosks, publishing)."""
    if user.role_in(pot.org) != "admin":
        raise BallotRefusal("admin_only")


# --- locking and the lifecycle ------------------------------------------------------------------


@contextmanager
def locked(pot: Pot) -> Iterator[Pot]:
    """A write transaction that first re-reads the pot, locked until it ends (PostgreSQL; on SQLite
    the write transaction already excludes other writers). Status checks must see this, not a copy
    loaded earlier in the request: what is fixed once a pot opens is also cached by every worker."""
    with write_transaction():
        db.session.execute(select(Pot.id).where(Pot.id == pot.id).with_for_update())
        db.session.refresh(pot)
        yield pot


@contextmanager
def transition(pot: Pot, before: str, after: str) -> Iterator[Pot]:
    """Move the pot from ``before`` to ``after`` in one locked write transaction.

    The block runs after the status has been checked (on the locked, re-read pot) and before the
    new status is set, so what it does (check readiness, seal the box, count) commits together with
    the change or not at all. Refuses ``wrong_status`` if the pot is not at ``before``.
    """
    with locked(pot):
        if pot.status != before:
            raise BallotRefusal("wrong_status")
        yield pot
        pot.status = after
        setattr(pot, STATUS_TIMES[after], utcnow())


# --- changing a pot and its projects ------------------------------------------------------------


def _apply_pot(pot: Pot, data: dict[str, Any]) -> None:
    for name in ("title", "description", "area"):
        pot.set_text(name, data[name])
    for name in POT_FIELDS:
        setattr(pot, name, data.get(name))
    if pot.ballot_type != "approval":
        pot.max_choices = None
    if pot.ballot_type != "points":
        pot.points_total = None
    if pot.eligibility != "open":
        pot.postcode_prefixes = pot.max_per_postcode = pot.max_per_address = None


def create_pot(org: Organisation, data: dict[str, Any]) -> Pot:
    with write_transaction():
        pot = Pot(org_id=org.id, code_salt=secrets.token_hex(16), status="draft")
        _apply_pot(pot, data)
        db.session.add(pot)
        db.session.flush()
        record("pb.pot_created", org_id=org.id, obj=pot)
    return pot


def _minute(value: Any) -> Any:
    """Times as the form shows them (to the minute), so saving unchanged times changes nothing."""
    return value.replace(second=0, microsecond=0) if isinstance(value, datetime) else value


def update_pot(pot: Pot, data: dict[str, Any]) -> Pot:
    """Change a pot. Once open, only the texts may change: the rule, budget and ballot are fixed."""
    with locked(pot):
        if pot.status != "draft":
            changed = [n for n in POT_FIELDS if _minute(data.get(n)) != _minute(getattr(pot, n))
                       and not (n == "closes_at" and pot.status == "open")]
            if changed:
                raise BallotRefusal("fixed_once_open", fields=changed)
            for name in ("title", "description", "area"):
                pot.set_text(name, data[name])
            if pot.status == "open":
                pot.closes_at = data.get("closes_at")
        else:
            _apply_pot(pot, data)
        record("pb.pot_changed", org_id=pot.org_id, obj=pot)
    return pot


def save_project(pot: Pot, data: dict[str, Any], project: Project | None = None, *, image: bytes | None = None,
                 by_id: int | None = None) -> Project:
    """Add or change a project; only while the pot is a draft (voters must all see the same list).

    ``image`` is an uploaded picture's bytes: checked and resized (``ImageRefusal`` if it is not a usable
    picture, and then nothing changes), kept as the pot's organisation's own, and shown with the
    project. ``data["remove_image"]`` takes the picture off the project."""
    picture = prepare(image) if image is not None else None  # the slow part, before the lock
    with locked(pot):
        if pot.status != "draft":
            raise BallotRefusal("fixed_once_open")
        if project is None:
            project = Project(pot_id=pot.id)
            db.session.add(project)
        before = project.image_id
        for name in PROJECT_TEXTS:
            project.set_text(name, data.get(name) or {})
        for name in PROJECT_FIELDS:
            setattr(project, name, data.get(name) or None)
        if picture is not None:
            project.image = images.add(pot.org_id, picture, by_id=by_id)  # always the pot's organisation's
        elif data.get("remove_image"):
            project.image = None
        db.session.flush()
        change = "added" if picture is not None else "removed" if before and project.image_id is None else None
        record("pb.project_saved", org_id=pot.org_id, obj=project,
               data={"pot": pot.id, **({"image": change, "image_id": project.image_id} if change else {})})
    return project


def delete_project(pot: Pot, project: Project) -> None:
    with locked(pot):
        if pot.status != "draft":
            raise BallotRefusal("fixed_once_open")
        db.session.delete(project)
        record("pb.project_deleted", org_id=pot.org_id, data={"project": project.id, "pot": pot.id})


# --- who may vote in open mode ------------------------------------------------------------------


def prefixes(pot: Pot) -> list[str]:
    """The postcode prefixes of an open vote's area ("LL55, LL54" → ["LL55", "LL54"])."""
    return [p for p in (re.sub(r"\s", "", x).upper() for x in (pot.postcode_prefixes or "").split(",")) if p]


def clean_postcode(postcode: str | None) -> str:
    """A postcode as one form ("ll57 2dg" → "LL572DG"), so one postcode is counted as one."""
    return re.sub(r"\s", "", postcode or "").upper()


def postcode_in_area(pot: Pot, postcode: str) -> bool:
    cleaned = clean_postcode(postcode)
    return bool(re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}", cleaned)) and any(
        cleaned.startswith(p) for p in prefixes(pot))
