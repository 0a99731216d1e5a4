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
        assert form.error_list() == [("name-cy", "Enter the Welsh text")]
        form = OrgSettingsForm(formdata=MultiDict({"name-cy": "C" * 201, "name-en": "Council"}), meta={"csrf": False})
        assert not form.validate()
        assert ("name-cy", "Enter 200 characters or fewer") in form.error_list()
        form = OrgSettingsForm(formdata=MultiDict({"name-cy": "", "name-en": ""}), meta={"csrf": False})
        form.validate()
        assert form.name.require_one() is False
