"""PB rules: pots and projects, voter codes, casting a ballot, paper ballots, the lifecycle.

Casting writes one roll row and one box row in one ``write_transaction()``; the unique code on
the roll is what makes a second ballot with the same code impossible, whatever races.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import Date, TextClause, bindparam, func, select, text
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Organisation, User
from ..audit.services import record
from ..checkin.services import CODE_ALPHABET, normalise_code
from ..db import read_connection, write_chain, write_transaction
from ..events.services import today_local
from ..extensions import db
from ..types import utcnow
from .models import BoxBallot, PaperEntry, Pot, Project, RollEntry, VoterCode

#: 12 characters from a 31-character alphabet without look-alikes: about 59 bits, far beyond guessing
#: at the rate limit of code entry.
CODE_LENGTH = 12
RECEIPT_LENGTH = 10
#: Characters of the receipt hash shown in the published list (48 bits: no collisions in practice).
FINGERPRINT = 12
POT_FIELDS = ("budget_pence", "ballot_type", "max_choices", "points_total", "rule", "opens_at", "closes_at",
              "eligibility", "postcode_prefixes")
PROJECT_FIELDS = ("cost_pence", "proposer", "image_url")


class BallotError(Exception):
    """A ballot or action refused; ``code`` says why (the routes turn it into words)."""

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


# --- hashing ------------------------------------------------------------------------------------


def _sha(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def code_hash(pot: Pot, text: str) -> str:
    return _sha(pot.code_salt, normalise_code(text))


def browser_hash(pot: Pot, token: str) -> str:
    return _sha(pot.code_salt, "browser", token)


def receipt_hash(text: str) -> str:
    return _sha("receipt", normalise_code(text))


def fingerprint(hash_hex: str) -> str:
    return hash_hex[:FINGERPRINT]


def random_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def pretty_code(code: str) -> str:
    """ABCD-EFGH-JKLM: groups of four are easier to read out and type."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


# --- pots and projects --------------------------------------------------------------------------


def get_pot(org: Organisation, pot_id: int) -> Pot | None:
    pot = db.session.get(Pot, pot_id)
    return pot if pot is not None and pot.org_id == org.id else None


def public_pot(pot_id: int) -> Pot | None:
    """A pot residents may see: anything but a draft."""
    pot = db.session.get(Pot, pot_id)
    return pot if pot is not None and pot.status != "draft" else None


def public_pots() -> list[Pot]:
    return list(db.session.scalars(select(Pot).where(Pot.status != "draft").order_by(Pot.id.desc())))


def org_pots(org: Organisation) -> list[Pot]:
    return list(db.session.scalars(select(Pot).where(Pot.org_id == org.id).order_by(Pot.id.desc())))


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
        pot.postcode_prefixes = None


def create_pot(org: Organisation, data: dict[str, Any]) -> Pot:
    with write_transaction():
        pot = Pot(org_id=org.id, code_salt=secrets.token_hex(16), status="draft")
        _apply_pot(pot, data)
        db.session.add(pot)
        db.session.flush()
        record("pb.pot_created", f"Funding pot {pot.id} created", org_id=org.id, obj=pot)
    return pot


def _minute(value: Any) -> Any:
    """Times as the form shows them (to the minute), so saving unchanged times changes nothing."""
    return value.replace(second=0, microsecond=0) if isinstance(value, datetime) else value


@contextmanager
def _changing(pot: Pot) -> Iterator[Pot]:
    """A write transaction that first re-reads the pot, locked until it ends (PostgreSQL; on SQLite
    the write transaction already excludes other writers). Status checks must see this, not a copy
    loaded earlier in the request: what is fixed once a pot opens is also cached by every worker."""
    with write_transaction():
        db.session.execute(select(Pot.id).where(Pot.id == pot.id).with_for_update())
        db.session.refresh(pot)
        yield pot


