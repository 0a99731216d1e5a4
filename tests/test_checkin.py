"""Check-in: result codes, one entry per ticket under concurrency, nonces, offline replay, windows,
retention, the no-JavaScript door, posters and registration."""
from __future__ import annotations

import csv
import io
import json
import re
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from engage.checkin import rotating, services
from engage.checkin.models import RESULTS, CheckinContact, EventCheckin, Scan, Ticket
from engage.events.models import Event
from engage.extensions import db
from helpers import Client, sign_in


def api(client, door, body, org="gwynedd"):  # type: ignore[no-untyped-def]
    return client.post(f"/api/orgs/{org}/events/{door.event.id}/scans", json=body,
                       headers={"X-CSRFToken": client.last_csrf})


@pytest.fixture
def staff(client, door):  # type: ignore[no-untyped-def]
    sign_in(client, "organiser-a@example.org")
    client.get(f"/en/manage/gwynedd/events/{door.event.id}/door")  # picks up the CSRF token
    return client


def scan_rows(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count(Scan.id)))


def test_every_result_code(app, staff, door):
    ann_id, ann_code, ann_token = door.ann.id, door.ann.code, door.ann.token
    first = api(staff, door, {"method": "ticket_scan", "token": ann_token, "nonce": "n-ann-0001"}).json
    assert first["result"] == "ok" and first["count"] == 1 and first["colour"] == "green"
    assert first["messages"]["cy"]["message"] == "Presenoldeb wedi’i gofrestru"
    again = api(staff, door, {"method": "typed_code", "code": ann_code.lower()[:4] + "-" + ann_code[4:], "nonce": "n-ann-0002"}).json
    assert again["result"] == "already_checked_in" and again["colour"] == "amber"
    assert again["earlier"]["by"] == "organiser-a@example.org"
    assert re.match(r"First checked in at \d\d:\d\d by organiser-a@example.org\.", again["messages"]["en"]["detail"])
    assert again["messages"]["cy"]["detail"].startswith("Cofrestrwyd presenoldeb gyntaf am ")
    wrong = api(staff, door, {"method": "ticket_scan", "token": door.elsewhere.token, "nonce": "n-else-001"}).json
    assert wrong["result"] == "wrong_event" and wrong["other_event"] == "Another event"
    invalid = api(staff, door, {"method": "typed_code", "code": "ZZZZ9999", "nonce": "n-bad-0001"}).json
    assert invalid["result"] == "invalid" and invalid["colour"] == "red"
    with app.app_context():
        db.session.get(Ticket, door.bob.id).cancelled_at = datetime.now(timezone.utc)
        db.session.commit()
    cancelled = api(staff, door, {"method": "ticket_scan", "token": door.bob.token, "nonce": "n-bob-0001"}).json
    assert cancelled["result"] == "cancelled"
    with app.app_context():
        db.session.get(EventCheckin, door.event.id).opens_minutes_before = 0
        event = db.session.get(Event, door.event.id)
        event.starts_at = datetime.now(timezone.utc) + timedelta(hours=1)
        event.ends_at = event.starts_at + timedelta(hours=1)
        db.session.commit()
    late = api(staff, door, {"method": "walk_in", "nonce": "n-walk-0001"}).json
    assert late["result"] == "not_open"
    assert scan_rows(app) == 6  # every scan is a row, whatever its result
    with app.app_context():
        results = db.session.scalars(select(Scan.result).order_by(Scan.id)).all()
    assert results == ["ok", "already_checked_in", "wrong_event", "invalid", "cancelled", "not_open"]


def test_api_response_shape(staff, door):
    body = api(staff, door, {"method": "typed_code", "code": door.ann.code, "nonce": "shape-test-1"}).json
    assert set(body) == {"result", "scan_id", "count", "ticket", "earlier", "other_event", "replayed", "messages", "colour",
                         "group"}
    assert body["ticket"] == {"name": "Ann Jones", "code": door.ann.code} and body["earlier"] is None
    assert body["group"] is None  # a ticket for one person
    assert set(body["messages"]) == {"cy", "en"} and body["replayed"] is False


