"""The tests' domain objects, made in one place, through the services (as staff would make them).

Each factory returns the object itself (an ``Organisation``, ``User``, ``Event``, ``Ticket``, or a
:class:`MadePot`), loaded and detached from its session, so a test reads ``event.id`` or
``ticket.code`` without an app context. Relationships are not loaded: fetch the object again inside
an app context to follow them. Fixtures here are imported by ``conftest.py``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
from flask import Flask

from helpers import PASSWORD, wales_now

T = TypeVar("T")


def detached(obj: T) -> T:
    """The object with every column loaded, out of its session (readable after the app context)."""
    from engage.extensions import db

    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


# --- organisations and people -------------------------------------------------------------------


@pytest.fixture
def make_org(app: Flask):  # type: ignore[no-untyped-def]
    """``make_org(slug, name_en, name_cy)`` → the new Organisation (with the programme's themes)."""
    from engage.accounts import services

    def make(slug: str = "gwynedd", name_en: str = "Gwynedd Council", name_cy: str = "Cyngor Gwynedd"):  # type: ignore[no-untyped-def]
        with app.app_context():
            return detached(services.create_org(slug, name_en, name_cy))
    return make


@pytest.fixture
def make_user(app: Flask):  # type: ignore[no-untyped-def]
    """``make_user(email, org_slug, role)`` → the User (password :data:`helpers.PASSWORD`)."""
    from engage.accounts import services

    def make(email: str, org_slug: str, role: str = "organiser", password: str = PASSWORD):  # type: ignore[no-untyped-def]
        with app.app_context():
            return detached(services.create_user(email, password, services.get_org(org_slug), role))
    return make


@pytest.fixture
def two_orgs(make_org, make_user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Org A (gwynedd) with an admin and an organiser; org B (powys) with an admin."""
    make_org("gwynedd", "Gwynedd Council", "Cyngor Gwynedd")
    make_org("powys", "Powys County Council", "Cyngor Sir Powys")
    make_user("admin-a@example.org", "gwynedd", "admin")
    make_user("organiser-a@example.org", "gwynedd", "organiser")
    make_user("admin-b@example.org", "powys", "admin")
    return {"a": "gwynedd", "b": "powys"}


# --- events and check-in ------------------------------------------------------------------------


@pytest.fixture
def make_event(app: Flask):  # type: ignore[no-untyped-def]
    """``make_event(org_slug, start=…, hours=…, **fields)`` → the logged Event. ``start`` is a Wales
    wall-clock time (default: a week from now, in Wales); ``theme_codes`` and ``audience_keys`` pick
    the organisation's themes and audiences."""
    from engage.accounts.services import get_org
    from engage.dates import local_to_utc
    from engage.events import services

    def make(org_slug: str = "gwynedd", *, start: datetime | None = None, hours: int = 2, **overrides: Any):  # type: ignore[no-untyped-def]
        with app.app_context():
            org = get_org(org_slug)
            starts = local_to_utc(start or wales_now().replace(microsecond=0) + timedelta(days=7))
            data = {
                "title": {"cy": "Bore coffi", "en": "Coffee morning"},
                "description": {"cy": "Croeso i bawb.", "en": "Everyone welcome."},
                "accessibility": {"cy": "", "en": ""}, "kind": "engagement", "starts_at": starts,
                "ends_at": starts + timedelta(hours=hours), "online": False,
                "venue_name": {"cy": "Neuadd y Dref", "en": "Town Hall"}, "venue_address": None, "postcode": "LL55 1AB",
                "delivery_language": "bilingual", "partners": {"cy": "", "en": ""},
                "status": "planned", "public": True, "pulse_enabled": False, "themes": [], "audiences": [],
            }
            themes = overrides.pop("theme_codes", [])
            audiences = overrides.pop("audience_keys", [])
            data.update(overrides)
            data["themes"] = [t.id for t in services.themes_of(org) if t.code in themes]
            data["audiences"] = [a.id for a in services.audiences_of(org) if a.key in audiences]
            return detached(services.create_event(org, data))
    return make


@dataclass(frozen=True)
class Door:
    """An event on now (check-in open) with Ann's and Bob's tickets, and another event with one ticket."""

    event: Any
    other: Any
    ann: Any
    bob: Any
    elsewhere: Any


@pytest.fixture
def door(app: Flask, two_orgs, make_event) -> Door:  # type: ignore[no-untyped-def]
    from engage.checkin import services
    from engage.extensions import db

    now = wales_now().replace(second=0, microsecond=0)  # Wales time, as make_event takes: not the machine's
    event = make_event(start=now - timedelta(minutes=20), hours=2, title={"cy": "Noson gymunedol", "en": "Community night"})
    other = make_event(start=now + timedelta(days=1), title={"cy": "Digwyddiad arall", "en": "Another event"})
    with app.app_context():
        event, other = db.session.merge(event), db.session.merge(other)
        ann = services.register(event, {"name": "Ann Jones", "email": "ann@example.org", "preferred_lang": "cy"})
        bob = services.register(event, {"name": "Bob Evans", "phone": "07700 900123", "preferred_lang": "en"})
        elsewhere = services.register(other, {"name": "Carys Hughes", "email": "carys@example.org"})
        return Door(*(detached(obj) for obj in (event, other, ann, bob, elsewhere)))


# --- participatory budgeting ---------------------------------------------------------------------

PROJECTS = [("Gardd gymunedol", "Community garden", 400_000), ("Clwb ieuenctid", "Youth club", 500_000),
            ("Meinciau", "Benches", 200_000), ("Caffi trwsio", "Repair café", 300_000)]


@dataclass(frozen=True)
class MadePot:
    """A pot made for a test: its id, its projects' ids (in the order given) and its plain voter codes
    (only hashes are kept, so this is the one place a test can find them)."""

    id: int
    projects: list[int]
    codes: list[str]


def make_pot(app: Flask, org_slug: str = "gwynedd", *, codes: int = 5, open_it: bool = True,
             projects: list[tuple[str, str, int]] | None = None, **overrides: Any) -> MadePot:
    """A pot with projects (budget £10,000, knapsack, greedy) and ``codes`` voter codes, open unless
    ``open_it=False``; ``overrides`` change the pot's fields."""
    from engage.accounts.services import get_org
    from engage.ballots import lifecycle, pots, voters

    with app.app_context():
        org = get_org(org_slug)
        data = {"title": {"cy": "Cronfa Bangor", "en": "Bangor Fund"},
                "description": {"cy": "Pleidleisiwch.", "en": "Vote."}, "area": {"cy": "Bangor", "en": "Bangor"},
                "budget_pence": 1_000_000, "ballot_type": "knapsack", "max_choices": None, "points_total": None,
                "rule": "greedy", "opens_at": None, "closes_at": None, "eligibility": "codes",
                "postcode_prefixes": None}
        data.update(overrides)
        pot = pots.create_pot(org, data)
        ids = [pots.save_project(pot, {"title": {"cy": cy, "en": en}, "summary": {"cy": f"Am {cy}", "en": f"About {en}"},
                                       "cost_pence": cost}).id
               for cy, en, cost in projects or PROJECTS]
        plain = voters.generate_codes(pot, codes) if codes and data["eligibility"] == "codes" else []
        if open_it:
            lifecycle.open_pot(pot)
        return MadePot(pot.id, ids, plain)
