"""Issue #19, 1: every text the council writes for an event's public page (venue, partners,
accessibility as well as title and description) is kept in both languages and needed in both before
the event is public; each language's page, calendar, email, poster and file shows its own."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from icalendar import Calendar
from sqlalchemy import func, select, text

from helpers import sign_in
from engage.events.models import Event
from engage.extensions import db
from test_events import form_data

BOTH = {"venue_name-cy": "Neuadd Goffa Cricieth", "venue_name-en": "Criccieth Memorial Hall",
        "partners-cy": "Cyngor Gwynedd", "partners-en": "Gwynedd Council"}


def count_events(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count(Event.id)))


def test_accessibility_in_english_only_on_a_public_event_is_refused_in_welsh(app, client, two_orgs):
    sign_in(client, "organiser-a@example.org")
    response = client.submit("/cy/manage/gwynedd/events/new",
                             form_data(**{"accessibility-en": "Step-free access.", "accessibility-cy": ""}))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#accessibility-cy"' in html and "Rhowch y testun Cymraeg" in html
    assert count_events(app) == 0


@pytest.mark.parametrize("given", [{"venue_name-cy": "", "venue_name-en": "Criccieth Memorial Hall"},
                                   {"partners-cy": "", "partners-en": "Gwynedd Council"},
                                   {"partners-cy": "Cyngor Gwynedd", "partners-en": ""}])
def test_a_venue_or_partners_in_one_language_keeps_an_event_off_the_public_pages(app, client, two_orgs, given):
    sign_in(client, "organiser-a@example.org")
    data = form_data(**{**BOTH, **given})
    response = client.submit("/cy/manage/gwynedd/events/new", data)
    missing = next(k for k, v in given.items() if v == "")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and f'href="#{missing}"' in html
    assert ("Rhowch y testun Cymraeg" if missing.endswith("-cy") else "Rhowch y testun Saesneg") in html
    assert count_events(app) == 0
    # A staff-only draft may have the gap, like the title and description.
    assert client.submit("/cy/manage/gwynedd/events/new", {**data, "public": ""}).status_code == 302
    assert count_events(app) == 1


def test_the_service_refuses_a_public_event_with_a_gap_and_changes_nothing(app, two_orgs, make_event):
    from engage.events import services

    event_id = make_event(accessibility={"cy": "Mynediad heb risiau.", "en": "Step-free access."}).id
    with app.app_context():
        event = db.session.get(Event, event_id)
        data = {name: event.texts(name) for name in services.BILINGUAL}
        data.update({name: getattr(event, name) for name in services.EDITABLE})
        data["accessibility"] = {"cy": "", "en": "Step-free access and a hearing loop."}
        with pytest.raises(services.EventRefusal) as refused:
            services.update_event(event, data)
        assert refused.value.field == "accessibility"
        db.session.rollback()
        assert db.session.get(Event, event_id).accessibility_en == "Step-free access."


def test_venue_and_partners_in_both_languages_each_on_its_own_page(app, client, two_orgs):
    sign_in(client, "organiser-a@example.org")
    response = client.submit("/cy/manage/gwynedd/events/new", form_data(**BOTH))
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert (event.venue_name_cy, event.venue_name_en) == ("Neuadd Goffa Cricieth", "Criccieth Memorial Hall")
        assert (event.partners_cy, event.partners_en) == ("Cyngor Gwynedd", "Gwynedd Council")
        event_id = event.id
    welsh = client.get(f"/cy/events/{event_id}").get_data(as_text=True)
    english = client.get(f"/en/events/{event_id}").get_data(as_text=True)
    assert "Neuadd Goffa Cricieth" in welsh and "Cyngor Gwynedd" in welsh
    assert "Criccieth Memorial Hall" not in welsh and "Gwynedd Council" not in welsh
    assert "Criccieth Memorial Hall" in english and "Gwynedd Council" in english
    assert "Neuadd Goffa Cricieth" not in english
    assert "Criccieth Memorial Hall" not in client.get("/cy/events/").get_data(as_text=True)
    # The edit form brings both back.
    form = client.get(f"/en/manage/gwynedd/events/{event_id}/edit").get_data(as_text=True)
    assert 'value="Neuadd Goffa Cricieth"' in form and 'value="Gwynedd Council"' in form


def test_the_calendar_gives_the_location_in_its_own_language(client, two_orgs, make_event):
    make_event(venue_name={"cy": "Neuadd Goffa Cricieth", "en": "Criccieth Memorial Hall"}, start=datetime(2030, 3, 5, 14))
    for lang, venue in (("cy", "Neuadd Goffa Cricieth"), ("en", "Criccieth Memorial Hall")):
        event = Calendar.from_ical(client.get(f"/{lang}/events/calendar.ics").data).walk("VEVENT")[0]
        assert str(event["location"]) == f"{venue}, LL55 1AB"


def test_the_poster_shows_both_venue_names_welsh_first(app, client, two_orgs, make_event):
    event = make_event(venue_name={"cy": "Neuadd Goffa Cricieth", "en": "Criccieth Memorial Hall"})
    sign_in(client, "organiser-a@example.org")
    page = client.get(f"/en/manage/gwynedd/events/{event.id}/poster").get_data(as_text=True)
    assert 0 < page.index("Neuadd Goffa Cricieth") < page.index("Criccieth Memorial Hall")


def test_the_ticket_email_names_the_venue_in_the_residents_language(app, two_orgs, make_event):
    from engage.checkin import services

    event = make_event(venue_name={"cy": "Neuadd Goffa Cricieth", "en": "Criccieth Memorial Hall"})
    with app.app_context():
        from engage.checkin.ticket_mail import _ticket_lines

        event = db.session.get(Event, event.id)
        ticket = services.register(event, {"name": "Ann Jones", "email": "ann@example.org", "preferred_lang": "cy"})
        from flask_babel import force_locale
        for lang, locale, venue, other in (("cy", "cy", "Neuadd Goffa Cricieth", "Criccieth"),
                                           ("en", "en_GB", "Criccieth Memorial Hall", "Neuadd")):
            with app.test_request_context(), force_locale(locale):
                where = "\n".join(_ticket_lines(ticket, lang))
            assert venue in where and other not in where.replace(venue, "")


def test_the_staff_export_has_both_languages_of_venue_and_partners(client, two_orgs, make_event):
    make_event(partners={"cy": "Cyngor Gwynedd", "en": "Gwynedd Council"})
    sign_in(client, "organiser-a@example.org")
    row = next(csv.DictReader(io.StringIO(client.get("/en/manage/gwynedd/events.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert row["Venue (Welsh)"] == "Neuadd y Dref" and row["Venue (English)"] == "Town Hall"
    assert row["Partners (Welsh)"] == "Cyngor Gwynedd" and row["Partners (English)"] == "Gwynedd Council"
    welsh = client.get("/cy/manage/gwynedd/events.csv").get_data(as_text=True).lstrip("\ufeff")
    row = next(csv.DictReader(io.StringIO(welsh)))
    assert row["Lleoliad (Cymraeg)"] == "Neuadd y Dref" and row["Partneriaid (Saesneg)"] == "Gwynedd Council"


def test_the_migration_keeps_an_existing_venue_and_partners(app_factory, tmp_path):
    """0022 copies the old single venue and partners into the event's language of delivery (both for a
    bilingual event), and downgrading puts them back."""
    from flask_migrate import downgrade, upgrade

    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with app.app_context():
        upgrade(revision="0021_report_snapshot")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO organisations (id, slug, name_cy, name_en, created_at, require_two_step) "
                              "VALUES (1, 'gwynedd', 'Cyngor Gwynedd', 'Gwynedd Council', '2026-01-01 00:00:00', 0)"))
            for n, language, venue, partners in ((1, "bilingual", "Neuadd Goffa Cricieth", "Cyngor Gwynedd"),
                                                 (2, "en", "Criccieth Memorial Hall", None),
                                                 (3, "cy", "Llyfrgell Bangor", "Age Cymru")):
                conn.execute(text(
                    "INSERT INTO events (id, org_id, title_cy, title_en, kind, starts_at, ends_at, online, venue_name, "
                    "delivery_language, partners, status, public, outcomes_public, pulse_enabled, created_at, updated_at) "
                    "VALUES (:n, 1, 'Te', 'Tea', 'engagement', '2026-03-01 10:00:00', '2026-03-01 12:00:00', 0, :venue, "
                    ":language, :partners, 'planned', 0, 0, 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"),
                    {"n": n, "venue": venue, "language": language, "partners": partners})
        upgrade(revision="0022_event_bilingual_fields")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, venue_name_cy, venue_name_en, partners_cy, partners_en "
                                     "FROM events ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [
            (1, "Neuadd Goffa Cricieth", "Neuadd Goffa Cricieth", "Cyngor Gwynedd", "Cyngor Gwynedd"),
            (2, None, "Criccieth Memorial Hall", None, None),
            (3, "Llyfrgell Bangor", None, "Age Cymru", None),
        ]
        downgrade(revision="0021_report_snapshot")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT venue_name, partners FROM events ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("Neuadd Goffa Cricieth", "Cyngor Gwynedd"),
                                            ("Criccieth Memorial Hall", None), ("Llyfrgell Bangor", "Age Cymru")]
        db.engine.dispose()


def test_filling_in_a_missing_venue_language_is_not_a_move_but_renaming_it_is(app, door):
    """An event saved before both languages were needed (its venue in English only) gets its Welsh
    name: ticket holders hear nothing. A venue name that changes is a move, as before."""
    from test_ticket_mail import _edit, _mail

    with app.app_context():
        event = db.session.get(Event, door.other.id)
        event.venue_name_cy, event.venue_name_en, event.public = None, "Criccieth Memorial Hall", False
        db.session.commit()
    _edit(app, door.other.id, venue_name={"cy": "Neuadd Goffa Cricieth", "en": "Criccieth Memorial Hall"}, public=True)
    assert len(_mail(app, "carys@example.org")) == 1  # only the ticket itself
    _edit(app, door.other.id, venue_name={"cy": "Llyfrgell Cricieth", "en": "Criccieth Library"})
    moved = _mail(app, "carys@example.org")
    assert len(moved) == 2 and "Llyfrgell Cricieth" in moved[-1][1] and "Criccieth Library" in moved[-1][1]