def test_twenty_doors_scan_one_ticket_at_once(app, door):
    """20 concurrent scans of one ticket: exactly one ok, 19 already checked in (a DB constraint)."""
    from engage.accounts.services import find_user

    barrier = threading.Barrier(20)
    results: list[str] = []
    errors: list[BaseException] = []

    def door_phone(n: int) -> None:
        try:
            with app.app_context():
                event = db.session.get(Event, door.event.id)
                user = find_user("organiser-a@example.org")
                db.session.commit()  # give the connection back to the pool while waiting
                barrier.wait(timeout=30)
                out = services.record_scan(event, method="ticket_scan", nonce=f"door-{n:04d}-nonce",
                                           user=user, token=door.ann.token)
                results.append(out.result)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=door_phone, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(results) == ["already_checked_in"] * 19 + ["ok"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Scan.id)).where(Scan.result == "ok")) == 1
        assert db.session.scalar(select(func.count(Scan.id))) == 20


def test_the_database_refuses_a_second_entry(app, door):
    """The ticket's arrival counter cannot pass its places: the check refuses a second entry of a
    ticket for one, however it is written (groups.admit's WHERE is the polite way; this is the wall)."""
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    from engage.checkin.models import Ticket
    from engage.db import write_transaction

    with app.app_context():
        for n in range(2):
            with pytest.raises(IntegrityError) if n else _nothing():
                with write_transaction():
                    db.session.execute(update(Ticket).where(Ticket.id == door.ann.id)
                                       .values(arrived=Ticket.arrived + 1))


class _nothing:
    def __enter__(self):  # type: ignore[no-untyped-def]
        return self

    def __exit__(self, *exc):  # type: ignore[no-untyped-def]
        return False


def test_a_repeated_nonce_returns_the_first_answer_and_writes_nothing(app, staff, door):
    body = {"method": "ticket_scan", "token": door.ann.token, "nonce": "same-nonce-123"}
    first = api(staff, door, body).json
    rows = scan_rows(app)
    second = api(staff, door, body).json
    assert second["result"] == first["result"] == "ok" and second["scan_id"] == first["scan_id"]
    assert second["replayed"] is True and scan_rows(app) == rows
    walk = {"method": "walk_in", "nonce": "walk-nonce-1"}
    assert api(staff, door, walk).json["count"] == api(staff, door, walk).json["count"] == 2


def test_offline_scans_are_judged_at_the_time_they_were_made(app, staff, door):
    """The event has ended; scans queued on a phone during it arrive now, marked queued, with their own time."""
    with app.app_context():
        event = db.session.get(Event, door.event.id)
        event.starts_at = datetime.now(timezone.utc) - timedelta(hours=3)
        event.ends_at = datetime.now(timezone.utc) - timedelta(hours=1)
        db.session.commit()
    during = (datetime.now(timezone.utc) - timedelta(hours=2)).isoformat()
    queued = [{"method": "ticket_scan", "token": door.ann.token, "nonce": "offline-0001", "scanned_at": during, "queued": True},
              {"method": "walk_in", "nonce": "offline-0002", "scanned_at": during, "queued": True},
              {"method": "typed_code", "code": door.ann.code, "nonce": "offline-0003", "scanned_at": during, "queued": True}]
    answers = [api(staff, door, body).json["result"] for body in queued]
    assert answers == ["ok", "ok", "already_checked_in"]  # the conflict resolves to the server's answer
    # Sent twice (the phone did not hear the first reply): nothing changes.
    assert [api(staff, door, body).json["replayed"] for body in queued] == [True, True, True]
    # A claimed time far in the past is not believed: the scan is judged now, and check-in is closed.
    old = (datetime.now(timezone.utc) - timedelta(days=5)).isoformat()
    assert api(staff, door, {"method": "walk_in", "nonce": "offline-0004", "scanned_at": old,
                             "queued": True}).json["result"] == "not_open"
    with app.app_context():
        kept = db.session.scalar(select(Scan).where(Scan.nonce == "offline-0001"))
        assert abs((kept.scanned_at - datetime.fromisoformat(during)).total_seconds()) < 1


def test_window_rules(app, door):
    with app.app_context():
        event = db.session.get(Event, door.event.id)
        settings = db.session.get(EventCheckin, door.event.id)
        assert settings.opens_minutes_before == 30 and settings.closes_minutes_after == 0
        start, end = event.starts_at, event.ends_at
        assert services.is_open(event, settings, start - timedelta(minutes=30))
        assert not services.is_open(event, settings, start - timedelta(minutes=31))
        assert services.is_open(event, settings, end)
        assert not services.is_open(event, settings, end + timedelta(seconds=1))
        settings.closes_minutes_after = 15
        assert services.is_open(event, settings, end + timedelta(minutes=15))
        event.status = "cancelled"
        assert not services.is_open(event, settings, start)


