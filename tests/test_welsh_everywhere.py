"""Issue #19, Welsh to the last byte: the items a catalogue cannot reach."""
from __future__ import annotations

import re

from helpers import Client, sign_in


def test_welsh_staff_pages_say_saesneg_and_mark_the_english_text(app, two_orgs, make_event):
    event = make_event(title={"cy": "Bore coffi", "en": "Coffee morning"})
    client = Client(app, use_cookies=True)
    assert sign_in(client, "admin-a@example.org", lang="cy").status_code == 302
    detail = client.get(f"/cy/manage/gwynedd/events/{event.id}").get_data(as_text=True)
    assert '<h3 class="h-small">Saesneg</h3>' in detail and '<h3 class="h-small">English</h3>' not in detail
    assert re.search(r'<div class="prose" lang="en" data-english="half">Everyone welcome\.</div>', detail)
    themes = client.get("/cy/manage/gwynedd/themes").get_data(as_text=True)
    assert '<th scope="col">Saesneg</th>' in themes and '<th scope="col">English</th>' not in themes
    english = client.get(f"/en/manage/gwynedd/events/{event.id}").get_data(as_text=True)
    assert '<h3 class="h-small">English</h3>' in english and '<h3 class="h-small">Welsh</h3>' in english


def test_the_language_choice_page_skip_link_is_in_both_languages(client):
    page = client.get("/").get_data(as_text=True)
    link = re.search(r'<a class="skip-link"[^>]*>(.*?)</a>', page).group(1)
    assert '<span lang="cy">Neidio i’r prif gynnwys</span>' in link and '<span lang="en" data-english="half">Skip to main content</span>' in link


def test_the_fluent_review_is_applied(app):
    """shared/welsh-review-2026-12.md: the entries that matter most, and the mutation after "gan"."""
    from flask_babel import force_locale, gettext, pgettext

    with app.test_request_context(), force_locale("cy"):
        assert gettext("someone no longer on Engage") == "aelod o staff nad yw ar Engage mwyach"
        assert " gan " not in gettext("First checked in at %(time)s by %(who)s.", time="10:00", who="Dafydd")
        assert gettext("Staff area") == "Adran staff" and gettext("Audit log") == "Log archwilio"
        assert gettext("Not possible") == "Nid yw’n bosibl" and gettext("Any") == "Y cyfan"
        assert (pgettext("in use", "Yes"), pgettext("in use", "No")) == ("Ydy", "Nac ydy")
        assert (pgettext("arrived", "Yes"), pgettext("arrived", "No")) == ("Do", "Naddo")
        assert gettext("Ballots") == "Pleidleiswyr"
