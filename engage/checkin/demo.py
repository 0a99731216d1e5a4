"""Demo check-in: an event happening today, in Wales, with registration on and a door ready.

Found by its title and today's date, else made: safe to run again the same day, and run on a later
day it makes that day's, so the door journeys can always be walked (the older ones stay, as past
events).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta

from sqlalchemy import select

from ..accounts.models import Organisation
from ..dates import LOCAL, local_to_utc
from ..db import write_transaction
from ..events import services as events
from ..events.models import Event
from ..extensions import db
from . import services

TITLE = {"cy": "Sesiwn galw heibio: dweud eich dweud", "en": "Drop-in session: have your say"}
#: (name, email, phone, language): a few registered people with tickets, for the door's code and name search.
PEOPLE = [("Ann Jones", "ann.jones@demo.example.org", None, "cy"),
          ("Bob Evans", None, "07700 900123", "en"),
          ("Carys Hughes", "carys.hughes@demo.example.org", None, "cy"),
          ("Dewi Lloyd", "dewi.lloyd@demo.example.org", None, "en"),
          ("Elin Parry", "elin.parry@demo.example.org", None, "cy")]
#: What some wrote under access needs, in the language they registered in (a resident's own words).
NEEDS = {"Bob Evans": "A seat near the door, please: I use a walking frame.", "Carys Hughes": "Dolen sain os gwelwch yn dda."}
#: Elin registered for three: a group ticket, for the door's "how many have arrived?".
GROUPS = {"Elin Parry": 3}


def _hours(now: datetime) -> tuple[datetime, datetime]:
    """Today's event's start and end, in Wales: 09:00 to 21:00, stretched so that check-in is open
    whenever the demo is loaded (from the hour it is loaded until two hours later, within the day)."""
    day = now.date()
    start = min(datetime.combine(day, time(9)), now.replace(minute=0, second=0, microsecond=0))
    last = datetime.combine(day, time(23, 59))
    return start, max(datetime.combine(day, time(21)), min(now + timedelta(hours=2), last))


def load_checkin(org: Organisation, now: datetime | None = None) -> Iterator[str]:
    """Today's event (``now``: a Wales wall-clock time, for tests; the real one otherwise)."""
    now = now or datetime.now(LOCAL).replace(tzinfo=None)
    midnight = datetime.combine(now.date(), time(0))
    event = db.session.scalar(select(Event).where(
        Event.org_id == org.id, Event.title_en == TITLE["en"], Event.starts_at >= local_to_utc(midnight),
        Event.starts_at < local_to_utc(midnight + timedelta(days=1))))
    if event is not None:
        return
    audiences = {a.key: a.id for a in events.audiences_of(org)}
    start, end = _hours(now)
    event = events.create_event(org, {
        "title": TITLE,
        "description": {"cy": "Galwch heibio i ddweud wrthym beth sy’n bwysig i chi. Cofrestrwch ymlaen llaw neu dewch yn syth.",
                        "en": "Drop in and tell us what matters to you. Register in advance or just turn up."},
        "accessibility": {"cy": "Mynediad heb risiau a dolen sain.", "en": "Step-free access and a hearing loop."},
        "kind": "engagement", "starts_at": local_to_utc(start), "ends_at": local_to_utc(end), "online": False,
        "venue_name": {"cy": "Llyfrgell Bangor", "en": "Bangor Library"}, "venue_address": None,
        "postcode": "LL57 1DT", "delivery_language": "bilingual", "partners": {"cy": "", "en": ""}, "status": "planned", "public": True,
        "pulse_enabled": True, "themes": [], "audiences": [audiences[k] for k in ("older_people",) if k in audiences],
    })
    with write_transaction():
        services.settings_for(event).registration_open = True
    codes = [services.register(event, {"name": name, "email": email, "phone": phone, "preferred_lang": lang,
                                       "places": GROUPS.get(name, 1), "access_needs": NEEDS.get(name)}).code
             for name, email, phone, lang in PEOPLE]
    yield (f"created today's event with its door ready: /en/manage/{org.slug}/events/{event.id}/door "
           f"(ticket codes {', '.join(codes)}; poster code {services.settings_for(event).typed_code})")
