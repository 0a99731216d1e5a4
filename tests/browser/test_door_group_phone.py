"""A group ticket at the door on a 390×844 phone (issue #17: one booking, several people): the question
"how many have arrived?" is on the screen with a number to change and a button big enough to press,
with and without JavaScript, in both languages. Screenshots go to /tmp/group-*.png to be looked at."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser.test_door_phone import PHONE_390, _on_screen, _phone, _sign_in
from engage.extensions import db

WORDS = {"cy": {"ask": "Archeb ar gyfer 4 o bobl: faint sydd wedi cyrraedd?", "two": "Presenoldeb wedi’i gofrestru: 2 o bobl",
                "left": "Wedi cyrraedd: 2 o 4. I ddod eto: 2.", "how": "Faint sydd wedi cyrraedd?"},
         "en": {"ask": "Booking for 4 people: how many have arrived?", "two": "Checked in: 2 people",
                "left": "Arrived: 2 of 4. Still to come: 2.", "how": "How many have arrived?"}}
SHOTS = Path("/tmp")


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(SHOTS / f"group-{name}.png"))


def _type_code(page, code: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#code", code)
    page.locator("form[data-scan-form=typed_code] button").click()
    page.wait_for_load_state("load")  # without JavaScript a new page: measured only once its styles apply


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_a_group_is_checked_in_in_two_parts_on_a_phone(app, door, live_server, browser, lang, js):
    from engage.checkin import services
    from engage.events.models import Event

    with app.app_context():
        code = services.register(db.session.get(Event, door.event.id),
                                 {"name": "Elin Parry", "phone": "1", "places": 4}).code
    context = _phone(browser, js)
    page = context.new_page()
    tag = f"{lang}-{'js' if js else 'nojs'}"
    _sign_in(page, live_server.url, lang)
    page.goto(f"{live_server.url}/{lang}/manage/gwynedd/events/{door.event.id}/door")

    _type_code(page, code)
    expect(page.locator("#result-area")).to_contain_text(WORDS[lang]["ask"])
    people = page.locator("[data-group-form] input[name=people]")
    expect(people).to_have_value("4")
    expect(page.locator("[data-group-form] label")).to_have_text(WORDS[lang]["how"])
    for selector in ("#scan-result", "[data-group-form] input[name=people]", "[data-group-form] button"):
        box = _on_screen(page, selector)
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_390["width"], (selector, box)
    _shot(page, f"{tag}-1-ask")
    if js:  # the page checks the number before sending it
        people.fill("9")
        page.locator("[data-group-form] button").click()
        expect(page.locator("[data-group-form] .error-message")).to_be_visible()
    people.fill("2")
    page.locator("[data-group-form] button").click()
    page.wait_for_load_state("load")
    expect(page.locator("#result-area")).to_contain_text(WORDS[lang]["two"])
    expect(page.locator("#result-area")).to_contain_text(WORDS[lang]["left"])
    expect(page.locator("#live-count")).to_have_text("2")
    _on_screen(page, "#scan-result")
    _shot(page, f"{tag}-2-two-in")

    _type_code(page, code)  # the rest arrive later
    expect(page.locator("[data-group-form] input[name=people]")).to_have_value("2")
    page.locator("[data-group-form] button").click()
    expect(page.locator("#live-count")).to_have_text("4")
    _shot(page, f"{tag}-3-all-in")
    walk_in = page.locator("form[data-scan-form=walk_in]")
    walk_in.scroll_into_view_if_needed()
    for selector in ("form[data-scan-form=walk_in] input[name=people]", "form[data-scan-form=walk_in] button"):
        box = _on_screen(page, selector)
        assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE_390["width"], (selector, box)
    _shot(page, f"{tag}-4-walk-in")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    context.close()
    with app.app_context():
        assert services.live_count(door.event.id) == 4


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_registering_a_party_on_a_phone(app, door, live_server, browser, lang):
    from engage.checkin.models import EventCheckin

    with app.app_context():
        db.session.get(EventCheckin, door.event.id).registration_open = True
        db.session.commit()
    context = _phone(browser, True)
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/events/{door.event.id}/register")
    page.fill("#name", "Elin Parry")
    page.fill("#email", "elin@example.org")
    page.check("#preferred_lang-0")
    page.fill("#places", "3")
    page.check("#consent")
    page.locator("#places").scroll_into_view_if_needed()
    box = _on_screen(page, "#places")
    assert box["height"] >= 44
    _shot(page, f"{lang}-register")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    expect(page.locator(".ticket-places")).to_have_text("Tocyn ar gyfer 3 o bobl" if lang == "cy" else "Ticket for 3 people")
    _shot(page, f"{lang}-ticket")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    context.close()