def update_pot(pot: Pot, data: dict[str, Any]) -> Pot:
    """Change a pot. Once open, only the texts may change: the rule, budget and ballot are fixed."""
    with _changing(pot):
        if pot.status != "draft":
            changed = [n for n in POT_FIELDS if _minute(data.get(n)) != _minute(getattr(pot, n))
                       and not (n == "closes_at" and pot.status == "open")]
            if changed:
                raise BallotError("fixed_once_open", fields=changed)
            for name in ("title", "description", "area"):
                pot.set_text(name, data[name])
            if pot.status == "open":
                pot.closes_at = data.get("closes_at")
        else:
            _apply_pot(pot, data)
        record("pb.pot_changed", f"Funding pot {pot.id} changed", org_id=pot.org_id, obj=pot)
    return pot


def save_project(pot: Pot, data: dict[str, Any], project: Project | None = None) -> Project:
    """Add or change a project; only while the pot is a draft (voters must all see the same list)."""
    with _changing(pot):
        if pot.status != "draft":
            raise BallotError("fixed_once_open")
        if project is None:
            project = Project(pot_id=pot.id)
            db.session.add(project)
        for name in ("title", "summary", "category", "location", "image_alt"):
            project.set_text(name, data.get(name) or {})
        for name in PROJECT_FIELDS:
            setattr(project, name, data.get(name) or None)
        db.session.flush()
        record("pb.project_saved", f"Project {project.id} of pot {pot.id} saved", org_id=pot.org_id, obj=project)
    return project


def delete_project(pot: Pot, project: Project) -> None:
    with _changing(pot):
        if pot.status != "draft":
            raise BallotError("fixed_once_open")
        db.session.delete(project)
        record("pb.project_deleted", f"Project {project.id} of pot {pot.id} deleted", org_id=pot.org_id)


# --- lifecycle ----------------------------------------------------------------------------------


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
    with _changing(pot):
        if pot.status != "draft":
            raise BallotError("wrong_status")
        if readiness(pot):
            raise BallotError("not_ready")
        pot.status, pot.opened_at = "open", utcnow()
        record("pb.opened", f"Funding pot {pot.id} opened for voting", org_id=pot.org_id, obj=pot, user_id=user_id)


def close_pot(pot: Pot, user_id: int | None = None) -> None:
    with _changing(pot):
        if pot.status != "open":
            raise BallotError("wrong_status")
        pot.status, pot.closed_at = "closed", utcnow()
        # Paper ballots nobody checked do not count; they hold no identity, so they simply go.
        db.session.execute(PaperEntry.__table__.delete().where(PaperEntry.pot_id == pot.id))
        _seal(pot.id)
        record("pb.closed", f"Funding pot {pot.id} closed", org_id=pot.org_id, obj=pot, user_id=user_id)


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
        except BallotError:
            db.session.rollback()  # not ready: staff will see why on its page
    for pot in db.session.scalars(select(Pot).where(Pot.status == "open", Pot.closes_at <= now)).all():
        try:
            close_pot(pot)
            done["closed"] += 1
        except BallotError:
            pass  # staff closed it a moment ago
    # Closed pots too: closing seals, but a box must never stay pairable because something slipped by.
    for pot in db.session.scalars(select(Pot).where(Pot.status.in_(("open", "closed")))).all():
        done["sealed"] += seal_box(pot)
    return done


# --- voter codes --------------------------------------------------------------------------------


def generate_codes(pot: Pot, count: int, kind: str = "card", user_id: int | None = None) -> list[str]:
    """Make ``count`` single-use codes; returns the plain codes, which are not kept anywhere."""
    codes = [random_code() for _ in range(count)]
    with _changing(pot):
        if pot.status not in ("draft", "open") or pot.eligibility != "codes":
            raise BallotError("wrong_status")
        today = today_local()  # the date in Wales, not the machine's
        db.session.execute(VoterCode.__table__.insert(), [
            {"pot_id": pot.id, "code_hash": code_hash(pot, c), "kind": kind, "created_on": today} for c in codes])
        if kind == "card":
            record("pb.codes_generated", f"{count} voter codes made for pot {pot.id}", org_id=pot.org_id, obj=pot,
                   data={"count": count}, user_id=user_id)
        else:
            record("pb.kiosk_code", f"Kiosk code issued for pot {pot.id}", org_id=pot.org_id, obj=pot, user_id=user_id)
    return codes


