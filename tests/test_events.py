"""The event log: staff pages, public pages, the calendar feed, bad input and scoping."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from helpers import sign_in, wales_now
from engage.audit.models import AuditEntry
from engage.events.models import Event, Theme
from engage.extensions import db

# Typed into the form, so a Wales wall-clock time (not the machine's zone).
NEXT_WEEK = (wales_now() + timedelta(days=7)).replace(hour=18, minute=0, second=0, microsecond=0)


def form_data(**overrides):  # type: ignore[no-untyped-def]
    data = {
        "title-cy": "Noson gymunedol", "title-en": "Community evening",
        "description-cy": "Dewch i sgwrsio.", "description-en": "Come and chat.",
        "kind": "engagement", "starts_at": NEXT_WEEK.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (NEXT_WEEK + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "venue_name-cy": "Neuadd Goffa", "venue_name-en": "Memorial Hall", "postcode": "ll55 1ab", "delivery_language": "bilingual",
        "status": "planned", "public": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def count_events(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count(Event.id)))


def theme_id(app, org_slug: str, code: str) -> int:  # type: ignore[no-untyped-def]
    from engage.accounts.services import get_org
    with app.app_context():
        org = get_org(org_slug)
        return db.session.scalar(select(Theme.id).where(Theme.org_id == org.id, Theme.code == code))


def test_new_organisations_get_the_programme_objectives(app, two_orgs):
    from engage.accounts.services import get_org
    from engage.events.models import Audience

    with app.app_context():
        org = get_org("powys")
        codes = db.session.scalars(select(Theme.code).where(Theme.org_id == org.id).order_by(Theme.code)).all()
        audiences = db.session.scalars(select(Audience.name_cy).where(Audience.org_id == org.id)).all()
    assert codes == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3"]
    assert "Ffoaduriaid a cheiswyr lloches" in audiences and len(audiences) == 10


def test_log_an_event_through_the_staff_pages(app, client, two_orgs):
    sign_in(client, "organiser-a@example.org")
    tid = theme_id(app, "gwynedd", "2.3")
    response = client.submit("/cy/manage/gwynedd/events/new", form_data(themes=str(tid)))
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mae’r digwyddiad wedi’i gadw." in detail and "Noson gymunedol" in detail
    assert "2.3 Cynnwys cymunedau sydd ar y cyrion" in detail
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert event.postcode == "LL55 1AB" and event.public and [t.code for t in event.themes] == ["2.3"]
        from engage.dates import utc_to_local
        assert utc_to_local(event.starts_at).replace(tzinfo=None) == NEXT_WEEK
        assert db.session.scalar(select(AuditEntry.kind).where(AuditEntry.kind == "events.created")) == "events.created"
    listing = client.get("/en/manage/gwynedd/events/").get_data(as_text=True)
    assert "Community evening" in listing


@pytest.mark.parametrize("overrides,field,welsh", [
    ({"ends_at": NEXT_WEEK.strftime("%Y-%m-%dT%H:%M"), "starts_at": (NEXT_WEEK + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")},
     "ends_at", "Rhaid i’r diwedd fod ar ôl y dechrau"),
    ({"title-cy": ""}, "title-cy", "Rhowch y testun Cymraeg"),
    ({"description-en": ""}, "description-en", "Rhowch y testun Saesneg"),
    ({"themes": "999999"}, "themes-0", "Dewiswch opsiynau o’r rhestr yn unig"),  # a group: its first box
    ({"title-en": "x" * 201}, "title-en", "Rhowch 200 nod neu lai"),
    ({"starts_at": "2026-02-30T10:00"}, "starts_at", "Rhowch ddyddiad ac amser go iawn"),
    ({"venue_name-cy": "", "venue_name-en": ""}, "venue_name-cy", "Rhowch enw’r lleoliad"),
    ({"postcode": "NOT A CODE"}, "postcode", "Rhowch god post go iawn"),
    ({"kind": "party"}, "kind-0", "Dewiswch un o’r opsiynau"),
])
def test_bad_event_input_is_explained_next_to_the_field_and_nothing_is_saved(app, client, two_orgs, overrides, field, welsh):
    sign_in(client, "organiser-a@example.org")
    response = client.submit("/cy/manage/gwynedd/events/new", form_data(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'href="#{field}"' in html  # the error summary links to the field
    assert welsh in html
    assert count_events(app) == 0


def test_a_staff_only_event_may_have_one_language(app, client, two_orgs):
    sign_in(client, "organiser-a@example.org")
    response = client.submit("/en/manage/gwynedd/events/new", form_data(**{"title-cy": "", "description-cy": "", "public": None}))
    assert response.status_code == 302
    assert count_events(app) == 1


def test_another_organisations_theme_is_refused(app, client, two_orgs):
    sign_in(client, "organiser-a@example.org")
    other = theme_id(app, "powys", "1.1")
    response = client.submit("/en/manage/gwynedd/events/new", form_data(themes=str(other)))
    assert response.status_code == 400 and "Select only options from the list" in response.get_data(as_text=True)
    assert count_events(app) == 0


def test_the_database_refuses_what_the_forms_refuse(app, make_event, two_orgs):
    from sqlalchemy.exc import IntegrityError

    from engage.db import write_transaction

    event_id = make_event().id
    with app.app_context():
        for change in ({"title_cy": None}, {"ends_at": None}):
            with pytest.raises(IntegrityError):
                with write_transaction():
                    event = db.session.get(Event, event_id)
                    if "ends_at" in change:
                        event.ends_at = event.starts_at - timedelta(hours=1)
                    else:
                        event.title_cy = None
            db.session.rollback()


def test_edit_duplicate_and_cross_organisation_access(app, client, two_orgs, make_event):
    event_id = make_event().id
    other_id = make_event("powys").id
    sign_in(client, "organiser-a@example.org")
    page = client.get(f"/en/manage/gwynedd/events/{event_id}/edit").get_data(as_text=True)
    assert 'value="Coffee morning"' in page
    response = client.submit(f"/en/manage/gwynedd/events/{event_id}/edit", form_data(**{"title-en": "Coffee and chat"}))
    assert response.status_code == 302
    client.get(f"/en/manage/gwynedd/events/{event_id}")
    response = client.post(f"/en/manage/gwynedd/events/{event_id}/duplicate", data={"csrf_token": client.last_csrf})
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit")
    with app.app_context():
        copies = db.session.scalars(select(Event).where(Event.title_en == "Coffee and chat")).all()
        assert len(copies) == 2 and sorted(e.public for e in copies) == [False, True]
    for path in (f"/en/manage/gwynedd/events/{other_id}", f"/en/manage/gwynedd/events/{other_id}/edit",
                 f"/en/manage/gwynedd/events/{other_id}/outcome", f"/en/manage/powys/events/{other_id}"):
        assert client.get(path).status_code == 404, path
    response = client.post(f"/en/manage/gwynedd/events/{other_id}/duplicate", data={"csrf_token": client.last_csrf})
    assert response.status_code == 404


def test_record_what_happened_with_headcounts_by_audience(app, client, two_orgs, make_event):
    event_id = make_event(audience_keys=["young_people"]).id
    sign_in(client, "organiser-a@example.org")
    with app.app_context():
        from engage.events.models import Audience
        young = db.session.scalar(select(Audience.id).join(Event.audiences).where(Event.id == event_id))
    url = f"/cy/manage/gwynedd/events/{event_id}/outcome"
    bad = client.submit(url, {"status": "held", "headcount": "-3", f"aud-{young}": "lots"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and f'href="#aud-{young}"' in html and "Rhowch rif cyfan" in html
    unpublishable = client.submit(url, {"status": "held", "narrative-en": "People came", "outcomes_public": "y"})
    assert unpublishable.status_code == 400 and "Rhowch y testun Cymraeg" in unpublishable.get_data(as_text=True)
    good = client.submit(url, {"status": "held", "headcount": "25", f"aud-{young}": "9",
                               "narrative-cy": "Daeth pobl ifanc.", "narrative-en": "Young people came.",
                               "outcomes-cy": "Clwb newydd.", "outcomes-en": "A new club.", "outcomes_public": "y"})
    assert good.status_code == 302
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert event.status == "held" and event.headcount == 25 and event.audience_counts == {young: 9}
        assert event.recorded_by.email == "organiser-a@example.org" and event.recorded_at is not None
    public = client.get(f"/en/events/{event_id}").get_data(as_text=True)
    assert "A new club." in public and "People who attended: 25" in public


def test_public_pages_list_only_public_upcoming_events(app, client, two_orgs, make_event):
    upcoming = make_event(title={"cy": "Te parti", "en": "Tea party"}, start=datetime(2030, 3, 5, 14, 0)).id
    make_event(title={"cy": "Cyfarfod staff", "en": "Staff meeting"}, public=False)
    past = make_event(title={"cy": "Hen ddigwyddiad", "en": "Old event"}, start=datetime(2024, 1, 9, 10, 0), status="held").id
    cy = client.get("/cy/events/").get_data(as_text=True)
    assert "Te parti" in cy and "Cyfarfod staff" not in cy and "Hen ddigwyddiad" not in cy
    assert "Dydd Maw" in cy and "5 Mawrth 2030, 14:00–16:00" in cy  # Tuesday 5 March 2030, in Welsh
    assert 'type="text/calendar"' in cy and "/cy/events/calendar.ics" in cy
    page = client.get(f"/cy/events/{upcoming}").get_data(as_text=True)
    assert "<h1>Te parti</h1>" in page and "Dwyieithog (Cymraeg a Saesneg)" in page
    assert "Old event" in client.get("/en/events/past").get_data(as_text=True)
    assert client.get(f"/en/events/{past}").status_code == 200
    with app.app_context():
        staff_only = db.session.scalar(select(Event.id).where(Event.title_en == "Staff meeting"))
    assert client.get(f"/en/events/{staff_only}").status_code == 404


def test_calendar_feed_in_each_language(app, client, two_orgs, make_event):
    make_event(title={"cy": "Te parti", "en": "Tea party"}, start=datetime(2030, 3, 5, 14, 0))
    make_event(title={"cy": "Cyfarfod staff", "en": "Staff meeting"}, start=datetime(2030, 3, 6, 14, 0), public=False)
    for lang, title in (("cy", "Te parti"), ("en", "Tea party")):
        response = client.get(f"/{lang}/events/calendar.ics")
        assert response.mimetype == "text/calendar"
        cal = Calendar.from_ical(response.data)
        events = [c for c in cal.walk("VEVENT")]
        assert [str(e["summary"]) for e in events] == [title]
        assert events[0].decoded("dtstart").isoformat() == "2030-03-05T14:00:00+00:00"  # GMT in March
        assert str(events[0]["url"]).endswith(f"/{lang}/events/{events[0]['uid'].split('-')[1].split('@')[0]}")


def test_calendar_feed_has_no_control_characters(client, two_orgs, make_event):
    # RFC 5545 forbids control characters in text (the library escapes line breaks, nothing else).
    make_event(title={"cy": "Te\x0b parti\x01", "en": "Tea\x01 party\ufffe"}, venue_name={"cy": "Neuadd\x1f y Dref", "en": "Town\x1f Hall"},
               description={"cy": "Croeso\x07 i bawb.", "en": "Everyone\x7f welcome."}, start=datetime(2030, 3, 5, 14, 0))
    for lang, title, venue in (("cy", "Te parti", "Neuadd y Dref"), ("en", "Tea party", "Town Hall")):
        data = client.get(f"/{lang}/events/calendar.ics").data
        assert re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xef\xbf\xbe", data) is None
        event = Calendar.from_ical(data).walk("VEVENT")[0]
        assert str(event["summary"]) == title and str(event["location"]).startswith(venue)


def test_staff_filters_and_csv_export(app, client, two_orgs, make_event):
    make_event(title={"cy": "Hyfforddiant", "en": "Training day"}, kind="training", start=datetime(2026, 9, 10, 10),
               theme_codes=["1.1"], status="held")
    make_event(title={"cy": "Bore coffi", "en": "Coffee morning"}, start=datetime(2026, 10, 3, 10),
               theme_codes=["2.3"], audience_keys=["refugees"])
    make_event(title={"cy": "Gêm bêl-droed", "en": "Football match"}, start=datetime(2026, 10, 20, 10),
               audience_keys=["young_people"], partners={"cy": "Clwb Pêl-droed Bangor", "en": "Bangor Football Club"})
    make_event("powys", title={"cy": "Powys", "en": "Powys event"}, start=datetime(2026, 10, 5, 10))
    sign_in(client, "organiser-a@example.org")

    def titles(query: str) -> list[str]:
        import csv
        import io
        rows = list(csv.DictReader(io.StringIO(client.get(f"/en/manage/gwynedd/events.csv?{query}").get_data()
                                               .decode("utf-8-sig"))))
        return sorted(r["Title (English)"] for r in rows)

    assert titles("") == ["Coffee morning", "Football match", "Training day"]
    assert titles("kind=training") == ["Training day"]
    assert titles("status=held") == ["Training day"]
    assert titles(f"theme={theme_id(app, 'gwynedd', '2.3')}") == ["Coffee morning"]
    assert titles("date_from=2026-10-01&date_to=2026-10-03") == ["Coffee morning"]
    assert titles("q=bangor") == ["Football match"]
    assert titles("q=100%25") == []
    page = client.get("/en/manage/gwynedd/events/?kind=training").get_data(as_text=True)
    assert "Training day" in page and "Coffee morning" not in page and "Events found: 1" in page
    assert "events.csv?kind=training" in page


def test_admins_edit_objectives_and_audiences(app, client, two_orgs):
    sign_in(client, "organiser-a@example.org")
    assert client.get("/en/manage/gwynedd/themes").status_code == 403
    client.post("/en/sign-out", data={"csrf_token": client.last_csrf})
    sign_in(client, "admin-a@example.org")
    tid = theme_id(app, "gwynedd", "3.3")
    response = client.submit(f"/en/manage/gwynedd/themes/{tid}", {"code": "3.3", "name-cy": "Arian ychwanegol",
                                                                  "name-en": "Extra money", "active": "y"})
    assert response.status_code == 302
    clash = client.submit(f"/cy/manage/gwynedd/themes/{tid}", {"code": "1.1", "name-cy": "A", "name-en": "B"})
    assert clash.status_code == 400 and "Mae gan amcan arall y rhif hwn yn barod" in clash.get_data(as_text=True)
    new = client.submit("/en/manage/gwynedd/audiences/new", {"name-cy": "Gofalwyr", "name-en": "Carers", "active": "y"})
    assert new.status_code == 302
    page = client.get("/en/manage/gwynedd/themes").get_data(as_text=True)
    assert "Extra money" in page and "Carers" in page
    powys = theme_id(app, "powys", "1.1")
    assert client.get(f"/en/manage/gwynedd/themes/{powys}").status_code == 404
