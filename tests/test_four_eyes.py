"""One organiser alone can no longer stuff the box or publish (issue #16, Medium 3).

Publishing needs a private preview counted by one member of staff and signed off by a different
one, an admin; codes made once a pot is open need an admin; a kiosk is a session an admin starts
for a named event and time window, on a device that is signed out of the staff area as it starts,
with a running count, ended by its PIN or by staff.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from factories import make_pot
from helpers import Client, sign_in, wales_now
from pb_helpers import counts, csrf_of

PIN = "4821"


@pytest.fixture
def pot(app, two_orgs):  # type: ignore[no-untyped-def]
    return make_pot(app)


def _closed(app, pot_id: int, voters: list[tuple[str, int]] | None = None) -> None:  # type: ignore[no-untyped-def]
    from engage.ballots import box, lifecycle, voters as codes
    from engage.ballots.models import Pot
    from engage.extensions import db

    with app.app_context():
        p = db.session.get(Pot, pot_id)
        for code, project in voters or []:
            box.cast_ballot(p.id, box.Voter("code", codes.code_hash(p, code)), {project: 1})
        lifecycle.close_pot(p)


def _audit(app, kind: str) -> list[dict]:  # type: ignore[no-untyped-def]
    from engage.audit.models import AuditEntry
    from engage.extensions import db

    with app.app_context():
        return [{"user": e.user_id, "data": e.data} for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.kind == kind).order_by(AuditEntry.id))]


def _status(app, pot_id: int) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    from engage.ballots.models import Pot
    from engage.extensions import db

    with app.app_context():
        p = db.session.get(Pot, pot_id)
        return p.status, p.results_json


def _user_id(app, email: str) -> int:  # type: ignore[no-untyped-def]
    from engage.accounts.services import find_user

    with app.app_context():
        return find_user(email).id


# --- publishing: four eyes ----------------------------------------------------------------------


def test_one_person_cannot_count_and_publish(app, pot):
    """On the old code one organiser pressed "Count the votes and publish" alone and it was public."""
    _closed(app, pot.id, [(pot.codes[0], pot.projects[0])])
    admin = Client(app, use_cookies=True)
    sign_in(admin, "admin-a@example.org")
    counted = admin.submit(f"/en/manage/gwynedd/pb/{pot.id}", {}) and admin.post(
        f"/en/manage/gwynedd/pb/{pot.id}/count", data={"csrf_token": admin.last_csrf})
    assert counted.status_code == 302 and counted.headers["Location"].endswith(f"/pb/{pot.id}/preview")
    page = admin.get(f"/en/manage/gwynedd/pb/{pot.id}/preview").get_data(as_text=True)
    assert "Not public yet" in page and "it needs an admin who did not count it" in page
    assert "I have checked these results" not in page
    refused = admin.post(f"/en/manage/gwynedd/pb/{pot.id}/publish", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 409
    assert "A different member of staff must check the preview" in refused.get_data(as_text=True)
    assert _status(app, pot.id) == ("closed", None)
    public = app.test_client()  # nothing public: the page says the count is being checked, the data stay 404
    pending = public.get(f"/en/pb/{pot.id}/results").get_data(as_text=True)
    assert "The votes are being counted and checked" in pending and "Not funded" not in pending
    assert public.get(f"/en/pb/{pot.id}/results.json").status_code == 404


def test_an_organiser_counts_and_a_different_admin_publishes(app, pot):
    _closed(app, pot.id, [(pot.codes[0], pot.projects[0]), (pot.codes[1], pot.projects[1])])
    organiser = Client(app, use_cookies=True)
    sign_in(organiser, "organiser-a@example.org")
    organiser.submit(f"/en/manage/gwynedd/pb/{pot.id}")
    assert organiser.post(f"/en/manage/gwynedd/pb/{pot.id}/count",
                          data={"csrf_token": organiser.last_csrf}).status_code == 302
    # The organiser may not publish at all: the route needs an admin.
    preview = organiser.get(f"/en/manage/gwynedd/pb/{pot.id}/preview").get_data(as_text=True)
    assert organiser.post(f"/en/manage/gwynedd/pb/{pot.id}/publish",
                          data={"csrf_token": csrf_of(preview)}).status_code == 403
    assert _status(app, pot.id)[0] == "closed"

    admin = Client(app, use_cookies=True)
    sign_in(admin, "admin-a@example.org")
    seen = admin.get(f"/cy/manage/gwynedd/pb/{pot.id}/preview").get_data(as_text=True)
    assert 'lang="cy"' in seen and "Dim yn gyhoeddus eto" in seen
    published = admin.post(f"/en/manage/gwynedd/pb/{pot.id}/publish", data={"csrf_token": csrf_of(seen)})
    assert published.status_code == 302
    status, stored = _status(app, pot.id)
    assert status == "published" and stored is not None
    assert app.test_client().get(f"/en/pb/{pot.id}/results").status_code == 200
    entry = _audit(app, "pb.published")[-1]
    organiser_id, admin_id = _user_id(app, "organiser-a@example.org"), _user_id(app, "admin-a@example.org")
    assert entry["user"] == admin_id
    assert entry["data"]["counted_by"] == organiser_id and entry["data"]["signed_off_by"] == admin_id
    assert _audit(app, "pb.preview_counted")[-1]["user"] == organiser_id


def test_the_database_refuses_one_person_as_counter_and_signer(app, pot):
    from engage.ballots.models import ResultCheck
    from engage.db import write_transaction
    from engage.extensions import db
    from engage.types import utcnow

    _closed(app, pot.id)
    admin_id = _user_id(app, "admin-a@example.org")
    with app.app_context():
        with pytest.raises(IntegrityError):
            with write_transaction():
                db.session.add(ResultCheck(pot_id=pot.id, result_json="{}", counted_by_id=admin_id,
                                           signed_off_by_id=admin_id, signed_off_at=utcnow()))


def test_what_is_published_is_what_was_previewed(app, pot):
    """A preview that no longer matches the box is refused, not published over."""
    from engage.accounts.services import find_user
    from engage.ballots import pots, results
    from engage.ballots.models import ResultCheck
    from engage.db import write_transaction
    from engage.extensions import db

    _closed(app, pot.id, [(pot.codes[0], pot.projects[0])])
    with app.app_context():
        p = pots.get_pot(find_user("admin-a@example.org").organisations[0], pot.id)
        results.count_preview(p, find_user("organiser-a@example.org"))
        with write_transaction():
            check = db.session.get(ResultCheck, pot.id)
            check.result_json = check.result_json.replace('"ballots": 1', '"ballots": 2')
        with pytest.raises(pots.BallotRefusal) as refused:
            results.publish(p, find_user("admin-a@example.org"))
        assert refused.value.code == "preview_changed"
    assert _status(app, pot.id) == ("closed", None)


def test_preview_and_publish_are_not_reachable_from_another_organisation(app, pot):
    _closed(app, pot.id)
    other = Client(app, use_cookies=True)
    sign_in(other, "admin-b@example.org")
    assert other.get(f"/en/manage/gwynedd/pb/{pot.id}/preview").status_code == 404
    other.get("/en/manage/")
    assert other.post(f"/en/manage/gwynedd/pb/{pot.id}/count", data={"csrf_token": other.last_csrf}).status_code == 404
    assert other.post(f"/en/manage/powys/pb/{pot.id}/count", data={"csrf_token": other.last_csrf}).status_code == 404
    assert other.post(f"/en/manage/powys/pb/{pot.id}/publish", data={"csrf_token": other.last_csrf}).status_code == 404


# --- codes once a pot is open -------------------------------------------------------------------


def test_an_organiser_cannot_make_codes_once_voting_is_open(app, pot):
    """On the old code an organiser made 10 codes on an open pot and voted with them."""
    client = Client(app, use_cookies=True)
    sign_in(client, "organiser-a@example.org")
    page = client.get(f"/en/manage/gwynedd/pb/{pot.id}").get_data(as_text=True)
    assert "only an admin can make more codes" in page
    made = client.post(f"/en/manage/gwynedd/pb/{pot.id}/codes", data={"count": "10", "csrf_token": csrf_of(page)})
    assert made.status_code == 409 and "Only an admin" in made.get_data(as_text=True)
    assert _code_count(app, pot.id) == 5

    admin = Client(app, use_cookies=True)
    sign_in(admin, "admin-a@example.org")
    page = admin.get(f"/en/manage/gwynedd/pb/{pot.id}").get_data(as_text=True)
    assert admin.post(f"/en/manage/gwynedd/pb/{pot.id}/codes",
                      data={"count": "10", "csrf_token": csrf_of(page)}).status_code == 200
    assert _code_count(app, pot.id) == 15
    assert _audit(app, "pb.codes_generated")[-1]["data"] == {"count": 10, "while_open": True}


def test_an_organiser_may_make_codes_for_a_draft(app, two_orgs):
    draft = make_pot(app, open_it=False, codes=0)
    client = Client(app, use_cookies=True)
    sign_in(client, "organiser-a@example.org")
    page = client.get(f"/en/manage/gwynedd/pb/{draft.id}").get_data(as_text=True)
    assert client.post(f"/en/manage/gwynedd/pb/{draft.id}/codes",
                       data={"count": "3", "csrf_token": csrf_of(page)}).status_code == 200
    assert _code_count(app, draft.id) == 3


def _code_count(app, pot_id: int) -> int:  # type: ignore[no-untyped-def]
    from engage.ballots.models import VoterCode
    from engage.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(VoterCode).where(VoterCode.pot_id == pot_id))


# --- kiosks -------------------------------------------------------------------------------------


def _until(hours: float = 2) -> str:
    return (wales_now() + timedelta(hours=hours)).strftime("%H:%M")


def _start_kiosk(client: Client, pot_id: int, event_id: int, **changes: str):  # type: ignore[no-untyped-def]
    data = {"event": str(event_id), "until": _until(), "pin": PIN, **changes}
    return client.submit(f"/en/manage/gwynedd/pb/{pot_id}/kiosk", data)


def _kiosk_vote(client: Client, pot_id: int, project: int, lang: str = "en"):  # type: ignore[no-untyped-def]
    home = client.get(f"/{lang}/pb/kiosk").get_data(as_text=True)
    started = client.post(f"/{lang}/pb/kiosk", data={"csrf_token": csrf_of(home)})
    if started.status_code != 302:
        return started
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    client.post(f"/{lang}/pb/{pot_id}/vote/choose",
                data={"project": [str(project)], "action": "continue", "csrf_token": csrf_of(page)})
    return client.post(f"/{lang}/pb/{pot_id}/vote/submit", data={"csrf_token": csrf_of(page)})


@pytest.fixture
def event(make_event, two_orgs):  # type: ignore[no-untyped-def]
    return make_event("gwynedd", start=wales_now() - timedelta(minutes=30), hours=3)


def test_an_organiser_cannot_start_a_kiosk(app, pot, event):
    """On the old code an organiser pressed the kiosk button 20 times and added 20 ballots."""
    client = Client(app, use_cookies=True)
    sign_in(client, "organiser-a@example.org")
    assert client.get(f"/en/manage/gwynedd/pb/{pot.id}/kiosk").status_code == 403
    assert client.post(f"/en/manage/gwynedd/pb/{pot.id}/kiosk", data={"csrf_token": client.last_csrf}).status_code == 403
    assert counts(app, pot.id) == (0, 0)


@pytest.fixture
def quick_kiosk(monkeypatch):  # type: ignore[no-untyped-def]
    """Voters one after another without the kiosk's pause between them (tested on its own below)."""
    from engage.ballots import kiosk

    monkeypatch.setattr(kiosk, "BETWEEN_VOTERS", timedelta(0))


