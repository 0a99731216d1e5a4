"""Help (issue #18): the officer guide and the IT page, for any signed-in staff, in both languages."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from helpers import sign_in
from textcheck import untranslated

OFFICER = ("help.index", "help.events", "help.vote", "help.feedback", "help.report", "help.staff")
ALL = (*OFFICER, "help.it")


def help_paths(app, lang: str, endpoints=ALL) -> list[str]:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        from flask import url_for
        return [url_for(endpoint, lang=lang) for endpoint in endpoints]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def test_help_endpoints_are_the_ones_tested(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("help.")} == set(ALL)


@pytest.mark.parametrize("email", ["organiser-a@example.org", "admin-a@example.org"])
def test_every_help_page_in_both_languages_for_organiser_and_admin(app, client, two_orgs, email):
    sign_in(client, email)
    for lang in ("cy", "en"):
        for path in help_paths(app, lang):
            response = client.get(path)
            assert response.status_code == 200, path
            assert f'<html lang="{lang}">' in response.get_data(as_text=True), path


def test_help_needs_signing_in(app, client, two_orgs):
    for lang in ("cy", "en"):
        for path in help_paths(app, lang):
            response = client.get(path)
            assert response.status_code == 302, path
            assert "/sign-in" in response.headers["Location"], path


def test_welsh_help_pages_have_no_english(app, client, two_orgs):
    sign_in(client, "organiser-a@example.org")
    problems = {}
    for path in help_paths(app, "cy"):
        cy = client.get(path).get_data(as_text=True)
        en = client.get("/en" + path[3:]).get_data(as_text=True)
        left = untranslated(cy, en)
        if left:
            problems[path] = left
    assert problems == {}


def test_button_names_in_the_guide_are_the_apps_own(app, client, two_orgs):
    """The guide quotes the screens' own words: the Welsh guide names the Welsh buttons."""
    sign_in(client, "organiser-a@example.org")
    html = client.get("/cy/manage/help/events").get_data(as_text=True)
    for words in ("Cofnodi digwyddiad newydd", "Cadw’r digwyddiad", "Drws a chofrestru presenoldeb",
                  "Dechrau’r camera", "Dadwneud y cofrestru presenoldeb hwn"):
        assert f"<strong>{words}</strong>" in html
    html = client.get("/cy/manage/help/vote").get_data(as_text=True)
    assert "<strong>Rwyf wedi gwirio’r canlyniadau hyn: cyhoeddwch nhw</strong>" in html


@pytest.mark.parametrize("email", ["admin-a@example.org", "both@example.org"])
def test_every_link_in_the_guide_works(app, client, two_orgs, make_user, email):
    """One organisation: links go straight to its pages. Several: to the staff dashboard."""
    if email == "both@example.org":
        make_user(email, "gwynedd", "organiser")
        with app.app_context():
            from engage.accounts.models import Membership
            from engage.accounts.services import find_user, get_org
            from engage.extensions import db
            db.session.add(Membership(user_id=find_user(email).id, org_id=get_org("powys").id, role="admin"))
            db.session.commit()
    sign_in(client, email)
    checked = set()
    for lang in ("cy", "en"):
        for path in help_paths(app, lang):
            for href in links(client.get(path).get_data(as_text=True)):
                if not href.startswith("/") or href.startswith("//") or href in checked:
                    continue
                checked.add(href)
                status = client.get(href).status_code
                assert status not in (404, 500), f"{path} → {href}: {status}"
                assert status < 400, f"{path} → {href}: {status}"
    if email == "both@example.org":
        assert not any("/manage/gwynedd/" in href for href in checked)
    else:
        assert any("/manage/gwynedd/events/" in href for href in checked)
    assert len(checked) > 20


def test_officer_guide_needs_no_command_line(app, client, two_orgs):
    sign_in(client, "organiser-a@example.org")
    for lang in ("cy", "en"):
        for path in help_paths(app, lang, OFFICER):
            html = client.get(path).get_data(as_text=True)
            main = html.split('<main', 1)[1].split("</main>", 1)[0]
            assert "<code" not in main and "<pre" not in main, path
            text = re.sub(r"<[^>]+>", " ", main).lower()
            for word in ("command line", "command-line", "terminal", "shell", "llinell orchymyn", "engage ", "flask "):
                if word in ("engage ",):
                    assert not re.search(r"\bengage (db|backup|users|orgs|translate|run|scheduler|demo)\b", text), path
                    continue
                assert word not in text, (path, word)


def test_it_page_shows_commands_as_untranslated_code(app, client, two_orgs):
    sign_in(client, "admin-a@example.org")
    for lang in ("cy", "en"):
        html = client.get(f"/{lang}/manage/help/it").get_data(as_text=True)
        for command in ("engage db upgrade", "engage backup", "engage scheduler", "gunicorn -c gunicorn.conf.py wsgi:app",
                        "ENGAGE_RATELIMIT_STORAGE_URI", "DATABASE_URL", "ENGAGE_TRUSTED_HOSTS", "ENGAGE_PROXY_COUNT",
                        "ENGAGE_SECRET_KEY", "ENGAGE_SMTP_HOST", "docs/secrecy.md"):
            assert command in html, (lang, command)
        codes = re.findall(r"<code([^>]*)>", html)
        assert codes and all('translate="no"' in attrs for attrs in codes)


def test_it_page_names_only_real_settings(app, client, two_orgs):
    """Every ENGAGE_ variable the IT page names is a real setting (in config.py or gunicorn.conf.py)."""
    from pathlib import Path

    from engage.config import Defaults
    gunicorn_conf = (Path(__file__).resolve().parent.parent / "gunicorn.conf.py").read_text()
    sign_in(client, "admin-a@example.org")
    html = client.get("/en/manage/help/it").get_data(as_text=True)
    names = set(re.findall(r"ENGAGE_([A-Z_]+)", html)) - {""}
    assert names
    for name in names:
        assert hasattr(Defaults, name) or name in ("SQLALCHEMY_ENGINE_OPTIONS",) or f"ENGAGE_{name}" in gunicorn_conf, name


def test_staff_dashboard_links_to_help(app, client, two_orgs):
    sign_in(client, "organiser-a@example.org")
    for lang in ("cy", "en"):
        html = client.get(f"/{lang}/manage/").get_data(as_text=True)
        assert f'href="/{lang}/manage/help/"' in html
