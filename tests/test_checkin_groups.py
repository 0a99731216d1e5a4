"""Group check-in (issue #17: one booking, several people): registering a party, capacity in people,
the door's "how many have arrived?", counts of people in reports and exports, and the counter that
keeps a ticket's arrivals within its places under races."""
from __future__ import annotations

import csv
import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask_babel import force_locale, ngettext
from sqlalchemy import func, select

from engage.checkin import labels, services
from engage.checkin.models import EventCheckin, Scan, Ticket
from engage.events.models import Event
from engage.extensions import db
from helpers import Client, sign_in
from test_checkin import api, staff  # noqa: F401  (a fixture)
from test_checkin_trust import powys, scan_as  # noqa: F401  (a fixture)


def _group(app, door, places: int, name: str = "Elin Parry"):  # type: ignore[no-untyped-def]
    with app.app_context():
        event = db.session.get(Event, door.event.id)
        ticket = services.register(event, {"name": name, "email": "elin@example.org", "places": places})
        return ticket.id, ticket.code, ticket.token


def _settings(app, door, **values) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        settings = db.session.get(EventCheckin, door.event.id)
        for name, value in values.items():
            setattr(settings, name, value)
        db.session.commit()


def _count(app, door) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return services.live_count(door.event.id)


def _scan(app, door, nonce: str, **kw):  # type: ignore[no-untyped-def]
    with app.app_context():
        return services.record_scan(db.session.get(Event, door.event.id), method="typed_code", nonce=nonce, **kw)


# --- registration ----------------------------------------------------------------------------------


def test_registering_three_with_capacity_five_leaves_two(app, client, door):
    _settings(app, door, registration_open=True, capacity=7)  # Ann and Bob hold 2 of 7: five left
    url = f"/en/events/{door.event.id}/register"
    page = client.get(url).get_data(as_text=True)
    assert "How many people, including you?" in page and "Places left: 5" in page
    done = client.submit(url, {"name": "Elin Parry", "email": "elin@example.org", "preferred_lang": "en",
                               "places": "3", "consent": "y"})
    assert done.status_code == 302
    assert "Ticket for 3 people" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Places left: 2" in client.get(url).get_data(as_text=True)
    with app.app_context():
        elin = db.session.scalar(select(Ticket).where(Ticket.email == "elin@example.org"))
        assert elin.places == 3 and not elin.waiting


@pytest.mark.parametrize("places", ["0", "-1", "7", "999", "abc", "2.5"])
def test_a_party_outside_one_to_the_events_limit_is_refused(app, client, door, places):
    _settings(app, door, registration_open=True, max_party=6)
    bad = client.submit(f"/cy/events/{door.event.id}/register", {
        "name": "Elin Parry", "email": "elin@example.org", "preferred_lang": "cy", "places": places, "consent": "y"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Faint o bobl, gan eich cynnwys chi?" in html
    assert 'class="error-message"' in html and "Not a valid" not in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Ticket.id)).where(Ticket.email == "elin@example.org")) == 0


def test_the_organiser_sets_the_most_people_per_registration(app, door):
    client = Client(app)
    sign_in(client, "organiser-a@example.org")
    url = f"/cy/manage/gwynedd/events/{door.event.id}/checkin-settings"
    assert "Uchafswm y bobl ar un cofrestriad" in client.get(url).get_data(as_text=True)
    form = {"opens_minutes_before": "30", "closes_minutes_after": "0", "registration_open": "y", "max_party": "2"}
    for bad in ("0", "21", "abc", "-3"):
        assert client.submit(url, {**form, "max_party": bad}).status_code == 400, bad
    assert client.submit(url, {**form, "max_party": ""}).status_code == 302  # left empty: unchanged
    with app.app_context():
        assert db.session.get(EventCheckin, door.event.id).max_party == 6
    assert client.submit(url, form).status_code == 302
    with app.app_context():
        assert db.session.get(EventCheckin, door.event.id).max_party == 2
    page = Client(app).get(f"/en/events/{door.event.id}/register").get_data(as_text=True)
    assert "Up to 2 people on one registration." in page
    _settings(app, door, max_party=1)
    assert "How many people" not in Client(app).get(f"/en/events/{door.event.id}/register").get_data(as_text=True)


