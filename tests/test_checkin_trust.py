"""Check-in against an attacker (the "Trust" issue): another organisation's tickets, names and nonces
stay theirs; a device's claimed time is believed only for its offline queue; a rotating screen's form
pass counts one person; hostile text and numbers are answered, never a 5xx."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from engage.checkin import rotating, services
from engage.checkin.models import Scan
from engage.events.models import Event
from engage.extensions import db
from helpers import Client, sign_in, wales_now
from test_checkin import api, staff  # noqa: F401  (a fixture)

NOT_VALID = "This ticket is not valid"


@pytest.fixture
def powys(app, door, make_event):  # type: ignore[no-untyped-def]
    """Org B's own event, on now, and a client signed in as org B's admin (with a CSRF token)."""
    now = wales_now().replace(second=0, microsecond=0)
    event = make_event("powys", start=now - timedelta(minutes=20), title={"cy": "Noson Powys", "en": "Powys night"})
    client = Client(app)
    sign_in(client, "admin-b@example.org")
    client.get(f"/en/manage/powys/events/{event.id}/door")
    return client, event


def scan_as(client, org, event_id, body):  # type: ignore[no-untyped-def]
    return client.post(f"/api/orgs/{org}/events/{event_id}/scans", json=body, headers={"X-CSRFToken": client.last_csrf})


def without_scan_id(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k not in ("scan_id", "count")}


# --- 1. another organisation's tickets -------------------------------------------------------------


def test_another_organisations_tickets_are_invalid_on_every_path(app, door, powys):
    """Org B, at its own door, names org A's tickets by id, typed code, QR token, and through the
    no-JavaScript forms: each is "invalid", answered exactly as a ticket that does not exist."""
    client, event = powys
    nobody = without_scan_id(scan_as(client, "powys", event.id, {"method": "name_search", "ticket_id": 999_999}).json)
    assert nobody["result"] == "invalid" and nobody["ticket"] is None
    a_tickets = (door.ann, door.bob, door.elsewhere)
    for n in range(1, 8):  # the attack: ids 1, 2, 3 …
        answer = scan_as(client, "powys", event.id, {"method": "name_search", "ticket_id": n}).json
        assert without_scan_id(answer) == nobody, n
    for ticket in a_tickets:
        for body in ({"method": "typed_code", "code": ticket.code}, {"method": "ticket_scan", "token": ticket.token},
                     {"method": "ticket_scan", "token": f"https://example.org/t/{ticket.token}"}):
            assert without_scan_id(scan_as(client, "powys", event.id, body).json) == nobody, body
    door_url = f"/en/manage/powys/events/{event.id}/door"
    pages = [client.post(f"{door_url}/ticket/{t.id}", data={"csrf_token": client.last_csrf, "nonce": f"nojs-id-{t.id:04d}"})
             for t in a_tickets]
    pages += [client.post(f"{door_url}/code", data={"csrf_token": client.last_csrf, "nonce": f"nojs-code-{n}", "code": t.code})
              for n, t in enumerate(a_tickets)]
    pages.append(client.get(door_url))  # the list of latest scans
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        for ticket in a_tickets:
            assert ticket.code not in html and ticket.code[:4] not in html
        assert not any(name in html for name in ("Ann Jones", "Bob Evans", "Carys Hughes", "Another event",
                                                 "Community night")), html
    assert NOT_VALID in pages[0].get_data(as_text=True)
    with app.app_context():
        kept = db.session.scalars(select(Scan).where(Scan.event_id == event.id)).all()
        assert {s.result for s in kept} == {"invalid"} and {s.ticket_id for s in kept} == {None}


def test_a_foreign_ticket_takes_the_same_path_as_no_ticket(app, door, powys):
    """Not only the same answer: the same statements reach the database, so nothing (timing included)
    tells a ticket of another organisation from one that does not exist."""
    _, event = powys
    from engage.accounts.services import find_user

    def statements(**ticket) -> list[str]:  # type: ignore[no-untyped-def]
        seen: list[str] = []
        with app.app_context():
            b_event, user = db.session.get(Event, event.id), find_user("admin-b@example.org")
            listen = lambda conn, cursor, statement, *args: seen.append(statement)  # noqa: E731
            sa_event.listen(db.engine, "before_cursor_execute", listen)
            try:
                services.record_scan(b_event, method="name_search", nonce=None, user=user, **ticket)
            finally:
                sa_event.remove(db.engine, "before_cursor_execute", listen)
        return seen

    assert statements(ticket_id=door.ann.id) == statements(ticket_id=999_999)
    assert statements(code=door.ann.code) == statements(code="ZZZZ9999")
    assert statements(token=door.ann.token) == statements(token="not-a-real-token")


def test_wrong_event_names_the_event_but_never_the_person(app, client, door):
    """A ticket for another of the organisation's own events: the door is told which event, never the
    attendee's name or code (API, no-JavaScript page, and the list of latest scans)."""
    sign_in(client, "organiser-a@example.org")
    door_url = f"/en/manage/gwynedd/events/{door.event.id}/door"
    client.get(door_url)
    for body in ({"method": "name_search", "ticket_id": door.elsewhere.id}, {"method": "typed_code", "code": door.elsewhere.code},
                 {"method": "ticket_scan", "token": door.elsewhere.token}):
        answer = scan_as(client, "gwynedd", door.event.id, body).json
        assert answer["result"] == "wrong_event" and answer["ticket"] is None, body
        assert answer["other_event"] == "Another event"
        assert answer["messages"]["en"]["detail"] == "It is for: Another event"
        assert "Carys" not in str(answer) and door.elsewhere.code not in str(answer)
    pages = [client.post(f"{door_url}/ticket/{door.elsewhere.id}", data={"csrf_token": client.last_csrf, "nonce": "wrong-ev-01"}),
             client.post(f"{door_url}/code", data={"csrf_token": client.last_csrf, "nonce": "wrong-ev-02",
                                                   "code": door.elsewhere.code}),
             client.get(door_url)]
    for page in pages:
        html = page.get_data(as_text=True)
        assert "Carys Hughes" not in html and door.elsewhere.code not in html
    assert "It is for: Another event" in pages[0].get_data(as_text=True)


