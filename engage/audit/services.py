"""Writing audit entries; called by other services inside their own transaction."""
from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_login import current_user

from ..extensions import db
from .models import AuditEntry


def record(kind: str, summary: str, *, org_id: int | None = None, obj: Any = None,
           data: dict[str, Any] | None = None, user_id: int | None = None) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    if user_id is None and has_request_context() and current_user and current_user.is_authenticated:
        user_id = current_user.id
    if obj is not None and getattr(obj, "id", 1) is None:
        db.session.flush()  # give a new object its id so the entry can point at it
    entry = AuditEntry(
        org_id=org_id,
        user_id=user_id,
        kind=kind,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        summary=summary[:300],
        data=data or {},
    )
    db.session.add(entry)
    return entry
