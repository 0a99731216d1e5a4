"""An organisation's band on a 390×844 phone (issue #17, look and feel): the logo at 40 px, a long Welsh
name wrapping inside the screen, the colours from the organisation's stylesheet, and no axe-core
violations on a branded event page or on the settings page, in both languages. Screenshots go to
/tmp/brand-*.png to be looked at."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from browser.conftest import sign_in
from browser.test_accessibility import violations
from helpers import PASSWORD

PHONE_390 = {"width": 390, "height": 844}
LONG_CY = "Tîm Cydlyniant Cymunedol Gwynedd ac Ynys Môn gyda Chyngor Bwrdeistref Sirol Rhondda Cynon Taf"
BRAND = "#8a1538"


def _logo() -> bytes:
    picture = Image.new("RGBA", (400, 160), (0, 0, 0, 0))
    for x in range(10, 390):
        for y in range(20, 140):
            if (x // 40 + y // 40) % 2:
                picture.putpixel((x, y), (138, 21, 56, 255))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def branded(app, two_orgs, make_event):  # type: ignore[no-untyped-def]
    from engage.accounts import brand
    from engage.accounts.services import get_org

    event = make_event("gwynedd")
    with app.app_context():
        org = get_org("gwynedd")
        brand.save_look(org, brand.Look(names={"cy": LONG_CY, "en": "Gwynedd Council"}, brand_colour=BRAND,
                                        logo=_logo()), by_id=None)
    return event


def _phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE_390, device_scale_factor=1, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document" else None)
    return context, page, errors


def _fits_the_phone(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    band = page.locator(".org-band").bounding_box()
    name = page.locator(".org-band-name").bounding_box()
    assert band["width"] <= PHONE_390["width"] and name["x"] + name["width"] <= PHONE_390["width"]


@pytest.mark.browser
def test_the_band_reads_well_on_a_phone_in_both_languages(browser, live_server, branded):
    context, page, errors = _phone(browser)
    try:
        for lang, name in (("cy", LONG_CY), ("en", "Gwynedd Council")):
            page.goto(f"{live_server.url}/{lang}/events/{branded.id}")
            logo = page.locator(".org-band-logo")
            assert logo.get_attribute("alt") == name
            assert page.evaluate("document.querySelector('.org-band-logo').naturalWidth") > 0  # it loaded
            box = logo.bounding_box()
            assert 38 <= box["height"] <= 50 and box["width"] <= PHONE_390["width"] * 0.5
            # The colour came from the organisation's stylesheet (no inline style is allowed).
            colour = page.evaluate("getComputedStyle(document.querySelector('.org-band')).backgroundColor")
            assert colour == "rgb(138, 21, 56)"
            _fits_the_phone(page)
            page.screenshot(path=f"/tmp/brand-event-{lang}.png")
            assert violations(page) == [], lang
        assert errors == []
    finally:
        context.close()


@pytest.mark.browser
def test_the_settings_page_has_no_axe_violations_and_refuses_a_pale_colour(browser, live_server, branded):
    context, page, errors = _phone(browser)
    try:
        sign_in(page, live_server, "admin-a@example.org", PASSWORD)
        for lang in ("cy", "en"):
            page.goto(f"{live_server.url}/{lang}/manage/gwynedd/settings")
            assert page.locator("input[type=color]#brand_colour").input_value() == BRAND
            _fits_the_phone(page)
            page.screenshot(path=f"/tmp/brand-settings-{lang}.png", full_page=True)
            assert violations(page) == [], lang
        page.goto(f"{live_server.url}/cy/manage/gwynedd/settings")
        page.fill("#brand_colour", "#4ca3dd")  # the native colour input, as a picker would set it
        page.click("button[name=submit]")
        summary = page.locator(".error-summary")
        assert "Cyferbyniad" in summary.inner_text() and "4.5:1" in summary.inner_text()
        page.screenshot(path="/tmp/brand-settings-refused-cy.png", full_page=True)
        assert violations(page) == []
        assert errors == []
    finally:
        context.close()


@pytest.mark.browser
def test_the_demo_organisations_fund_page_shows_its_drawn_logo_and_colour(app, browser, live_server):
    from engage.ballots.models import Pot
    from engage.extensions import db

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        pot_id = db.session.query(Pot).filter(Pot.status == "open").first().id
    context, page, errors = _phone(browser)
    try:
        for lang in ("cy", "en"):
            page.goto(f"{live_server.url}/{lang}/pb/{pot_id}")
            assert page.locator(".org-band-logo").is_visible()
            _fits_the_phone(page)
            page.screenshot(path=f"/tmp/brand-demo-pot-{lang}.png")
            assert violations(page) == [], lang
        assert errors == []
    finally:
        context.close()