def test_a_party_that_does_not_fit_waits_whole_and_moves_up_when_it_fits(app, door):
    _settings(app, door, capacity=5)  # Ann and Bob: 2 taken
    with app.app_context():
        event = db.session.get(Event, door.event.id)
        three = services.register(event, {"name": "Tri", "phone": "1", "places": 3})
        assert not three.waiting and services.places_left(event) == 0
        pair = services.register(event, {"name": "Pâr", "phone": "2", "places": 2})
        one = services.register(event, {"name": "Un", "phone": "3"})
        assert pair.waiting and one.waiting
        # Ann gives up her place: one free. The pair (first on the list) does not fit; the one after does.
        assert [t.id for t in services.cancel_ticket(db.session.get(Ticket, door.ann.id))] == [one.id]
        assert db.session.get(Ticket, pair.id).waiting and services.places_left(event) == 0
        # The three give up theirs: the pair fits now, and keeps its turn.
        assert [t.id for t in services.cancel_ticket(db.session.get(Ticket, three.id))] == [pair.id]
        assert services.places_left(event) == 1 and services.places_taken(event) == 4


# --- the door ----------------------------------------------------------------------------------------


def test_the_door_checks_in_two_of_four_then_two_more_then_refuses_a_fifth(app, door):
    ticket_id, code, _token = _group(app, door, 4)
    asked = _scan(app, door, "group-ask-0001", code=code)
    assert asked.result == "group" and asked.places == 4 and asked.to_come == 4 and asked.scan_id is None
    with app.app_context():
        assert db.session.scalar(select(func.count(Scan.id))) == 0  # a question writes nothing
    first = _scan(app, door, "group-two-0001", code=code, people=2)
    assert first.result == "ok" and first.people == 2 and (first.arrived, first.to_come) == (2, 2)
    assert _count(app, door) == 2
    again = _scan(app, door, "group-ask-0002", code=code)
    assert again.result == "group" and (again.arrived, again.to_come) == (2, 2)
    too_many = _scan(app, door, "group-three-001", code=code, people=3)
    assert too_many.result == "group" and too_many.too_many and _count(app, door) == 2
    rest = _scan(app, door, "group-rest-0001", code=code, people=2)
    assert rest.result == "ok" and rest.to_come == 0 and _count(app, door) == 4
    fifth = _scan(app, door, "group-five-0001", code=code, people=1)
    assert fifth.result == "already_checked_in" and fifth.earlier_at is not None
    assert _scan(app, door, "group-ask-0003", code=code).result == "already_checked_in"
    with app.app_context():
        assert db.session.get(Ticket, ticket_id).arrived == 4 and services.live_count(door.event.id) == 4


def test_undo_takes_back_one_check_in_of_a_group(app, door):
    from engage.accounts.services import find_user

    ticket_id, code, _token = _group(app, door, 4)
    first = _scan(app, door, "undo-grp-00001", code=code, people=3)
    second = _scan(app, door, "undo-grp-00002", code=code, people=1)
    assert _count(app, door) == 4
    with app.app_context():
        event = db.session.get(Event, door.event.id)
        assert services.undo(event, first.scan_id, find_user("organiser-a@example.org")) is not None
        assert services.undo(event, first.scan_id, find_user("organiser-a@example.org")) is None  # once
        assert db.session.get(Ticket, ticket_id).arrived == 1 and services.live_count(event.id) == 1
    assert second.result == "ok"
    assert _scan(app, door, "undo-grp-00003", code=code, people=3).result == "ok"  # the three can come in again
    assert _count(app, door) == 4


def test_counts_in_reports_and_exports_are_people(app, staff, door):  # noqa: F811
    _ticket_id, code, _token = _group(app, door, 4)
    api(staff, door, {"method": "typed_code", "code": code, "nonce": "count-grp-0001", "people": 3})
    api(staff, door, {"method": "typed_code", "code": door.ann.code, "nonce": "count-ann-0001"})
    api(staff, door, {"method": "walk_in", "nonce": "count-walk-001", "people": 2})
    from engage.accounts.services import get_org
    from engage.events import reports

    with app.app_context():
        event = db.session.get(Event, door.event.id)
        assert services.live_count(event.id) == 6 and services.counts_by_event([event.id]) == {event.id: 6}
        local = event.starts_at.astimezone()
        data = reports.build(get_org("gwynedd"), local.year, local.month)
        assert data.checked_in[event.id] == 6 and data.attendance(event) == 6
    assert staff.get(f"/api/orgs/gwynedd/events/{door.event.id}/counts").json["checked_in"] == 6
    events_csv = list(csv.reader(io.StringIO(staff.get("/en/manage/gwynedd/events.csv").get_data().decode("utf-8-sig"))))
    column = events_csv[0].index("People checked in")
    assert [row[column] for row in events_csv[1:] if "Community night" in ",".join(row)] == ["6"]
    rows = list(csv.reader(io.StringIO(staff.get(f"/en/manage/gwynedd/events/{door.event.id}/tickets.csv")
                                       .get_data().decode("utf-8-sig"))))
    assert rows[0][-2:] == ["People", "People arrived"]
    elin = next(r for r in rows if r[0] == "Elin Parry")
    assert elin[-2:] == ["4", "3"] and elin[7] == "Yes"
    page = staff.get(f"/en/manage/gwynedd/events/{door.event.id}/tickets").get_data(as_text=True)
    assert "People with places: 6 · Checked in: 4" in page and ">3 of 4</td>" in page


