"""Look and feel on a phone (issue #17): every header and footer control a thumb's size (44 px), the
menu folded behind a toggle (a link without JavaScript, a button with it), headings clear of the banner and
buttons clear of what follows. Measured in Chromium at 390 × 844 in both languages."""
from __future__ import annotations

import pytest

from browser.conftest import ARTIFACTS, sign_in
from helpers import PASSWORD

PHONE_390 = {"width": 390, "height": 844}
SHOTS = ARTIFACTS / "look"
THUMB = 44
#: Geometry of every visible control of the header and footer: [text, width, height].
CONTROLS = """() => [...document.querySelectorAll('.site-header a, .site-header button, .site-footer a')]
  .filter(e => e.offsetParent && !e.closest('.phase-banner'))
  .map(e => { const r = e.getBoundingClientRect(); return [e.textContent.trim(), r.width, r.height]; })"""
#: For each visible .button: the gap to the nearest element below it that shares its column.
GAPS_BELOW_BUTTONS = """() => {
  const seen = [...document.querySelectorAll('main *')].filter(e => e.offsetParent && e.children.length === 0
      && e.getBoundingClientRect().height > 0);
  return [...document.querySelectorAll('main .button')].filter(b => b.offsetParent && !b.closest('.actions'))
    .map(b => { const r = b.getBoundingClientRect();
      const below = seen.filter(e => !b.contains(e) && e.getBoundingClientRect().top >= r.bottom - 1
        && e.getBoundingClientRect().left < r.right && e.getBoundingClientRect().right > r.left)
        .map(e => e.getBoundingClientRect().top - r.bottom);
      return [b.textContent.trim(), below.length ? Math.min(...below) : null]; });
}"""


def phone(browser, js: bool):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE_390, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  java_script_enabled=js)
    context.set_default_timeout(10_000)
    return context


def small_controls(page) -> list:  # type: ignore[no-untyped-def]
    return [c for c in page.evaluate(CONTROLS) if c[2] < THUMB]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_on_a_phone_with_javascript_the_menu_folds_behind_a_44px_button(browser, app, two_orgs, live_server, lang):
    context = phone(browser, js=True)
    page = context.new_page()
    try:
        sign_in(page, live_server, "admin-a@example.org", PASSWORD, lang=lang)
        for path in (f"/{lang}/", f"/{lang}/manage/", f"/{lang}/events/"):
            page.goto(live_server.url + path)
            toggle = page.locator(".menu-toggle")
            assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
            assert not page.locator("#site-nav").is_visible()
            assert small_controls(page) == [], path
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"menu-folded-{lang}.png"))
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        nav = page.locator("#site-nav")
        assert nav.is_visible()
        links = nav.locator("a, button").all()
        assert len(links) == 5  # events, you said we did, funds, staff area, sign out
        for link in links:
            box = link.bounding_box()
            assert box["height"] >= THUMB and box["width"] >= PHONE_390["width"] - 2 * 16 - 1, link.inner_text()
        page.screenshot(path=str(SHOTS / f"menu-open-{lang}.png"))
        toggle.click()
        assert not nav.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_without_javascript_the_menu_link_opens_the_menu_and_every_link_is_44px(browser, live_server, lang):
    context = phone(browser, js=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/{lang}/")
        assert not page.locator("#site-nav").is_visible()
        assert small_controls(page) == []
        page.click(".menu-toggle")
        assert page.url.endswith("#site-nav") and page.locator("#site-nav").is_visible()
        links = page.locator("#site-nav a").all()
        assert len(links) == 4  # events, you said we did, funds, staff sign in
        for link in links:
            assert link.bounding_box()["height"] >= THUMB, link.inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"menu-nojs-{lang}.png"))
    finally:
        context.close()


@pytest.mark.browser
def test_on_a_wide_screen_the_menu_is_always_shown(browser, live_server):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/en/")
        assert not page.locator(".menu-toggle").is_visible()
        assert page.locator("#site-nav").is_visible()
        assert small_controls(page) == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_headings_clear_the_banner_and_buttons_clear_what_follows(browser, app, two_orgs, live_server, lang):
    context = phone(browser, js=True)
    page = context.new_page()
    try:
        for path in (f"/{lang}/sign-in", f"/{lang}/feedback", f"/{lang}/"):
            page.goto(live_server.url + path)
            gap = page.evaluate("""() => document.querySelector('main h1').getBoundingClientRect().top
                                   - document.querySelector('.phase-banner').getBoundingClientRect().bottom""")
            assert gap >= 16, (path, gap)
            for text, below in page.evaluate(GAPS_BELOW_BUTTONS):
                assert below is None or below >= 16, (path, text, below)
    finally:
        context.close()