def test_undo_and_walk_ins_with_audience(app, staff, door):
    with app.app_context():
        from engage.accounts.services import get_org
        from engage.events.services import audiences_of
        young = next(a.id for a in audiences_of(get_org("gwynedd")) if a.key == "young_people")
    walk = api(staff, door, {"method": "walk_in", "nonce": "walk-aud-01", "audience_id": young}).json
    assert walk["result"] == "ok" and walk["count"] == 1
    response = staff.post(f"/api/orgs/gwynedd/events/{door.event.id}/scans/{walk['scan_id']}/undo",
                          headers={"X-CSRFToken": staff.last_csrf})
    assert response.json == {"undone": walk["scan_id"], "count": 0}
    again = staff.post(f"/api/orgs/gwynedd/events/{door.event.id}/scans/{walk['scan_id']}/undo",
                       headers={"X-CSRFToken": staff.last_csrf})
    assert again.status_code == 404
    with app.app_context():
        row = db.session.get(Scan, walk["scan_id"])
        assert row.audience_id == young and row.undone_at is not None and row.undone_by_id is not None


def test_api_guards(app, client, door):
    # Not signed in: a JSON 401, not a redirect to a sign-in page.
    response = client.post(f"/api/orgs/gwynedd/events/{door.event.id}/scans", json={"method": "walk_in"})
    assert response.status_code in (400, 401)
    sign_in(client, "admin-b@example.org")
    client.get("/en/manage/")
    response = client.post(f"/api/orgs/gwynedd/events/{door.event.id}/scans", json={"method": "walk_in"},
                           headers={"X-CSRFToken": client.last_csrf})
    assert response.status_code == 404  # another organisation's event
    response = client.post(f"/api/orgs/powys/events/{door.event.id}/scans", json={"method": "walk_in"},
                           headers={"X-CSRFToken": client.last_csrf})
    assert response.status_code == 404  # the event is not Powys's
    response = client.post(f"/api/orgs/gwynedd/events/{door.event.id}/scans", json={"method": "walk_in"})
    assert response.status_code == 400 and response.json["error"]["code"] == "form_expired"  # no CSRF token
    assert scan_rows(app) == 0


def test_anonymous_api_is_401_json(client, door):
    client.get("/en/feedback")  # a page with a form, for a CSRF token
    response = client.post(f"/api/orgs/gwynedd/events/{door.event.id}/scans", json={"method": "walk_in"},
                           headers={"X-CSRFToken": client.last_csrf})
    assert response.status_code == 401 and response.json["error"]["code"] == "sign_in_required"
    assert client.get(f"/api/orgs/gwynedd/events/{door.event.id}/counts").status_code == 401


def test_bad_api_bodies_change_nothing(app, staff, door):
    for body in ([1, 2], {"method": "teleport"}, {"method": "ticket_scan", "token": 5, "nonce": "x" * 200},
                 {"method": "typed_code", "code": "<script>", "nonce": "bad-body-01"}):
        response = api(staff, door, body)
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert response.json["result"] == "invalid"
    with app.app_context():
        assert db.session.scalar(select(func.count(Scan.id)).where(Scan.result == "ok")) == 0


def test_door_page_without_javascript(app, staff, door):
    url = f"/cy/manage/gwynedd/events/{door.event.id}/door"
    page = staff.get(url)
    assert page.headers["Content-Security-Policy"].count("'wasm-unsafe-eval'") == 1
    html = page.get_data(as_text=True)
    nonce = re.search(r'id="nonce" name="nonce" type="hidden" value="([0-9a-f]+)"', html).group(1)
    response = staff.post(url + "/code", data={"csrf_token": staff.last_csrf, "nonce": nonce, "code": door.ann.code})
    body = response.get_data(as_text=True)
    assert "scan-green" in body and "Presenoldeb wedi’i gofrestru" in body and "Ann Jones" in body
    # The browser re-sends the form (reload): same nonce, same answer, one row.
    again = staff.post(url + "/code", data={"csrf_token": staff.last_csrf, "nonce": nonce, "code": door.ann.code})
    assert "scan-green" in again.get_data(as_text=True) and scan_rows(app) == 1
    walk = staff.post(url + "/walk-in", data={"csrf_token": staff.last_csrf, "nonce": "nojs-walk-1", "audience": "0"})
    walk_html = walk.get_data(as_text=True)
    assert 'id="live-count">2<' in walk_html
    scan_id = int(re.search(r'/door/undo/(\d+)#door-now"', walk_html).group(1))
    undone = staff.post(f"{url}/undo/{scan_id}", data={"csrf_token": staff.last_csrf})
    assert undone.status_code == 302
    assert 'id="live-count">1<' in staff.get(url).get_data(as_text=True)
    found = staff.get(url + "?q=bob").get_data(as_text=True)
    assert "Bob Evans" in found and "Cofrestru presenoldeb Bob Evans" in found
    bob = staff.post(f"{url}/ticket/{door.bob.id}", data={"csrf_token": staff.last_csrf, "nonce": "name-search-1"})
    assert "scan-green" in bob.get_data(as_text=True)
    bad = staff.post(url + "/code", data={"csrf_token": staff.last_csrf, "nonce": "n-empty-01", "code": ""})
    assert bad.status_code == 400 and "Rhowch god y tocyn" in bad.get_data(as_text=True)