def test_two_doors_check_in_the_same_pair_at_once_and_two_arrive(app, door):
    """Both doors ask for both people of a group of 2: one gets them in, the other is told they are in."""
    _ticket_id, code, _token = _group(app, door, 2)
    barrier = threading.Barrier(2)

    def door_phone(n: int) -> str:
        with app.app_context():
            event = db.session.get(Event, door.event.id)
            db.session.commit()  # give the connection back to the pool while waiting
            barrier.wait(timeout=30)
            try:
                return services.record_scan(event, method="typed_code", nonce=f"pair-door-{n:04d}", code=code,
                                            people=2).result
            finally:
                db.session.remove()

    with ThreadPoolExecutor(2) as pool:  # an exception in a thread is raised here
        results = list(pool.map(door_phone, range(2)))
    assert sorted(results) == ["already_checked_in", "ok"]
    assert _count(app, door) == 2


def test_ten_doors_one_each_let_in_exactly_a_group_of_four(app, door):
    ticket_id, code, _token = _group(app, door, 4)
    barrier = threading.Barrier(10)

    def door_phone(n: int) -> str:
        with app.app_context():
            event = db.session.get(Event, door.event.id)
            db.session.commit()
            barrier.wait(timeout=30)
            try:
                return services.record_scan(event, method="typed_code", nonce=f"ten-door-{n:04d}", code=code,
                                            people=1).result
            finally:
                db.session.remove()

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(door_phone, range(10)))
    assert sorted(results) == ["already_checked_in"] * 6 + ["ok"] * 4
    with app.app_context():
        assert db.session.get(Ticket, ticket_id).arrived == 4 and services.live_count(door.event.id) == 4


def _nonce(html: str) -> str:
    form = html[html.index("data-group-form"):]
    return re.search(r'name="nonce" value="([0-9a-f]+)"', form).group(1)


def test_the_door_without_javascript_asks_and_checks_in_part_of_a_group(app, staff, door):  # noqa: F811
    ticket_id, code, _token = _group(app, door, 4)
    url = f"/cy/manage/gwynedd/events/{door.event.id}/door"
    staff.get(url)
    asked = staff.post(url + "/code", data={"csrf_token": staff.last_csrf, "nonce": "nojs-grp-00001", "code": code})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Archeb ar gyfer 4 o bobl: faint sydd wedi cyrraedd?" in html
    assert f'action="/cy/manage/gwynedd/events/{door.event.id}/door/ticket/{ticket_id}#door-now"' in html
    assert 'name="people" value="4"' in html and 'name="method" value="typed_code"' in html
    for bad in ("0", "-1", "999", "abc", ""):
        refused = staff.post(f"{url}/ticket/{ticket_id}", data={"csrf_token": staff.last_csrf, "nonce": _nonce(html),
                                                                 "method": "typed_code", "people": bad})
        text = refused.get_data(as_text=True)
        assert refused.status_code == 400 and "Rhowch nifer o bobl, o 1 i 50." in text, bad
        assert "Archeb ar gyfer 4 o bobl" in text  # the question again
    assert _count(app, door) == 0
    done = staff.post(f"{url}/ticket/{ticket_id}", data={"csrf_token": staff.last_csrf, "nonce": _nonce(html),
                                                          "method": "typed_code", "people": "2"})
    page = done.get_data(as_text=True)
    assert "Presenoldeb wedi’i gofrestru: 2 o bobl" in page and "Wedi cyrraedd: 2 o 4. I ddod eto: 2." in page
    assert 'id="live-count">2<' in page and "/door/undo/" in page
    later = staff.post(url + "/code", data={"csrf_token": staff.last_csrf, "nonce": "nojs-grp-00002", "code": code})
    assert 'name="people" value="2"' in later.get_data(as_text=True)  # all still to come, suggested
    over = staff.post(f"{url}/ticket/{ticket_id}", data={"csrf_token": staff.last_csrf, "nonce": "nojs-grp-00003",
                                                         "method": "typed_code", "people": "3"})
    assert "Dim ond 2 sydd i ddod eto." in over.get_data(as_text=True) and _count(app, door) == 2
    with app.app_context():
        assert db.session.get(Ticket, ticket_id).arrived == 2
        assert db.session.scalar(select(Scan.method).where(Scan.ticket_id == ticket_id)) == "typed_code"


def test_without_csrf_the_group_answer_is_refused(app, staff, door):  # noqa: F811
    ticket_id, _code, _token = _group(app, door, 4)
    url = f"/en/manage/gwynedd/events/{door.event.id}/door/ticket/{ticket_id}"
    assert staff.post(url, data={"nonce": "no-csrf-00001", "people": "2"}).status_code == 400
    assert _count(app, door) == 0