def test_a_kiosk_signs_the_device_out_and_counts_its_votes(app, pot, event, quick_kiosk):
    device = Client(app, use_cookies=True)
    sign_in(device, "admin-a@example.org")
    started = _start_kiosk(device, pot.id, event.id)
    assert started.status_code == 302 and started.headers["Location"].endswith("/en/pb/kiosk")
    # Nothing of the staff area is reachable: the device is signed out, its session ended on the server.
    home = device.get("/en/pb/kiosk").get_data(as_text=True)
    assert "Staff area" not in home and "Sign out" not in home and "Staff sign in" not in home
    assert "Coffee morning" in home and 'id="kiosk-count">0<' in home
    assert device.get("/en/manage/").status_code == 302  # to the sign-in page
    assert device.get(f"/en/manage/gwynedd/pb/{pot.id}").status_code == 302
    for n, project in enumerate(pot.projects[:3], start=1):
        done = _kiosk_vote(device, pot.id, project)
        assert done.status_code == 302
        receipt = device.get(done.headers["Location"]).get_data(as_text=True)
        assert "Next voter" in receipt and "Staff area" not in receipt
        # A shared device: the receipt is shown, never saved or printed on it for the next person to find.
        assert "receipt.txt" not in receipt and "data-print" not in receipt
        assert device.get(f"/en/pb/{pot.id}/vote/receipt.txt").status_code == 404
        assert f'id="kiosk-count">{n}<' in device.get("/cy/pb/kiosk").get_data(as_text=True)
    assert counts(app, pot.id) == (3, 3)
    from engage.ballots import box
    from engage.ballots.models import Pot
    from engage.extensions import db

    with app.app_context():
        assert box.turnout(db.session.get(Pot, pot.id))["kiosk"] == 3
    staff = Client(app, use_cookies=True)
    sign_in(staff, "organiser-a@example.org")
    page = staff.get(f"/en/manage/gwynedd/pb/{pot.id}").get_data(as_text=True)
    assert "Coffee morning" in page and "End this kiosk" in page
    started_entry = _audit(app, "pb.kiosk_started")[-1]
    assert started_entry["data"]["event"] == event.id
    assert _audit(app, "pb.kiosk_code") == []  # no timed entry per voter