def test_ticket_link_checks_in_for_staff_and_shows_the_ticket_to_others(app, client, door):
    token = door.ann.token
    anonymous = client.get(f"/t/{token}")
    assert anonymous.status_code == 200 and "Parhau yn Gymraeg" in anonymous.get_data(as_text=True)
    assert f"/cy/tickets/{token}" in anonymous.get_data(as_text=True)
    ticket_page = client.get(f"/en/tickets/{token}").get_data(as_text=True)
    assert door.ann.code[:4] in ticket_page and '<svg role="img"' in ticket_page
    assert scan_rows(app) == 0
    sign_in(client, "organiser-a@example.org", lang="cy")
    first = client.get(f"/t/{token}").get_data(as_text=True)
    assert "scan-green" in first and "Presenoldeb wedi’i gofrestru" in first
    second = client.get(f"/t/{token}").get_data(as_text=True)
    assert "scan-amber" in second
    assert client.get("/t/not-a-real-token").status_code == 404
    # Staff of another organisation just see the ticket.
    other = Client(app)
    sign_in(other, "admin-b@example.org")
    assert other.get(f"/t/{token}").status_code == 302
    assert scan_rows(app) == 2


def test_self_check_in_from_the_poster(app, client, door):
    with app.app_context():
        settings = db.session.get(EventCheckin, door.event.id)
        token, settings.ask_contact = settings.poster_token, True
        db.session.commit()
    choice = client.get(f"/c/{token}").get_data(as_text=True)
    assert f"/cy/checkin/{token}" in choice and f"/en/checkin/{token}" in choice
    page = client.get(f"/cy/checkin/{token}").get_data(as_text=True)
    assert "Noson gymunedol" in page and "Dim ond cyfrif eich bod wedi dod" in page
    nonce = re.search(r'name="nonce" type="hidden" value="([0-9a-f]+)"', page).group(1)
    done = client.post(f"/cy/checkin/{token}", data={"csrf_token": client.last_csrf, "nonce": nonce})
    assert "Presenoldeb wedi’i gofrestru" in done.get_data(as_text=True)
    client.post(f"/cy/checkin/{token}", data={"csrf_token": client.last_csrf, "nonce": nonce})  # double tap
    sian = Client(app)  # another phone: one phone checks in once (test_checkin_poster.py)
    bad = sian.submit(f"/en/checkin/{token}", {"name": "Siân", "email": "sian@example.org"})
    assert bad.status_code == 400 and "Tick the box to agree" in bad.get_data(as_text=True)
    sian.submit(f"/en/checkin/{token}", {"name": "Siân", "email": "sian@example.org", "consent": "y"})
    with app.app_context():
        assert services.live_count(door.event.id) == 2
        contact = db.session.scalar(select(CheckinContact))
        assert contact.email == "sian@example.org"
        assert db.session.scalar(select(Scan.method).where(Scan.id == contact.scan_id)) == "poster"
    assert client.get("/cy/checkin/not-a-token").status_code == 404