def test_walk_ins_several_at_once(app, staff, door):  # noqa: F811
    url = f"/en/manage/gwynedd/events/{door.event.id}/door/walk-in"
    page = staff.post(url, data={"csrf_token": staff.last_csrf, "nonce": "walk-grp-00001", "people": "3"})
    assert "Checked in: 3 people" in page.get_data(as_text=True) and _count(app, door) == 3
    bad = staff.post(url, data={"csrf_token": staff.last_csrf, "nonce": "walk-grp-00002", "people": "0"})
    assert bad.status_code == 400 and "Enter a number of people, from 1 to 50." in bad.get_data(as_text=True)
    assert _count(app, door) == 3


def test_the_json_api_asks_then_checks_in_the_number_sent(app, staff, door):  # noqa: F811
    ticket_id, _code, token = _group(app, door, 4)
    asked = api(staff, door, {"method": "ticket_scan", "token": token, "nonce": "api-grp-000001"}).json
    assert asked["result"] == "group" and asked["colour"] == "blue" and asked["scan_id"] is None
    assert asked["group"] == {"places": 4, "arrived": 0, "to_come": 4, "people": 4}
    assert asked["messages"]["cy"]["message"] == "Archeb ar gyfer 4 o bobl: faint sydd wedi cyrraedd?"
    assert asked["messages"]["en"]["how_many"] == "How many have arrived?"
    for bad in (0, -2, 51, 999, "x", True, 2.5, "3"):
        refused = api(staff, door, {"method": "ticket_scan", "token": token, "nonce": "api-grp-bad001",
                                    "people": bad})
        assert refused.status_code == 400 and refused.json["error"]["code"] == "bad_people", bad
    done = api(staff, door, {"method": "ticket_scan", "token": token, "nonce": "api-grp-000002", "people": 3}).json
    assert done["result"] == "ok" and done["count"] == 3 and done["group"]["to_come"] == 1
    assert done["messages"]["en"]["message"] == "Checked in: 3 people"
    # An offline scan kept on the phone carries its number of people, and a replay counts nothing more.
    queued = {"method": "ticket_scan", "token": token, "nonce": "api-grp-000003", "people": 1, "queued": True,
              "scanned_at": "2020-01-01T00:00:00Z"}
    assert api(staff, door, queued).json["result"] == "ok"
    assert api(staff, door, queued).json["replayed"] is True
    undone = staff.post(f"/api/orgs/gwynedd/events/{door.event.id}/scans/{done['scan_id']}/undo",
                        headers={"X-CSRFToken": staff.last_csrf}).json
    assert undone["count"] == 1
    with app.app_context():
        assert db.session.get(Ticket, ticket_id).arrived == 1


def test_another_organisations_door_cannot_check_in_a_group(app, door, powys):  # noqa: F811
    client, event = powys
    ticket_id, code, _token = _group(app, door, 4)
    answer = scan_as(client, "powys", event.id, {"method": "typed_code", "code": code, "nonce": "powys-grp-001",
                                                 "people": 2}).json
    assert answer["result"] == "invalid" and answer["group"] is None
    page = client.post(f"/en/manage/powys/events/{event.id}/door/ticket/{ticket_id}",
                       data={"csrf_token": client.last_csrf, "nonce": "powys-grp-002", "people": "2"})
    assert "This ticket is not valid" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Ticket, ticket_id).arrived == 0


# --- words -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "cy"), [(1, "Tocyn ar gyfer 1 person"), (2, "Tocyn ar gyfer 2 o bobl"),
                                       (3, "Tocyn ar gyfer 3 o bobl"), (6, "Tocyn ar gyfer 6 o bobl"),
                                       (7, "Tocyn ar gyfer 7 o bobl")])
def test_welsh_plurals_of_people(app, n, cy):
    with app.test_request_context():
        with force_locale("cy"):
            assert labels.tickets_for(n) == cy
            assert ngettext("Checked in: %(num)d person", "Checked in: %(num)d people", n).endswith(cy.split()[-1])
        with force_locale("en"):
            assert labels.tickets_for(n) == (f"Ticket for {n} person" if n == 1 else f"Ticket for {n} people")


def test_the_ticket_page_and_email_say_how_many_in_welsh(app, client, door):
    _ticket_id, _code, token = _group(app, door, 3)
    assert "Tocyn ar gyfer 3 o bobl" in client.get(f"/cy/tickets/{token}").get_data(as_text=True)
    from test_ticket_mail import _mail

    [(subject, body, _lang, _files)] = _mail(app, "elin@example.org")
    assert "Tocyn ar gyfer 3 o bobl" in body and "Ticket for 3 people" in body  # no language chosen: both