def test_a_nonce_replays_only_a_scan_of_its_own_event(app, door, powys, client):
    """Org B sends org A's nonce: a new scan of its own event, not org A's answer (name included)."""
    b_client, event = powys
    sign_in(client, "organiser-a@example.org")
    client.get(f"/en/manage/gwynedd/events/{door.event.id}/door")
    first = scan_as(client, "gwynedd", door.event.id, {"method": "ticket_scan", "token": door.ann.token,
                                                        "nonce": "shared-nonce-1"}).json
    assert first["result"] == "ok" and first["ticket"]["name"] == "Ann Jones"
    stolen = scan_as(b_client, "powys", event.id, {"method": "walk_in", "nonce": "shared-nonce-1"}).json
    assert stolen["replayed"] is False and stolen["ticket"] is None and stolen["scan_id"] != first["scan_id"]
    assert stolen["result"] == "ok" and stolen["count"] == 1 and "Ann" not in str(stolen)
    # The same nonce again at each door replays that door's own scan.
    assert scan_as(b_client, "powys", event.id, {"method": "walk_in", "nonce": "shared-nonce-1"}).json["scan_id"] == stolen["scan_id"]
    again = scan_as(client, "gwynedd", door.event.id, {"method": "walk_in", "nonce": "shared-nonce-1"}).json
    assert again["replayed"] is True and again["scan_id"] == first["scan_id"]
    # Another event of the same organisation: a new scan too (that event is not open yet).
    other = scan_as(client, "gwynedd", door.other.id, {"method": "walk_in", "nonce": "shared-nonce-1"}).json
    assert other["replayed"] is False and other["result"] == "not_open"
    with app.app_context():
        assert db.session.scalar(select(func.count(Scan.id)).where(Scan.nonce == "shared-nonce-1")) == 3


def test_the_database_keeps_one_scan_per_nonce_and_event(app, door):
    from sqlalchemy.exc import IntegrityError

    from engage.db import write_transaction

    with app.app_context():
        for event_id in (door.event.id, door.other.id):
            with write_transaction():
                db.session.add(Scan(event_id=event_id, method="walk_in", result="ok", nonce="per-event-01"))
        with pytest.raises(IntegrityError), write_transaction():
            db.session.add(Scan(event_id=door.event.id, method="walk_in", result="ok", nonce="per-event-01"))