def code_counts(pot: Pot) -> dict[str, int]:
    made = db.session.scalar(select(func.count()).select_from(VoterCode).where(
        VoterCode.pot_id == pot.id, VoterCode.kind == "card")) or 0
    used = db.session.scalar(select(func.count()).select_from(RollEntry).join(
        VoterCode, VoterCode.id == RollEntry.code_id).where(RollEntry.pot_id == pot.id, VoterCode.kind == "card")) or 0
    return {"made": made, "used": used, "unused": made - used}


def usable_code(pot: Pot, text: str) -> str | None:
    """The code's hash if it belongs to this pot and has not voted; None otherwise (never say which)."""
    cleaned = normalise_code(text or "")
    if len(cleaned) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in cleaned):
        return None
    hashed = code_hash(pot, cleaned)
    found = db.session.execute(
        select(VoterCode.id, RollEntry.id).outerjoin(RollEntry, RollEntry.code_id == VoterCode.id)
        .where(VoterCode.code_hash == hashed, VoterCode.pot_id == pot.id)).first()
    if found is None or found[1] is not None:
        return None
    return hashed


# --- ballots ------------------------------------------------------------------------------------


def prefixes(pot: Pot) -> list[str]:
    return [p for p in (re.sub(r"\s", "", x).upper() for x in (pot.postcode_prefixes or "").split(",")) if p]


def postcode_in_area(pot: Pot, postcode: str) -> bool:
    cleaned = re.sub(r"\s", "", postcode or "").upper()
    return bool(re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}", cleaned)) and any(
        cleaned.startswith(p) for p in prefixes(pot))


def parse_choices(raw: dict[str, Any]) -> dict[int, int]:
    """{project id: points} from session or form data; anything unreadable raises BallotError."""
    out: dict[int, int] = {}
    for key, value in raw.items():
        try:
            pid, points = int(key), int(value)
        except (TypeError, ValueError):
            raise BallotError("tampered") from None
        if points < 0:
            raise BallotError("negative_points")
        if points:
            out[pid] = points
    return out


def check_choices(pot: Any, choices: dict[int, int], costs: dict[int, int] | None = None) -> int:
    """Raise BallotError if the choices break the pot's rules; return their total cost.

    ``pot`` may be a Pot or a row with its ballot columns; ``costs`` ({project id: pence}) defaults
    to the pot's projects.
    """
    if costs is None:
        costs = {p.id: p.cost_pence for p in pot.projects}
    if any(pid not in costs for pid in choices):
        raise BallotError("tampered")
    if any(points < 0 for points in choices.values()):
        raise BallotError("negative_points")
    total = sum(costs[pid] for pid in choices)
    if not choices:
        raise BallotError("empty")
    if pot.ballot_type == "knapsack":
        if any(points != 1 for points in choices.values()):
            raise BallotError("tampered")
        if total > pot.budget_pence:
            raise BallotError("over_budget", total=total, budget=pot.budget_pence)
    elif pot.ballot_type == "approval":
        if any(points != 1 for points in choices.values()):
            raise BallotError("tampered")
        if len(choices) > (pot.max_choices or 0):
            raise BallotError("too_many", chosen=len(choices), limit=pot.max_choices)
    else:
        given = sum(choices.values())
        if given != pot.points_total:
            raise BallotError("points_total", given=given, needed=pot.points_total)
    return total


# The hot path's statements, built once (building a statement costs more than SQLite running it).
_POT_ROW = select(Pot.status, Pot.budget_pence, Pot.ballot_type, Pot.max_choices, Pot.points_total,
                  Pot.eligibility).where(Pot.id == bindparam("pot_id"))