def test_a_kiosk_ends_with_its_pin_and_not_without(app, pot, event):
    device = Client(app, use_cookies=True)
    sign_in(device, "admin-a@example.org")
    _start_kiosk(device, pot.id, event.id)
    wrong = device.submit("/en/pb/kiosk/end", {"pin": "0000"})
    assert wrong.status_code == 400 and "That PIN is not right" in wrong.get_data(as_text=True)
    assert _kiosk_vote(device, pot.id, pot.projects[0]).status_code == 302  # still a kiosk
    ended = device.submit("/en/pb/kiosk/end", {"pin": PIN})
    assert ended.status_code == 302 and "/sign-in" in ended.headers["Location"]
    assert "No kiosk here" in device.get("/en/pb/kiosk").get_data(as_text=True)
    assert _audit(app, "pb.kiosk_ended")[-1]["data"] == {"kiosk": 1, "ballots": 1, "by": "pin"}


def test_five_wrong_pins_and_the_pin_stops_working(app, pot, event):
    device = Client(app, use_cookies=True)
    sign_in(device, "admin-a@example.org")
    _start_kiosk(device, pot.id, event.id)
    for _ in range(4):
        assert "That PIN is not right" in device.submit("/en/pb/kiosk/end", {"pin": "9999"}).get_data(as_text=True)
    spent = device.submit("/cy/pb/kiosk/end", {"pin": "9999"}).get_data(as_text=True)
    assert "PIN" in spent and "That PIN is not right" not in spent and 'lang="cy"' in spent
    right_too_late = device.submit("/en/pb/kiosk/end", {"pin": PIN})
    assert right_too_late.status_code == 400 and "Too many wrong PINs" in right_too_late.get_data(as_text=True)
    assert _audit(app, "pb.kiosk_ended") == []


