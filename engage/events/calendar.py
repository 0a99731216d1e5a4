"""The iCalendar feed of upcoming public events, in one language."""
from __future__ import annotations

from icalendar import Calendar, Event as ICalEvent

from ..links import public_url
from ..safetext import feed_text
from .models import Event

PRODID = "-//Engage//Events//CY-EN"


def feed(events: list[Event], lang: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Engage: digwyddiadau" if lang == "cy" else "Engage: events")
    for event in events:
        cal.add_component(_item(event, lang))
    return cal.to_ical()


def one_event(event: Event, lang: str) -> bytes:
    """A calendar file holding one event (sent with a ticket)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add_component(_item(event, lang))
    return cal.to_ical()


def _item(event: Event, lang: str) -> ICalEvent:
    item = ICalEvent()
    # Stable across both languages' feeds, so a calendar holding both shows one event.
    item.add("uid", f"event-{event.id}@engage")
    # The library escapes line breaks but writes control characters as they are (RFC 5545 forbids them).
    item.add("summary", feed_text(event.text("title", lang)))
    item.add("description", feed_text(event.text("description", lang)))
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("dtstamp", event.updated_at)
    if event.online:
        item.add("location", "Online" if lang == "en" else "Ar-lein")
    else:
        item.add("location", feed_text(event.address(lang)))
    item.add("url", public_url("events.show", lang=lang, event_id=event.id))
    item.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    return item
