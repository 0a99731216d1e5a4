"""Writing audit entries; called by other services inside their own transaction."""
from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_login import current_user

from ..extensions import db
from .labels import english
from .models import AuditEntry


def record(kind: str, summary: str | None = None, *, org_id: int | None = None, obj: Any = None,
           data: dict[str, Any] | None = None, user_id: int | None = None) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits).

    The record is ``kind`` and ``data`` (put the names the kind's sentence in :mod:`.labels` uses
    into ``data``); the page makes the sentence in the reader's language. ``summary`` is only for a
    kind the labels do not know: otherwise the English sentence is stored as the summary, for
    someone reading the database itself."""
    if user_id is None and has_request_context() and current_user and current_user.is_authenticated:
        user_id = current_user.id
    if obj is not None and getattr(obj, "id", 1) is None:
        db.session.flush()  # give a new object its id so the entry can point at it
    object_type = type(obj).__name__ if obj is not None else None
    object_id = getattr(obj, "id", None)
    data = data or {}
    words = english(kind, data, object_id, object_type) or summary or kind
    entry = AuditEntry(org_id=org_id, user_id=user_id, kind=kind, object_type=object_type, object_id=object_id,
                       summary=words[:300], data=data)
    db.session.add(entry)
    return entry
