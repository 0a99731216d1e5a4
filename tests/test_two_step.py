"""Two-step sign-in (issue #18): an authenticator app's code after the password, recovery codes,
codes that cannot be replayed, a secret a copy of the database cannot use, and an organisation's rule
that its admins use it."""
from __future__ import annotations

import base64
import re
import threading
import time

import pyotp
from sqlalchemy import select

from engage.extensions import db
from helpers import PASSWORD, Client, sign_in

KEY_RE = re.compile(r'class="two-step-key"[^>]*>([A-Z2-7 ]+)<')


def turn_on(app, email: str = "admin-a@example.org") -> tuple[Client, str, list[str]]:  # type: ignore[no-untyped-def]
    """Sign in, set up two-step sign-in as a person would (the key from the page, a code from the app)."""
    client = Client(app, use_cookies=True)
    assert sign_in(client, email).status_code == 302
    page = client.get("/en/manage/two-step").get_data(as_text=True)
    secret = KEY_RE.search(page).group(1).replace(" ", "")
    done = client.submit("/en/manage/two-step", {"code": pyotp.TOTP(secret).now(), "password": PASSWORD})
    assert done.status_code == 200, done.get_data(as_text=True)[:3000]
    codes = re.findall(r"<li><code>([0-9A-F-]{14})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10 and done.headers["Cache-Control"] == "private, no-store"
    return client, secret, codes


def password_step(app, email: str = "admin-a@example.org", lang: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client(app, use_cookies=True)
    response = sign_in(client, email, lang=lang)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{lang}/sign-in/code")
    return client


def fresh_code(secret: str, app, email: str) -> str:  # type: ignore[no-untyped-def]
    """A code for a later step than the last one accepted (the test must not wait 30 s for the clock)."""
    from engage.accounts.models import User

    with app.app_context():
        last = db.session.scalar(select(User.totp_last_step).where(User.email == email)) or 0
    now = int(time.time() // 30)
    return pyotp.TOTP(secret).at(max(now, last + 1) * 30) if last + 1 <= now + 1 else ""


def test_after_turning_it_on_the_password_alone_signs_nobody_in(app, two_orgs):
    _client, secret, _codes = turn_on(app)
    client = password_step(app)
    assert client.get("/en/manage/").status_code == 302  # not signed in yet
    wrong = client.submit("/en/sign-in/code", {"code": "000000"})
    assert wrong.status_code == 400 and "The code is not correct" in wrong.get_data(as_text=True)
    # The code already used to turn it on is spent; the next step's code (clock drift allows it) works.
    right = client.submit("/en/sign-in/code", {"code": fresh_code(secret, app, "admin-a@example.org")})
    assert right.status_code == 302 and client.get("/en/manage/").status_code == 200


def test_a_code_works_once(app, two_orgs):
    _client, secret, _codes = turn_on(app)
    code = fresh_code(secret, app, "admin-a@example.org")
    first = password_step(app)
    assert first.submit("/en/sign-in/code", {"code": code}).status_code == 302
    second = password_step(app)  # someone who saw the code over a shoulder
    assert second.submit("/en/sign-in/code", {"code": code}).status_code == 400
    assert second.get("/en/manage/").status_code == 302


def test_a_recovery_code_signs_in_once_and_the_welsh_page_says_so(app, two_orgs):
    _client, _secret, codes = turn_on(app)
    client = password_step(app, lang="cy")
    page = client.get("/cy/sign-in/code").get_data(as_text=True)
    assert "Rhowch eich cod" in page and "codau adfer" in page
    assert client.submit("/cy/sign-in/code", {"code": codes[3].lower()}).status_code == 302
    again = password_step(app, lang="cy")
    refused = again.submit("/cy/sign-in/code", {"code": codes[3]})
    assert refused.status_code == 400 and "Nid yw’r cod yn gywir" in refused.get_data(as_text=True)
    # Nine left, said on the settings page.
    client2 = password_step(app)
    assert client2.submit("/en/sign-in/code", {"code": codes[0]}).status_code == 302
    assert "You have 8 unused recovery codes." in client2.get("/en/manage/two-step").get_data(as_text=True)


def test_two_requests_racing_one_recovery_code_sign_in_once(app, two_orgs):
    from engage.accounts import twostep
    from engage.accounts.models import User

    _client, _secret, codes = turn_on(app)
    results: list[bool] = []
    start = threading.Barrier(2)

    def use() -> None:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == "admin-a@example.org"))
            start.wait()
            results.append(twostep.check_code(user, codes[5]))

    threads = [threading.Thread(target=use) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]


def test_the_database_holds_no_usable_secret_and_no_recovery_code(app, two_orgs):
    from engage.accounts.models import RecoveryCode, User

    _client, secret, codes = turn_on(app)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "admin-a@example.org"))
        hashes = list(db.session.scalars(select(RecoveryCode.code_hash)))
        assert secret not in user.totp_sealed and secret.lower() not in user.totp_sealed.lower()
        _salt, body = user.totp_sealed.split(":")
        assert bytes.fromhex(body) != base64.b32decode(secret)
        assert not any(code.replace("-", "") in h or code in h for code in codes for h in hashes)
    # With another secret key (a copy of the database on another machine), the secret is not recovered.
    from engage.accounts import twostep

    with app.app_context():
        app.secret_key, kept = "another-secret-key-of-enough-length-0123456789", app.secret_key
        try:
            assert twostep.unseal(user.totp_sealed, user.id) != secret
        finally:
            app.secret_key = kept
        assert twostep.unseal(user.totp_sealed, user.id) == secret


