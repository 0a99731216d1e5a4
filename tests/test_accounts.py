"""Sign-in, roles, organisation scoping, rate limits, the audit log and the account commands."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from helpers import PASSWORD, sign_in
from engage.accounts.models import User
from engage.audit.models import AuditEntry
from engage.extensions import db


def test_anonymous_staff_area_redirects_to_sign_in(client, two_orgs):
    for lang in ("cy", "en"):
        response = client.get(f"/{lang}/manage/")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/{lang}/sign-in?next=/{lang}/manage/"
    response = client.get("/cy/manage/gwynedd/settings")
    assert response.headers["Location"].startswith("/cy/sign-in?next=")


def test_sign_in_then_follow_next_and_sign_out(client, two_orgs):
    client.get("/en/sign-in?next=/en/manage/gwynedd/")
    response = client.post("/en/sign-in?next=/en/manage/gwynedd/", data={
        "email": "Admin-A@Example.org", "password": PASSWORD, "csrf_token": client.last_csrf})
    assert response.status_code == 302 and response.headers["Location"] == "/en/manage/gwynedd/"
    page = client.get("/en/manage/gwynedd/").get_data(as_text=True)
    assert "Gwynedd Council" in page and "Audit log" in page
    response = client.submit("/en/manage/", {})  # POST to a GET-only page
    assert response.status_code == 405
    client.get("/en/")
    response = client.post("/en/sign-out", data={"csrf_token": client.last_csrf})
    assert response.status_code == 302
    assert "You have signed out." in client.get("/en/").get_data(as_text=True)
    assert client.get("/en/manage/").status_code == 302


#: ``next`` values (as they stand in the query string) that browsers or proxies read as another site.
OPEN_REDIRECTS = [
    "//evil.example/", "%2F%2Fevil.example", "/%2F%2Fevil.example", "///evil.example",
    "/%09/evil.example", "/%09%09/evil.example", "%09//evil.example", "/%0a/x", "/%0d%0a/evil.example",
    "%20//evil.example", "/%20/evil.example", "/%E2%80%8B/evil.example", "/%0b/evil.example",
    "/%5Cevil.example", "/%5C%5Cevil.example", "%5C%5Cevil.example", "/%5C/evil.example", "/en/%5C",
    "/%252F/evil.example", "/%255Cevil.example", "/%2509/evil.example",
    "https:evil.example", "https://evil.example", "https:%2F%2Fevil.example", "HTTPS://evil.example",
    "javascript:alert(1)", "evil.example", "",
]


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_next_cannot_send_people_to_another_site(client, two_orgs, target):
    response = client.submit(f"/en/sign-in?next={target}", {"email": "admin-a@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/en/manage/", target


def test_next_with_a_nul_is_refused_not_an_error(client, two_orgs):
    response = client.submit("/en/sign-in?next=/%00/evil.example", {"email": "admin-a@example.org", "password": PASSWORD})
    assert response.status_code == 400


def test_next_to_a_page_of_this_site_is_followed(client, two_orgs):
    from urllib.parse import quote

    target = "/en/manage/gwynedd/audit?q=a%20b&page=2"  # as the sign-in redirect puts it in ``next``
    response = client.submit(f"/en/sign-in?next={quote(target, safe='/')}",
                             {"email": "admin-a@example.org", "password": PASSWORD})
    assert response.headers["Location"] == target


def test_wrong_password_is_a_bilingual_error_and_changes_nothing(app, client, two_orgs):
    response = client.submit("/cy/sign-in", {"email": "admin-a@example.org", "password": "nope nope nope"})
    assert response.status_code == 400
    assert "Rhowch gyfeiriad e-bost a chyfrinair cywir" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "admin-a@example.org"))
        assert user.last_login_at is None


def test_a_new_session_on_sign_in(client, two_orgs):
    client.get("/en/sign-in")
    before = client.last_csrf
    sign_in(client, "admin-a@example.org")
    client.get("/en/manage/password")
    assert client.last_csrf != before


def test_the_31st_failed_sign_in_from_one_address_in_a_minute_is_refused(client, two_orgs):
    # Each attempt names another address, so only the per-address count can stop them.
    for attempt in range(30):
        response = client.submit("/en/sign-in", {"email": f"person{attempt}@example.org", "password": "wrong"})
        assert response.status_code == 400, attempt
    response = client.submit("/en/sign-in", {"email": "someone@example.org", "password": "wrong"})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    # Even the right password waits now; showing the form still works.
    assert client.get("/en/sign-in").status_code == 200
    assert client.submit("/en/sign-in", {"email": "admin-a@example.org", "password": PASSWORD}).status_code == 429


def test_an_office_behind_one_address_is_not_stopped_by_one_persons_typos(client, two_orgs):
    for attempt in range(9):
        assert client.submit("/en/sign-in", {"email": "organiser-a@example.org", "password": f"typo {attempt}"}).status_code == 400
    for attempt in range(3):
        assert client.submit("/en/sign-in", {"email": "admin-b@example.org", "password": f"typo {attempt}"}).status_code == 400
    assert sign_in(client, "admin-a@example.org").status_code == 302
    assert sign_in(client, "organiser-a@example.org").status_code == 302  # nine typos, then right


def _paused_words(html: str) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return re.sub(r"\d\d:\d\d", "HH:MM", found.group(0)) if found else ""


def test_ten_wrong_passwords_pause_that_accounts_password_sign_in(app, two_orgs):
    from helpers import Client

    app.test_client_class = Client
    attacker, colleague = app.test_client(), app.test_client()
    for attempt in range(10):
        response = attacker.submit("/en/sign-in", {"email": "admin-a@example.org", "password": f"guess {attempt}"})
        assert response.status_code == 400, attempt
    # The account is paused for everyone, whatever the spelling of its address, even with the right password.
    response = colleague.submit("/cy/sign-in", {"email": "Admin-A@Example.org", "password": PASSWORD})
    html = response.get_data(as_text=True)
    assert response.status_code == 429 and 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "mae mewngofnodi ag ef wedi’i atal dros dro" in html and "Gallwch roi cynnig arall arni o " in html
    assert 'value="Admin-A@Example.org"' in html  # the form is shown again, as typed
    english = colleague.submit("/en/sign-in", {"email": "admin-a@example.org", "password": PASSWORD})
    assert english.status_code == 429 and "signing in with it is paused for a while" in english.get_data(as_text=True)
    # Other accounts, from the same address, are not.
    assert sign_in(attacker, "organiser-a@example.org").status_code == 302


def test_the_pause_reads_the_same_for_an_address_with_no_account(app, two_orgs):
    from helpers import Client

    app.test_client_class = Client
    pages = {}
    for email in ("admin-a@example.org", "nobody@example.org"):
        client = app.test_client()
        for attempt in range(10):
            assert client.submit("/en/sign-in", {"email": email, "password": f"guess {attempt}"}).status_code == 400
        response = client.submit("/en/sign-in", {"email": email, "password": "guess again"})
        assert response.status_code == 429
        pages[email] = _paused_words(response.get_data(as_text=True))
    assert pages["admin-a@example.org"] and pages["admin-a@example.org"] == pages["nobody@example.org"]


def test_a_form_without_a_password_does_not_count_against_the_account(client, two_orgs):
    for _ in range(12):
        assert client.submit("/en/sign-in", {"email": "admin-a@example.org", "password": ""}).status_code == 400
    assert sign_in(client, "admin-a@example.org").status_code == 302


def test_successful_sign_ins_do_not_use_up_the_allowance(client, two_orgs):
    for _ in range(7):
        assert sign_in(client, "admin-a@example.org").status_code == 302


def test_other_organisations_are_not_found(client, two_orgs):
    sign_in(client, "admin-a@example.org")
    for path in ("/en/manage/powys/", "/en/manage/powys/settings", "/en/manage/powys/audit",
                 "/en/manage/no-such-org/"):
        assert client.get(path).status_code == 404, path
    response = client.submit("/en/manage/gwynedd/settings", {"name-cy": "A", "name-en": "B"})
    assert response.status_code == 302
    client.get("/en/manage/gwynedd/")
    response = client.post("/en/manage/powys/settings", data={"name-cy": "X", "name-en": "Y",
                                                               "csrf_token": client.last_csrf})
    assert response.status_code == 404


def test_organisers_cannot_use_admin_pages(client, two_orgs):
    sign_in(client, "organiser-a@example.org")
    assert client.get("/en/manage/gwynedd/").status_code == 200
    for path in ("/en/manage/gwynedd/settings", "/en/manage/gwynedd/audit", "/en/manage/gwynedd/members"):
        assert client.get(path).status_code == 403, path


def test_renaming_needs_both_languages_and_is_audited(app, client, two_orgs):
    sign_in(client, "admin-a@example.org")
    response = client.submit("/cy/manage/gwynedd/settings", {"name-cy": "", "name-en": "Gwynedd"})
    assert response.status_code == 400
    assert "Rhowch y testun Cymraeg" in response.get_data(as_text=True)
    with app.app_context():
        from engage.accounts.services import get_org
        assert get_org("gwynedd").name_en == "Gwynedd Council"
    response = client.submit("/en/manage/gwynedd/settings", {"name-cy": "Cyngor Gwynedd Newydd", "name-en": "New Gwynedd Council"})
    assert response.status_code == 302
    log = client.get("/en/manage/gwynedd/audit").get_data(as_text=True)
    assert "accounts.org_renamed" in log and "admin-a@example.org" in log
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.kind == "accounts.org_renamed"))
        assert entry.data["after"] == {"cy": "Cyngor Gwynedd Newydd", "en": "New Gwynedd Council"}
        assert entry.user.email == "admin-a@example.org"


def test_changing_password_signs_out_other_sessions(app, two_orgs):
    from helpers import Client

    app.test_client_class = Client
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, "admin-a@example.org")
    sign_in(laptop, "admin-a@example.org")
    response = laptop.submit("/en/manage/password", {"current": PASSWORD, "new": "a brand new passphrase",
                                                     "confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert laptop.get("/en/manage/").status_code == 200  # this session carries on
    assert phone.get("/en/manage/").status_code == 302  # the other one is gone
    assert sign_in(phone, "admin-a@example.org", "a brand new passphrase").status_code == 302


def test_password_change_errors_in_welsh(client, two_orgs):
    sign_in(client, "admin-a@example.org")
    response = client.submit("/cy/manage/password", {"current": "wrong one!!", "new": "short", "confirm": "other"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nid yw’r ddau gyfrinair newydd yr un fath" in html
    response = client.submit("/cy/manage/password", {"current": "wrong one!!", "new": "long enough pass", "confirm": "long enough pass"})
    assert "Nid yw eich cyfrinair presennol yn gywir" in response.get_data(as_text=True)


def test_email_is_unique_whatever_its_case(app, two_orgs):
    from sqlalchemy.exc import IntegrityError

    from engage.db import write_transaction

    with app.app_context():
        with pytest.raises(IntegrityError):
            with write_transaction():
                db.session.add(User(email="ADMIN-A@example.org", password_hash="x"))


def test_cli_creates_organisations_and_users(app, monkeypatch):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["orgs", "create", "ynys-mon", "--name-en", "Isle of Anglesey", "--name-cy", "Ynys Môn"])
    assert result.exit_code == 0, result.output
    runner.invoke(args=["orgs", "create", "llandudno", "--name-en", "Llandudno", "--name-cy", "Llandudno"])
    runner.invoke(args=["orgs", "create", "lon", "--name-en", "Lon", "--name-cy", "Lôn Las"])
    result = runner.invoke(args=["orgs", "list", "--lang", "cy"])
    assert [line.split("\t")[0] for line in result.output.splitlines()] == ["lon", "llandudno", "ynys-mon"]
    monkeypatch.setenv("ENGAGE_PASSWORD", "a long enough password")
    result = runner.invoke(args=["users", "create", "Sian@Example.org", "--org", "ynys-mon", "--role", "admin"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from engage.accounts.services import authenticate
        user = authenticate("sian@example.org", "a long enough password")
        assert user is not None and user.role_in(user.organisations[0]) == "admin"
    bad = runner.invoke(args=["users", "create", "x@example.org", "--org", "nope", "--role", "admin"])
    assert bad.exit_code != 0 and "no organisation" in bad.output
    dup = runner.invoke(args=["orgs", "create", "ynys-mon", "--name-en", "A", "--name-cy", "B"])
    assert dup.exit_code != 0 and "slug taken" in dup.output


def test_demo_is_idempotent_and_prints_the_login(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@demo.example.org" in first.output and "bara-brith-a-phaned" in first.output
    with app.app_context():
        count = db.session.query(User).count()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "created" not in second.output
    with app.app_context():
        assert db.session.query(User).count() == count
    from helpers import Client
    app.test_client_class = Client
    client = app.test_client()
    assert sign_in(client, "admin@demo.example.org", "bara-brith-a-phaned").status_code == 302


def test_demo_refuses_production(app):
    app.config["ENV"] = "production"
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "refusing" in result.output


def test_a_residents_session_is_not_rewritten_on_every_public_page(client, two_orgs):
    client.get("/cy/sign-in")  # a form puts a CSRF token in the session: it is no longer empty
    assert client.get_cookie("engage_session") is not None
    for url in ("/cy/pb/", "/en/pb/", "/cy/events/", "/cy/"):
        response = client.get(url)
        assert response.status_code == 200
        assert [c for c in response.headers.getlist("Set-Cookie") if not c.startswith("engage_lang=")] == [], url
    assert client.get_cookie("remember_token") is None


def test_a_signed_in_session_from_another_browser_is_dropped(client, two_orgs):
    sign_in(client, "admin-a@example.org")
    assert client.get("/en/manage/").status_code == 200
    response = client.get("/en/manage/", headers={"User-Agent": "Something else/1.0"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/en/sign-in")
    # The user is gone from the session itself, not just from that one request.
    assert client.get("/en/manage/").status_code == 302


def test_signing_out_ends_the_session_on_the_server(app, client, two_orgs):
    from helpers import Client

    sign_in(client, "admin-a@example.org")
    assert client.get("/en/manage/").status_code == 200
    copied = client.get_cookie("engage_session").value  # taken from the browser before signing out
    client.post("/en/sign-out", data={"csrf_token": client.last_csrf})
    app.test_client_class = Client
    thief = app.test_client()
    thief.set_cookie("engage_session", copied)
    assert thief.get("/en/manage/").status_code == 302
    assert thief.get("/en/manage/gwynedd/").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.kind).where(AuditEntry.kind == "accounts.logout")) is not None


def test_signing_out_leaves_the_other_browsers_signed_in(app, two_orgs):
    from helpers import Client

    app.test_client_class = Client
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, "admin-a@example.org")
    sign_in(laptop, "admin-a@example.org")
    laptop.get("/en/")
    laptop.post("/en/sign-out", data={"csrf_token": laptop.last_csrf})
    assert laptop.get("/en/manage/").status_code == 302
    assert phone.get("/en/manage/").status_code == 200


def test_a_session_ends_at_its_lifetime_however_busy(app, client, two_orgs):
    from datetime import timedelta

    from engage.accounts.models import UserSession
    from engage.db import write_transaction

    sign_in(client, "admin-a@example.org")
    assert client.get("/en/manage/").status_code == 200
    with app.app_context(), write_transaction():
        row = db.session.scalar(select(UserSession))
        row.created_at -= app.permanent_session_lifetime + timedelta(seconds=1)
    assert client.get("/en/manage/").status_code == 302
    sign_in(client, "admin-b@example.org")  # the next sign-in clears sessions past their lifetime
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_setting_a_password_from_the_command_line_ends_every_session(app, client, two_orgs, monkeypatch):
    sign_in(client, "admin-a@example.org")
    monkeypatch.setenv("ENGAGE_PASSWORD", "another long passphrase")
    result = app.test_cli_runner().invoke(args=["users", "set-password", "admin-a@example.org"])
    assert result.exit_code == 0, result.output
    assert client.get("/en/manage/").status_code == 302


@pytest.mark.parametrize("lang,new,words", [
    ("en", "eleven char", "Enter a password of at least 12 characters"),
    ("cy", "eleven char", "Rhowch gyfrinair o 12 nod o leiaf"),
    ("en", "Password1234", "Choose a password that is harder to guess"),
    ("en", "qwertyuiop123", "Choose a password that is harder to guess"),
    ("cy", "iloveyou12345", "Dewiswch gyfrinair sy’n anoddach ei ddyfalu"),
    ("en", "Gwynedd-lights-2026", "without the name in your email address or your organisation’s name"),
    ("en", "my cyngor gwynedd key", "without the name in your email address or your organisation’s name"),
    ("cy", "admin-a rocks hard", "heb yr enw yn eich cyfeiriad e-bost nac enw eich sefydliad"),
])
def test_a_new_password_must_be_long_and_hard_to_guess(app, client, two_orgs, lang, new, words):
    sign_in(client, "admin-a@example.org")
    response = client.submit(f"/{lang}/manage/password", {"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    with app.app_context():
        from engage.accounts.services import authenticate
        assert authenticate("admin-a@example.org", PASSWORD) is not None


def test_the_password_rule_holds_for_new_users_and_the_command_line(app, make_org, monkeypatch):
    from engage.accounts import services

    make_org("ynys-mon", "Isle of Anglesey", "Ynys Môn")
    with app.app_context():
        org = services.get_org("ynys-mon")
        for password, code in (("ynysmon-is-lovely", "password_has_name"), ("Isle of Anglesey 1", "password_has_name"),
                               ("sian.griffiths99", "password_has_name"), ("abcdefgh1234", "password_too_guessable")):
            with pytest.raises(services.AccountRefusal) as refused:
                services.create_user("sian.griffiths@example.org", password, org, "admin")
            assert refused.value.code == code, password
        services.check_new_password("llechen las ar y mynydd", "sian.griffiths@example.org", [org])
    monkeypatch.setenv("ENGAGE_PASSWORD", "qwertyuiop123")
    result = app.test_cli_runner().invoke(args=["users", "create", "x@example.org", "--org", "ynys-mon", "--role", "admin"])
    assert result.exit_code != 0 and "password too guessable" in result.output
