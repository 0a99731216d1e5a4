"""The poster, for residents: one check-in per phone (issue #17, 2), its typed code at /c (issue #17, 1),
and an unlisted event's poster."""
from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from engage.checkin import services
from engage.checkin.models import EventCheckin, Scan
from engage.events.models import Event
from engage.extensions import db
from helpers import Client


def _poster(app, door, **changes):  # type: ignore[no-untyped-def]
    """The event's (poster token, typed code), after ``changes`` to its door settings."""
    with app.app_context():
        settings = db.session.get(EventCheckin, door.event.id)
        for name, value in changes.items():
            setattr(settings, name, value)
        db.session.commit()
        return settings.poster_token, settings.typed_code


def _check_in(client: Client, lang: str, token: str):  # type: ignore[no-untyped-def]
    """Scan the poster (a fresh page, so a fresh nonce) and press "Check in", as a phone would."""
    page = client.get(f"/{lang}/checkin/{token}").get_data(as_text=True)
    found = re.search(r'name="nonce" type="hidden" value="([0-9a-f]+)"', page)
    if found is None:  # no form: the page already says why
        return page
    return client.post(f"/{lang}/checkin/{token}", data={"csrf_token": client.last_csrf,
                                                          "nonce": found.group(1)}).get_data(as_text=True)