def test_rotating_code_expires(app, client, door):
    with app.app_context():
        settings = db.session.get(EventCheckin, door.event.id)
        settings.rotating = True
        token = settings.poster_token
        fresh = rotating.rotating_param(settings)
        stale = rotating.rotating_param(settings, datetime.now(timezone.utc) - timedelta(seconds=90))
        previous = rotating.rotating_param(settings, datetime.now(timezone.utc) - timedelta(seconds=30))
        db.session.commit()
        assert rotating.rotating_valid(settings, previous) and not rotating.rotating_valid(settings, stale)
        assert not rotating.rotating_valid(settings, fresh.split(".")[0] + ".0000000000000000")
    assert "Mae’r cod QR hwn wedi newid" in client.get(f"/cy/checkin/{token}").get_data(as_text=True)
    assert "Mae’r cod QR hwn wedi newid" in client.get(f"/cy/checkin/{token}?r={stale}").get_data(as_text=True)
    page = client.get(f"/cy/checkin/{token}?r={fresh}").get_data(as_text=True)
    assert "wedi newid" not in page and 'name="nonce"' in page
    assert client.get(f"/c/{token}?r={fresh}").get_data(as_text=True).count(f"r={fresh}") == 2


def test_a_rotating_code_gives_time_to_fill_in_the_form(app, client, door):
    """The code on the screen changes every 30 s; someone who opened the form from it has
    rotating.FORM_GRACE to send it (typing a name, fixing a mistake), and a stale or forged pass
    counts nobody."""
    now = datetime.now(timezone.utc)
    with app.app_context():
        settings = db.session.get(EventCheckin, door.event.id)
        settings.rotating, settings.ask_contact = True, True
        token = settings.poster_token
        fresh = rotating.rotating_param(settings)
        ten_minutes_ago = rotating.form_pass(settings, now - timedelta(minutes=10))
        too_old = rotating.form_pass(settings, now - rotating.FORM_GRACE - timedelta(minutes=1))
        db.session.commit()
    url = f"/cy/checkin/{token}?r={fresh}"
    page = client.get(url).get_data(as_text=True)
    given = re.search(r'name="passed" type="hidden" value="([0-9a-f.]+)"', page).group(1)
    with app.app_context():
        assert rotating.form_pass_id(db.session.get(EventCheckin, door.event.id), given) is not None

    def send(passed: str | None, phone: Client = client, **extra: str):  # type: ignore[no-untyped-def]
        data = {"csrf_token": phone.last_csrf, "nonce": uuid.uuid4().hex, **extra}
        if passed is not None:
            data["passed"] = passed
        return phone.post(url, data=data)

    # A mistake, then the fix ten minutes on: the screen's code has long moved on, the pass has not.
    mistake = send(ten_minutes_ago, name="Siân", email="sian@example.org")
    assert mistake.status_code == 400 and "Ticiwch y blwch" in mistake.get_data(as_text=True)
    assert f'value="{ten_minutes_ago}"' in mistake.get_data(as_text=True)  # carried to the next try
    assert "Presenoldeb wedi’i gofrestru" in send(ten_minutes_ago, name="Siân", email="sian@example.org",
                                                  consent="y").get_data(as_text=True)
    for bad in (too_old, None, fresh, given.split(".")[0] + ".0000000000000000", "9" * 40 + ".x", "<script>"):
        assert "Mae’r cod QR hwn wedi newid" in send(bad).get_data(as_text=True), bad
    other = Client(app)  # one phone checks in once: the pass given above, sent from another phone
    other.get(url)
    assert "Presenoldeb wedi’i gofrestru" in send(given, other).get_data(as_text=True)
    with app.app_context():
        assert services.live_count(door.event.id) == 2
        assert db.session.scalar(select(CheckinContact.email)) == "sian@example.org"


def test_registration_gives_a_ticket(app, client, door):
    from engage.codes import CODE_ALPHABET

    url = f"/cy/events/{door.event.id}/register"
    assert "Mae’r cofrestru ar gau" in client.get(url).get_data(as_text=True)
    with app.app_context():
        db.session.get(EventCheckin, door.event.id).registration_open = True
        db.session.commit()
    assert "Cofrestru ar gyfer y digwyddiad hwn" in client.get(f"/cy/events/{door.event.id}").get_data(as_text=True)
    bad = client.submit(url, {"name": "", "email": "nope"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Rhowch eich enw" in html and "Ticiwch y blwch" in html and "Dewiswch iaith" in html
    # The language choice is named in the page's language: no English label on a Welsh page.
    assert '<label for="preferred_lang-1">Saesneg</label>' in html and ">English</label>" not in html
    # The summary's link for a group of radios goes to the first radio, which can take focus.
    assert 'href="#preferred_lang-0"' in html and 'id="preferred_lang-0"' in html
    assert '<label for="preferred_lang-1">English</label>' in client.get(url.replace("/cy/", "/en/")).get_data(as_text=True)
    good = client.submit(url, {"name": "Dafydd ap Gwilym", "email": "dafydd@example.org", "preferred_lang": "cy",
                               "access_needs": "Dolen sain", "consent": "y"})
    assert good.status_code == 302
    with app.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.name == "Dafydd ap Gwilym"))
        assert len(ticket.code) == 8 and set(ticket.code) <= set(CODE_ALPHABET)
        assert len(ticket.token) >= 22  # 128 bits, url-safe
    assert good.headers["Location"] == f"/cy/tickets/{ticket.token}"