_COSTS = select(Project.id, Project.cost_pence).where(Project.pot_id == bindparam("pot_id"))
_STATUS = select(Pot.status).where(Pot.id == bindparam("pot_id"))
#: The roll row is written only while the pot is open and, for a code, only if the code belongs to
#: the pot (0 rows: closed a moment ago, or a code that is not this pot's). CASTs give PostgreSQL the
#: types of parameters in a SELECT list.
_ROLL_SQL = {
    "code": "INSERT INTO pb_roll (id, pot_id, code_id, browser_hash, channel, voted_on) "
            "SELECT :roll_id, p.id, c.id, NULL, :channel, :cast_on FROM pb_pots p "
            "JOIN pb_codes c ON c.pot_id = p.id AND c.code_hash = CAST(:code_hash AS VARCHAR(64)) "
            "WHERE p.id = :pot_id AND p.status = 'open'",
    # Open mode (a browser) and paper (neither code nor browser).
    "other": "INSERT INTO pb_roll (id, pot_id, code_id, browser_hash, channel, voted_on) "
             "SELECT :roll_id, p.id, NULL, CAST(:browser_hash AS VARCHAR(64)), :channel, :cast_on "
             "FROM pb_pots p WHERE p.id = :pot_id AND p.status = 'open'",
}
_BOX_COLUMNS = "id, pot_id, budget_pence, ballot_type, total_pence, choices, receipt_hash, channel, cast_on"
_BOX_VALUES = ":box_id, :pot_id, :budget_pence, :ballot_type, :total_pence, :choices, :receipt_hash, :channel, :cast_on"


def _statement(sql: str) -> TextClause:
    return text(sql).bindparams(bindparam("cast_on", type_=Date))


#: How a ballot is written, per database: a list of statements run by ``db.write_chain`` in one write
#: transaction, all or nothing. SQLite: the roll INSERT, then the box INSERT.
#: PostgreSQL: one statement (the roll INSERT in a data-modifying WITH, the box row selected from
#: its RETURNING), atomic on its own, so it needs no BEGIN and COMMIT: 2 round trips fewer. Its
#: read of the pot takes the lock the foreign keys take anyway (KEY SHARE), but first: a vote that
#: meets a close in progress waits for it and then sees the pot closed, instead of slipping into the
#: closed (and already sealed) box on the strength of a snapshot taken before the close committed.
_CAST: dict[str, dict[str, list[TextClause]]] = {
    "sqlite": {kind: [_statement(sql), _statement(f"INSERT INTO pb_box ({_BOX_COLUMNS}) VALUES ({_BOX_VALUES})")]
               for kind, sql in _ROLL_SQL.items()},
    "postgresql": {kind: [_statement(f"WITH roll AS ({sql} FOR KEY SHARE OF p RETURNING 1) "
                                     f"INSERT INTO pb_box ({_BOX_COLUMNS}) SELECT {_BOX_VALUES} FROM roll")]
                   for kind, sql in _ROLL_SQL.items()},
}


@dataclass(frozen=True)
class Voter:
    """Who is casting, as far as the roll needs to know: a channel and a code or browser hash."""

    channel: str
    code_hash: str | None = None
    browser_hash: str | None = None


@dataclass(frozen=True)
class OpenTerms:
    """What a ballot is checked against. Frozen once a pot opens (edits then refuse), so cacheable."""

    budget_pence: int
    ballot_type: str
    max_choices: int | None
    points_total: int | None
    eligibility: str
    costs: dict[int, int]


def _open_terms(pot_id: int) -> OpenTerms:
    """The pot's terms, read once per process while it is open; BallotError if it is not open.

    Only the terms are cached, never the status: the roll INSERT checks the status itself.
    """
    cache: dict[int, OpenTerms] = current_app.extensions.setdefault("pb_open_terms", {})
    terms = cache.get(pot_id)
    if terms is None:
        with read_connection() as conn:
            pot = conn.execute(_POT_ROW, {"pot_id": pot_id}).first()
            if pot is None or pot.status != "open":
                raise BallotError("not_open")
            costs = dict(conn.execute(_COSTS, {"pot_id": pot_id}).all())
        terms = cache[pot_id] = OpenTerms(pot.budget_pence, pot.ballot_type, pot.max_choices, pot.points_total,
                                          pot.eligibility, costs)
    return terms


