from __future__ import annotations

from ..db import write_transaction
from ..extensions import db
from .models import SiteFeedback


def leave_feedback(rating: str | None, comments: str, lang: str) -> SiteFeedback:
    """Store one piece of feedback about the service."""
    with write_transaction():
        item = SiteFeedback(rating=int(rating) if rating else None, comments=comments.strip(), lang=lang)
        db.session.add(item)
    return item