def test_retention_removes_names_and_keeps_counts(app, staff, door):
    api(staff, door, {"method": "ticket_scan", "token": door.ann.token, "nonce": "keep-count-1"})
    with app.app_context():
        event = db.session.get(Event, door.event.id)
        assert services.purge_personal_data() == 0  # the event has not ended 90 days ago
        changed = services.purge_personal_data(now=event.ends_at + timedelta(days=91))
        assert changed == 2
        ann = db.session.get(Ticket, door.ann.id)
        assert ann.name is None and ann.email is None and ann.anonymised_at is not None
        assert services.live_count(event.id) == 1  # the count stays
        other = db.session.get(Ticket, door.elsewhere.id)
        assert other.name == "Carys Hughes"  # its event is later


def test_check_ins_flow_into_the_report(app, staff, door):
    for n in range(3):
        api(staff, door, {"method": "walk_in", "nonce": f"report-walk-{n}"})
    from engage.accounts.services import get_org
    from engage.events import reports

    with app.app_context():
        event = db.session.get(Event, door.event.id)
        local = event.starts_at.astimezone()
        data = reports.build(get_org("gwynedd"), local.year, local.month)
        assert data.checked_in[event.id] == 3 and data.attendance(event) == 3
    csv_text = staff.get("/en/manage/gwynedd/events.csv").get_data().decode("utf-8-sig")
    assert "People checked in" in csv_text.splitlines()[0].split(",")
    cy = list(csv.DictReader(io.StringIO(staff.get("/cy/manage/gwynedd/events.csv").get_data().decode("utf-8-sig"))))
    assert [row["Pobl a gofrestrodd eu presenoldeb"] for row in cy if row["event_id"] == str(door.event.id)] == ["3"]


def test_codes_avoid_look_alike_characters():
    from engage import codes

    assert not set("01OIL") & set(codes.CODE_ALPHABET)
    made = {codes.random_code(8) for _ in range(2000)}
    assert len(made) == 2000
    assert json.dumps(codes.normalise_code(" ab-cd 23 ")) == '"ABCD23"'


def test_retention_runs_as_a_scheduled_job(app, door):
    from engage import scheduler

    _, trigger = scheduler.JOBS["checkin_retention"]
    assert str(trigger.fields[5]) == "3"  # daily at 03:15
    with app.app_context():
        event = db.session.get(Event, door.event.id)
        event.starts_at -= timedelta(days=200)
        event.ends_at -= timedelta(days=200)
        db.session.commit()
    assert scheduler.run_job(app, "checkin_retention") == 2


def test_no_english_on_welsh_check_in_pages(app, staff, door):
    from textcheck import untranslated

    with app.app_context():
        settings = db.session.get(EventCheckin, door.event.id)
        settings.registration_open = settings.ask_contact = True
        token = settings.poster_token
        db.session.commit()
    api(staff, door, {"method": "typed_code", "code": door.ann.code, "nonce": "crawl-nonce-1"})
    base = f"/manage/gwynedd/events/{door.event.id}"
    paths = [f"/checkin/{token}", f"/events/{door.event.id}/register", f"/tickets/{door.ann.token}",
             base + "/door", base + "/door?q=a", base + "/screen", base + "/checkin-settings", base + "/tickets"]
    problems = {}
    names = {"Ann Jones", "Bob Evans", "Noson gymunedol", "Community night", door.ann.code, door.bob.code}
    for path in paths:
        cy = staff.get("/cy" + path).get_data(as_text=True)
        en = staff.get("/en" + path).get_data(as_text=True)
        if left := untranslated(cy, en, allow=names | {f"{door.ann.code[:4]} {door.ann.code[4:]}"}):
            problems[path] = left
    assert problems == {}