def cast_ballot(pot_id: int, voter: Voter, choices: dict[int, int]) -> str:
    """Put one ballot in the box and its voter on the roll, in one transaction. Returns the receipt.

    Refusals (BallotError): ``not_open``, ``code_not_valid`` (unknown or already used: the same
    code for both), ``already_voted`` (open mode), and the choice errors of :func:`check_choices`.

    The write is as small as it can be (see ``_CAST``): the roll INSERT finds the code and checks
    the pot is open in the same statement, and the box INSERT's constraints check the budget.
    SQLite has one writer at a time, so the less the lock is held, the more ballots a second.
    """
    terms = _open_terms(pot_id)
    total = check_choices(terms, choices, terms.costs)
    if voter.channel in ("code", "kiosk"):
        kind, params = "code", {"code_hash": voter.code_hash}
    elif voter.channel == "open" and terms.eligibility == "open" and voter.browser_hash:
        kind, params = "other", {"browser_hash": voter.browser_hash}
    elif voter.channel == "paper":
        kind, params = "other", {"browser_hash": None}
    else:
        raise BallotError("code_not_valid")
    receipt = random_code(RECEIPT_LENGTH)
    params.update(roll_id=uuid.uuid4().hex, box_id=uuid.uuid4().hex, pot_id=pot_id, channel=voter.channel,
                  cast_on=today_local(), budget_pence=terms.budget_pence, ballot_type=terms.ballot_type,
                  total_pence=total, choices=json.dumps({str(k): v for k, v in sorted(choices.items())}),
                  receipt_hash=receipt_hash(receipt))
    try:
        written = write_chain(_CAST[db.engine.dialect.name][kind], params)
    except IntegrityError:
        db.session.rollback()
        # Should the cached terms ever be wrong, the box's constraints refuse: read them afresh next time.
        current_app.extensions["pb_open_terms"].pop(pot_id, None)
        # The roll already has this code (or browser): someone voted with it first.
        raise BallotError("already_voted" if voter.channel == "open" else "code_not_valid") from None
    if not written:
        # Nothing written: the pot closed a moment ago, or the code is not one of this pot's.
        with read_connection() as conn:
            status = conn.execute(_STATUS, {"pot_id": pot_id}).scalar()
        if status != "open":
            raise BallotError("not_open")
        raise BallotError("code_not_valid")
    return receipt


# --- sealing the box (PostgreSQL) -----------------------------------------------------------------
# A ballot's roll row and box row are written by one transaction, so on PostgreSQL they carry the same
# ``xmin`` (the writing transaction's id, a system column any reader can SELECT), and the heap keeps
# both tables in the order rows were written (``ctid``). Joining roll and box on xmin would pair each
# voter with their choices. Sealing rewrites the pot's whole box in one transaction, in random order
# and with new random keys: afterwards every box row has the sealing transaction's xmin and a place
# that says nothing of when it was cast. The scheduler seals every minute while a pot is open or
# closed (only when some box row still shares a transaction with a roll row), and closing a pot
# always seals it.
# SQLite needs none of this: it has no per-row transaction id, and the box is a WITHOUT ROWID table
# kept in the order of its random keys.

#: Whether any box row of the pot still has the xmin of a roll row. INTERSECT on text, so PostgreSQL
#: hashes or sorts (the xid type has no hash operator class, and a join on it loops over every pair).
_UNSEALED = text("SELECT EXISTS (SELECT xmin::text FROM pb_box WHERE pot_id = :pot_id "
                 "INTERSECT SELECT xmin::text FROM pb_roll WHERE pot_id = :pot_id)")
_SEAL = text(f"WITH gone AS (DELETE FROM pb_box WHERE pot_id = :pot_id RETURNING {_BOX_COLUMNS}) "
             f"INSERT INTO pb_box ({_BOX_COLUMNS}) SELECT replace(gen_random_uuid()::text, '-', ''), "
             f"{_BOX_COLUMNS.split(', ', 1)[1]} FROM gone ORDER BY random()")


def box_unsealed(pot_id: int) -> bool:
    """Whether some ballot of the pot could still be paired with its voter by transaction id."""
    if db.engine.dialect.name != "postgresql":
        return False
    return bool(db.session.scalar(_UNSEALED, {"pot_id": pot_id}))


