"""Named hooks between areas, connected explicitly by each area's ``connect()``.

An area that must react to another's change (check-in settings for every new event, themes for
every new organisation) is connected in a named step of the app factory, never at import time, so
importing a services module alone never depends on what else happened to be imported first.
Connecting the same function twice (one process builds many apps in the tests) keeps one copy.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class Hook:
    """A list of functions an area calls at one point of its work, in the order connected."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._functions: list[Callable[..., Any]] = []

    def connect(self, function: Callable[..., Any]) -> None:
        if function not in self._functions:
            self._functions.append(function)

    def __iter__(self) -> Iterator[Callable[..., Any]]:
        return iter(tuple(self._functions))

    def __call__(self, *args: Any) -> None:
        for function in self:
            function(*args)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {[f.__qualname__ for f in self._functions]}>"


#: Called with each new organisation (after it has an id) inside its creating transaction.
ORG_CREATED = Hook("org_created")
#: Called with each new event (after it has an id) inside its creating transaction.
EVENT_CREATED = Hook("event_created")
#: Called with an event whose time or place changed or that was cancelled, once the change has
#: committed (check-in tells its ticket holders).
EVENT_MOVED = Hook("event_moved")
#: Functions giving successful check-ins per event id, for reports (the check-in area connects one).
CHECKIN_COUNTERS = Hook("checkin_counters")