def test_staff_end_a_kiosk_from_another_device(app, pot, event):
    device = Client(app, use_cookies=True)
    sign_in(device, "admin-a@example.org")
    _start_kiosk(device, pot.id, event.id)
    token = csrf_of(device.get("/en/pb/kiosk").get_data(as_text=True))
    staff = Client(app, use_cookies=True)
    sign_in(staff, "organiser-a@example.org")
    page = staff.get(f"/en/manage/gwynedd/pb/{pot.id}").get_data(as_text=True)
    assert staff.post(f"/en/manage/gwynedd/pb/{pot.id}/kiosk/1/end", data={"csrf_token": csrf_of(page)}).status_code == 302
    assert "This kiosk is closed" in device.get("/en/pb/kiosk").get_data(as_text=True)
    refused = device.post("/en/pb/kiosk", data={"csrf_token": token})  # the button pressed on a stale page
    assert refused.status_code == 409 and "This kiosk has ended" in refused.get_data(as_text=True)
    assert counts(app, pot.id) == (0, 0)
    other = Client(app, use_cookies=True)
    sign_in(other, "admin-b@example.org")
    other.get("/en/manage/")
    assert other.post(f"/en/manage/powys/pb/{pot.id}/kiosk/1/end", data={"csrf_token": other.last_csrf}).status_code == 404


