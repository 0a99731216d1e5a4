from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow


class AuditEntry(db.Model):
    """One change made through a service. The record is ``kind`` and ``data``; the page puts the words
    together in the reader's language (:mod:`.labels`). ``summary`` keeps the English sentence for
    someone reading the database itself."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organisation the change belongs to (None for system-wide changes, e.g. a new organisation).
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    #: Who did it; None for the command line, the scheduler and anonymous residents.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Dotted kind, e.g. ``accounts.login``, ``events.created``.
    kind: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", lazy="joined")

    __table_args__ = (Index("ix_audit_entries_org_created", "org_id", "created_at"),)
