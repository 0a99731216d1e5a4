"""Switching language keeps what was typed (issue #19), in Chromium on a phone: the voter code, the
email on the follow form, name and email at poster check-in, a staff form; never a one-time code."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from browser.conftest import sign_in
from factories import make_pot
from helpers import PASSWORD, wales_now

PHONE = {"width": 390, "height": 844}
#: Copies what engage.js saves for the switch, so a test can read it after the page has moved on.
RECORD = """
(() => {
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key, value) {
    if (key === "engage:carry") { localStorage.setItem("test:carried", value); }
    return setItem.call(this, key, value);
  };
})();
"""


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    context.add_init_script(RECORD)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], errors


def switch(page, server, to: str, path: str) -> None:  # type: ignore[no-untyped-def]
    page.click(f"a[hreflang={to}][rel=alternate]")
    page.wait_for_load_state("load")  # the values are put back by the deferred script
    assert page.url == server.url + path


def carried(page) -> list:  # type: ignore[no-untyped-def]
    """Every [name, value, checked] engage.js kept at the last switch."""
    raw = page.evaluate("localStorage.getItem('test:carried')")
    return [entry for form in json.loads(raw)["forms"] for entry in form] if raw else []


@pytest.fixture
def places(app, two_orgs, make_event):  # type: ignore[no-untyped-def]
    """An open pot with voter codes, a published entry, an event on now asking for a contact."""
    from engage.accounts.services import get_org
    from engage.checkin import services as checkin
    from engage.events.models import Event
    from engage.extensions import db
    from engage.feedback import services as feedback

    pot = make_pot(app)
    event_id = make_event(start=wales_now() - timedelta(minutes=10)).id
    with app.app_context():
        entry = feedback.create_entry(get_org("gwynedd"), {
            **{n: {"cy": "Testun", "en": "Text"} for n in ("title", "asked", "said", "did")},
            "area": {"cy": "Bangor", "en": "Bangor"}, "status": "planned", "published": True})
        settings = checkin.settings_for(db.session.get(Event, event_id))
        settings.ask_contact = True
        db.session.commit()
        return {"pot": pot, "entry": entry.id, "event": event_id, "poster": settings.poster_token}


@pytest.mark.browser
def test_public_forms_keep_what_was_typed_across_the_switch(live_server, phone, places):  # type: ignore[no-untyped-def]
    page, pot = phone, places["pot"]
    # The voter code, typed from the card.
    page.goto(f"{live_server.url}/cy/pb/{pot.id}/vote")
    page.fill("#code", pot.codes[0])
    # Secrets in the same form are never kept, whatever form they are in.
    page.evaluate("""() => {
      const form = document.querySelector("form[data-remember-form]");
      form.insertAdjacentHTML("beforeend",
        '<input name="otp" autocomplete="one-time-code" value="123456"><input name="pin" data-no-carry value="4821">');
    }""")
    switch(page, live_server, "en", f"/en/pb/{pot.id}/vote")
    assert page.locator("#code").input_value() == pot.codes[0]
    names = [entry[0] for entry in carried(page)]
    assert "code" in names and "otp" not in names and "pin" not in names

    # The email on the follow form of a "you said, we did" entry.
    page.goto(f"{live_server.url}/en/you-said-we-did/{places['entry']}")
    page.fill("#email", "dilynwr@example.org")
    switch(page, live_server, "cy", f"/cy/you-said-we-did/{places['entry']}")
    assert page.locator("#email").input_value() == "dilynwr@example.org"

    # Name and email at poster check-in: the optional part opens again to show them.
    page.goto(f"{live_server.url}/cy/checkin/{places['poster']}")
    page.click("details.optional-contact summary")
    page.fill("#name", "Siân Ŵyn")
    page.fill("#email", "sian@example.org")
    switch(page, live_server, "en", f"/en/checkin/{places['poster']}")
    assert page.locator("details.optional-contact").get_attribute("open") is not None
    assert page.locator("#name").input_value() == "Siân Ŵyn"
    assert page.locator("#email").input_value() == "sian@example.org"


@pytest.mark.browser
def test_staff_form_keeps_what_was_typed_but_not_the_two_step_code(live_server, phone, places):  # type: ignore[no-untyped-def]
    page = phone
    sign_in(page, live_server, "admin-a@example.org", PASSWORD, lang="cy")
    path = f"/manage/gwynedd/events/{places['event']}/checkin-settings"
    page.goto(live_server.url + "/cy" + path)
    page.fill("#capacity", "120")
    page.fill("#opens_minutes_before", "45")
    page.uncheck("#ask_contact")
    switch(page, live_server, "en", "/en" + path)
    assert page.locator("#capacity").input_value() == "120"
    assert page.locator("#opens_minutes_before").input_value() == "45"
    assert not page.locator("#ask_contact").is_checked()

    # The code from an authenticator app is a secret of the moment: never carried.
    page.goto(live_server.url + "/en/manage/two-step")
    page.fill("#code", "123456")
    switch(page, live_server, "cy", "/cy/manage/two-step")
    assert page.locator("#code").input_value() == ""
    assert "123456" not in json.dumps(carried(page))
