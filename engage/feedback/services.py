"""Changes to feedback entries and their updates, and the queries the pages share."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from flask_login import current_user
from sqlalchemy import Select, func, select

from ..accounts.models import Organisation
from ..audit.models import AuditEntry
from ..audit.services import record
from ..bilingual import page_language
from ..db import write_transaction
from ..events.models import Event, Theme
from ..extensions import db
from ..refusals import Refusal
from ..types import utcnow
from ..welsh import sort_for_language
from .models import STATUSES, FeedbackEntry, FeedbackUpdate

BILINGUAL = ("title", "asked", "said", "did", "area", "reason")
PLAIN = ("status", "progress", "budget_pence", "people_count", "decided_on")


class FeedbackRefusal(Refusal):
    """A change the "You said, we did" rules refuse (words in ``feedback/labels.py``)."""

    area = "feedback"


def slugify(text: str) -> str:
    """"Ynys Môn" → "ynys-mon": accents dropped (ŵ → w), anything else not a letter or digit → "-"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:100]


def _user_id() -> int | None:
    return current_user.id if current_user and current_user.is_authenticated else None


def _pick(org: Organisation, model: type, ids: list[int], field: str) -> list[Any]:
    """The org's own rows with these ids; another org's id is refused, not ignored."""
    if not ids:
        return []
    found = list(db.session.scalars(select(model).where(model.org_id == org.id, model.id.in_(ids))))
    if len(found) != len(set(ids)):
        raise FeedbackRefusal("unknown_choice", field)
    return found


def check_rules(entry: FeedbackEntry) -> None:
    """The schema's rules again, so the form can say which one failed (the constraints still guard)."""
    if entry.status not in STATUSES:
        raise FeedbackRefusal("unknown_choice", "status")
    if entry.progress is not None and not 0 <= entry.progress <= 100:
        raise FeedbackRefusal("progress_range", "progress")
    if entry.status == "not_possible" and entry.missing_translations(("reason",)):
        raise FeedbackRefusal("reason_needed", "reason")
    if entry.published and (entry.missing_translations()
                            or bool(entry.area_cy) != bool(entry.area_en)):
        raise FeedbackRefusal("publish_needs_both_languages", "published")


def _apply(entry: FeedbackEntry, org: Organisation, data: dict[str, Any]) -> None:
    for name in BILINGUAL:
        if name in data:
            entry.set_text(name, data[name])
    for name in PLAIN:
        if name in data:
            setattr(entry, name, data[name])
    entry.area_slug = slugify(entry.area_en or entry.area_cy or "") or None
    if "published" in data:
        if data["published"] and not entry.published:
            entry.published_at = utcnow()
        entry.published = bool(data["published"])
    if "events" in data:
        entry.events = _pick(org, Event, data["events"], "events")
    if "themes" in data:
        entry.themes = _pick(org, Theme, data["themes"], "themes")
    check_rules(entry)


def _snapshot(entry: FeedbackEntry) -> dict[str, Any]:
    return {"status": entry.status, "progress": entry.progress, "published": entry.published,
            "budget_pence": entry.budget_pence, "title": entry.texts("title")}


def create_entry(org: Organisation, data: dict[str, Any], **extra: Any) -> FeedbackEntry:
    """A new entry from validated form data (``extra``: pot_id, project_ref, source_key)."""
    with write_transaction():
        entry = FeedbackEntry(org_id=org.id, created_by_id=_user_id(), status="considering", **extra)
        db.session.add(entry)
        _apply(entry, org, data)
        record("feedback.created", org_id=org.id, obj=entry, data={"after": _snapshot(entry)})
    return entry


def update_entry(entry: FeedbackEntry, data: dict[str, Any]) -> FeedbackEntry:
    """Save the edit form; followers hear about a change of status on a published entry."""
    from . import follow

    with write_transaction():
        before = _snapshot(entry)
        _apply(entry, entry.org, data)
        record("feedback.updated", org_id=entry.org_id, obj=entry, data={"before": before, "after": _snapshot(entry)})
    if entry.published and before["status"] != entry.status:
        follow.notify_status_change(entry, before["status"], None)
    return entry


def add_update(entry: FeedbackEntry, data: dict[str, Any]) -> FeedbackUpdate:
    """Add a dated milestone; it may set a new status and progress on the entry."""
    from . import follow

    with write_transaction():
        before = _snapshot(entry)
        update = FeedbackUpdate(entry_id=entry.id, happened_on=data["happened_on"], created_by_id=_user_id(),
                                status=data.get("status") or None, progress=data.get("progress"))
        update.set_text("body", data["body"])
        if update.missing_translations():
            raise FeedbackRefusal("update_needs_both_languages", "body")
        if update.status:
            entry.status = update.status
        if update.status == "not_possible" and any((v or "").strip() for v in (data.get("reason") or {}).values()):
            entry.set_text("reason", data["reason"])
        if update.progress is not None:
            entry.progress = update.progress
        check_rules(entry)
        entry.updated_at = utcnow()
        db.session.add(update)
        record("feedback.update_added", org_id=entry.org_id,
               obj=entry, data={"before": before, "after": _snapshot(entry), "happened_on": update.happened_on.isoformat()})
    if entry.published and before["status"] != entry.status:
        follow.notify_status_change(entry, before["status"], update)
    return update


