"""Bilingual parity: every page in both languages, the switch, the cookie, the catalogue."""
from __future__ import annotations

import html as html_module
import re
from pathlib import Path

from babel.messages.pofile import read_po

from pages import page_paths
from textcheck import untranslated

from helpers import sign_in

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
SWITCH_RE = re.compile(r'<a href="([^"]+)" hreflang="(cy|en)" lang="(cy|en)" rel="alternate" data-carry-form>([^<]+)</a>')


def test_every_public_page_exists_in_both_languages(app, client, two_orgs):
    cy_pages = page_paths(app, "cy", staff=False)
    assert len(cy_pages) >= 6
    for path in cy_pages:
        for lang in ("cy", "en"):
            twin = f"/{lang}" + path[3:]
            response = client.get(twin)
            assert response.status_code == 200, twin
            html = response.get_data(as_text=True)
            assert f'<html lang="{lang}">' in html, twin
            assert f'<link rel="alternate" hreflang="cy" href="http://localhost/cy{path[3:]}">' in html
            assert f'<link rel="alternate" hreflang="en" href="http://localhost/en{path[3:]}">' in html


def test_every_staff_page_exists_in_both_languages(app, client, two_orgs):
    sign_in(client, "admin-a@example.org")
    staff = page_paths(app, "cy", staff=True)
    assert len(staff) >= 5
    for path in staff:
        for lang in ("cy", "en"):
            response = client.get(f"/{lang}" + path[3:])
            assert response.status_code == 200, path
            assert f'<html lang="{lang}">' in response.get_data(as_text=True)


def test_switch_links_to_the_counterpart_and_keeps_the_query(client):
    html = client.get("/cy/feedback?from=poster&x=1").get_data(as_text=True)
    href, hreflang, lang, label = SWITCH_RE.search(html).groups()
    href = html_module.unescape(href)
    assert (href, hreflang, lang, label) == ("/en/feedback?from=poster&x=1", "en", "en", "English")
    html = client.get("/en/privacy").get_data(as_text=True)
    assert SWITCH_RE.search(html).groups() == ("/cy/privacy", "cy", "cy", "Cymraeg")
    # Only the other language is offered, never a flag image.
    assert html.count('data-carry-form') == 1 and "flag" not in html.lower()


def test_language_choice_is_remembered_in_a_cookie(client):
    first = client.get("/")
    assert first.status_code == 200
    body = first.get_data(as_text=True)
    # A bilingual choice, Welsh first, not a silent default.
    assert body.index("Parhau yn Gymraeg") < body.index("Continue in English")
    assert 'href="/cy/"' in body and 'href="/en/"' in body
    client.get("/en/privacy")
    assert client.get_cookie("engage_lang").value == "en"
    again = client.get("/")
    assert again.status_code == 302 and again.headers["Location"] == "/en/"
    client.get("/cy/")
    assert client.get("/").headers["Location"] == "/cy/"


def test_no_english_interface_text_on_welsh_public_pages(app, client, two_orgs):
    problems = {}
    for path in page_paths(app, "cy", staff=False):
        cy = client.get(path).get_data(as_text=True)
        en = client.get("/en" + path[3:]).get_data(as_text=True)
        left = untranslated(cy, en)
        if left:
            problems[path] = left
    assert problems == {}


def test_no_english_interface_text_on_welsh_staff_pages(app, client, two_orgs):
    sign_in(client, "admin-a@example.org")
    problems = {}
    for path in page_paths(app, "cy", staff=True):
        cy = client.get(path).get_data(as_text=True)
        en = client.get("/en" + path[3:]).get_data(as_text=True)
        # Names of organisations are content; emails and the CLI example are the same in both.
        left = untranslated(cy, en, allow={"admin-a@example.org", "organiser-a@example.org"})
        if left:
            problems[path] = left
    assert problems == {}


def test_welsh_error_messages_from_validators_and_forms(client):
    response = client.submit("/cy/feedback", {"comments": "", "rating": "9"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Mae problem wedi codi" in html
    assert "Dywedwch wrthym sut gallen ni wella’r gwasanaeth hwn" in html
    assert "Dewiswch un o’r opsiynau" in html  # WTForms' own "Not a valid choice", in Welsh
    assert "Not a valid choice" not in html and "This field is required" not in html
    english = client.submit("/en/feedback", {"comments": "x" * 2001}).get_data(as_text=True)
    assert "Enter 2000 characters or fewer" in english


def test_catalogue_is_complete_and_not_fuzzy():
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="cy")
    assert catalog.plural_forms.startswith("nplurals=6;")
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100
    untranslated_ids = [m.id for m in messages if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated_ids == [] and fuzzy == []
    # Placeholders survive translation.
    for m in messages:
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[0]))
        for s in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", s)) == wanted, m.id


def test_catalogue_is_up_to_date_with_the_code(tmp_path):
    from engage.commands import extract_messages

    pot = tmp_path / "messages.pot"
    extract_messages(pot)
    with pot.open("rb") as fh:
        in_code = {m.id for m in read_po(fh) if m.id}
    with PO.open("rb") as fh:
        in_catalogue = {m.id for m in read_po(fh, locale="cy") if m.id}
    assert in_code - in_catalogue == set(), "run `engage translate update` and translate the new messages"
    assert in_catalogue - in_code == set(), "obsolete messages: run `engage translate update`"


def test_dates_are_formatted_in_welsh(app):
    from datetime import datetime, timezone

    from flask_babel import force_locale, format_date

    with app.test_request_context("/cy/"):
        with force_locale("cy"):
            assert format_date(datetime(2026, 11, 24, tzinfo=timezone.utc), "full") == "Dydd Mawrth, 24 Tachwedd 2026"


def test_no_welsh_translation_carries_an_english_sentence():
    """A merge once glued the next entry's English onto a Welsh translation ("… hwn.When the results
    …"): the page looked translated to a test that compares whole texts. No msgstr may contain any
    English msgid of a sentence's length."""
    with PO.open("rb") as po:
        catalogue = [m for m in read_po(po) if m.id]
    sentences = [m.id for m in catalogue if isinstance(m.id, str) and len(m.id) > 25]
    glued = []
    for m in catalogue:
        for text in (m.string if isinstance(m.string, tuple) else (m.string,)):
            glued += [(m.id, other) for other in sentences if other != m.id and other in (text or "")]
    assert glued == []