def _counts(app, door) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(check-ins counted, as the monthly report counts them; scan rows)."""
    with app.app_context():
        return (services.counts_by_event([door.event.id]).get(door.event.id, 0),
                db.session.scalar(select(func.count(Scan.id))))


# --- one check-in per phone ----------------------------------------------------------------------


def test_one_phone_scanning_the_poster_again_is_counted_once(app, door):
    """The bug: the same phone checked in twice and the count went 3 → 4 → 5."""
    token, _code = _poster(app, door)
    phone = Client(app)
    assert "Presenoldeb wedi’i gofrestru" in _check_in(phone, "cy", token)
    again = _check_in(phone, "cy", token)
    assert "Rydych chi eisoes wedi cofrestru eich presenoldeb" in again
    assert "Presenoldeb wedi’i gofrestru" not in again
    assert _counts(app, door)[0] == 1
    # Its own language on the English page, and still one.
    assert "You have already checked in" in _check_in(phone, "en", token)
    assert "This phone checked in to this event at" in _check_in(phone, "en", token)
    assert _counts(app, door)[0] == 1
    # A second phone is a second person.
    assert "Checked in" in _check_in(Client(app), "en", token)
    assert _counts(app, door)[0] == 2


def test_a_second_form_from_the_same_phone_is_refused_by_the_server(app, door):
    """Two tabs on one phone: both forms were drawn before either was sent. The page cannot hide the
    second button; the server answers "already" and counts nothing."""
    token, _code = _poster(app, door)
    phone = Client(app)
    pages = [phone.get(f"/en/checkin/{token}").get_data(as_text=True) for _ in range(2)]
    nonces = [re.search(r'name="nonce" type="hidden" value="([0-9a-f]+)"', p).group(1) for p in pages]
    answers = [phone.post(f"/en/checkin/{token}", data={"csrf_token": phone.last_csrf, "nonce": n})
               .get_data(as_text=True) for n in nonces]
    assert "Thank you for coming" in answers[0] and "You have already checked in" in answers[1]
    assert _counts(app, door) == (1, 2)  # every attempt is a row; one is counted


def test_the_database_takes_one_check_in_per_phone_whatever_races(app, door):
    with app.app_context():
        mark = services.device_hash(door.event.id, "A" * 22)
    results: list[str] = []
    barrier = threading.Barrier(8)

    def tap(n: int) -> None:
        with app.app_context():
            event = db.session.get(Event, door.event.id)
            db.session.commit()
            barrier.wait(timeout=30)
            results.append(services.self_check_in(event, f"tap-{n:04d}-nonce", device_mark=mark).result)
            db.session.remove()

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["already_checked_in"] * 7 + ["ok"]
    assert _counts(app, door)[0] == 1


def test_the_phone_mark_is_per_event_and_not_kept_as_it_is(app, door):
    token, _code = _poster(app, door)
    phone = Client(app)
    _check_in(phone, "en", token)
    cookie = phone.get_cookie(f"engage_checkin_{door.event.id}")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    with app.app_context():
        stored = db.session.scalar(select(Scan.device_mark))
        assert stored == services.device_hash(door.event.id, cookie.value) and cookie.value not in stored
        assert services.device_hash(door.other.id, cookie.value) != stored


# --- the typed code at /c ------------------------------------------------------------------------


def test_the_short_address_offers_both_languages_then_remembers(client):
    choice = client.get("/c")
    assert choice.status_code == 200
    page = choice.get_data(as_text=True)
    assert 'href="/cy/checkin"' in page and 'href="/en/checkin"' in page
    client.get("/cy/checkin")
    assert client.get("/c").headers["Location"].endswith("/cy/checkin")


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {a}-{b} ", "{a} {b}", "{a}–{b}"])
def test_the_poster_code_leads_to_the_same_check_in_as_its_qr(app, client, door, typed):
    token, code = _poster(app, door)
    text = typed.format(code=code, lower=code.lower(), a=code[:3].lower(), b=code[3:])
    answer = client.submit("/en/checkin", {"code": text})
    if "–" in typed:  # an en dash is not a dash people type on a phone's keyboard: said, not guessed
        assert answer.status_code == 400
        return
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/en/checkin/{token}")
    assert "Thank you for coming" in _check_in(client, "en", token)
    assert _counts(app, door)[0] == 1


def test_a_wrong_code_is_said_in_the_pages_language_and_counts_nobody(app, client, door):
    _poster(app, door)
    for lang, words in (("cy", "Does dim digwyddiad â’r cod hwn"), ("en", "No event has this code")):
        for typed in ("ZZZZZZ", "abc", "", "Ⅻ" * 6):
            answer = client.submit(f"/{lang}/checkin", {"code": typed})
            assert answer.status_code == 400, typed
            assert words in answer.get_data(as_text=True) or not typed.strip()
    assert _counts(app, door) == (0, 0)


def test_a_screen_events_code_points_to_the_screen(app, client, door):
    _token, code = _poster(app, door, rotating=True)
    answer = client.submit("/en/checkin", {"code": code})
    assert answer.status_code == 400 and "changing QR code on the screen" in answer.get_data(as_text=True)


def test_typing_codes_is_rate_limited(app, client, door):
    _poster(app, door)
    client.get("/en/checkin")
    statuses = {client.post("/en/checkin", data={"csrf_token": client.last_csrf, "code": "ZZZZZZ"}).status_code
                for _ in range(21)}
    assert 429 in statuses


def test_the_poster_prints_the_short_address_and_the_code(app, door, client):
    from helpers import sign_in

    _token, code = _poster(app, door)
    sign_in(client, "organiser-a@example.org")
    page = client.get(f"/en/manage/gwynedd/events/{door.event.id}/poster").get_data(as_text=True)
    site = app.config["PUBLIC_URL"].split("://", 1)[1]
    assert f"Go to {site}/c and type this code" in page and f"Ewch i {site}/c" in page
    assert f"{code[:3]} {code[3:]}" in page


# --- an unlisted event ---------------------------------------------------------------------------


def test_an_unlisted_events_poster_checks_people_in(app, door):
    """As in pretix, an event left off the public list still admits whoever holds its poster: staff
    printed it for the door. Its page has nothing public to link to."""
    with app.app_context():
        db.session.get(Event, door.event.id).public = False
        db.session.commit()
    token, code = _poster(app, door)
    phone = Client(app)
    assert phone.submit("/cy/checkin", {"code": code}).headers["Location"].endswith(f"/cy/checkin/{token}")
    done = _check_in(phone, "cy", token)
    assert "Presenoldeb wedi’i gofrestru" in done and f"/cy/events/{door.event.id}\"" not in done
    assert _counts(app, door)[0] == 1
    assert phone.get(f"/cy/events/{door.event.id}").status_code == 404  # still off the public list


def test_a_closed_poster_says_when_check_in_opens_or_that_it_closed(app, make_event, two_orgs):
    """It said only "not open at this time": a resident early at the door learns when to come back."""
    from datetime import timedelta

    from engage.checkin.models import EventCheckin
    from engage.extensions import db
    from helpers import wales_now

    later = make_event(start=wales_now().replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=2))
    over = make_event(start=wales_now() - timedelta(days=2))
    with app.app_context():
        tokens = {e.id: db.session.get(EventCheckin, e.id).poster_token for e in (later, over)}
    client = app.test_client()
    early = client.get(f"/cy/checkin/{tokens[later.id]}").get_data(as_text=True)
    assert "Mae cofrestru presenoldeb yn agor am 11:30" in early
    closed = client.get(f"/en/checkin/{tokens[over.id]}").get_data(as_text=True)
    assert "Check-in closed at" in closed
