"""Voting on a phone in Chromium, in both languages, with and without JavaScript; axe on PB pages."""
from __future__ import annotations

import re

import pytest

from browser.conftest import PHONE, sign_in
from browser.test_accessibility import check_pages, violations
from helpers import PASSWORD
from factories import make_pot
from pb_helpers import publish_results


def _enter_code(page, server, pot, code, lang):  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/{lang}/pb/{pot.id}/vote")
    page.fill("#code", code.lower())
    page.click("button[name=submit]")
    page.wait_for_url(re.compile(r".*/vote/choose$"))


def _send(page):  # type: ignore[no-untyped-def]
    """From the choosing page: continue, check the answers, send; ends on the receipt page."""
    page.click("button[value=continue]")
    page.wait_for_url(re.compile(r".*/vote/check$"))
    page.click("form[action$='/vote/submit'] button")
    page.wait_for_url(re.compile(r".*/vote/done$"))


def _tick(page, titles):  # type: ignore[no-untyped-def]
    for title in titles:
        page.get_by_label(title, exact=True).check()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_vote_with_a_code_and_javascript(app, two_orgs, live_server, page, lang):
    pot = make_pot(app)
    names = {"cy": ("Gardd gymunedol", "Clwb ieuenctid", "Meinciau"), "en": ("Community garden", "Youth club", "Benches")}[lang]
    _enter_code(page, live_server, pot, pot.codes[0], lang)
    status = page.locator("#budget-status .budget-text")
    _tick(page, names[:2])
    assert status.inner_text() == {"cy": "Wedi’u dewis: £9,000 allan o £10,000", "en": "Chosen: £9,000 of £10,000"}[lang]
    assert page.locator(".budget-over-text").is_hidden()
    _tick(page, names[2:])  # £11,000: the running total warns at once, before anything is sent
    assert page.locator(".budget-over-text").is_visible()
    page.get_by_label(names[1], exact=True).uncheck()
    assert page.locator(".budget-over-text").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("button[value=continue]")
    page.wait_for_url(re.compile(r".*/vote/check$"))
    main = page.locator("main").inner_text()
    assert names[0] in main and names[2] in main and names[1] not in main
    page.click("form[action$='/vote/submit'] button")
    page.wait_for_url(re.compile(r".*/vote/done$"))
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}", page.locator("#receipt").inner_text())


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_vote_without_javascript_and_correct_an_over_budget_ballot(app, two_orgs, live_server, browser, lang):
    pot = make_pot(app)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, is_mobile=True)
    page = context.new_page()
    try:
        _enter_code(page, live_server, pot, pot.codes[1], lang)
        labels = {"cy": ("Gardd gymunedol", "Clwb ieuenctid", "Meinciau"), "en": ("Community garden", "Youth club", "Benches")}[lang]
        _tick(page, labels)
        page.click("button[value=continue]")
        page.wait_for_load_state("load")
        summary = page.locator(".error-summary").inner_text()
        assert {"cy": "Cyllideb: £10,000", "en": "Budget: £10,000"}[lang] in summary
        assert {"cy": "Mae eich dewisiadau’n costio: £11,000", "en": "Your choices cost: £11,000"}[lang] in summary
        # The choices were kept: untick one and carry on.
        assert page.get_by_label(labels[0], exact=True).is_checked()
        page.get_by_label(labels[1], exact=True).uncheck()
        _send(page)
        assert page.locator("#receipt").is_visible()
    finally:
        context.close()


@pytest.mark.browser
def test_language_switch_mid_ballot_keeps_choices(app, two_orgs, live_server, page):
    pot = make_pot(app)
    _enter_code(page, live_server, pot, pot.codes[2], "en")
    _tick(page, ("Community garden", "Benches"))  # not yet saved on the server: engage.js carries them
    page.click("a[hreflang=cy]")
    page.wait_for_url(re.compile(r".*/cy/pb/\d+/vote/choose$"))
    assert page.get_by_label("Gardd gymunedol", exact=True).is_checked()
    assert page.get_by_label("Meinciau", exact=True).is_checked()
    assert not page.get_by_label("Clwb ieuenctid", exact=True).is_checked()
    page.wait_for_load_state("load")
    assert page.locator("#budget-status .budget-text").inner_text() == "Wedi’u dewis: £6,000 allan o £10,000"
    page.click("button[value=update]")  # saved on the server: survives a switch even without script
    page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/en/pb/{pot.id}/vote/check")
    main = page.locator("main").inner_text()
    assert "Community garden" in main and "Benches" in main and "Youth club" not in main


