"""“You said, we did”: staff pages, public pages, feeds, open data, drafts, following by email."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from helpers import sign_in, wales_now, wales_today
from engage.audit.models import AuditEntry
from engage.extensions import db
from engage.feedback.models import FeedbackEntry, FeedbackSubscription, FeedbackUpdate
from engage.mail import OutboxMessage

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TEXTS = {
    "title": ("Goleuadau stryd ar Lôn Las", "Street lights on Lôn Las"),
    "asked": ("Beth sy’n gwneud i chi deimlo’n anniogel?", "What makes you feel unsafe?"),
    "said": ("Dywedodd 40 o bobl fod y lôn yn dywyll.", "40 people said the lane is dark."),
    "did": ("Fe wnaeth y Cabinet gytuno ar oleuadau newydd.", "The Cabinet agreed new lights."),
}


def entry_form(**overrides):  # type: ignore[no-untyped-def]
    data = {f"{name}-{lang}": text for name, pair in TEXTS.items() for lang, text in zip(("cy", "en"), pair)}
    data.update({"area-cy": "Bangor", "area-en": "Bangor", "status": "planned", "progress": "10",
                 "budget": "12,500.50", "people_count": "40", "published": "y"})
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def service_data(**overrides):  # type: ignore[no-untyped-def]
    data = {name: {"cy": cy, "en": en} for name, (cy, en) in TEXTS.items()}
    data.update(area={"cy": "Bangor", "en": "Bangor"}, status="planned", published=True)
    data.update(overrides)
    return data


@pytest.fixture
def make_entry(app):  # type: ignore[no-untyped-def]
    """Create an entry through the service; returns its id."""
    from engage.accounts.services import get_org
    from engage.feedback import services

    def make(org_slug: str = "gwynedd", theme_codes: tuple[str, ...] = (), **overrides):  # type: ignore[no-untyped-def]
        with app.app_context():
            org = get_org(org_slug)
            if theme_codes:
                from engage.events.services import themes_of
                overrides["themes"] = [t.id for t in themes_of(org) if t.code in theme_codes]
            return services.create_entry(org, service_data(**overrides)).id
    return make


def count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def outbox(app) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with app.app_context():
        messages = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return messages


def held_event(app, make_event, org_slug: str = "gwynedd", **overrides) -> int:  # type: ignore[no-untyped-def]
    from engage.events import services
    from engage.events.models import Event

    event_id = make_event(org_slug, start=wales_now() - timedelta(days=3), theme_codes=["2.1"], **overrides).id
    with app.app_context():
        services.record_outcome(db.session.get(Event, event_id), {
            "narrative": {"cy": "Soniodd pobl am y bws.", "en": "People raised the bus."},
            "outcomes": {"cy": "Rhannu gyda’r tîm.", "en": "Share with the team."},
            "follow_up": {"cy": "Sesiwn arall.", "en": "Another session."}, "headcount": 23, "status": "held",
            "outcomes_public": True, "audience_counts": {}})
    return event_id


# --- staff pages -------------------------------------------------------------------------------


def test_staff_write_and_publish_an_entry_linked_to_an_event(app, client, two_orgs, make_event):
    from test_events import theme_id

    event_id = make_event().id
    sign_in(client, "organiser-a@example.org")
    response = client.submit("/cy/manage/gwynedd/you-said-we-did/new",
                             entry_form(themes=str(theme_id(app, "gwynedd", "1.1")), events=str(event_id)))
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mae’r cofnod adborth wedi’i gadw." in detail and "Goleuadau stryd ar Lôn Las" in detail
    with app.app_context():
        entry = db.session.scalar(select(FeedbackEntry))
        assert (entry.status, entry.progress, entry.budget_pence, entry.people_count) == ("planned", 10, 1250050, 40)
        assert entry.published and entry.published_at is not None and entry.area_slug == "bangor"
        assert [e.id for e in entry.events] == [event_id] and [t.code for t in entry.themes] == ["1.1"]
        assert db.session.scalar(select(AuditEntry.kind).where(AuditEntry.object_type == "FeedbackEntry",
                                                             AuditEntry.object_id == entry.id)) == "feedback.created"
        entry_id = entry.id
    for lang, title, budget, status in (("cy", "Goleuadau stryd ar Lôn Las", "£12,500.50", "Wedi’i gynllunio"),
                                        ("en", "Street lights on Lôn Las", "£12,500.50", "Planned")):
        page = client.get(f"/{lang}/you-said-we-did/{entry_id}").get_data(as_text=True)
        assert title in page and budget in page and status in page
        assert f'href="/{lang}/events/{event_id}"' in page  # where the input came from
    # The event's public page shows what came of it.
    event_page = client.get(f"/en/events/{event_id}").get_data(as_text=True)
    assert "What came of it" in event_page and "Street lights on Lôn Las" in event_page


@pytest.mark.parametrize("lang,overrides,field,message", [
    ("cy", {"asked-cy": ""}, "asked-cy", "Rhowch y testun Cymraeg ar gyfer “Fe ofynnon ni”"),
    ("en", {"did-en": ""}, "did-en", "Enter the English text for “We did”"),
    ("cy", {"area-en": ""}, "area-en", "Rhowch y testun Saesneg ar gyfer “Ardal”"),
    ("cy", {"status": "not_possible"}, "reason-cy", "Rhowch y testun Cymraeg ar gyfer “Pam nad yw’n bosibl”"),
    ("en", {"status": "not_possible", "reason-cy": "Dim arian."}, "reason-en",
     "Enter the English text for “Why it is not possible”"),
    ("cy", {"progress": "101"}, "progress", "Rhowch rif rhwng 0 a 100"),
    ("en", {"progress": "-1"}, "progress", "Enter a number between 0 and 100"),
    ("cy", {"budget": "lots"}, "budget", "Rhowch swm mewn punnoedd"),
    ("en", {"status": "maybe"}, "status-0", "Select one of the options"),  # radios: the first one
    ("cy", {"title-cy": "", "title-en": "", "published": None}, "title-cy", "Rhowch y testun yn Gymraeg, yn Saesneg neu yn y ddwy iaith"),
])
def test_bad_input_is_explained_in_the_page_language_and_nothing_is_stored(app, client, two_orgs, lang, overrides,
                                                                             field, message):
    sign_in(client, "organiser-a@example.org")
    response = client.submit(f"/{lang}/manage/gwynedd/you-said-we-did/new", entry_form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'href="#{field}"' in html and message in html
    assert count(app, FeedbackEntry) == 0


def test_a_link_to_another_organisations_event_is_refused(app, client, two_orgs, make_event):
    other = make_event("powys").id
    sign_in(client, "organiser-a@example.org")
    for lang, message in (("cy", "Dewiswch opsiynau o’r rhestr yn unig"), ("en", "Select only options from the list")):
        response = client.submit(f"/{lang}/manage/gwynedd/you-said-we-did/new", entry_form(events=str(other)))
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    # The service refuses it too, whatever the form let through.
    from engage.accounts.services import get_org
    from engage.feedback import services
    with app.app_context(), pytest.raises(services.FeedbackRefusal) as err:
        services.create_entry(get_org("gwynedd"), service_data(events=[other]))
    assert err.value.code == "unknown_choice"
    assert count(app, FeedbackEntry) == 0


def test_a_draft_may_have_one_language_and_stays_off_the_public_pages(app, client, two_orgs):
    sign_in(client, "organiser-a@example.org")
    response = client.submit("/en/manage/gwynedd/you-said-we-did/new",
                             entry_form(**{"asked-cy": "", "said-cy": "", "did-cy": "", "published": None}))
    assert response.status_code == 302
    with app.app_context():
        entry_id = db.session.scalar(select(FeedbackEntry.id))
    assert client.get(f"/en/you-said-we-did/{entry_id}").status_code == 404
    assert "Street lights" not in client.get("/en/you-said-we-did/").get_data(as_text=True)


def test_the_database_refuses_what_the_forms_refuse(app, two_orgs, make_entry):
    from sqlalchemy.exc import IntegrityError

    from engage.db import write_transaction

    entry_id = make_entry()
    changes = [{"status": "maybe"}, {"progress": 101}, {"progress": -1}, {"status": "not_possible"},
               {"did_cy": None}, {"area_en": None}, {"budget_pence": -5}]
    with app.app_context():
        for change in changes:
            with pytest.raises(IntegrityError):
                with write_transaction():
                    entry = db.session.get(FeedbackEntry, entry_id)
                    for name, value in change.items():
                        setattr(entry, name, value)
            db.session.rollback()
        for bad in ({"body_cy": None}, {"progress": 120}):
            with pytest.raises(IntegrityError):
                with write_transaction():
                    values = {"entry_id": entry_id, "happened_on": wales_today(), "body_cy": "Cy", "body_en": "En"}
                    db.session.add(FeedbackUpdate(**{**values, **bad}))
            db.session.rollback()
        with pytest.raises(IntegrityError):
            with write_transaction():
                for n in (1, 2):
                    db.session.add(FeedbackSubscription(entry_id=entry_id, email="a@example.org", confirm_hash=str(n)))
        db.session.rollback()


def test_updates_change_status_show_newest_first_and_are_in_the_history(app, client, two_orgs, make_entry):
    entry_id = make_entry()
    sign_in(client, "organiser-a@example.org")
    url = f"/cy/manage/gwynedd/you-said-we-did/{entry_id}"
    first = {"happened_on": "2026-03-01", "body-cy": "Dechreuodd y gwaith.", "body-en": "Work started.",
             "status": "in_progress", "progress": "30"}
    second = {"happened_on": "2026-05-01", "body-cy": "Mae’r goleuadau ymlaen.", "body-en": "The lights are on.",
              "status": "done", "progress": "100"}
    for update in (first, second):
        client.get(url)
        response = client.post(f"{url}/updates", data={**update, "csrf_token": client.last_csrf})
        assert response.status_code == 302
    # A blank status is "no change", not a status (the fuzz tests found " " getting through).
    client.get(url)
    blank = client.post(f"{url}/updates", data={"happened_on": "2026-05-02", "body-cy": "Dim newid.",
                                                "body-en": "No change.", "status": " ", "csrf_token": client.last_csrf})
    assert blank.status_code == 302
    with app.app_context():
        assert db.session.get(FeedbackEntry, entry_id).status == "done"
    # An update without English is refused, and nothing changes.
    client.get(url)
    refused = client.post(f"{url}/updates", data={"happened_on": "2026-06-01", "body-cy": "Dim ond Cymraeg",
                                                  "status": "planned", "csrf_token": client.last_csrf})
    assert refused.status_code == 400 and "Rhowch y testun Saesneg" in refused.get_data(as_text=True)
    with app.app_context():
        entry = db.session.get(FeedbackEntry, entry_id)
        assert (entry.status, entry.progress, len(entry.updates)) == ("done", 100, 3)
    page = client.get(f"/en/you-said-we-did/{entry_id}").get_data(as_text=True)
    assert page.index("The lights are on.") < page.index("Work started.")
    staff = client.get(url).get_data(as_text=True)
    assert "Hanes y newidiadau" in staff
    assert "Wedi’i gynllunio → Ar y gweill" in staff and "Ar y gweill → Wedi’i wneud" in staff


def test_not_possible_through_an_update_needs_a_reason_in_both_languages(app, client, two_orgs, make_entry):
    entry_id = make_entry()
    sign_in(client, "organiser-a@example.org")
    url = f"/en/manage/gwynedd/you-said-we-did/{entry_id}"
    update = {"happened_on": "2026-03-01", "body-cy": "Newyddion drwg.", "body-en": "Bad news.", "status": "not_possible"}
    client.get(url)
    response = client.post(f"{url}/updates", data={**update, "csrf_token": client.last_csrf})
    assert response.status_code == 400
    assert "Enter why it is not possible, in both Welsh and English" in response.get_data(as_text=True)
    assert count(app, FeedbackUpdate) == 0
    response = client.post(f"{url}/updates", data={**update, "reason-cy": "Dim trydan.", "reason-en": "No power.",
                                                   "csrf_token": client.last_csrf})
    assert response.status_code == 302
    page = client.get(f"/cy/you-said-we-did/{entry_id}").get_data(as_text=True)
    assert "Nid yw’n bosibl" in page and "Dim trydan." in page


def test_other_organisations_cannot_see_or_change_an_entry(app, client, two_orgs, make_entry):
    entry_id = make_entry()
    sign_in(client, "admin-b@example.org")
    for path in (f"/en/manage/gwynedd/you-said-we-did/{entry_id}", f"/en/manage/powys/you-said-we-did/{entry_id}",
                 f"/en/manage/powys/you-said-we-did/{entry_id}/edit"):
        assert client.get(path).status_code == 404


# --- public pages, feeds, open data ------------------------------------------------------------


def test_public_index_filters_by_area_theme_and_status_with_counts(app, client, two_orgs, make_entry):
    make_entry(status="done", theme_codes=("1.1",))
    make_entry(status="done", area={"cy": "Caernarfon", "en": "Caernarfon"})
    make_entry(status="not_possible", reason={"cy": "Dim arian.", "en": "No money."}, theme_codes=("2.3",))
    make_entry(status="in_progress", published=False, title={"cy": "Cyfrinach", "en": "Secret draft"})
    make_entry("powys", status="planned", title={"cy": "Pont Powys", "en": "Powys bridge"})
    page = client.get("/cy/you-said-we-did/").get_data(as_text=True)
    assert "Wedi’i wneud: 2" in page and "Nid yw’n bosibl: 1" in page and "Ar y gweill: 0" in page
    assert "Wedi’i gynllunio: 1" in page and "Cyfrinach" not in page
    english = client.get("/en/you-said-we-did/?area=caernarfon").get_data(as_text=True)
    assert "Done: 1" in english and "Entries found: 1" in english
    assert english.count('class="event-item"') == 1
    assert client.get("/en/you-said-we-did/?theme=2.3").get_data(as_text=True).count('class="event-item"') == 1
    by_status = client.get("/en/you-said-we-did/?status=done").get_data(as_text=True)
    assert by_status.count('class="event-item"') == 2 and "Not possible: 1" in by_status
    by_org = client.get("/en/you-said-we-did/?org=powys").get_data(as_text=True)
    assert "Powys bridge" in by_org and by_org.count('class="event-item"') == 1
    assert 'type="application/atom+xml" title="Atom feed: Powys County Council" href="/en/you-said-we-did/powys/feed.xml"' in by_org


def test_atom_feeds_per_organisation_and_area_in_each_language(app, client, two_orgs, make_entry):
    make_entry(status="done")
    make_entry(status="planned", area={"cy": "Ynys Môn", "en": "Anglesey"}, title={"cy": "Llwybr", "en": "Path"})
    make_entry(published=False, title={"cy": "Drafft", "en": "Draft"})
    for lang, titles in (("cy", ["Llwybr", "Goleuadau stryd ar Lôn Las"]), ("en", ["Path", "Street lights on Lôn Las"])):
        response = client.get(f"/{lang}/you-said-we-did/gwynedd/feed.xml")
        assert response.status_code == 200 and response.mimetype == "application/atom+xml"
        feed = ET.fromstring(response.data)
        assert feed.tag == f"{ATOM}feed" and feed.get(XML_LANG) == lang
        assert sorted(e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")) == sorted(titles)
        assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith(f"/{lang}/you-said-we-did/gwynedd/feed.xml")
        area = ET.fromstring(client.get(f"/{lang}/you-said-we-did/gwynedd/areas/anglesey/feed.xml").data)
        assert area.get(XML_LANG) == lang and [e.findtext(f"{ATOM}title") for e in area.findall(f"{ATOM}entry")] == titles[:1]
    welsh = ET.fromstring(client.get("/cy/you-said-we-did/gwynedd/feed.xml").data)
    assert "Fe ddywedoch chi, fe wnaethon ni" in welsh.findtext(f"{ATOM}title")
    assert "Fe ofynnon ni" in welsh.find(f"{ATOM}entry").findtext(f"{ATOM}content")
    assert client.get("/en/you-said-we-did/gwynedd/areas/nowhere/feed.xml").status_code == 404
    assert client.get("/en/you-said-we-did/nobody/feed.xml").status_code == 404
    with app.app_context():
        entry_id = db.session.scalar(select(FeedbackEntry.id).where(FeedbackEntry.title_en == "Path"))
    page = client.get(f"/cy/you-said-we-did/{entry_id}").get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/cy/you-said-we-did/gwynedd/areas/anglesey/feed.xml"' in page


def test_atom_feed_stays_well_formed_with_control_characters_in_a_title(client, two_orgs, make_entry):
    # XML 1.0 forbids these even as character references: one in a title made the feed unreadable.
    make_entry(title={"cy": "Goleuadau\x01 stryd\x0b ar\ufffe Lôn Las", "en": "Street\x01 lights\x0b on\ufffe Lôn Las"},
               did={"cy": "Gosod\x1f goleuadau", "en": "Lights\x1f fitted"})
    for lang, title in (("cy", "Goleuadau stryd ar Lôn Las"), ("en", "Street lights on Lôn Las")):
        feed = ET.fromstring(client.get(f"/{lang}/you-said-we-did/gwynedd/feed.xml").data)
        entry = feed.find(f"{ATOM}entry")
        assert entry.findtext(f"{ATOM}title") == title
        assert "\x1f" not in entry.findtext(f"{ATOM}summary")


def test_open_data_has_both_languages_and_no_personal_data(app, client, two_orgs, make_entry, make_event):
    public_event = make_event().id
    private_event = make_event(public=False, title={"cy": "Cyfarfod mewnol", "en": "Internal meeting"}).id
    entry_id = make_entry(status="in_progress", progress=40, budget_pence=500000, events=[public_event, private_event])
    make_entry(published=False)
    with app.app_context():
        from engage.feedback import follow
        follow.subscribe(db.session.get(FeedbackEntry, entry_id), "resident@example.org", "cy")
    response = client.get("/api/you-said-we-did.json")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.get_json()
    assert data["count"] == 1
    item = data["entries"][0]
    assert item["title"] == {"cy": "Goleuadau stryd ar Lôn Las", "en": "Street lights on Lôn Las"}
    assert (item["status"], item["progress_percent"], item["budget_pence"]) == ("in_progress", 40, 500000)
    assert item["url"]["cy"].endswith(f"/cy/you-said-we-did/{entry_id}")
    assert [e["id"] for e in item["events"]] == [public_event]  # a staff-only event stays private
    assert "resident@example.org" not in response.get_data(as_text=True)
    assert client.get("/api/you-said-we-did.json?status=done").get_json()["count"] == 0
    missing = client.get("/api/you-said-we-did.json?org=nobody")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


# --- drafts ------------------------------------------------------------------------------------


def test_drafts_from_published_pb_results(app, two_orgs):
    from engage.accounts.services import get_org
    from engage.feedback import drafts

    funded = [{"ref": 11, "title": {"cy": "Gardd gymunedol", "en": "Community garden"}, "cost_pence": 450000, "votes": 120},
              {"ref": 12, "title": {"cy": "Meinciau", "en": "Benches"}, "cost_pence": 80050, "votes": 95}]
    not_funded = [{"ref": 13, "title": {"cy": "Pwll nofio", "en": "Swimming pool"}, "cost_pence": 9000000,
                   "votes": 60, "reason": "over_budget"}]
    pot = {"cy": "Cronfa Bangor 2026", "en": "Bangor Fund 2026"}
    with app.app_context():
        org = get_org("gwynedd")
        made = drafts.drafts_from_pb_results(org, 7, pot, funded, not_funded, voters=310)
        assert len(made) == 3
        again = drafts.drafts_from_pb_results(org, 7, pot, funded, not_funded, voters=310)
        assert again == []  # idempotent: staff edits are never overwritten
        entries = {e.source_key: e for e in db.session.scalars(select(FeedbackEntry))}
        assert set(entries) == {"pb:7:project:11", "pb:7:project:12", "pb:7:summary"}
        assert not any(e.published for e in entries.values())
        garden = entries["pb:7:project:11"]
        assert (garden.status, garden.progress, garden.budget_pence, garden.pot_id, garden.project_ref) == \
            ("planned", 0, 450000, 7, 11)
        assert garden.title_cy == "Gardd gymunedol" and "£4,500" in garden.did_en and "£4,500" in garden.did_cy
        assert garden.asked_cy == "Fe ofynnon ni i chi bleidleisio ar sut i wario’r gronfa “Cronfa Bangor 2026”."
        summary = entries["pb:7:summary"]
        assert summary.title_en == "Results: Bangor Fund 2026" and summary.budget_pence == 530050
        assert "People who voted: 310" in summary.said_en and "Pobl a bleidleisiodd: 310" in summary.said_cy
        assert "Projects funded: 2" in summary.did_en and "Prosiectau a ariannwyd: 2" in summary.did_cy
        assert "Swimming pool: the money left was not enough for its cost" in summary.did_en
        assert "Pwll nofio: nid oedd yr arian a oedd ar ôl yn ddigon i dalu amdano" in summary.did_cy
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.kind == "feedback.created")) == 3


def test_bad_pb_results_store_nothing(app, two_orgs):
    from engage.accounts.services import get_org
    from engage.feedback import drafts
    from engage.feedback.services import FeedbackRefusal

    with app.app_context():
        org = get_org("gwynedd")
        good = {"ref": 1, "title": {"cy": "A", "en": "A"}, "cost_pence": 100, "votes": 1}
        for funded, not_funded in (([good], [{**good, "ref": 2, "reason": "bad-code"}]),
                                   ([{**good, "cost_pence": -1}], []), ([{**good, "title": {}}], [])):
            with pytest.raises(FeedbackRefusal):
                drafts.drafts_from_pb_results(org, 3, {"cy": "C", "en": "F"}, funded, not_funded)
    assert count(app, FeedbackEntry) == 0


def test_staff_start_a_draft_from_a_held_event(app, client, two_orgs, make_event):
    event_id = held_event(app, make_event)
    planned = make_event().id
    other = held_event(app, make_event, "powys")
    sign_in(client, "organiser-a@example.org")
    assert "Dechrau cofnod “Fe ddywedoch chi, fe wnaethon ni”" in client.get(
        f"/cy/manage/gwynedd/events/{event_id}").get_data(as_text=True)
    index = client.get("/cy/manage/gwynedd/you-said-we-did/").get_data(as_text=True)
    assert f'<option value="{event_id}">Bore coffi</option>' in index
    response = client.post("/cy/manage/gwynedd/you-said-we-did/from-event",
                           data={"event": str(event_id), "csrf_token": client.last_csrf})
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit")
    with app.app_context():
        entry = db.session.scalar(select(FeedbackEntry))
        assert entry.said_en == "People raised the bus.\n\nShare with the team." and entry.said_cy.startswith("Soniodd")
        assert entry.did_cy == "Sesiwn arall." and entry.people_count == 23 and not entry.published
        assert entry.asked_en.startswith("Event: Coffee morning (") and entry.asked_cy.startswith("Digwyddiad: Bore coffi (")
        assert [e.id for e in entry.events] == [event_id] and [t.code for t in entry.themes] == ["2.1"]
    edit = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mae drafft wedi’i ddechrau o’r digwyddiad." in edit and "Soniodd pobl am y bws." in edit
    for bad, status in ((other, 404), (planned, 400)):
        assert client.post("/cy/manage/gwynedd/you-said-we-did/from-event",
                           data={"event": str(bad), "csrf_token": client.last_csrf}).status_code == status
    assert count(app, FeedbackEntry) == 1


# --- following by email ------------------------------------------------------------------------


def _link(body: str, part: str) -> str:
    return next(word for word in body.split() if part in word).replace("http://localhost", "")


def test_follow_confirm_notify_and_unsubscribe(app, client, two_orgs, make_entry):
    entry_id = make_entry()
    page = f"/cy/you-said-we-did/{entry_id}"
    client.get(page)
    response = client.post(f"{page}/follow", data={"email": "Preswylydd@Example.org", "lang": "cy",
                                                   "csrf_token": client.last_csrf})
    assert response.status_code == 200 and "Edrychwch ar eich e-bost" in response.get_data(as_text=True)
    [confirm_mail] = outbox(app)
    assert confirm_mail.to_addr == "preswylydd@example.org" and confirm_mail.lang == "cy"
    assert confirm_mail.subject == "Cadarnhewch eich bod am ddilyn “Goleuadau stryd ar Lôn Las”"
    assert "Street lights" not in confirm_mail.body  # only the language the person chose
    confirm_url = _link(confirm_mail.body, "/confirm/")
    assert confirm_url.startswith("/cy/you-said-we-did/confirm/")

    # Asking again is refused politely, and no second email is sent.
    client.get(page)
    again = client.post(f"{page}/follow", data={"email": "preswylydd@example.org", "lang": "en",
                                                "csrf_token": client.last_csrf})
    assert again.status_code == 400
    assert "Mae’r cyfeiriad e-bost hwn eisoes yn dilyn y cofnod hwn" in again.get_data(as_text=True)
    assert count(app, FeedbackSubscription) == 1 and len(outbox(app)) == 1

    # Opening the link changes nothing; the button does.
    assert "Cadarnhau" in client.get(confirm_url).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(FeedbackSubscription.confirmed_at)) is None
    done = client.post(confirm_url, data={"csrf_token": client.last_csrf})
    assert done.status_code == 200 and "Rydych chi’n dilyn y cofnod hwn" in done.get_data(as_text=True)

    # A second follower chose both languages; a third never confirmed.
    with app.app_context():
        from engage.feedback import follow
        entry = db.session.get(FeedbackEntry, entry_id)
        follow.subscribe(entry, "both@example.org", None)
        follow.subscribe(entry, "unconfirmed@example.org", "en")
    both_confirm = _link(outbox(app)[1].body, "/confirm/")
    client.get(both_confirm)
    client.post(both_confirm, data={"csrf_token": client.last_csrf})

    # Staff change the status: confirmed followers are told, in their language.
    sign_in(client, "organiser-a@example.org")
    staff = f"/en/manage/gwynedd/you-said-we-did/{entry_id}"
    client.get(staff)
    client.post(f"{staff}/updates", data={"happened_on": "2026-04-01", "body-cy": "Mae’r gwaith wedi dechrau.",
                                          "body-en": "Work has started.", "status": "in_progress", "progress": "20",
                                          "csrf_token": client.last_csrf})
    notices = [m for m in outbox(app) if m.subject.startswith(("Diweddariad", "Update"))]
    assert sorted(m.to_addr for m in notices) == ["both@example.org", "preswylydd@example.org"]
    welsh = next(m for m in notices if m.to_addr == "preswylydd@example.org")
    assert welsh.subject == "Diweddariad: Goleuadau stryd ar Lôn Las"
    assert "wedi newid o “Wedi’i gynllunio” i “Ar y gweill”" in welsh.body and "Cynnydd: 20%" in welsh.body
    assert "Mae’r gwaith wedi dechrau." in welsh.body and "Work has started." not in welsh.body
    assert welsh.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    both = next(m for m in notices if m.to_addr == "both@example.org")
    assert both.lang == "both" and both.subject == "Diweddariad: Goleuadau stryd ar Lôn Las / Update: Street lights on Lôn Las"
    assert both.body.index("Mae’r gwaith wedi dechrau.") < both.body.index("Work has started.")  # Welsh first

    # An update that changes no status sends nothing.
    before = len(outbox(app))
    client.get(staff)
    client.post(f"{staff}/updates", data={"happened_on": "2026-04-10", "body-cy": "Dim newid.", "body-en": "No change.",
                                          "csrf_token": client.last_csrf})
    assert len(outbox(app)) == before

    # One-click unsubscribe: GET asks, a POST without our form (RFC 8058) removes the subscription.
    unsubscribe_url = welsh.headers["List-Unsubscribe"].strip("<>").replace("http://localhost", "")
    assert _link(welsh.body, "/unsubscribe/") == unsubscribe_url
    assert client.get(unsubscribe_url).status_code == 200 and count(app, FeedbackSubscription) == 3
    response = client.post(unsubscribe_url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "Ni fyddwch yn cael rhagor o e-byst" in response.get_data(as_text=True)
    assert count(app, FeedbackSubscription) == 2
    assert client.post(unsubscribe_url).status_code == 404
    assert client.get(unsubscribe_url[:-3] + "abc").status_code == 404
    assert client.post("/cy/you-said-we-did/confirm/not-a-token", data={"csrf_token": client.last_csrf}).status_code == 404
    assert client.get("/cy/you-said-we-did/confirm/not-a-token").status_code == 404


@pytest.mark.parametrize("lang,email,message", [
    ("cy", "", "Rhowch eich cyfeiriad e-bost"),
    ("en", "not-an-email", "Enter an email address in the correct format"),
    ("cy", "a@example.org", "Dewiswch iaith"),
])
def test_bad_subscriptions_are_refused_and_nothing_is_stored(app, client, two_orgs, make_entry, lang, email, message):
    entry_id = make_entry()
    client.get(f"/{lang}/you-said-we-did/{entry_id}")
    data = {"email": email, "csrf_token": client.last_csrf}
    if message != "Dewiswch iaith":
        data["lang"] = lang
    response = client.post(f"/{lang}/you-said-we-did/{entry_id}/follow", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count(app, FeedbackSubscription) == 0 and outbox(app) == []


def test_subscribing_is_rate_limited(app, client, two_orgs, make_entry):
    entry_id = make_entry()
    client.get(f"/en/you-said-we-did/{entry_id}")
    codes = [client.post(f"/en/you-said-we-did/{entry_id}/follow",
                         data={"email": f"p{n}@example.org", "lang": "en", "csrf_token": client.last_csrf}).status_code
             for n in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_admins_read_the_outbox(app, client, two_orgs, make_entry):
    entry_id = make_entry()
    with app.app_context():
        from engage.feedback import follow
        follow.subscribe(db.session.get(FeedbackEntry, entry_id), "reader@example.org", "en")
    sign_in(client, "organiser-a@example.org")
    assert client.get("/en/manage/gwynedd/outbox").status_code == 403
    client.post("/en/sign-out", data={"csrf_token": client.last_csrf})
    sign_in(client, "admin-a@example.org")
    page = client.get("/cy/manage/gwynedd/outbox").get_data(as_text=True)
    assert "reader@example.org" in page and "Confirm that you want to follow" in page
    sign_in(client, "admin-b@example.org")
    assert "reader@example.org" not in client.get("/en/manage/powys/outbox").get_data(as_text=True)


@pytest.fixture
def smtp_sent(app, monkeypatch):  # type: ignore[no-untyped-def]
    """Mail goes by SMTP, to a fake server that records what it was asked to do."""
    import smtplib

    sent: list[tuple] = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):  # type: ignore[no-untyped-def]
            sent.append(("connect", host, port))

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *exc):  # type: ignore[no-untyped-def]
            return False

        def starttls(self):  # type: ignore[no-untyped-def]
            sent.append(("starttls",))

        def login(self, user, password):  # type: ignore[no-untyped-def]
            sent.append(("login", user))

        def send_message(self, msg):  # type: ignore[no-untyped-def]
            sent.append(("message", msg))

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="mail.example.org", SMTP_PORT=2525, SMTP_USERNAME="engage",
                      MAIL_FROM="Engage <engage@example.org>")
    return sent


def test_smtp_backend_sends_with_language_and_unsubscribe_headers(app, two_orgs, smtp_sent):
    from engage import mail

    with app.test_request_context("/en/"):
        mail.send("a@example.org", "Hello", "Body", "both",
                  headers={"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    assert smtp_sent[:3] == [("connect", "mail.example.org", 2525), ("starttls",), ("login", "engage")]
    msg = smtp_sent[3][1]
    assert msg["To"] == "a@example.org" and msg["Content-Language"] == "cy, en"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and msg.get_content().strip() == "Body"
    assert count(app, OutboxMessage) == 0


#: A title pasted with a line break, and one written to add a header of its own.
HOSTILE_TITLE = {"cy": "Goleuadau\r\nBcc: victim@example.org", "en": "Street\rlights\n\u2028on Lôn Las\x0b"}


def _follow(client, entry_id: int, lang: str):  # type: ignore[no-untyped-def]
    page = f"/{lang}/you-said-we-did/{entry_id}"
    client.get(page)
    return client.post(f"{page}/follow", data={"email": "a@example.org", "lang": "both", "csrf_token": client.last_csrf})


def test_a_title_with_line_breaks_makes_a_one_line_subject_in_the_outbox(app, client, two_orgs, make_entry):
    response = _follow(client, make_entry(title=HOSTILE_TITLE), "en")
    assert response.status_code == 200
    [message] = outbox(app)
    assert message.subject == ("Cadarnhewch eich bod am ddilyn “Goleuadau Bcc: victim@example.org” / "
                               "Confirm that you want to follow “Street lights on Lôn Las”")


def test_a_title_with_line_breaks_is_sent_by_smtp_without_a_new_header(app, client, two_orgs, make_entry, smtp_sent):
    response = _follow(client, make_entry(title=HOSTILE_TITLE), "cy")
    assert response.status_code == 200 and count(app, FeedbackSubscription) == 1
    [msg] = [item[1] for item in smtp_sent if item[0] == "message"]
    assert msg["Bcc"] is None and "\n" not in str(msg["Subject"]) and "\r" not in str(msg["Subject"])
    assert str(msg["Subject"]).startswith("Cadarnhewch eich bod am ddilyn “Goleuadau Bcc: victim@example.org”")
    head = msg.as_bytes().split(b"\n\n", 1)[0]  # the body may hold the title as written; the head may not
    assert not any(line.startswith(b"Bcc") for line in head.splitlines())


# --- demo --------------------------------------------------------------------------------------


def test_demo_has_entries_in_every_status_linked_to_events(app):
    from engage.demo import load_demo
    from engage.feedback.models import STATUSES

    with app.app_context():
        list(load_demo())
        list(load_demo())  # a second run changes nothing
        # The ballots demo publishes a pot's results, which adds its own drafts ("pb:…"); not counted here.
        entries = [e for e in db.session.scalars(select(FeedbackEntry)) if not (e.source_key or "").startswith("pb:")]
        assert sorted({e.status for e in entries}) == sorted(STATUSES) and len(entries) == 5
        assert all(e.published and e.events for e in entries)


def test_area_filter_follows_each_languages_alphabet(app, client, two_orgs, make_entry):
    make_entry(area={"cy": "Llanberis", "en": "Llanberis"})
    make_entry(area={"cy": "Lôn Goch", "en": "Lon Goch"})
    welsh = client.get("/cy/you-said-we-did/").get_data(as_text=True)
    english = client.get("/en/you-said-we-did/").get_data(as_text=True)
    # Welsh: "ll" is one letter, after "l", so Lôn comes first; English sorts letter by letter.
    assert welsh.index('value="lon-goch"') < welsh.index('value="llanberis"')
    assert english.index('value="llanberis"') < english.index('value="lon-goch"')


def test_pot_pages_can_list_the_feedback_on_a_pot(app, two_orgs):
    from engage.accounts.services import get_org
    from engage.feedback import drafts, services
    from engage.feedback.routes import feedback_for_pot

    with app.app_context():
        org = get_org("gwynedd")
        made = drafts.drafts_from_pb_results(org, 9, {"cy": "Cronfa", "en": "Fund"}, [
            {"ref": 1, "title": {"cy": "Gardd", "en": "Garden"}, "cost_pence": 100, "votes": 3}], [])
        assert feedback_for_pot(9) == []  # drafts stay private
        for entry in made:
            services.update_entry(entry, {"published": True})
        assert [e.source_key for e in feedback_for_pot(9)] == ["pb:9:project:1", "pb:9:summary"]


def test_no_english_interface_text_on_welsh_feedback_pages(app, client, two_orgs, make_entry, make_event):
    from textcheck import untranslated

    event_id = make_event().id
    entry_id = make_entry(status="not_possible", reason={"cy": "Dim arian.", "en": "No money."}, progress=50,
                          budget_pence=1000, people_count=12, decided_on=date(2026, 3, 2), events=[event_id],
                          theme_codes=("1.1",))
    with app.app_context():
        from engage.feedback import services
        services.add_update(db.session.get(FeedbackEntry, entry_id), {
            "happened_on": date(2026, 3, 3), "body": {"cy": "Newyddion", "en": "News"}, "status": None, "progress": 60})
    sign_in(client, "admin-a@example.org")
    problems = {}
    for path in (f"/you-said-we-did/{entry_id}", "/you-said-we-did/?status=not_possible", f"/events/{event_id}",
                 f"/manage/gwynedd/you-said-we-did/{entry_id}", f"/manage/gwynedd/you-said-we-did/{entry_id}/edit",
                 "/manage/gwynedd/you-said-we-did/"):
        cy, en = (client.get(f"/{lang}{path}").get_data(as_text=True) for lang in ("cy", "en"))
        # Place names are the same in both languages; audit summaries are marked lang="en".
        if left := untranslated(cy, en, allow={"Bangor", "Neuadd y Dref", "admin-a@example.org"}):
            problems[path] = left
    assert problems == {}


@pytest.mark.parametrize("sub_id", [str(2**31), str(2**63), "9" * 25, "²", "0"])
def test_an_unsubscribe_link_with_an_impossible_id_is_not_found(client, sub_id):
    """The id part of an unsubscribe token goes to the database only if the database can hold it."""
    for lang in ("cy", "en"):
        assert client.get(f"/{lang}/you-said-we-did/unsubscribe/{sub_id}.abc").status_code == 404
        assert client.post(f"/{lang}/you-said-we-did/unsubscribe/{sub_id}.abc").status_code == 404