def _seal(pot_id: int) -> None:
    """Rewrite the pot's box (PostgreSQL); call inside a write transaction that holds the pot."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(_SEAL, {"pot_id": pot_id})


def seal_box(pot: Pot) -> bool:
    """Seal an open or closed pot's box if it needs it; True if it was rewritten."""
    if not box_unsealed(pot.id):
        return False
    with _changing(pot):
        if pot.status not in ("open", "closed") or not box_unsealed(pot.id):
            return False  # published, or sealed by a close a moment ago
        _seal(pot.id)
    return True


def turnout(pot: Pot) -> dict[str, int]:
    rows = dict(db.session.execute(select(RollEntry.channel, func.count()).where(
        RollEntry.pot_id == pot.id).group_by(RollEntry.channel)).all())
    out = {channel: rows.get(channel, 0) for channel in ("code", "kiosk", "paper", "open")}
    out["total"] = sum(out.values())
    return out


def box_choices(pot: Pot) -> list[dict[int, int]]:
    """Every ballot's choices, in the box's random key order (never the order cast)."""
    return [{int(k): v for k, v in json.loads(raw).items()}
            for raw in db.session.scalars(select(BoxBallot.choices).where(BoxBallot.pot_id == pot.id)
                                          .order_by(BoxBallot.id))]


def receipt_counted(pot: Pot, text: str) -> bool:
    cleaned = normalise_code(text or "")
    if not cleaned or len(cleaned) > 40:
        return False
    return db.session.scalar(select(BoxBallot.id).where(
        BoxBallot.pot_id == pot.id, BoxBallot.receipt_hash == receipt_hash(cleaned))) is not None


# --- paper ballots ------------------------------------------------------------------------------


def enter_paper(pot: Pot, user: User, choices: dict[int, int]) -> PaperEntry:
    """A paper ballot typed in; it counts only after a different person checks it."""
    with _changing(pot):
        if pot.status != "open":
            raise BallotError("not_open")
        check_choices(pot, choices)
        entry = PaperEntry(pot_id=pot.id, entered_by_id=user.id, entered_on=today_local(),
                           choices=json.dumps({str(k): v for k, v in sorted(choices.items())}))
        db.session.add(entry)
        db.session.flush()
        record("pb.paper_entered", f"Paper ballot entered for pot {pot.id}", org_id=pot.org_id, obj=pot,
               user_id=user.id)
    return entry


def pending_paper(pot: Pot) -> list[PaperEntry]:
    return list(db.session.scalars(select(PaperEntry).where(PaperEntry.pot_id == pot.id).order_by(PaperEntry.id)))


def confirm_paper(pot: Pot, entry_id: int, checker: User) -> None:
    """The second person agrees the typed ballot matches the paper: it goes in the box."""
    with write_transaction():
        entry = db.session.get(PaperEntry, entry_id)
        if entry is None or entry.pot_id != pot.id:
            raise BallotError("not_found")
        if entry.entered_by_id == checker.id:
            raise BallotError("same_person")
        choices = {int(k): v for k, v in json.loads(entry.choices).items()}
        entered_by = entry.entered_by_id
        db.session.delete(entry)
        db.session.flush()
        cast_ballot(pot.id, Voter("paper"), choices)  # joins this transaction
        # Who entered and who checked, never the choices and never the box row.
        record("pb.paper_checked", f"Paper ballot for pot {pot.id} checked and counted", org_id=pot.org_id,
               obj=pot, user_id=checker.id, data={"entered_by": entered_by, "checked_by": checker.id})


def reject_paper(pot: Pot, entry_id: int, checker: User) -> None:
    with write_transaction():
        entry = db.session.get(PaperEntry, entry_id)
        if entry is None or entry.pot_id != pot.id:
            raise BallotError("not_found")
        entered_by = entry.entered_by_id
        db.session.delete(entry)
        record("pb.paper_rejected", f"Paper ballot for pot {pot.id} rejected at the check", org_id=pot.org_id,
               obj=pot, user_id=checker.id, data={"entered_by": entered_by, "checked_by": checker.id})