def test_a_kiosk_is_for_an_event_of_the_organisation_and_a_short_window(app, pot, event, make_event):
    theirs = make_event("powys", start=wales_now())
    long_ago = make_event("gwynedd", start=wales_now() - timedelta(days=3))
    device = Client(app, use_cookies=True)
    sign_in(device, "admin-a@example.org")
    for changes, words in (({"event": str(theirs.id)}, "Select an event of your organisation"),
                           ({"event": str(long_ago.id)}, "Select an event of your organisation"),
                           ({"until": _until(13)}, "at most 12 hours from now"),
                           ({"until": "25:00"}, "Enter a time like 16:30"),
                           ({"pin": "12"}, "Enter a PIN of 4 to 8 digits"),
                           ({"pin": "abcd"}, "Enter a PIN of 4 to 8 digits"),
                           ({"pin": "١٢٣٤"}, "Enter a PIN of 4 to 8 digits"),  # digits, but not 0-9
                           ({"until": "١٢:٣٠"}, "Enter a time like 16:30")):
        refused = _start_kiosk(device, pot.id, event.id, **changes)
        assert refused.status_code == 400 and words in refused.get_data(as_text=True), changes
    assert "Start the kiosk" in device.get(f"/en/manage/gwynedd/pb/{pot.id}/kiosk").get_data(as_text=True)
    from engage.ballots.models import Kiosk
    from engage.extensions import db

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Kiosk)) == 0


def test_a_kiosk_stops_at_its_end_time(app, pot, event):
    from engage.ballots.models import Kiosk
    from engage.db import write_transaction
    from engage.extensions import db
    from engage.types import utcnow

    device = Client(app, use_cookies=True)
    sign_in(device, "admin-a@example.org")
    _start_kiosk(device, pot.id, event.id)
    token = csrf_of(device.get("/en/pb/kiosk").get_data(as_text=True))
    with app.app_context():
        with write_transaction():
            kiosk = db.session.scalars(select(Kiosk)).one()
            kiosk.starts_at, kiosk.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(seconds=1)
    assert "This kiosk is closed" in device.get("/en/pb/kiosk").get_data(as_text=True)
    assert device.post("/en/pb/kiosk", data={"csrf_token": token}).status_code == 409
    assert counts(app, pot.id) == (0, 0)


def test_a_forged_kiosk_session_is_no_kiosk(app, pot, event):
    device = Client(app, use_cookies=True)
    sign_in(device, "admin-a@example.org")
    _start_kiosk(device, pot.id, event.id)
    stranger = Client(app, use_cookies=True)
    with stranger.session_transaction() as session:
        session["pb_kiosk"] = {"k": 1, "t": "guessed"}
    assert "No kiosk here" in stranger.get("/en/pb/kiosk").get_data(as_text=True)
    stranger.get("/en/feedback")  # a CSRF token of its own session
    assert "No kiosk here" in stranger.post("/en/pb/kiosk", data={"csrf_token": stranger.last_csrf}).get_data(as_text=True)
    assert "No kiosk here" in stranger.post("/en/pb/kiosk/end", data={"pin": PIN, "csrf_token": stranger.last_csrf}).get_data(as_text=True)
    assert counts(app, pot.id) == (0, 0)


# --- what an attacker tried against the kiosk (each failed on the first version) -----------------


def _device(app, pot, event) -> Client:  # type: ignore[no-untyped-def]
    device = Client(app, use_cookies=True)
    sign_in(device, "admin-a@example.org")
    assert _start_kiosk(device, pot.id, event.id).status_code == 302
    return device


def _copies(app, device: Client, n: int) -> list[Client]:  # type: ignore[no-untyped-def]
    cookie = device.get_cookie("engage_session").value
    jars = []
    for _ in range(n):
        jar = Client(app, use_cookies=True)
        jar.set_cookie("engage_session", cookie)
        jars.append(jar)
    return jars


def _finish(client: Client, pot_id: int, project: int) -> None:
    page = client.get(f"/en/pb/{pot_id}/vote/choose").get_data(as_text=True)
    if "csrf_token" not in page:
        return
    client.post(f"/en/pb/{pot_id}/vote/choose",
                data={"project": [str(project)], "action": "continue", "csrf_token": csrf_of(page)})
    client.post(f"/en/pb/{pot_id}/vote/submit", data={"csrf_token": csrf_of(page)})


