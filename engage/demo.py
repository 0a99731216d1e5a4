"""Realistic bilingual demo data, loaded by ``engage demo`` and by ``make run``.

Idempotent: each piece is looked up by a stable key before it is made. Later areas (events,
check-in, ballots, feedback) add their own loaders to ``LOADERS``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from .accounts import services as accounts
from .accounts.demo import load_brand
from .accounts.models import Organisation
from .ballots.demo import load_ballots
from .checkin.demo import load_checkin
from .events.demo import load_events
from .feedback.demo import load_feedback

DEMO_ORG = "demo"
DEMO_ADMIN = "admin@demo.example.org"
DEMO_ORGANISER = "trefnydd@demo.example.org"
#: Fixed so a newcomer can always sign in to a fresh demo; ``engage demo`` refuses to run in production.
DEMO_PASSWORD = "bara-brith-a-phaned"

#: Each area's demo loader, in order; each must be safe to run again.
LOADERS: list[Callable[[Organisation], Iterator[str]]] = [load_brand, load_events, load_checkin, load_feedback, load_ballots]


def load_demo() -> Iterator[str]:
    org = accounts.get_org(DEMO_ORG)
    if org is None:
        org = accounts.create_org(DEMO_ORG, "Gwynedd and Anglesey Community Cohesion Team",
                                  "Tîm Cydlyniant Cymunedol Gwynedd a Môn")
        yield f"created organisation {DEMO_ORG}"
    for email, role, name in ((DEMO_ADMIN, "admin", "Siân Roberts"),
                              (DEMO_ORGANISER, "organiser", "Dafydd Owen")):
        user = accounts.find_user(email)
        if user is None or user.role_in(org) is None:
            accounts.create_user(email, DEMO_PASSWORD, org, role, name=name)
            yield f"created {role} {email}"
    for loader in LOADERS:
        yield from loader(org)
    yield f"sign in at http://127.0.0.1:5000/en/sign-in as {DEMO_ADMIN} (admin) or {DEMO_ORGANISER} (organiser), password {DEMO_PASSWORD}"
