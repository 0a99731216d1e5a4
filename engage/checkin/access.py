"""What the staff check-in routes share: the event named in the URL, and a rate limit per staff member."""
from __future__ import annotations

from flask import abort, g, request
from flask_login import current_user

from ..events import services as events
from ..events.models import Event


def staff_event(event_id: int) -> Event:
    """The URL's event if it is the signed-in organisation's (``org_required`` set ``g.org``); else 404."""
    event = events.get_event(g.org, event_id)
    if event is None:
        abort(404)
    return event


def per_staff_member() -> str:
    # Every phone at a venue's door shares one public address: count a staff member's scans, not the
    # address's, or a busy door would be throttled by its neighbours.
    return f"user:{current_user.id}" if current_user.is_authenticated else (request.remote_addr or "")