def get_entry(org: Organisation, entry_id: int) -> FeedbackEntry | None:
    """The org's entry with this id, or None (another org's entry is as good as missing)."""
    return db.session.scalar(select(FeedbackEntry).where(FeedbackEntry.id == entry_id, FeedbackEntry.org_id == org.id))


def public_entry(entry_id: int) -> FeedbackEntry | None:
    return db.session.scalar(select(FeedbackEntry).where(FeedbackEntry.id == entry_id,
                                                         FeedbackEntry.published.is_(True)))


def history(entry: FeedbackEntry) -> list[AuditEntry]:
    """Every audited change to the entry, newest first."""
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.org_id == entry.org_id, AuditEntry.object_type == "FeedbackEntry",
                                 AuditEntry.object_id == entry.id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())))


def staff_entries(org: Organisation) -> list[FeedbackEntry]:
    return list(db.session.scalars(select(FeedbackEntry).where(FeedbackEntry.org_id == org.id)
                                   .order_by(FeedbackEntry.updated_at.desc(), FeedbackEntry.id.desc())))


def entries_for_event(event_id: int) -> list[FeedbackEntry]:
    """Published entries that came of an event (shown on its public page)."""
    return list(db.session.scalars(
        select(FeedbackEntry).where(FeedbackEntry.published.is_(True),
                                    FeedbackEntry.events.any(Event.id == event_id))
        .order_by(FeedbackEntry.updated_at.desc())))


def entries_for_pot(pot_id: int) -> list[FeedbackEntry]:
    """Published entries about a PB pot and its projects (for the pot's page, once ballots exist)."""
    return list(db.session.scalars(
        select(FeedbackEntry).where(FeedbackEntry.published.is_(True), FeedbackEntry.pot_id == pot_id)
        .order_by(FeedbackEntry.project_ref.is_(None), FeedbackEntry.id)))


def held_events(org: Organisation) -> list[Event]:
    """Events with a record of what happened, newest first: the ones staff can start an entry from."""
    return list(db.session.scalars(
        select(Event).where(Event.org_id == org.id, Event.status == "held",
                            (Event.narrative_cy.is_not(None)) | (Event.narrative_en.is_not(None)))
        .order_by(Event.starts_at.desc()).limit(100)))


def org_events(org: Organisation) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.org_id == org.id)
                                   .order_by(Event.starts_at.desc()).limit(200)))


# --- public lists ----------------------------------------------------------------------------------


@dataclass
class PublicFilter:
    org: Organisation | None = None
    area: str | None = None
    #: Theme code ("2.3"): the programme's numbering is shared by every organisation.
    theme: str | None = None
    status: str | None = None


def _public_query(f: PublicFilter, with_status: bool = True) -> Select[tuple[FeedbackEntry]]:
    query = select(FeedbackEntry).where(FeedbackEntry.published.is_(True))
    if f.org is not None:
        query = query.where(FeedbackEntry.org_id == f.org.id)
    if f.area:
        query = query.where(FeedbackEntry.area_slug == f.area)
    if f.theme:
        query = query.where(FeedbackEntry.themes.any(Theme.code == f.theme))
    if with_status and f.status:
        query = query.where(FeedbackEntry.status == f.status)
    return query


def public_entries(f: PublicFilter, limit: int | None = None) -> list[FeedbackEntry]:
    query = _public_query(f).order_by(FeedbackEntry.updated_at.desc(), FeedbackEntry.id.desc())
    return list(db.session.scalars(query.limit(limit) if limit else query))


def status_counts(f: PublicFilter) -> dict[str, int]:
    """Entries per status under the other filters (so the counts say where the status filter leads)."""
    inner = _public_query(f, with_status=False).with_only_columns(FeedbackEntry.status).subquery()
    rows = db.session.execute(select(inner.c.status, func.count()).group_by(inner.c.status)).all()
    found = dict(rows)
    return {status: found.get(status, 0) for status in STATUSES}


def filter_options(org: Organisation | None) -> dict[str, list[Any]]:
    """Organisations, areas and themes that published entries use (nothing else is worth offering)."""
    base = select(FeedbackEntry).where(FeedbackEntry.published.is_(True))
    if org is not None:
        base = base.where(FeedbackEntry.org_id == org.id)
    entries = list(db.session.scalars(base))
    orgs = {e.org.id: e.org for e in entries}
    areas = {e.area_slug: e for e in entries if e.area_slug}
    themes: dict[str, Theme] = {}
    for e in entries:
        for t in e.themes:
            themes.setdefault(t.code, t)
    lang = page_language()
    # Names in the page's language, in its alphabetical order (Welsh: ch after c, ll after l, …).
    return {"orgs": sort_for_language(orgs.values(), lambda o: o.text("name", lang), lang),
            "areas": sort_for_language(areas.values(), lambda e: e.text("area", lang), lang),
            "themes": [themes[k] for k in sorted(themes)]}


def area_name(org: Organisation, slug: str) -> FeedbackEntry | None:
    """An entry of the org in this area (its area_cy/area_en name the area), or None."""
    return db.session.scalar(select(FeedbackEntry).where(
        FeedbackEntry.org_id == org.id, FeedbackEntry.area_slug == slug, FeedbackEntry.published.is_(True)).limit(1))
