"""Demo pots: one open for voting (with usable codes printed by ``engage demo``), one with results.

Demo voter codes are derived from the pot's salt and a number, so ``engage demo`` can print usable
codes on every run (real codes are random and never recoverable). Each run prints a handful of
unused ones, making new ones only when fewer than that remain.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ..accounts.models import Organisation, User
from ..codes import CODE_ALPHABET
from ..dates import today_local
from ..db import write_transaction
from ..extensions import db
from ..types import utcnow
from ..codes import pretty_code
from . import lifecycle, pots, results
from .box import Voter, cast_ballot
from .demo_pictures import extras
from .voters import CODE_LENGTH, code_hash, generate_codes
from .models import Pot, RollEntry, VoterCode

SHOW_CODES = 5
AREA = {"cy": "Caernarfon", "en": "Caernarfon"}
OPEN_POT = {
    "title": {"cy": "Cronfa Gymunedol Caernarfon 2026", "en": "Caernarfon Community Fund 2026"},
    "description": {"cy": "Mae £20,000 i’w wario ar brosiectau yng Nghaernarfon. Chi sy’n dewis.",
                    "en": "There is £20,000 to spend on projects in Caernarfon. You choose."},
}
OPEN_PROJECTS = [
    ("Gardd gymunedol Ysgol yr Hendre", "Community garden at Ysgol yr Hendre", 450_000, "Cyfeillion yr Hendre",
     "Gwelyau plannu a sied i’r gymuned gyfan.", "Raised beds and a shed for the whole community."),
    ("Clwb ieuenctid nos Wener", "Friday night youth club", 800_000, "Ieuenctid Caernarfon",
     "Blwyddyn o sesiynau gyda gweithwyr ieuenctid.", "A year of sessions with youth workers."),
    ("Meinciau a chysgod ar y Maes", "Benches and shelter on y Maes", 350_000, "Cymdeithas y Dref",
     "Lle i eistedd a chysgodi yng nghanol y dref.", "Somewhere to sit and shelter in the town centre."),
    ("Caffi trwsio misol", "Monthly repair café", 200_000, "Trwsio Arfon",
     "Gwirfoddolwyr yn trwsio offer, beiciau a dillad.", "Volunteers repairing appliances, bikes and clothes."),
    ("Gwersi nofio i oedolion", "Swimming lessons for adults", 600_000, "Pwll Nofio Arfon",
     "Cyrsiau am ddim i oedolion nad ydynt yn gallu nofio.", "Free courses for adults who cannot swim."),
    ("Llwybr natur Coed Helen", "Coed Helen nature trail", 700_000, "Grŵp Cadwraeth Seiont",
     "Arwyddion dwyieithog a llwybr hygyrch.", "Bilingual signs and an accessible path."),
]
CLOSED_POT = {
    "title": {"cy": "Cronfa Ieuenctid Bangor 2025", "en": "Bangor Youth Fund 2025"},
    "description": {"cy": "Pleidleisiodd pobl ifanc Bangor ar sut i wario £10,000.",
                    "en": "Young people in Bangor voted on how to spend £10,000."},
}
#: Closed and counted, waiting for an admin to check the preview and publish it (the four-eyes journey).
COUNTED_POT = {
    "title": {"cy": "Cronfa Llwybrau Menai 2026", "en": "Menai Paths Fund 2026"},
    "description": {"cy": "Pleidleisiodd pobl ar sut i wario £6,000 ar lwybrau ger y Fenai.",
                    "en": "People voted on how to spend £6,000 on paths near the Menai Strait."},
}
CLOSED_PROJECTS = [
    ("Offer stiwdio gerddoriaeth", "Music studio equipment", 400_000, "Canolfan Ieuenctid Maesgeirchen",
     "Meicroffonau, recordio a gwersi.", "Microphones, recording and lessons."),
    ("Parc sglefrio: rampiau newydd", "Skate park: new ramps", 550_000, "Sglefrwyr Bangor",
     "Dau ramp newydd a thrwsio’r wyneb.", "Two new ramps and resurfacing."),
    ("Tripiau mynydda", "Mountain trips", 300_000, "Clwb Antur Bangor",
     "Chwe thaith dywys i Eryri.", "Six guided trips into Eryri."),
    ("Gemau bwrdd yn y llyfrgell", "Board games at the library", 100_000, "Llyfrgell Bangor",
     "Nosweithiau gemau wythnosol.", "Weekly games nights."),
]


def _find(org: Organisation, title_en: str) -> Pot | None:
    return db.session.scalar(select(Pot).where(Pot.org_id == org.id, Pot.title_en == title_en))


def _make(org: Organisation, texts: dict[str, Any], budget: int, rule: str, projects: list[tuple],
          closes_at: Any = None) -> Pot:
    pot = pots.create_pot(org, {**texts, "area": AREA, "budget_pence": budget, "ballot_type": "knapsack",
                                     "rule": rule, "eligibility": "codes", "closes_at": closes_at, "opens_at": None})
    for title_cy, title_en, cost, proposer, summary_cy, summary_en in projects:
        more = extras(title_en)  # a drawn picture and a longer description for a few
        pots.save_project(pot, {"title": {"cy": title_cy, "en": title_en},
                                "summary": {"cy": summary_cy, "en": summary_en}, "cost_pence": cost,
                                "proposer": proposer, "category": {}, "location": AREA, **more},
                          image=more.get("image"))
    db.session.refresh(pot)
    return pot


def demo_code(pot: Pot, n: int) -> str:
    """The n-th demo code of a pot (derived, so it can be printed again; demo data only)."""
    digest = hashlib.sha256(f"{pot.code_salt}:demo:{n}".encode()).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:CODE_LENGTH])


def usable_demo_codes(pot: Pot, wanted: int = SHOW_CODES) -> list[str]:
    found, n = [], 0
    while len(found) < wanted:
        code = demo_code(pot, n)
        n += 1
        hashed = code_hash(pot, code)
        row = db.session.execute(select(VoterCode.id, RollEntry.id).outerjoin(
            RollEntry, RollEntry.code_id == VoterCode.id).where(VoterCode.code_hash == hashed)).first()
        if row is None:
            with write_transaction():
                db.session.add(VoterCode(pot_id=pot.id, code_hash=hashed, kind="card", created_on=today_local()))
        elif row[1] is not None:
            continue  # used already
        found.append(code)
    return found


def load_ballots(org: Organisation) -> Iterator[str]:
    pot = _find(org, OPEN_POT["title"]["en"])
    if pot is None:
        pot = _make(org, OPEN_POT, 2_000_000, "mes", OPEN_PROJECTS, closes_at=utcnow() + timedelta(days=30))
        lifecycle.open_pot(pot)
        yield f"created open funding pot {pot.id}"
    if pot.status == "open":
        codes = ", ".join(pretty_code(c) for c in usable_demo_codes(pot))
        yield f"vote at http://127.0.0.1:5000/v/{pot.id} with one of these codes: {codes}"
    organiser, admin = _staff(org)
    closed = _find(org, CLOSED_POT["title"]["en"])
    if closed is None:
        closed = _closed_with_votes(org, CLOSED_POT, 1_000_000, CLOSED_PROJECTS, 48, 2025)
        results.count_preview(closed, organiser)
        results.publish(closed, admin)
        yield f"created funding pot {closed.id} with published results"
    counted = _find(org, COUNTED_POT["title"]["en"])
    if counted is None:
        counted = _closed_with_votes(org, COUNTED_POT, 600_000, CLOSED_PROJECTS[1:], 21, 2026)
        results.count_preview(counted, organiser)
        yield f"created funding pot {counted.id}, counted by {organiser.email}, waiting for an admin to publish it"


def _staff(org: Organisation) -> tuple[User, User]:
    """The demo's organiser (who counts) and admin (who checks and publishes)."""
    members = {m.role: m.user for m in org.memberships}
    return members["organiser"], members["admin"]


def _closed_with_votes(org: Organisation, texts: dict[str, Any], budget: int, projects: list[tuple], voters: int,
                       seed: int) -> Pot:
    pot = _make(org, texts, budget, "greedy", projects)
    lifecycle.open_pot(pot)
    rng = random.Random(seed)
    ids = [p.id for p in pot.projects]
    costs = {p.id: p.cost_pence for p in pot.projects}
    for code in generate_codes(pot, voters):
        picks, total = {}, 0
        for pid in rng.sample(ids, k=len(ids)):
            if rng.random() < 0.55 and total + costs[pid] <= pot.budget_pence:
                picks[pid], total = 1, total + costs[pid]
        picks = picks or {ids[-1]: 1}
        cast_ballot(pot.id, Voter("code", code_hash(pot, code)), picks)
    lifecycle.close_pot(pot)
    return pot