@pytest.mark.browser
def test_receipt_check_on_the_results_page(app, two_orgs, live_server, page):
    from engage.ballots import lifecycle
    from engage.ballots.models import Pot
    from engage.extensions import db

    pot = make_pot(app)
    _enter_code(page, live_server, pot, pot.codes[0], "cy")
    _tick(page, ("Clwb ieuenctid",))
    _send(page)
    receipt = page.locator("#receipt").inner_text()
    with app.app_context():
        p = db.session.get(Pot, pot.id)
        lifecycle.close_pot(p)
        publish_results(p)
    page.goto(f"{live_server.url}/cy/pb/{pot.id}/results")
    assert page.locator("svg.chart[role=img] title").count() == 1
    page.fill("#receipt", receipt)
    page.click("#receipts + form button")
    page.wait_for_load_state("load")
    assert "Cafodd eich pleidlais ei chyfrif." in page.locator("#receipt-result").inner_text()
    page.fill("#receipt", "AAAA-BBBB-CC")
    page.click("#receipts + form button")
    page.wait_for_load_state("load")
    assert "Ni allem ddod o hyd" in page.locator("#receipt-result").inner_text()


@pytest.mark.browser
def test_vote_page_is_light(app, two_orgs, live_server, page, browser):
    """The choosing page with its stylesheet and scripts, as transferred to a phone on a first visit."""
    pot = make_pot(app)
    _enter_code(page, live_server, pot, pot.codes[3], "cy")
    fresh = browser.new_context(viewport=PHONE, is_mobile=True)  # an empty cache; the same session cookie
    fresh.add_cookies(page.context.cookies())
    sizes: dict[str, int] = {}

    def finished(request) -> None:  # type: ignore[no-untyped-def]
        got = request.sizes()
        sizes[request.url.rsplit("/", 1)[-1]] = got["responseBodySize"] + got["responseHeadersSize"]

    try:
        first = fresh.new_page()
        first.on("requestfinished", finished)
        first.goto(f"{live_server.url}/cy/pb/{pot.id}/vote/choose")
        first.wait_for_load_state("networkidle")
    finally:
        fresh.close()
    total = sum(sizes.values())
    print(f"\nvote page transferred: {total} bytes (HTML+CSS+JS with headers, uncompressed): {sizes}")
    assert {"choose", "engage.css", "engage.js", "ballot.js"} <= set(sizes)
    assert total < 40_000


@pytest.mark.browser
def test_ballot_pages_have_no_axe_violations(app, two_orgs, live_server, page):
    from engage.ballots import box, lifecycle, voters
    from engage.ballots.models import Pot
    from engage.extensions import db

    pot = make_pot(app)
    done = make_pot(app)
    with app.app_context():
        p = db.session.get(Pot, done.id)
        box.cast_ballot(p.id, box.Voter("code", voters.code_hash(p, done.codes[0])), {done.projects[0]: 1})
        lifecycle.close_pot(p)
        publish_results(p)
    found = check_pages(page, live_server, [f"/{lang}{path}" for lang in ("cy", "en") for path in (
        "/pb/", f"/pb/{pot.id}", f"/pb/{pot.id}/vote", f"/pb/{done.id}/results",
        f"/pb/{done.id}/results?receipt=NOPE")])
    for lang in ("cy", "en"):
        page.goto(f"{live_server.url}/{lang}/pb/{pot.id}/vote")
        page.fill("#code", "WRONG")
        page.click("button[name=submit]")
        page.wait_for_load_state("load")
        found[f"{lang} code error"] = violations(page)
    _enter_code(page, live_server, pot, pot.codes[4], "en")
    for lang in ("cy", "en"):
        page.goto(f"{live_server.url}/{lang}/pb/{pot.id}/vote/choose")
        _tick(page, {"cy": ("Gardd gymunedol", "Clwb ieuenctid", "Meinciau"), "en": ("Community garden", "Youth club", "Benches")}[lang])
        found[f"{lang} choose"] = violations(page)
        page.click("button[value=continue]")
        page.wait_for_load_state("load")
        found[f"{lang} choose (over budget)"] = violations(page)
        page.get_by_label({"cy": "Meinciau", "en": "Benches"}[lang], exact=True).uncheck()
        page.click("button[value=continue]")
        page.wait_for_url(re.compile(r".*/vote/check$"))
        found[f"{lang} check"] = violations(page)
    page.click("form[action$='/vote/submit'] button")
    page.wait_for_url(re.compile(r".*/vote/done$"))
    found["done"] = violations(page)
    sign_in(page, live_server, "admin-a@example.org", PASSWORD)
    staff = [f"/manage/gwynedd/pb/{suffix}" for suffix in (
        "", "new", f"{pot.id}", f"{pot.id}/edit", f"{pot.id}/kiosk", f"{pot.id}/paper",
        f"{done.id}", f"{done.id}/projects/new")]
    found.update(check_pages(page, live_server, [f"/{lang}{path}" for path in staff for lang in ("cy", "en")]))
    for lang in ("cy", "en"):
        page.goto(f"{live_server.url}/{lang}/manage/gwynedd/pb/{pot.id}")
        page.fill("#count", "2")
        page.click("form[action$='/codes'] button")
        page.wait_for_load_state("load")
        found[f"{lang} codes"] = violations(page)
    assert {k: v for k, v in found.items() if v} == {}
