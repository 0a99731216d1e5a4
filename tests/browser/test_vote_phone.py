"""The vote on a phone (390 × 844) in Chromium, in both languages, with and without JavaScript: what a
unit test cannot see (issue #17). Screenshots go to test-artifacts/vote-phone/ for a person to look at."""
from __future__ import annotations

import re

import pytest

from browser.conftest import ARTIFACTS
from browser.test_accessibility import violations
from factories import make_pot
from pb_helpers import publish_results

PHONE_390 = {"width": 390, "height": 844}
SHOTS = ARTIFACTS / "vote-phone"
#: A long list with long Welsh titles, the case the issue shows.
PROJECTS = [(f"Gwella’r llwybr cerdded a beicio rhif {n} rhwng y parc a’r ysgol", f"Path {n} between the park and school",
             50_000 + n * 10_000) for n in range(1, 13)]


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def phone(request, browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE_390, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  java_script_enabled=request.param)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.js = request.param
    yield page
    context.close()


def _clean(page) -> bool:  # type: ignore[no-untyped-def]
    """No axe violations (axe runs as a script: without JavaScript there is nothing to run it in)."""
    return not page.js or violations(page) == []


def _shot(page, name: str, full: bool = True) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{'js' if page.js else 'nojs'}.png"), full_page=full)


