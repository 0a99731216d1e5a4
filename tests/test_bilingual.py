"""The bilingual column pair, the form field pair and the tr() helper."""
from __future__ import annotations

from engage.accounts.models import Organisation


def test_tr_shows_the_page_language_and_marks_a_fallback(app):
    from engage.bilingual import tr

    org = Organisation(slug="x", name_cy="Cyngor Sir Ddinbych", name_en=None)
    with app.test_request_context("/cy/"):
        app.preprocess_request()
        assert str(tr(org, "name")) == "Cyngor Sir Ddinbych"
    with app.test_request_context("/en/"):
        app.preprocess_request()
        assert str(tr(org, "name")) == '<span lang="cy">Cyngor Sir Ddinbych</span>'
    org.name_en = "<b>Denbighshire</b>"
    with app.test_request_context("/en/"):
        app.preprocess_request()
        assert str(tr(org, "name")) == "&lt;b&gt;Denbighshire&lt;/b&gt;"


def test_missing_translations_and_set_text():
    org = Organisation(slug="x")
    org.set_text("name", {"cy": "  Cyngor  ", "en": "   "})
    assert org.name_cy == "Cyngor" and org.name_en is None
    assert org.missing_translations() == [("name", "en")]
    org.set_text("name", {"cy": "Cyngor", "en": "Council"})
    assert org.missing_translations() == []
    assert org.texts("name") == {"cy": "Cyngor", "en": "Council"}


def test_bilingual_field_requires_both_or_one(app):
    from engage.accounts.forms import OrgSettingsForm
    from werkzeug.datastructures import MultiDict

    with app.test_request_context("/en/", method="POST"):
        app.preprocess_request()
        form = OrgSettingsForm(formdata=MultiDict({"name-cy": "", "name-en": "Council"}), meta={"csrf": False})
        assert not form.validate()
        assert form.error_list() == [("name-cy", "Enter the Welsh text for “Name of the organisation”")]
        form = OrgSettingsForm(formdata=MultiDict({"name-cy": "C" * 201, "name-en": "Council"}), meta={"csrf": False})
        assert not form.validate()
        assert ("name-cy", "Enter 200 characters or fewer") in form.error_list()
        form = OrgSettingsForm(formdata=MultiDict({"name-cy": "", "name-en": ""}), meta={"csrf": False})
        form.validate()
        assert form.name.require_one() is False


def test_a_missing_translation_stays_plain_text_in_titles_and_options(app, client, two_orgs, make_event):
    """tr() marks a fallback with <span lang>, which a <title> or an <option> cannot hold: there the
    text is plain, escaped once, and still falls back to the other language."""
    import re

    from engage.bilingual import tr_text
    from helpers import sign_in

    event_id = make_event(title={"cy": "Noson & sgwrs", "en": ""}, public=False, status="planned").id
    org = Organisation(slug="x", name_cy="Cyngor <Sir>", name_en=None)
    with app.test_request_context("/en/"):
        app.preprocess_request()
        assert tr_text(org, "name") == "Cyngor <Sir>" and tr_text(None, "name") == ""
    sign_in(client, "organiser-a@example.org")
    html = client.get(f"/en/manage/gwynedd/events/{event_id}").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "Noson &amp; sgwrs" in title and "span" not in title and "&amp;amp;" not in title
    assert '<span lang="cy">Noson &amp; sgwrs</span>' in html  # in the body the fallback is still marked
    # Escaped once more after the tags are gone: a title that looks like markup stays text.
    hostile = make_event(title={"cy": "</title><script>alert(1)</script>", "en": ""}, public=False).id
    html = client.get(f"/en/manage/gwynedd/events/{hostile}").get_data(as_text=True)
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; – Engage</title>" in html
