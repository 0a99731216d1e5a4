"""Switching language keeps what was typed (issue #19): every POST form where a person types or
chooses something is marked ``data-remember-form``, so engage.js carries its values to the page in
the other language. Found by rendering every page, staff and public, so a new form is checked without
anyone listing it. The carrying itself is shown in Chromium (tests/browser/test_journeys.py).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import template_rendered

from helpers import Client, sign_in
from test_access_matrix import SKIP_ENDPOINTS, samples  # noqa: F401  (the fixture: one object of each kind)

#: Inputs that hold nothing a person typed or chose.
NOT_TYPED = {"hidden", "submit", "button", "reset", "image", "file", "password"}

#: Forms with fields that are deliberately not carried, by the endpoint of the page and the form's
#: action (None: the page's own URL). Each says why. Keep this short.
ALLOWED: dict[tuple[str, str | None], str] = {
    # Nothing yet: secrets (passwords, one-time codes, the kiosk PIN) are marked on the field itself
    # (type=password, autocomplete=one-time-code, data-no-carry) and engage.js skips them, so a form
    # holding only secrets needs no mark.
}

#: The pages issue #19 names, which must be among those checked (by the template they render).
MUST_COVER = {
    "ballots/start.html",          # the voter code
    "feedback/show.html",          # the email on the follow form of a "you said, we did" entry
    "checkin/self.html",           # name and email at poster check-in (ask_contact on)
    "ballots/paper.html",          # a paper ballot typed in by staff
    "feedback/manage_detail.html",  # an update to an entry
    "checkin/settings.html",       # how the door works
}


class Forms(HTMLParser):
    """The POST forms of a page: their attributes and the fields worth carrying."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._open = {"attrs": a, "fields": []} if (a.get("method") or "get").lower() == "post" else None
            if self._open is not None:
                self.forms.append(self._open)
            return
        if self._open is None or tag not in ("input", "select", "textarea"):
            return
        if "data-no-carry" in a or "one-time-code" in (a.get("autocomplete") or ""):
            return  # a secret: never carried, so it asks for no mark
        if tag == "input" and (a.get("type") or "text").lower() in NOT_TYPED:
            return
        self._open["fields"].append(a.get("name") or a.get("id") or tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


@pytest.fixture
def pages(app, samples):  # type: ignore[no-untyped-def]  # noqa: F811
    """Every GET page in Welsh with the sample objects; poster check-in asks for a name and email."""
    from engage.checkin import services as checkin
    from engage.events.models import Event
    from engage.extensions import db

    with app.app_context():
        settings = checkin.settings_for(db.session.get(Event, samples["event_id"]))
        settings.ask_contact = True
        db.session.commit()
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIP_ENDPOINTS or "lang" not in rule.arguments or "GET" not in (rule.methods or ()):
            continue
        own = samples["by_endpoint"].get(rule.endpoint, {})
        args = {name: own.get(name, samples.get(name)) for name in rule.arguments if name != "lang"}
        if any(value is None for value in args.values()):
            continue
        found.append((rule.endpoint, rule.build({**args, "lang": "cy"})[1], "/manage/" in rule.rule))
    return found


def test_every_post_form_with_fields_keeps_them_across_the_switch(app, pages):  # type: ignore[no-untyped-def]
    app.test_client_class = Client
    anonymous, admin = app.test_client(), app.test_client()
    assert sign_in(admin, "admin-a@example.org").status_code == 302
    rendered: set[str] = set()

    def seen(sender, template, context, **extra):  # type: ignore[no-untyped-def]
        rendered.add(template.name)

    unmarked: list[str] = []
    checked = 0
    with template_rendered.connected_to(seen, app):
        for endpoint, path, staff in pages:
            # Public pages as a member of the public (some differ for staff, e.g. signing in).
            for client in ((admin,) if staff else (anonymous, admin)):
                response = client.get(path)
                if response.status_code != 200 or not response.mimetype == "text/html":
                    continue
                parser = Forms()
                parser.feed(response.get_data(as_text=True))
                for form in parser.forms:
                    if not form["fields"]:
                        continue  # only a button (confirm, sign out, withdraw, end a kiosk)
                    checked += 1
                    action = form["attrs"].get("action")
                    if "data-remember-form" in form["attrs"] or (endpoint, action) in ALLOWED:
                        continue
                    unmarked.append(f"{path} ({endpoint}) form to {action or 'itself'}: {form['fields']}")
    assert sorted(set(unmarked)) == [], "add data-remember-form to these forms:\n" + "\n".join(sorted(set(unmarked)))
    assert MUST_COVER <= rendered, f"pages not reached: {sorted(MUST_COVER - rendered)}"
    assert checked >= 30


def input_tag(html: str, name: str) -> str:
    """The one ``<input>`` named ``name`` on the page."""
    tags = re.findall(r"<input\b[^>]*\bname=\"%s\"[^>]*>" % re.escape(name), html)
    assert len(tags) == 1, tags
    return tags[0]


def test_secrets_are_marked_not_to_be_carried(app, pages):  # type: ignore[no-untyped-def]
    """The kiosk PIN and the two-step code carry a mark engage.js skips; the voter code does not."""
    app.test_client_class = Client
    admin = app.test_client()
    assert sign_in(admin, "admin-a@example.org").status_code == 302
    by_endpoint = {endpoint: path for endpoint, path, _staff in pages}
    assert "data-no-carry" in input_tag(admin.get(by_endpoint["manage_pb.kiosk"]).get_data(as_text=True), "pin")
    assert "data-no-carry" in input_tag(admin.get(by_endpoint["twostep.setup"]).get_data(as_text=True), "code")
    vote = app.test_client().get(by_endpoint["pb.start"]).get_data(as_text=True)
    assert "data-remember-form" in vote and "data-no-carry" not in input_tag(vote, "code")
