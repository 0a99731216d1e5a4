"""Demo events: last month's log with what happened, and the coming weeks' public events."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select

from ..accounts.models import Organisation
from ..dates import LOCAL, local_to_utc, previous_month
from ..extensions import db
from . import services
from .models import Event

#: The demo venues' names in English (the lists below give the Welsh).
VENUES_EN = {
    "Canolfan Gymunedol Maesgeirchen": "Maesgeirchen Community Centre",
    "Neuadd y Dref, Caernarfon": "Caernarfon Town Hall",
    "Safle Teithwyr Llandygai": "Llandygai Traveller Site",
    "Llyfrgell Pwllheli": "Pwllheli Library",
    "Ysgol Syr Hugh Owen": "Ysgol Syr Hugh Owen",
    "Canolfan Noddfa, Bangor": "Noddfa Centre, Bangor",
    "Neuadd Bentref Llanystumdwy": "Llanystumdwy Village Hall",
    "Neuadd Goffa Cricieth": "Criccieth Memorial Hall",
}
PARTNERS = {"cy": "Cyngor Gwynedd, Heddlu Gogledd Cymru", "en": "Gwynedd Council, North Wales Police"}

# (day offset, hour, hours long, title cy, title en, kind, themes, audiences, venue (Welsh), postcode)
PAST = [
    (2, 10, 2, "Bore coffi croeso i deuluoedd newydd", "Welcome coffee morning for new families", "engagement",
     ["2.1", "2.3"], ["refugees", "ethnic_minority"], "Canolfan Gymunedol Maesgeirchen", "LL57 1LR"),
    (5, 18, 2, "Hyfforddiant ymwybyddiaeth troseddau casineb i wirfoddolwyr", "Hate crime awareness training for volunteers",
     "training", ["1.1"], ["faith", "young_people"], "Neuadd y Dref, Caernarfon", "LL55 1AB"),
    (9, 13, 3, "Diwrnod hwyl Sipsiwn a Theithwyr", "Gypsy and Traveller community fun day", "engagement",
     ["2.3", "1.3"], ["grt", "young_people"], "Safle Teithwyr Llandygai", "LL57 4LF"),
    (12, 16, 2, "Sesiwn wrando ar densiynau yn y stryd fawr", "Listening session on high street tensions",
     "engagement", ["3.1", "1.2"], ["older_people", "rural"], "Llyfrgell Pwllheli", "LL53 5RR"),
    (16, 9, 6, "Gweithdy cynhwysiant i ysgolion uwchradd", "Inclusion workshop for secondary schools", "training",
     ["2.2", "1.1"], ["schools", "young_people"], "Ysgol Syr Hugh Owen", "LL55 2RF"),
    (20, 14, 2, "Grŵp trafod grantiau bach", "Small grants drop-in", "engagement",
     ["3.2"], ["faith", "ethnic_minority"], "Canolfan Noddfa, Bangor", "LL57 1HH"),
    (24, 18, 2, "Noson Pride gwledig", "Rural Pride evening", "engagement",
     ["2.1", "2.3"], ["lgbtq", "rural"], "Neuadd Bentref Llanystumdwy", "LL52 0SS"),
]
UPCOMING = [
    (3, 10, 2, "Bore coffi amlddiwylliannol", "Multicultural coffee morning", ["2.1", "2.3"], ["refugees", "older_people"],
     "Canolfan Gymunedol Maesgeirchen", "LL57 1LR", True),
    (8, 18, 2, "Cyfarfod cyhoeddus: dyfodol y parc", "Public meeting: the future of the park", ["1.2", "3.1"],
     ["rural", "older_people"], "Neuadd Goffa Cricieth", "LL52 0DB", True),
    (15, 13, 3, "Diwrnod agored Cronfa Gymunedol", "Community Fund open day", ["3.2", "1.3"], ["faith", "young_people"],
     "Neuadd y Dref, Caernarfon", "LL55 1AB", False),
]


def load_events(org: Organisation) -> Iterator[str]:
    existing = set(db.session.scalars(select(Event.title_en).where(Event.org_id == org.id)))
    themes = {t.code: t.id for t in services.themes_of(org)}
    audiences = {a.key: a.id for a in services.audiences_of(org)}
    today = datetime.now(LOCAL)
    year, month = previous_month(today.date())
    made = 0
    for day, hour, hours, cy, en, kind, t, a, venue, postcode in PAST:
        if en in existing:
            continue
        start = local_to_utc(datetime(year, month, day, hour))
        event = services.create_event(org, {
            "title": {"cy": cy, "en": en},
            "description": {"cy": f"{cy}. Croeso i bawb; mae lluniaeth ar gael.",
                            "en": f"{en}. Everyone is welcome; refreshments provided."},
            "accessibility": {"cy": "Mynediad heb risiau a dolen sain.", "en": "Step-free access and a hearing loop."},
            "kind": kind, "starts_at": start, "ends_at": start + timedelta(hours=hours), "online": False,
            "venue_name": {"cy": venue, "en": VENUES_EN[venue]}, "venue_address": None, "postcode": postcode,
            "delivery_language": "bilingual", "partners": PARTNERS, "status": "planned", "public": True,
            "pulse_enabled": day % 2 == 0, "themes": [themes[c] for c in t], "audiences": [audiences[k] for k in a],
        })
        headcount = 12 + day * 2
        services.record_outcome(event, {
            "narrative": {"cy": f"Daeth {headcount} o bobl. Soniodd pobl am drafnidiaeth gyhoeddus, am lefydd diogel i bobl ifanc "
                                "ac am yr angen am wybodaeth mewn ieithoedd eraill.",
                          "en": f"{headcount} people came. People raised public transport, safe places for young people "
                                "and the need for information in other languages."},
            "outcomes": {"cy": "Cytunwyd i rannu’r pryderon â’r tîm trafnidiaeth ac i gynnal sesiwn ddilynol.",
                         "en": "We agreed to share the concerns with the transport team and to hold a follow-up session."},
            "follow_up": {"cy": "Trefnu sesiwn ddilynol o fewn deufis.", "en": "Arrange a follow-up session within two months."},
            "headcount": headcount, "status": "held", "outcomes_public": True,
            "audience_counts": {audiences[a[0]]: headcount // 2},
        })
        made += 1
    for day, hour, hours, cy, en, t, a, venue, postcode, public in UPCOMING:
        if en in existing:
            continue
        start = local_to_utc((today + timedelta(days=day)).replace(hour=hour, minute=0, second=0, microsecond=0, tzinfo=None))
        services.create_event(org, {
            "title": {"cy": cy, "en": en},
            "description": {"cy": f"{cy}. Dewch i ddweud eich dweud.", "en": f"{en}. Come and have your say."},
            "accessibility": {"cy": "Mynediad heb risiau.", "en": "Step-free access."},
            "kind": "engagement", "starts_at": start, "ends_at": start + timedelta(hours=hours), "online": False,
            "venue_name": {"cy": venue, "en": VENUES_EN[venue]}, "venue_address": None, "postcode": postcode,
            "delivery_language": "bilingual", "partners": {"cy": "", "en": ""}, "status": "planned", "public": public, "pulse_enabled": True,
            "themes": [themes[c] for c in t], "audiences": [audiences[k] for k in a],
        })
        made += 1
    if made:
        yield f"created {made} demo events"
