"""What a scan came to (``services.record_scan``): the one record every page, the JSON API and
door.js are drawn from (through ``presenter``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class Outcome:
    """What the door page shows after a scan."""

    result: str
    scan_id: int | None = None
    count: int = 0
    ticket_name: str | None = None
    ticket_code: str | None = None
    earlier_at: datetime | None = None
    earlier_by: str | None = None
    other_event: str | None = None
    replayed: bool = False
    #: A rotating screen's form pass sent again: the person it was given to is already in.
    form_used: bool = False
    #: A phone that checked in from the poster already (``earlier_at`` says when).
    device_seen: bool = False
    #: People this scan let in; and the ticket's places and how many have arrived (after this scan).
    people: int = 1
    places: int = 1
    arrived: int = 0
    #: Result "group" (never stored): a group ticket, and the door must say how many have arrived.
    #: ``too_many``: it asked for more than are still to come. ``ticket_id``, ``method``: to ask again.
    too_many: bool = False
    ticket_id: int | None = None
    method: str | None = None

    @property
    def to_come(self) -> int:
        return max(0, self.places - self.arrived)