def test_codes_gathered_from_copies_of_a_kiosk_do_not_vote(app, pot, event, quick_kiosk):
    """Copies of the device's cookie each took a code; after the kiosk ended all ten voted."""
    device = _device(app, pot, event)
    token = csrf_of(device.get("/en/pb/kiosk").get_data(as_text=True))
    jars = _copies(app, device, 10)
    for jar in jars:
        assert jar.post("/en/pb/kiosk", data={"csrf_token": token}).status_code == 302
    for jar in jars[:-1]:  # each new code ended the one before it: only the last still works
        _finish(jar, pot.id, pot.projects[1])
    assert counts(app, pot.id) == (0, 0)
    assert device.submit("/en/pb/kiosk/end", {"pin": PIN}).status_code == 302
    _finish(jars[-1], pot.id, pot.projects[1])  # and ending the kiosk ended that one too
    assert counts(app, pot.id) == (0, 0)


def test_a_kiosk_waits_between_voters(app, pot, event):
    from engage.ballots.models import Kiosk
    from engage.db import write_transaction
    from engage.extensions import db

    device = _device(app, pot, event)
    assert _kiosk_vote(device, pot.id, pot.projects[0]).status_code == 302
    home = device.get("/en/pb/kiosk").get_data(as_text=True)
    too_soon = device.post("/en/pb/kiosk", data={"csrf_token": csrf_of(home)})
    assert too_soon.status_code == 409 and "The next vote can start in a few seconds" in too_soon.get_data(as_text=True)
    with app.app_context():
        with write_transaction():
            kiosk = db.session.scalars(select(Kiosk)).one()
            kiosk.last_code_at -= timedelta(seconds=16)
    assert _kiosk_vote(device, pot.id, pot.projects[1]).status_code == 302
    assert counts(app, pot.id) == (2, 2)


def test_wrong_pins_sent_at_once_share_the_five_tries(app, pot, event):
    import threading

    from engage.ballots.models import Kiosk
    from engage.extensions import db

    device = _device(app, pot, event)
    token = csrf_of(device.get("/en/pb/kiosk/end").get_data(as_text=True))
    jars = _copies(app, device, 12)
    answers: list[str] = []
    start = threading.Barrier(len(jars))

    def guess(jar: Client, pin: str) -> None:
        start.wait()
        html = jar.post("/en/pb/kiosk/end", data={"pin": pin, "csrf_token": token}).get_data(as_text=True)
        answers.append("wrong" if "That PIN is not right" in html else "spent" if "Too many wrong PINs" in html else "?")

    threads = [threading.Thread(target=guess, args=(jar, str(1000 + i))) for i, jar in enumerate(jars)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(answers) == ["spent"] * 8 + ["wrong"] * 4
    with app.app_context():
        assert db.session.scalars(select(Kiosk)).one().wrong_pins == 5
    assert "Too many wrong PINs" in device.submit("/en/pb/kiosk/end", {"pin": PIN}).get_data(as_text=True)


def test_the_next_voter_cannot_go_back_to_the_last_ones_pages(app, pot, event, quick_kiosk):
    device = _device(app, pot, event)
    done = _kiosk_vote(device, pot.id, pot.projects[0])
    receipt_page = device.get(done.headers["Location"])
    assert "no-store" in receipt_page.headers["Cache-Control"]
    home = device.get("/en/pb/kiosk")  # "Next voter"
    assert "no-store" in home.headers["Cache-Control"]
    assert device.get(f"/en/pb/{pot.id}/vote/done").status_code == 302  # the receipt is gone
    started = device.post("/en/pb/kiosk", data={"csrf_token": csrf_of(home.get_data(as_text=True))})
    assert "no-store" in device.get(started.headers["Location"]).headers["Cache-Control"]


def test_a_live_kiosk_does_not_reach_sign_in_or_staff_pages(app, pot, event):
    device = _device(app, pot, event)
    for path in ("/en/sign-in", "/cy/manage/", f"/en/manage/gwynedd/pb/{pot.id}"):
        response = device.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/pb/kiosk"), path
    assert device.submit("/en/pb/kiosk/end", {"pin": PIN}).status_code == 302
    assert device.get("/en/sign-in").status_code == 200  # once ended, staff sign in again