def test_a_ticket_link_opened_by_another_organisation_only_shows_the_public_ticket(app, door, powys, client):
    """The ticket's QR link on org B's staff phone: the public ticket page, as anyone with the link sees
    it, and no scan (it checks in only for the event's own organisation)."""
    b_client, _ = powys
    response = b_client.get(f"/t/{door.ann.token}")
    assert response.status_code == 302 and response.headers["Location"] == f"/en/tickets/{door.ann.token}"
    public = client.get(f"/en/tickets/{door.ann.token}").get_data(as_text=True)
    seen = b_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "scan-result" not in seen and "/door" not in seen
    assert seen.split("<main", 1)[1].split("</main>", 1)[0] == public.split("<main", 1)[1].split("</main>", 1)[0]
    with app.app_context():
        assert db.session.scalar(select(func.count(Scan.id))) == 0


# --- 2. a device's own time is believed only for its offline queue ---------------------------------


def _event_between(app, door, starts_ago: timedelta, ends_ago: timedelta) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        event = db.session.get(Event, door.event.id)
        now = datetime.now(timezone.utc)
        event.starts_at, event.ends_at = now - starts_ago, now - ends_ago
        db.session.commit()


def _scanned_at(app, scan_id: int) -> datetime:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.get(Scan, scan_id).scanned_at


def test_a_scan_sent_after_the_event_cannot_claim_a_time_inside_it(app, staff, door):
    """The attack: a walk-in sent 28 hours after the event, with a "scanned_at" inside its window, was
    "ok" 10 times out of 10. Now a claimed time is the server's own unless the door page queued the
    scan with no signal, and a queue keeps scans no longer than services.QUEUE_LIFE."""
    _event_between(app, door, starts_ago=timedelta(hours=30), ends_ago=timedelta(hours=28))
    inside = (datetime.now(timezone.utc) - timedelta(hours=29)).isoformat()
    for n in range(10):
        answer = api(staff, door, {"method": "walk_in", "nonce": f"backdated-{n:02d}", "scanned_at": inside}).json
        assert answer["result"] == "not_open", n
        assert datetime.now(timezone.utc) - _scanned_at(app, answer["scan_id"]) < timedelta(minutes=1)
    for body in ({"method": "ticket_scan", "token": door.bob.token}, {"method": "walk_in", "queued": True},
                 {"method": "typed_code", "code": door.ann.code, "queued": True}):
        answer = api(staff, door, {**body, "scanned_at": inside}).json
        assert answer["result"] == "not_open", body
    with app.app_context():
        assert services.live_count(door.event.id) == 0


def test_only_a_queued_scan_within_the_queues_life_keeps_its_own_time(app, staff, door):
    life = services.QUEUE_LIFE
    assert life == timedelta(hours=12)  # what door.js is told (data-queue-life) and the README says
    _event_between(app, door, starts_ago=life + timedelta(hours=2), ends_ago=timedelta(minutes=5))
    now = datetime.now(timezone.utc)
    just_in = (now - life + timedelta(minutes=2)).isoformat()
    too_old = (now - life - timedelta(minutes=2)).isoformat()
    kept = api(staff, door, {"method": "walk_in", "nonce": "queue-life-1", "queued": True, "scanned_at": just_in}).json
    assert kept["result"] == "ok"
    assert abs((_scanned_at(app, kept["scan_id"]) - datetime.fromisoformat(just_in)).total_seconds()) < 1
    for n, body in enumerate([{"queued": True, "scanned_at": too_old},
                              {"scanned_at": just_in},  # not from the queue: sent now, so judged now
                              {"queued": "true", "scanned_at": just_in}, {"queued": 1, "scanned_at": just_in},
                              {"queued": True, "scanned_at": (now + timedelta(minutes=10)).isoformat()}]):
        answer = api(staff, door, {"method": "walk_in", "nonce": f"queue-life-{n + 2}", **body}).json
        assert answer["result"] == "not_open", body
        assert datetime.now(timezone.utc) - _scanned_at(app, answer["scan_id"]) < timedelta(minutes=1), body
    # A phone's clock a little ahead (within services.CLOCK_SKEW) is the server's time, still in.
    _event_between(app, door, starts_ago=timedelta(hours=1), ends_ago=-timedelta(hours=1))
    ahead = api(staff, door, {"method": "walk_in", "nonce": "queue-life-9", "queued": True,
                              "scanned_at": (datetime.now(timezone.utc) + timedelta(seconds=60)).isoformat()}).json
    assert ahead["result"] == "ok" and _scanned_at(app, ahead["scan_id"]) <= datetime.now(timezone.utc)


@pytest.mark.parametrize("value, queued", [(True, True), (False, False), ("true", False), (1, False), (None, False)])
def test_scan_request_reads_queued_only_as_json_true(value, queued):
    from engage.checkin.forms import ScanRequest

    assert ScanRequest.from_json({"method": "walk_in", "queued": value}).queued is queued