def test_an_organisation_can_require_it_of_its_admins(app, two_orgs):
    admin = Client(app, use_cookies=True)
    assert sign_in(admin, "admin-a@example.org").status_code == 302
    admin.get("/en/manage/gwynedd/members")
    assert admin.post("/en/manage/gwynedd/two-step-rule", data={"csrf_token": admin.last_csrf, "required": "y"}).status_code == 302
    # Now the admin without it is sent to set it up; the organiser is not affected.
    blocked = admin.get("/en/manage/gwynedd/")
    assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/en/manage/two-step")
    organiser = Client(app, use_cookies=True)
    assert sign_in(organiser, "organiser-a@example.org").status_code == 302
    assert organiser.get("/en/manage/gwynedd/").status_code == 200
    # Another organisation's admin cannot set org A's rule.
    other = Client(app, use_cookies=True)
    assert sign_in(other, "admin-b@example.org").status_code == 302
    other.get("/en/manage/powys/members")
    assert other.post("/en/manage/gwynedd/two-step-rule", data={"csrf_token": other.last_csrf}).status_code == 404
    # Set up, the admin gets in; and cannot turn it off while the rule stands.
    client, _secret, _codes = turn_on(app)
    assert client.get("/en/manage/gwynedd/").status_code == 200
    refused = client.submit("/en/manage/two-step/off", {"password": PASSWORD})
    assert refused.status_code == 400 and "cannot be turned off" in refused.get_data(as_text=True)


def test_turning_it_off_needs_the_password(app, two_orgs):
    client, _secret, _codes = turn_on(app)
    client.get("/en/manage/two-step")
    wrong = client.post("/en/manage/two-step/off", data={"csrf_token": client.last_csrf, "password": "nope-nope-nope"})
    assert wrong.status_code == 400
    client.get("/en/manage/two-step")
    right = client.post("/en/manage/two-step/off", data={"csrf_token": client.last_csrf, "password": PASSWORD})
    assert right.status_code == 302
    assert sign_in(Client(app), "admin-a@example.org").headers["Location"].endswith("/en/manage/")


def test_the_door_api_says_two_step_is_required_rather_than_failing(app, two_orgs, door):
    """An admin without two-step sign-in, in an organisation that requires it: the door's JSON API
    has no page to send them to (its address has no language); it was a 500."""
    admin = Client(app, use_cookies=True)
    assert sign_in(admin, "admin-a@example.org").status_code == 302
    admin.get("/en/manage/gwynedd/members")
    admin.post("/en/manage/gwynedd/two-step-rule", data={"csrf_token": admin.last_csrf, "required": "y"})
    response = admin.get(f"/api/orgs/gwynedd/events/{door.event.id}/counts")
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "two_step_required"