def test_screen_qr_is_a_signed_short_link(app, staff, door):
    response = staff.get(f"/en/manage/gwynedd/events/{door.event.id}/screen/qr.svg")
    assert response.mimetype == "image/svg+xml" and "no-store" in response.headers["Cache-Control"]
    assert response.data.startswith(b"<svg")
    page = staff.get(f"/en/manage/gwynedd/events/{door.event.id}/screen").get_data(as_text=True)
    assert 'id="rotating-qr"' in page and "screen.js" in page


def test_scan_limit_counts_each_staff_member_not_the_shared_address(app, staff, door):
    """All phones at a venue share one public address: one busy door must not throttle another."""
    for n in range(240):
        assert api(staff, door, {"method": "walk_in", "nonce": f"limit-{n:04d}-a"}).status_code == 200
    assert api(staff, door, {"method": "walk_in", "nonce": "limit-over-a"}).status_code == 429
    other = Client(app)
    sign_in(other, "admin-a@example.org")
    other.get(f"/en/manage/gwynedd/events/{door.event.id}/door")
    assert api(other, door, {"method": "walk_in", "nonce": "limit-0000-b"}).status_code == 200


def test_a_nul_character_anywhere_is_refused_whole_with_the_bilingual_400(app, staff, door):
    """Nobody types a NUL and PostgreSQL refuses one in text (the fuzz tests found a 500): every way in
    refuses it before anything is read or written."""
    event = door.event.id
    page = staff.get(f"/cy/manage/gwynedd/events/{event}/door")
    form = staff.post(f"/cy/manage/gwynedd/events/{event}/door/code",
                      data={"code": "AB\x00CD", "nonce": "n-nul-0001", "csrf_token": staff.last_csrf})
    assert page.status_code == 200 and form.status_code == 400
    assert "Mae problem gyda’ch cais" in form.get_data(as_text=True)
    json_scan = api(staff, door, {"method": "typed_code", "code": "A\u0000", "nonce": "n-nul-0002"})
    assert json_scan.status_code == 400 and json_scan.json["error"]["code"] == "bad_request"
    utf16 = staff.post(f"/api/orgs/gwynedd/events/{event}/scans", headers={"X-CSRFToken": staff.last_csrf},
                       content_type="application/json",
                       data=json.dumps({"method": "walk_in", "device": "a\x00b", "nonce": "n-nul-0003"}).encode("utf-16"))
    assert utf16.status_code == 400  # JSON may come in UTF-16: the parsed strings are what is checked
    typed = api(staff, door, {"method": "walk_in", "device": "\\u0000 typed as text", "nonce": "n-nul-0004"})
    assert typed.status_code == 200 and typed.json["result"] == "ok"  # six characters, no NUL: fine
    assert staff.get("/en/manage/gwynedd/events/?q=%00").status_code == 400
    assert staff.get("/c/ab%00cd").status_code == 400
    assert scan_rows(app) == 1  # only the walk-in with the harmless text
    assert staff.get("/en/manage/gwynedd/events/?q=100%25").status_code == 200  # a plain % is fine


# --- one presenter for every way a result is shown; the API's request object ---------------------


def _made_up_outcome(result: str) -> services.Outcome:
    """An answer with every part a page might show (the detail line of each result included)."""
    return services.Outcome(result=result, count=3, ticket_name="Ann Jones", ticket_code="ABCD2345",
                            earlier_at=datetime(2026, 11, 24, 18, 5, tzinfo=timezone.utc), earlier_by="poster",
                            other_event="Another event")


@pytest.mark.parametrize("result", RESULTS)
def test_the_door_page_the_api_and_the_script_say_the_same_from_the_presenter(app, staff, door, monkeypatch, result):
    from flask_babel import force_locale
    from markupsafe import escape

    from engage.checkin import presenter
    from engage.i18n import BABEL_LOCALES

    outcome = _made_up_outcome(result)
    monkeypatch.setattr(services, "record_scan", lambda *args, **kwargs: outcome)
    answer = api(staff, door, {"method": "walk_in", "nonce": "same-words-1"}).json  # what door.js is given
    assert answer["messages"]["cy"]["message"] != answer["messages"]["en"]["message"]
    for lang in ("cy", "en"):
        with app.test_request_context(f"/{lang}/"), force_locale(BABEL_LOCALES[lang]):
            want = presenter.view(outcome)
        assert answer["colour"] == want.colour == presenter.colour(result)
        assert answer["messages"][lang] == {"message": want.message, "detail": want.detail}
        assert want.detail or result not in ("already_checked_in", "wrong_event")
        page = staff.post(f"/{lang}/manage/gwynedd/events/{door.event.id}/door/walk-in",
                          data={"csrf_token": staff.last_csrf, "nonce": "same-words-2"}).get_data(as_text=True)
        box = re.search(r'<div class="scan-result scan-(\w+)".*?</div>', page, re.S)
        assert box.group(1) == want.colour
        assert f'<p class="scan-message">{escape(want.message)}</p>' in box.group(0)
        assert f"<p>{escape(want.detail)}</p>" in box.group(0) if want.detail else "<p>" not in box.group(0)


