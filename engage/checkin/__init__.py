"""Check-in: door settings, tickets, scans, posters and screens, the door page and its JSON API."""


def connect() -> None:
    """Wire the area into the app (a named step of the factory): every new event gets its check-in
    settings (poster token, typed code); reports count successful check-ins."""
    from ..hooks import CHECKIN_COUNTERS, EVENT_CREATED
    from .services import counts_by_event, create_for_event

    EVENT_CREATED.connect(create_for_event)
    CHECKIN_COUNTERS.connect(counts_by_event)