# --- 3. a rotating screen's form pass counts one person ---------------------------------------------


def _rotating(app, door) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Turn the screen's changing code on: the poster token and the code on the screen now."""
    from engage.checkin.models import EventCheckin

    with app.app_context():
        settings = db.session.get(EventCheckin, door.event.id)
        settings.rotating = True
        db.session.commit()
        return settings.poster_token, rotating.rotating_param(settings)


def test_a_form_pass_checks_in_one_person(app, client, door):
    """The attack: one pass from the rotating code, posted again and again with a new nonce each time,
    counted a person each time. Now the second use is "already checked in" and counts nobody, while
    the same POST repeated (same nonce) still replays the first answer."""
    token, fresh = _rotating(app, door)
    url = f"/cy/checkin/{token}?r={fresh}"
    page = client.get(url).get_data(as_text=True)
    given = re.search(r'name="passed" type="hidden" value="([0-9a-f.]+)"', page).group(1)
    nonce = re.search(r'name="nonce" type="hidden" value="([0-9a-f]+)"', page).group(1)

    def send(nonce: str):  # type: ignore[no-untyped-def]
        # The attacker drops the phone's cookie each time: the pass alone must hold (one per phone is
        # test_checkin_poster.py's).
        client.delete_cookie(f"engage_checkin_{door.event.id}")
        return client.post(url, data={"csrf_token": client.last_csrf, "nonce": nonce, "passed": given})

    first = send(nonce).get_data(as_text=True)
    assert "scan-green" in first and "Presenoldeb wedi’i gofrestru" in first
    assert "scan-green" in send(nonce).get_data(as_text=True)  # a double tap: the first answer again
    for n in range(5):
        again = send(f"another-nonce-{n:04d}").get_data(as_text=True)
        assert "scan-amber" in again and "Rydych chi eisoes wedi cofrestru eich presenoldeb" in again, n
        assert "Mae’r ffurflen hon eisoes wedi’i defnyddio" in again
    client.delete_cookie(f"engage_checkin_{door.event.id}")
    english = client.post(url.replace("/cy/", "/en/"), data={"csrf_token": client.last_csrf, "nonce": "english-01",
                                                             "passed": given}).get_data(as_text=True)
    assert "You have already checked in" in english and "This form has already been used to check in." in english
    with app.app_context():
        assert services.live_count(door.event.id) == 1
        assert db.session.scalar(select(func.count(Scan.id))) == 7  # every try is a row
    # Someone else scans the screen: a new pass, a new check-in.
    client.delete_cookie(f"engage_checkin_{door.event.id}")
    page = client.get(url).get_data(as_text=True)
    other = re.search(r'name="passed" type="hidden" value="([0-9a-f.]+)"', page).group(1)
    assert other != given
    client.post(url, data={"csrf_token": client.last_csrf, "nonce": "someone-else-1", "passed": other})
    with app.app_context():
        assert services.live_count(door.event.id) == 2


def test_one_form_pass_sent_from_ten_phones_at_once_counts_once(app, door):
    """The pass's single use is the database's unique index, not a look before writing."""
    from engage.checkin.models import EventCheckin

    _rotating(app, door)
    with app.app_context():
        settings = db.session.get(EventCheckin, door.event.id)
        pass_id = rotating.form_pass_id(settings, rotating.form_pass(settings))
    barrier = threading.Barrier(10)

    def phone(n: int) -> str:
        with app.app_context():
            event = db.session.get(Event, door.event.id)
            db.session.commit()  # give the connection back to the pool while waiting
            barrier.wait(timeout=30)
            try:
                return services.self_check_in(event, f"phone-{n:04d}-nonce", form_pass=pass_id).result
            finally:
                db.session.remove()

    with ThreadPoolExecutor(10) as pool:  # an exception in a thread is raised here
        results = list(pool.map(phone, range(10)))
    assert sorted(results) == ["already_checked_in"] * 9 + ["ok"]
    with app.app_context():
        assert services.live_count(door.event.id) == 1


# --- 4. hostile text and numbers: an answer, never a 5xx ---------------------------------------------

LONE_SURROGATES = ["\ud800", "AB\udfffCD23", "\udc80" * 8]
TOO_BIG = [2**31, 2**63, 10**20, -(2**31) - 1]