def test_the_door_script_maps_no_result_to_a_colour_or_words(staff, door):
    from pathlib import Path

    script = (Path(__file__).resolve().parent.parent / "static/js/door.js").read_text(encoding="utf-8")
    assert '"scan-result scan-" + data.colour' in script and script.count("data.messages[cfg.lang]") == 2
    assert [code for code in RESULTS if f'"{code}"' in script] == ["ok"]  # only "no conflict to show"
    page = staff.get(f"/en/manage/gwynedd/events/{door.event.id}/door").get_data(as_text=True)
    words = json.loads(re.search(r'id="door-messages">(.*?)</script>', page, re.S).group(1))
    assert "results" not in words and "Checked in" not in json.dumps(words)


def test_scan_request_reads_a_good_body():
    from engage.checkin.forms import ScanRequest

    body = {"method": "ticket_scan", "nonce": "good-body-1", "token": "https://example.org/t/Tok3n_x?src=qr",
            "code": "ab-cd", "ticket_id": 4, "audience_id": 2, "device": "door 1", "scanned_at": "2026-11-24T18:05:00Z"}
    assert ScanRequest.from_json(body) == ScanRequest(
        method="ticket_scan", nonce="good-body-1", token="Tok3n_x", code="ab-cd", ticket_id=4, audience_id=2,
        device="door 1", scanned_at=datetime(2026, 11, 24, 18, 5, tzinfo=timezone.utc))
    assert ScanRequest.from_json({"method": "walk_in"}) == ScanRequest("walk_in", *[None] * 7)
    assert ScanRequest.from_json({"method": "typed_code", "token": "Tok3n_x"}).token == "Tok3n_x"
    assert ScanRequest.from_json({"method": "walk_in", "scanned_at": "2026-11-24T18:05:00+01:00"}).scanned_at == (
        datetime(2026, 11, 24, 17, 5, tzinfo=timezone.utc))


@pytest.mark.parametrize("body", [None, [1, 2], "walk_in", 7, {}, {"method": None}, {"method": 5},
                                  {"method": "teleport"}, {"method": "poster"}, {"method": ["walk_in"]}])
def test_scan_request_refuses_a_body_without_a_known_method(body):
    from engage.checkin.forms import ScanRequest
    from engage.checkin.services import CheckinRefusal

    with pytest.raises(CheckinRefusal) as refused:
        ScanRequest.from_json(body)
    assert refused.value.code == "bad_request"


@pytest.mark.parametrize("name, value", [
    ("nonce", 12345678), ("token", ["abc"]), ("code", 23456789), ("device", {"name": "x"}), ("token", None),
    ("ticket_id", "4"), ("ticket_id", 4.0), ("ticket_id", True), ("audience_id", "2"), ("audience_id", False),
    ("scanned_at", "yesterday"), ("scanned_at", "2026-11-24T18:05:00"), ("scanned_at", 1764007500), ("scanned_at", "")])
def test_scan_request_takes_a_field_of_the_wrong_kind_as_missing(name, value):
    from engage.checkin.forms import ScanRequest

    assert getattr(ScanRequest.from_json({"method": "walk_in", name: value}), name) is None


def test_a_refused_body_is_answered_as_documented(staff, door):
    response = api(staff, door, {"method": "teleport", "nonce": "documented-1"})
    assert response.status_code == 400 and response.json == {"error": {"status": 400, "code": "bad_request"}}


def test_a_walk_in_keeps_only_an_audience_of_its_own_organisation(app, staff, door):
    with app.app_context():
        from engage.accounts.services import get_org
        from engage.events.services import audiences_of
        theirs = audiences_of(get_org("powys"))[0].id
    for audience in (theirs, 0, 999999):
        walk = api(staff, door, {"method": "walk_in", "nonce": f"aud-{audience}-x", "audience_id": audience}).json
        assert walk["result"] == "ok"
        with app.app_context():
            assert db.session.get(Scan, walk["scan_id"]).audience_id is None