def _start(page, server, pot_id: int, code: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/{lang}/pb/{pot_id}/vote")
    page.fill("#code", code)
    page.click("button[name=submit]")
    page.wait_for_url(re.compile(r".*/vote/choose$"))


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_ballot_rows_box_beside_title_row_is_the_target_total_stays_in_view(app, two_orgs, live_server, phone, lang):
    page = phone
    made = make_pot(app, projects=PROJECTS, budget_pence=300_000)
    _start(page, live_server, made.id, made.codes[0], lang)
    _shot(page, f"choose-{lang}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    for pid in made.projects:
        box = page.locator(f"#project-{pid}").bounding_box()
        title = page.locator(f"#title-{pid}").bounding_box()
        cost = page.locator(f"#cost-{pid}").bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44
        assert box["x"] + box["width"] <= title["x"]  # beside the title, not above it
        assert title["y"] < box["y"] + box["height"] and box["y"] < title["y"] + title["height"]
        assert cost["y"] >= title["y"] + title["height"] - 1 and abs(cost["x"] - title["x"]) < 1
    last = made.projects[-1]
    page.locator(f"#summary-{last}").click()  # a tap on the summary ticks the box
    assert page.locator(f"#project-{last}").is_checked()
    status = page.locator("#budget-status").bounding_box()
    assert 0 <= status["y"] and status["y"] + status["height"] <= PHONE_390["height"]  # scrolled, still in view
    if page.js:
        expected = {"cy": "Wedi’u dewis: £1,700 allan o £3,000", "en": "Chosen: £1,700 of £3,000"}[lang]
        assert page.locator("#budget-status .budget-text").inner_text() == expected
    else:
        page.click("button[value=update]")
        page.wait_for_load_state("load")
        assert {"cy": "£1,700 allan o £3,000", "en": "£1,700 of £3,000"}[lang] in page.locator("#budget-status").inner_text()
    page.locator(f"#title-{made.projects[6]}").scroll_into_view_if_needed()
    _shot(page, f"choose-scrolled-{lang}", full=False)  # what the phone shows: the total stays on top


@pytest.mark.browser
def test_an_approval_ballot_counts_the_projects_chosen(app, two_orgs, live_server, phone):
    page = phone
    made = make_pot(app, ballot_type="approval", max_choices=2)
    _start(page, live_server, made.id, made.codes[0], "cy")
    for pid in made.projects[:2]:
        page.locator(f"#title-{pid}").click()
    if not page.js:
        page.click("button[value=update]")
        page.wait_for_load_state("load")
    assert page.locator("#budget-status .budget-text").inner_text() == "Prosiectau a ddewiswyd: 2"


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_code_and_receipt_boxes_show_the_whole_code(app, two_orgs, live_server, phone, lang):
    page = phone
    made = make_pot(app)
    page.goto(f"{live_server.url}/{lang}/pb/{made.id}/vote")
    page.fill("#code", "EKD2-H7VG-SER7")
    _shot(page, f"code-{lang}")
    assert page.evaluate("(e => e.scrollWidth <= e.clientWidth)(document.getElementById('code'))")
    page.fill("#code", made.codes[0])
    page.click("button[name=submit]")
    page.wait_for_url(re.compile(r".*/vote/choose$"))
    page.locator(f"#title-{made.projects[0]}").click()
    page.click("button[value=continue]")
    page.wait_for_url(re.compile(r".*/vote/check$"))
    page.click("form[action$='/vote/submit'] button")
    page.wait_for_url(re.compile(r".*/vote/done$"))
    _shot(page, f"done-{lang}")
    assert _clean(page)
    receipt = page.locator("#receipt")
    assert receipt.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    assert page.locator("button[data-print]").is_visible() == page.js  # no dead button without JavaScript
    assert page.locator(f"a[href$='/pb/{made.id}/vote/receipt.txt']").is_visible()
    code = receipt.inner_text()
    page.emulate_media(media="print")
    _shot(page, f"done-print-{lang}")
    assert page.locator(".site-header").is_hidden() and page.locator("a[href$='receipt.txt']").is_hidden()
    page.emulate_media(media="screen")
    with app.app_context():
        from engage.ballots import lifecycle
        from engage.ballots.models import Pot
        from engage.extensions import db

        pot = db.session.get(Pot, made.id)
        lifecycle.close_pot(pot)
        publish_results(pot)
    page.goto(f"{live_server.url}/{lang}/pb/{made.id}/results")
    page.fill("#receipt", code)
    assert page.evaluate("(e => e.scrollWidth <= e.clientWidth)(document.getElementById('receipt'))")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_results_read_on_a_phone(app, two_orgs, live_server, phone, lang):
    from engage.ballots import box, lifecycle, voters
    from engage.ballots.models import Pot
    from engage.extensions import db

    page = phone
    made = make_pot(app, projects=PROJECTS[:5], budget_pence=200_000, codes=3)
    with app.app_context():
        pot = db.session.get(Pot, made.id)
        for code, chosen in zip(made.codes, [made.projects[:2], made.projects[1:3], made.projects[3:]]):
            box.cast_ballot(pot.id, box.Voter("code", voters.code_hash(pot, code)), {p: 1 for p in chosen})
        lifecycle.close_pot(pot)
    page.goto(f"{live_server.url}/{lang}/pb/{made.id}/results")  # closed, not published: says so
    _shot(page, f"results-pending-{lang}")
    assert page.locator("#stage").is_visible() and _clean(page)
    with app.app_context():
        publish_results(db.session.get(Pot, made.id))
    page.goto(f"{live_server.url}/{lang}/pb/{made.id}/results")
    _shot(page, f"results-{lang}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    for cell in page.locator("#results-table .result-why").all():
        assert cell.bounding_box()["width"] >= 0.75 * PHONE_390["width"]  # a card, not a crushed column
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll('svg.chart text')).map(t => {
        const r = t.getBoundingClientRect(), svg = t.ownerSVGElement.getBoundingClientRect();
        return {px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a, right: r.right, edge: svg.right};
    })""")
    assert _clean(page)  # the cards keep the table's roles
    assert sizes and all(s["px"] >= 14 for s in sizes), sizes
    assert all(s["right"] <= s["edge"] + 1 for s in sizes), sizes  # no label runs off the chart


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_home_leads_to_the_open_vote_and_a_whole_card_is_a_link(app, two_orgs, live_server, phone, lang, make_event):
    from engage.ballots import lifecycle
    from engage.ballots.models import Pot
    from engage.extensions import db

    page = phone
    closed = make_pot(app, title={"cy": "Cronfa Caernarfon", "en": "Caernarfon Fund"})
    made = make_pot(app)
    with app.app_context():
        lifecycle.close_pot(db.session.get(Pot, closed.id))
    make_event(title={"cy": "Bore coffi Bangor", "en": "Bangor coffee morning"})
    page.goto(f"{live_server.url}/{lang}/")
    _shot(page, f"home-{lang}")
    assert _clean(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    words = page.locator(".card p").nth(1)
    words.scroll_into_view_if_needed()
    box = words.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # a tap on the words: the card is the link
    page.wait_for_url(re.compile(rf".*/{lang}/pb/$"))
    _shot(page, f"funds-{lang}")
    titles = page.locator(".event-list h2").all_inner_texts()
    assert titles[0] == {"cy": "Cronfa Bangor", "en": "Bangor Fund"}[lang] and len(titles) == 2
    page.goto(f"{live_server.url}/{lang}/pb/{closed.id}")
    _shot(page, f"pot-closed-{lang}")
    assert _clean(page)
    assert page.locator("#stage").is_visible() and page.locator(f"a[href$='/pb/{closed.id}/vote']").count() == 0
    page.goto(f"{live_server.url}/{lang}/pb/{made.id}")
    _shot(page, f"pot-open-{lang}")