@pytest.mark.parametrize("field", ["code", "token", "device", "nonce"])
def test_a_lone_surrogate_in_a_scan_is_invalid_not_a_5xx(app, staff, door, field):
    """JSON can carry half of a UTF-16 pair ("\\ud800"), which no database can store or compare."""
    method = {"code": "typed_code", "token": "ticket_scan"}.get(field, "walk_in")
    for n, text in enumerate(LONE_SURROGATES):
        response = api(staff, door, {"method": method, field: text, "nonce": f"surrogate-{n}"} if field != "nonce"
                       else {"method": method, "nonce": text})
        assert response.status_code in (200, 400), text
        if response.status_code == 200:
            assert response.json["result"] == ("invalid" if field in ("code", "token") else "ok")


def test_a_lone_surrogate_in_the_door_form_is_invalid_not_a_5xx(app, staff, door):
    url = f"/en/manage/gwynedd/events/{door.event.id}/door/code"
    for n, raw in enumerate([b"%ED%A0%80", b"AB%ED%BF%BFCD", b"%C0%80", b"%FF%FE"]):  # no UTF-8 can hold these
        response = staff.post(url, data=b"code=" + raw + b"&nonce=form-bad-%d&csrf_token=" % n + staff.last_csrf.encode(),
                              content_type="application/x-www-form-urlencoded")
        assert response.status_code in (200, 400), raw
        assert "scan-green" not in response.get_data(as_text=True)


@pytest.mark.parametrize("value", TOO_BIG)
def test_an_id_too_big_for_the_database_is_absent(app, staff, door, value):
    """ticket_id or audience_id of 2**31 or more (or a 20-digit number) would overflow the database's
    INTEGER (PostgreSQL: out of range; SQLite: OverflowError): the ScanRequest drops it."""
    from engage.checkin.forms import ScanRequest

    assert ScanRequest.from_json({"method": "name_search", "ticket_id": value}).ticket_id is None
    assert ScanRequest.from_json({"method": "walk_in", "audience_id": value}).audience_id is None
    named = api(staff, door, {"method": "name_search", "ticket_id": value, "nonce": "too-big-01"})
    assert named.status_code == 200 and named.json["result"] == "invalid"
    walk = api(staff, door, {"method": "walk_in", "audience_id": value, "nonce": "too-big-02"})
    assert walk.status_code == 200 and walk.json["result"] == "ok"


def test_the_largest_database_id_still_reads_as_an_id():
    from engage.checkin.forms import ScanRequest

    assert ScanRequest.from_json({"method": "name_search", "ticket_id": 2**31 - 1}).ticket_id == 2**31 - 1


@pytest.mark.parametrize("number", [str(2**31), "99999999999999999999"])
def test_a_ticket_id_too_big_in_the_door_form_is_invalid(app, staff, door, number):
    # The app's own int converter (engage/params.py) stops an id the database cannot hold at the URL:
    # not found, in the page's language, before the door's own guard is needed.
    response = staff.post(f"/en/manage/gwynedd/events/{door.event.id}/door/ticket/{number}",
                          data={"csrf_token": staff.last_csrf, "nonce": "too-big-form-1"})
    assert response.status_code == 404
    undo = staff.post(f"/api/orgs/gwynedd/events/{door.event.id}/scans/{number}/undo",
                      headers={"X-CSRFToken": staff.last_csrf})
    assert undo.status_code == 404


@pytest.mark.parametrize("raw", [b"1.%EF%BF%BD", b"%C2%B2.0000000000000000", b"1.2.%C3%A9", b"%ED%A0%80.x",
                                 b"1.%FF", b"1." + b"9" * 5000])
def test_a_hostile_screen_code_or_form_pass_is_expired_not_a_5xx(app, client, door, raw):
    """Non-ASCII (which hmac.compare_digest refuses), a digit Python's int() refuses ("²"), bytes no
    UTF-8 holds: in the screen's code or the form's pass, each is a code that has changed."""
    token, fresh = _rotating(app, door)
    page = client.get(f"/en/checkin/{token}?r={raw.decode()}")
    assert page.status_code == 200 and "This QR code has changed" in page.get_data(as_text=True)
    client.get(f"/en/checkin/{token}?r={fresh}")  # the form, for a CSRF token
    sent = client.post(f"/en/checkin/{token}", content_type="application/x-www-form-urlencoded",
                       data=b"nonce=hostile-pass&csrf_token=" + client.last_csrf.encode() + b"&passed=" + raw)
    assert sent.status_code == 200 and "This QR code has changed" in sent.get_data(as_text=True)
    with app.app_context():
        assert services.live_count(door.event.id) == 0
