"""Links that leave the site (email, posters, voter-code cards, feeds) carry ENGAGE_PUBLIC_URL, never the
request's Host; a request for a host the site is not is refused with the bilingual 400."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engage import create_app
from engage.extensions import db
from engage.feedback.models import FeedbackSubscription
from engage.mail import OutboxMessage
from factories import make_pot
from helpers import CSRF_RE, PASSWORD, VALUE_RE

PUBLIC = "https://engage.example.gov.wales"
#: How a staff laptop inside the council reaches the app (trusted, but not the address people use).
INTERNAL = "http://127.0.0.1:8080"
URL_RE = re.compile(r"https?://[^\s<>\"']+")


@pytest.fixture
def public_app(app):  # type: ignore[no-untyped-def]
    app.config["PUBLIC_URL"] = PUBLIC
    return app


@pytest.fixture
def entry_id(public_app, two_orgs) -> int:  # type: ignore[no-untyped-def]
    from engage.accounts.services import get_org
    from engage.feedback import services

    texts = {"title": ("Goleuadau stryd", "Street lights"), "asked": ("Beth?", "What?"),
             "said": ("Mae’n dywyll.", "It is dark."), "did": ("Goleuadau newydd.", "New lights.")}
    data = {name: {"cy": cy, "en": en} for name, (cy, en) in texts.items()}
    data.update(area={"cy": "Bangor", "en": "Bangor"}, status="planned", published=True)
    with public_app.app_context():
        return services.create_entry(get_org("gwynedd"), data).id


def csrf(response) -> str:  # type: ignore[no-untyped-def]
    return VALUE_RE.search(CSRF_RE.search(response.get_data(as_text=True)).group(0)).group(1)


def post_form(client, path: str, data: dict, page: str | None = None):  # type: ignore[no-untyped-def]
    """GET the form's page (``path`` itself unless given), then POST ``data`` with its CSRF token, both
    at the internal address."""
    token = csrf(client.get(page or path, base_url=INTERNAL))
    return client.post(path, data={**data, "csrf_token": token}, base_url=INTERNAL)


def mails(app) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with app.app_context():
        found = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return found


def links_in(text: str) -> list[str]:
    return URL_RE.findall(text)


# --- which hosts the site answers to --------------------------------------------------------------


def test_trusted_hosts_come_from_the_public_url(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ENGAGE_SECRET_KEY", "s" * 40)
    dev = create_app({"INSTANCE_PATH": str(tmp_path), "PUBLIC_URL": "https://engage.example.gov.wales/"})
    assert dev.config["PUBLIC_URL"] == PUBLIC
    assert dev.config["TRUSTED_HOSTS"] == ["engage.example.gov.wales", "localhost", "127.0.0.1"]
    monkeypatch.setenv("ENGAGE_ENV", "production")
    monkeypatch.setenv("ENGAGE_PUBLIC_URL", PUBLIC)
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["TRUSTED_HOSTS"] == ["engage.example.gov.wales"]
    monkeypatch.setenv("ENGAGE_TRUSTED_HOSTS", "engage.example.gov.wales, engage.internal")
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["TRUSTED_HOSTS"] == [
        "engage.example.gov.wales", "engage.internal"]


def test_production_needs_a_public_url(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ENGAGE_PUBLIC_URL", raising=False)
    monkeypatch.setenv("ENGAGE_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("ENGAGE_ENV", "production")
    with pytest.raises(RuntimeError, match="ENGAGE_PUBLIC_URL is not set"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    for bad in ("engage.example.gov.wales", "ftp://engage.example.gov.wales", "https://"):
        with pytest.raises(RuntimeError, match="must be an http"):
            create_app({"INSTANCE_PATH": str(tmp_path), "PUBLIC_URL": bad})


@pytest.mark.parametrize("path,words", [
    ("/cy/", ["Mae problem gyda’ch cais"]),
    ("/en/", ["There is a problem with your request"]),
    ("/", ["Mae problem gyda’ch cais", "There is a problem with your request"]),
    ("/en/no-such-page", ["There is a problem with your request"]),
])
def test_another_host_is_a_bilingual_400(client, path, words):
    response = client.get(path, headers={"Host": "evil.example"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and all(w in html for w in words), html
    assert "evil.example" not in html


def test_another_host_is_a_json_400_for_the_api(client):
    response = client.get("/api/you-said-we-did.json", headers={"Host": "evil.example"})
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"


def test_a_follow_request_for_another_host_is_refused_and_nothing_is_sent(public_app, client, entry_id):
    public_app.config["WTF_CSRF_ENABLED"] = False  # the session cookie is not sent to another host
    response = client.post(f"/cy/you-said-we-did/{entry_id}/follow", headers={"Host": "evil.example"},
                           data={"email": "someone@example.org", "lang": "cy"})
    assert response.status_code == 400
    with public_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FeedbackSubscription)) == 0
    assert mails(public_app) == []


# --- email ------------------------------------------------------------------------------------------


def test_every_emailed_link_is_at_the_public_address(public_app, client, entry_id):
    # A resident follows through an address that is not the public one; staff change the status from theirs.
    page = f"/cy/you-said-we-did/{entry_id}"
    assert post_form(client, f"{page}/follow", {"email": "a@example.org", "lang": "cy"}, page).status_code == 200
    [confirm] = mails(public_app)
    [confirm_link] = links_in(confirm.body)
    assert confirm_link.startswith(f"{PUBLIC}/cy/you-said-we-did/confirm/")
    path = confirm_link[len(PUBLIC):]
    assert post_form(client, path, {}).status_code == 200

    signed = post_form(client, "/en/sign-in", {"email": "organiser-a@example.org", "password": PASSWORD})
    assert signed.status_code == 302
    staff = f"/en/manage/gwynedd/you-said-we-did/{entry_id}"
    post_form(client, f"{staff}/updates", {"happened_on": "2026-04-01", "body-cy": "Wedi dechrau.", "body-en": "Started.",
                                           "status": "in_progress", "progress": "20"}, staff)
    [_confirm, update] = mails(public_app)
    links = links_in(update.body)
    assert len(links) == 2 and all(link.startswith(f"{PUBLIC}/cy/you-said-we-did/") for link in links), links
    assert update.headers["List-Unsubscribe"] == f"<{links[1]}>"
    assert "127.0.0.1" not in update.body + confirm.body


def test_a_forwarded_host_is_not_believed(public_app, entry_id):
    """Behind a proxy (ENGAGE_PROXY_COUNT=1), X-Forwarded-Host is the client's word, not the proxy's."""
    from helpers import Client

    proxied = create_app({"TESTING": True, "SECRET_KEY": public_app.config["SECRET_KEY"], "PUBLIC_URL": PUBLIC,
                          "SQLALCHEMY_DATABASE_URI": public_app.config["SQLALCHEMY_DATABASE_URI"],
                          "INSTANCE_PATH": public_app.instance_path, "PROXY_COUNT": 1})
    proxied.test_client_class = Client
    try:
        client = proxied.test_client()
        forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-For": "203.0.113.9"}
        page = f"/en/you-said-we-did/{entry_id}"
        token = csrf(client.get(page, headers=forged, base_url="http://localhost"))
        response = client.post(f"{page}/follow", headers=forged, base_url="http://localhost",
                               data={"email": "b@example.org", "lang": "en", "csrf_token": token})
        assert response.status_code == 200
    finally:
        with proxied.app_context():
            for engine in db.engines.values():
                engine.dispose()
    [confirm] = mails(public_app)
    assert links_in(confirm.body)[0].startswith(f"{PUBLIC}/en/you-said-we-did/confirm/")
    assert "evil.example" not in confirm.body


# --- printed and published links -----------------------------------------------------------------


@pytest.fixture
def qr_texts(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """What every QR code drawn during the test says."""
    from engage import qr
    from engage.ballots import manage as ballots_manage
    from engage.checkin import manage as checkin_manage
    from engage.checkin import public as checkin_public

    seen: list[str] = []

    def recording(text, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(text)
        return qr.qr_svg(text, *args, **kwargs)

    for module in (ballots_manage, checkin_manage, checkin_public):
        monkeypatch.setattr(module, "qr_svg", recording)
    return seen


def test_posters_cards_and_tickets_printed_inside_carry_the_public_address(public_app, client, door, qr_texts):
    assert post_form(client, "/en/sign-in", {"email": "organiser-a@example.org", "password": PASSWORD}).status_code == 302
    event = f"/cy/manage/gwynedd/events/{door.event.id}"
    poster = client.get(f"{event}/poster", base_url=INTERNAL).get_data(as_text=True)
    assert "Ewch i engage.example.gov.wales" in poster and "Go to engage.example.gov.wales" in poster
    assert client.get(f"{event}/screen/qr.svg", base_url=INTERNAL).status_code == 200
    assert client.get(f"/cy/tickets/{door.ann.token}", base_url=INTERNAL).status_code == 200

    pot = make_pot(public_app, codes=0, open_it=False)
    detail = f"/en/manage/gwynedd/pb/{pot.id}"
    cards = post_form(client, f"{detail}/codes", {"count": "2"}, detail)
    assert f"{PUBLIC}/v/{pot.id}<" in cards.get_data(as_text=True)

    assert len(qr_texts) == 5  # poster, screen, ticket, two cards
    assert all(text.startswith(f"{PUBLIC}/") for text in qr_texts), qr_texts
    assert "127.0.0.1" not in poster


def test_feeds_link_to_the_public_address(public_app, client, entry_id, make_event):
    make_event("gwynedd")
    bodies = [client.get(path, base_url=INTERNAL).get_data(as_text=True) for path in (
        "/en/you-said-we-did/gwynedd/feed.xml", "/api/you-said-we-did.json", "/cy/events/calendar.ics")]
    for body in bodies:
        found = links_in(body.replace("\r\n ", ""))  # iCalendar folds long lines
        assert found and all(link.startswith(PUBLIC) or "w3.org" in link for link in found), found
        assert "127.0.0.1" not in body


def test_alternate_language_links_are_at_the_public_address(public_app, client):
    html = client.get("/cy/events/", base_url=INTERNAL).get_data(as_text=True)
    assert f'<link rel="alternate" hreflang="en" href="{PUBLIC}/en/events/">' in html
