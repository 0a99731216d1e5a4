"""axe-core in Chromium on every page, in both languages: no violations of WCAG 2.2 A/AA."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from browser.conftest import sign_in
from helpers import PASSWORD
from pages import page_paths

AXE = Axe()
OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
           "resultTypes": ["violations"]}


def violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    results = AXE.run(page, options=OPTIONS)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
            for v in results.response["violations"]]


def check_pages(page, server, paths):  # type: ignore[no-untyped-def]
    found = {}
    for path in paths:
        page.goto(server.url + path)
        problems = violations(page)
        if problems:
            found[path] = problems
    return found


@pytest.mark.browser
def test_public_pages_have_no_axe_violations(app, two_orgs, live_server, page):
    paths = ["/"] + [f"/{lang}" + p[3:] for p in page_paths(app, "cy", staff=False) for lang in ("cy", "en")]
    paths += ["/cy/no-such-page", "/en/no-such-page"]
    assert check_pages(page, live_server, paths) == {}


@pytest.mark.browser
def test_staff_pages_have_no_axe_violations(app, two_orgs, live_server, page):
    sign_in(page, live_server, "admin-a@example.org", PASSWORD)
    paths = [f"/{lang}" + p[3:] for p in page_paths(app, "cy", staff=True) for lang in ("cy", "en")]
    assert check_pages(page, live_server, paths) == {}


@pytest.mark.browser
def test_pages_with_errors_have_no_axe_violations(app, two_orgs, live_server, page):
    for lang in ("cy", "en"):
        page.goto(f"{live_server.url}/{lang}/feedback")
        page.click("button[type=submit]")
        page.wait_for_load_state("load")  # axe judges the page with its styles (unstyled, links are tiny)
        assert page.locator(".error-summary").is_visible()
        assert violations(page) == []
