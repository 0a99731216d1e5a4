"""Check-in: door settings, tickets, scans, posters and screens, the door page and its JSON API.

Modules: ``models`` · ``services`` (every change, in one transaction, audited) · ``forms`` (what
comes in, with the API's ``ScanRequest``) · ``rotating`` (the changing screen's signed codes) ·
``presenter`` (a scan's colour, words and JSON) ·
``labels`` (every word) · routes by audience: ``links`` (the short links: QR codes, /c), ``public``
(residents), ``door`` (the staff door), ``manage`` (poster, screen, settings, registrations),
``api`` (the door page's JSON), with ``access`` (what the staff routes share).
"""


def connect() -> None:
    """Wire the area into the app (a named step of the factory): every new event gets its check-in
    settings (poster token, typed code); reports count successful check-ins; ticket holders hear when
    an event moves or is cancelled; its refusals' words."""
    from .. import refusals
    from ..hooks import CHECKIN_COUNTERS, EVENT_CREATED, EVENT_MOVED
    from .labels import REFUSALS
    from .services import counts_by_event, create_for_event
    from .ticket_mail import notify_change

    EVENT_CREATED.connect(create_for_event)
    EVENT_MOVED.connect(notify_change)
    CHECKIN_COUNTERS.connect(counts_by_event)
    refusals.register("checkin", REFUSALS)
