"""The staff guide on a 390×844 phone (issue #18): the guide index, a task page and the IT page fit the
screen (no sideways scrolling, commands wrap) with no axe-core violations, in both languages.
Screenshots go to /tmp/guide-*.png to be looked at."""
from __future__ import annotations

import pytest

from browser.conftest import sign_in
from browser.test_accessibility import violations
from helpers import PASSWORD

PHONE_390 = {"width": 390, "height": 844}


@pytest.mark.browser
def test_the_guide_reads_well_on_a_phone_in_both_languages(browser, live_server, two_orgs):
    context = browser.new_context(viewport=PHONE_390, device_scale_factor=1, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        sign_in(page, live_server, "organiser-a@example.org", PASSWORD)
        for lang in ("cy", "en"):
            page.goto(f"{live_server.url}/{lang}/manage/")
            page.click(f"a[href='/{lang}/manage/help/']")  # the dashboard's link
            for name, path in (("index", ""), ("events", "events"), ("it", "it")):
                if path:
                    page.goto(f"{live_server.url}/{lang}/manage/help/{path}")
                assert page.locator("h1").count() == 1
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"], (lang, name)
                for box in page.locator("main pre, main code, main li").evaluate_all(
                        "els => els.map(e => e.getBoundingClientRect().right)"):
                    assert box <= PHONE_390["width"], (lang, name)
                page.screenshot(path=f"/tmp/guide-{name}-{lang}.png", full_page=True)
                assert violations(page) == [], (lang, name)
        assert errors == []
    finally:
        context.close()
