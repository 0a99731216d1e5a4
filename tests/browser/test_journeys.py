"""Journeys a person takes, in Chromium on a phone-sized screen."""
from __future__ import annotations

import pytest

from browser.conftest import sign_in
from helpers import PASSWORD


@pytest.mark.browser
def test_first_visit_choose_language_then_it_is_remembered(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "cy"
    page.click("text=Continue in English")
    page.wait_for_load_state("load")
    assert page.url == live_server.url + "/en/"
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(live_server.url + "/")
    assert page.url == live_server.url + "/en/"


@pytest.mark.browser
def test_switch_lands_on_the_counterpart_page(live_server, page):
    page.goto(live_server.url + "/cy/privacy?ref=poster")
    switch = page.locator("a[hreflang=en][rel=alternate]")
    assert switch.inner_text() == "English"
    switch.click()
    page.wait_for_load_state("load")
    assert page.url == live_server.url + "/en/privacy?ref=poster"
    assert page.locator("h1").inner_text() == "Privacy notice"
    page.click("a[hreflang=cy][rel=alternate]")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Hysbysiad preifatrwydd"


@pytest.mark.browser
def test_switching_language_keeps_what_was_typed(live_server, page):
    page.goto(live_server.url + "/en/feedback")
    page.check("#rating-1")  # "Satisfied"
    page.fill("#comments", "Mae’r gwasanaeth yn dda — ŵ ŷ")
    page.click("a[hreflang=cy][rel=alternate]")
    page.wait_for_load_state("load")  # the values are put back by the deferred script
    assert page.url == live_server.url + "/cy/feedback"
    assert page.locator("#comments").input_value() == "Mae’r gwasanaeth yn dda — ŵ ŷ"
    assert page.locator("#rating-1").is_checked()
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Diolch am eich adborth"


@pytest.mark.browser
def test_error_summary_takes_focus_and_links_to_the_field(live_server, page):
    page.goto(live_server.url + "/cy/feedback")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert "Mae problem wedi codi" in page.locator(".error-summary").inner_text()
    page.click(".error-summary a")
    page.wait_for_url("**#comments")
    assert page.url.endswith("#comments")


@pytest.mark.browser
def test_works_without_javascript(browser, live_server, app, two_orgs):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        sign_in(page, live_server, "admin-a@example.org", PASSWORD, lang="cy")
        assert page.url == live_server.url + "/cy/manage/"
        assert page.locator("h1").inner_text() == "Adran staff"
        page.click("text=Dewislen")  # on a phone the menu is folded behind its link
        page.click("text=Allgofnodi")
        assert "Rydych wedi allgofnodi." in page.locator("main").inner_text()
    finally:
        context.close()


@pytest.mark.browser
def test_staff_sign_in_on_a_phone(app, two_orgs, live_server, page):
    sign_in(page, live_server, "admin-a@example.org", PASSWORD)
    page.click("text=Gwynedd Council")
    page.wait_for_load_state("load")
    assert page.url == live_server.url + "/en/manage/gwynedd/"
    # Nothing is wider than the phone's screen (no sideways scrolling at 360 px).
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
