"""The door on a 390×844 phone (issue #17, 3): after a typed code, a walk-in or an undo the answer is on
the screen, with and without JavaScript; no empty camera box; a compact header. And the resident's
journeys from the poster on the same phone. Screenshots go to test-artifacts/phone/ to be looked at."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser.conftest import ARTIFACTS
from engage.extensions import db
from helpers import PASSWORD

PHONE_390 = {"width": 390, "height": 844}
WORDS = {"cy": {"ok": "Presenoldeb wedi’i gofrestru", "undone": "Mae’r cofrestru presenoldeb wedi’i ddadwneud.",
                "again": "Rydych chi eisoes wedi cofrestru eich presenoldeb"},
         "en": {"ok": "Checked in", "undone": "The check-in has been undone.",
                "again": "You have already checked in"}}


def _phone(browser, js: bool):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE_390, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  java_script_enabled=js)
    context.set_default_timeout(10_000)
    return context


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = ARTIFACTS / "phone"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


def _on_screen(page, selector: str) -> dict:  # type: ignore[no-untyped-def]
    """The element's box, asserting all of it is inside the 844 px high window as it stands."""
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE_390["height"], (selector, box)
    return box


def _sign_in(page, url: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/{lang}/sign-in")
    page.fill("#email", "organiser-a@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_the_doors_answer_is_on_the_screen_after_each_action(app, door, live_server, browser, lang, js):
    context = _phone(browser, js)
    page = context.new_page()
    tag = f"door-{lang}-{'js' if js else 'nojs'}"
    _sign_in(page, live_server.url, lang)
    page.goto(f"{live_server.url}/{lang}/manage/gwynedd/events/{door.event.id}/door")
    _shot(page, f"{tag}-0-open")
    # A compact header: the door's count starts in the top fifth of the screen, not a third down.
    assert page.locator(".site-header").bounding_box()["height"] <= 180  # was 265–300
    _on_screen(page, "#live-count")
    # No black box before the camera is started (with JavaScript the camera section shows its button).
    assert page.locator("#camera").is_hidden()

    # 1. A typed code (the field is below the fold on a phone once the camera section is there).
    page.fill("#code", door.ann.code)
    page.locator("form[data-scan-form=typed_code] button").click()
    expect_text(page, WORDS[lang]["ok"])
    _on_screen(page, "#scan-result")
    _shot(page, f"{tag}-1-typed")
    # 2. A walk-in, further down still.
    page.locator("form[data-scan-form=walk_in] button").scroll_into_view_if_needed()
    page.locator("form[data-scan-form=walk_in] button").click()
    expect(page.locator("#live-count")).to_have_text("2")
    _on_screen(page, "#scan-result")
    assert WORDS[lang]["ok"] in page.locator("#scan-result").inner_text()
    _shot(page, f"{tag}-2-walk-in")
    # 3. Undo the walk-in: its button is next to the answer.
    page.locator("[data-undo-form]").click()
    expect_text(page, WORDS[lang]["undone"])
    _on_screen(page, "#scan-result" if not js else "#result-area")
    expect(page.locator("#live-count")).to_have_text("1")
    _shot(page, f"{tag}-3-undone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    context.close()
    from engage.checkin import services
    with app.app_context():
        assert services.live_count(door.event.id) == 1


def expect_text(page, text: str) -> None:  # type: ignore[no-untyped-def]
    expect(page.locator("#result-area")).to_contain_text(text)


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_a_resident_checks_in_from_the_posters_code_once(app, door, live_server, browser, lang, js):
    from engage.checkin.models import EventCheckin

    with app.app_context():
        code = db.session.get(EventCheckin, door.event.id).typed_code
    context = _phone(browser, js)
    page = context.new_page()
    tag = f"resident-{lang}-{'js' if js else 'nojs'}"
    page.goto(f"{live_server.url}/c")
    _shot(page, f"{tag}-0-choose")
    page.click(f"a[href='/{lang}/checkin']")
    page.fill("#code", f"{code[:3].lower()} {code[3:]}")
    _shot(page, f"{tag}-1-code")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    _shot(page, f"{tag}-2-form")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    _on_screen(page, "#scan-result")
    assert WORDS[lang]["ok"] in page.locator("#scan-result").inner_text()
    _shot(page, f"{tag}-3-done")
    page.goto(f"{live_server.url}/c")  # the same phone, again: said, not counted
    page.fill("#code", code)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    _on_screen(page, "#scan-result")
    _shot(page, f"{tag}-4-again")
    assert WORDS[lang]["again"] in page.locator("#scan-result").inner_text()
    assert page.locator("main form").count() == 0  # no button to press again
    context.close()
    from engage.checkin import services
    with app.app_context():
        assert services.live_count(door.event.id) == 1
