"""Demo entries, one or more in every status, linked to the demo events.

PB pots do not exist yet: when the ballots work publishes the closed demo pot's results it calls
``drafts.drafts_from_pb_results``, which adds that pot's drafts. Each entry here has a stable
``source_key`` ("demo:…"), so loading again changes nothing.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import select

from ..accounts.models import Organisation
from ..events.models import Event
from ..dates import today_local
from ..events.services import themes_of
from ..extensions import db
from . import services
from .models import FeedbackEntry

# key, status, progress, budget (pence), area (cy, en), theme codes, event (English title), texts, updates
ENTRIES = [
    ("buses", "done", 100, None, ("Bangor", "Bangor"), ["2.1"], "Welcome coffee morning for new families", {
        "title": ("Amserlenni bysiau mewn ieithoedd eraill", "Bus timetables in other languages"),
        "asked": ("Beth fyddai’n gwneud bywyd yn haws i deuluoedd newydd ym Maesgeirchen?",
                  "What would make life easier for new families in Maesgeirchen?"),
        "said": ("Dywedodd 26 o bobl fod amserlenni bysiau yn anodd eu deall, yn enwedig i bobl sy’n dysgu Cymraeg "
                 "a Saesneg.", "26 people told us bus timetables were hard to follow, especially for people "
                 "learning Welsh and English."),
        "did": ("Gyda’r tîm trafnidiaeth, fe wnaethon ni gyhoeddi amserlenni syml mewn Arabeg, Wcreineg a Phwyleg, "
                "ochr yn ochr â’r Gymraeg a’r Saesneg.", "With the transport team we published simple timetables "
                "in Arabic, Ukrainian and Polish, alongside Welsh and English."),
    }, [(-40, "Cytunodd y tîm trafnidiaeth i gyfieithu’r amserlenni.", "The transport team agreed to translate the "
         "timetables.", "in_progress", 30),
        (-10, "Mae’r amserlenni newydd yn y ganolfan gymunedol ac ar-lein.", "The new timetables are in the "
         "community centre and online.", "done", 100)]),
    ("youth-space", "in_progress", 40, 850_000, ("Pwllheli", "Pwllheli"), ["3.1", "1.2"],
     "Listening session on high street tensions", {
        "title": ("Lle diogel gyda’r nos i bobl ifanc", "A safe evening space for young people"),
        "asked": ("Beth sy’n achosi tensiynau yn y stryd fawr, a beth allai helpu?",
                  "What is causing tensions on the high street, and what could help?"),
        "said": ("Dywedodd pobl hŷn a phobl ifanc fel ei gilydd nad oes unman i bobl ifanc fynd gyda’r nos.",
                 "Older and younger people alike said young people have nowhere to go in the evening."),
        "did": ("Penderfynodd y Cabinet agor y llyfrgell ddwy noson yr wythnos fel lle i bobl ifanc.",
                "The Cabinet decided to open the library two evenings a week as a space for young people."),
    }, [(-20, "Mae gweithwyr ieuenctid wedi’u penodi.", "Youth workers have been appointed.", "in_progress", 40)]),
    ("hate-crime", "planned", 0, 120_000, ("Caernarfon", "Caernarfon"), ["1.1"],
     "Hate crime awareness training for volunteers", {
        "title": ("Rhagor o sesiynau adrodd am droseddau casineb", "More hate crime reporting sessions"),
        "asked": ("Beth sydd ei angen ar wirfoddolwyr i helpu pobl i adrodd am droseddau casineb?",
                  "What do volunteers need to help people report hate crime?"),
        "said": ("Gofynnodd gwirfoddolwyr am sesiynau mewn pentrefi, nid yn y dref yn unig.",
                 "Volunteers asked for sessions in villages, not only in town."),
        "did": ("Byddwn ni’n cynnal pedair sesiwn mewn pentrefi y flwyddyn nesaf.",
                "We will run four sessions in villages next year."),
    }, []),
    ("pride", "considering", None, None, ("Gwynedd", "Gwynedd"), ["2.1", "2.3"], "Rural Pride evening", {
        "title": ("Man cyfarfod rheolaidd i bobl LHDTC+ yng nghefn gwlad", "A regular meeting place for rural LGBTQ+ people"),
        "asked": ("Beth fyddai’n helpu pobl LHDTC+ i deimlo’n rhan o’u cymuned?",
                  "What would help LGBTQ+ people feel part of their community?"),
        "said": ("Gofynnodd y rhan fwyaf am gyfarfod misol mewn neuadd bentref.",
                 "Most asked for a monthly meeting in a village hall."),
        "did": ("Rydyn ni’n trafod lleoliadau a chost gyda phartneriaid; byddwn ni’n penderfynu erbyn y gwanwyn.",
                "We are discussing venues and costs with partners; we will decide by the spring."),
    }, []),
    ("play-area", "not_possible", None, None, ("Llandygai", "Llandygai"), ["2.3"],
     "Gypsy and Traveller community fun day", {
        "title": ("Man chwarae ar y safle", "A play area on the site"),
        "asked": ("Beth fyddai’n gwella’r safle i deuluoedd?", "What would improve the site for families?"),
        "said": ("Gofynnodd teuluoedd am fan chwarae diogel i blant.", "Families asked for a safe play area for children."),
        "did": ("Ni allwn ni adeiladu man chwarae ar y safle.", "We cannot build a play area on the site."),
        "reason": ("Mae’r tir wrth ymyl y safle yn dir llifogydd. Rydyn ni’n chwilio gyda’r teuluoedd am le arall gerllaw.",
                   "The land next to the site is a flood plain. We are looking with the families for another place nearby."),
    }, []),
]


def load_feedback(org: Organisation) -> Iterator[str]:
    existing = set(db.session.scalars(select(FeedbackEntry.source_key).where(FeedbackEntry.org_id == org.id)))
    themes = {t.code: t.id for t in themes_of(org)}
    made = 0
    for key, status, progress, budget, area, codes, event_title, texts, updates in ENTRIES:
        if f"demo:{key}" in existing:
            continue
        event_id = db.session.scalar(select(Event.id).where(Event.org_id == org.id, Event.title_en == event_title))
        entry = services.create_entry(org, {
            **{name: {"cy": cy, "en": en} for name, (cy, en) in texts.items()},
            "area": {"cy": area[0], "en": area[1]}, "status": "considering" if updates else status,
            "progress": None if updates else progress, "budget_pence": budget,
            "themes": [themes[c] for c in codes if c in themes], "events": [event_id] if event_id else [],
            "published": True,
        }, source_key=f"demo:{key}")
        for days, cy, en, new_status, new_progress in updates:
            services.add_update(entry, {"happened_on": today_local() + timedelta(days=days),
                                        "body": {"cy": cy, "en": en}, "status": new_status, "progress": new_progress})
        made += 1
    if made:
        yield f"created {made} demo feedback entries"
