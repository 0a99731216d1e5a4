from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow


class SiteFeedback(db.Model):
    """Feedback on the service itself, from the phase banner's link. No personal data is asked for."""

    __tablename__ = "site_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 1 (very dissatisfied) to 5 (very satisfied); None when not answered.
    rating: Mapped[int | None]
    comments: Mapped[str] = mapped_column(Text)
    #: The language the page was in, so replies and analysis can respect it.
    lang: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("lang IN ('cy', 'en')", name="lang_known"),
        CheckConstraint("length(comments) BETWEEN 1 AND 2000", name="comments_length"),
    )
