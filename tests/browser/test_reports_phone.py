"""The monthly monitoring report on a 390×844 phone (issue #18), in both languages: last month picked
with the two selects, printed (window.print stubbed), its CSV downloaded and read back as Excel would,
then kept with the month's narrative; axe finds nothing. Screenshots go to /tmp/report-*.png."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest

from browser.test_accessibility import violations
from browser.test_door_phone import PHONE_390, _phone, _sign_in
from engage.dates import previous_month
from engage.extensions import db
from helpers import wales_today

WORDS = {"cy": {"month": "Mis", "heading": "Cod yr adran", "older": "Pobl hŷn", "title": "Bore coffi",
                "keep": "Cadw’r adroddiad hwn", "kept": "HTML (Saesneg)", "made": "Adroddiad monitro misol"},
         "en": {"month": "Month", "heading": "Section code", "older": "Older people", "title": "Coffee morning",
                "keep": "Keep this report", "kept": "HTML (Welsh)", "made": "Monthly monitoring report"}}
STUB_PRINT = "window.__printed = 0; window.print = function () { window.__printed += 1; };"


@pytest.fixture
def last_month(app, two_orgs, make_event):  # type: ignore[no-untyped-def]
    from engage.accounts.services import get_org
    from engage.events import services
    from engage.events.models import Event

    year, month = previous_month(wales_today())
    event_id = make_event(start=datetime(year, month, 2, 10), theme_codes=["2.1"], audience_keys=["older_people"],
                          partners={"cy": "Age Cymru, Cyngor Gwynedd", "en": "Age Cymru, Gwynedd Council"}).id
    make_event(start=datetime(year, month, 20, 18), kind="training", theme_codes=["1.1"],
               title={"cy": "Hyfforddiant", "en": "Training"})  # never recorded as held: listed, not counted
    with app.app_context():
        aud = {a.key: a.id for a in services.audiences_of(get_org("gwynedd"))}
        services.record_outcome(db.session.get(Event, event_id), {
            "narrative": {"cy": "Sgwrs dda am y gymuned.", "en": "A good talk about the community."},
            "outcomes": {"cy": "", "en": ""}, "follow_up": {"cy": "", "en": ""}, "status": "held",
            "outcomes_public": False, "headcount": 18, "audience_counts": {aud["older_people"]: 11}})
    return year, month


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_last_months_report_on_a_phone(app, live_server, browser, last_month, lang):
    year, month = last_month
    words = WORDS[lang]
    context = _phone(browser, True)
    context.add_init_script(STUB_PRINT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(page, live_server.url, lang)
    page.goto(f"{live_server.url}/{lang}/manage/gwynedd/reports")
    assert violations(page) == []
    page.screenshot(path=f"/tmp/report-list-{lang}.png", full_page=True)
    page.select_option("#month", str(month))
    page.select_option("#year", str(year))
    page.locator("button[name=submit]").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/{lang}/manage/gwynedd/reports/{year:04d}-{month:02d}")
    assert words["made"] in page.locator("h1").inner_text()
    assert f"{year}" in page.locator("h1").inner_text() and "-" not in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    assert violations(page) == []
    page.screenshot(path=f"/tmp/report-page-{lang}.png", full_page=True)

    page.locator("button[data-print]").click()
    assert page.evaluate("window.__printed") == 1

    with page.expect_download() as info:
        page.locator("a[href$='/report.csv']").click()
    body = Path(info.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == words["heading"]
    assert any(r[:3] == ["audience", "older_people", words["older"]] and r[4] == "11" for r in rows)
    assert any(r[:2] == ["kind", "engagement"] and r[3:5] == ["1", "18"] for r in rows)
    assert any(words["title"] in r for r in rows)

    page.fill("#narrative-cy", "Mis da i bobl hŷn.")
    page.fill("#narrative-en", "A good month for older people.")
    page.get_by_role("button", name=words["keep"]).click()
    page.wait_for_load_state("load")
    assert words["kept"] in page.content()
    assert violations(page) == []
    page.screenshot(path=f"/tmp/report-kept-{lang}.png", full_page=True)
    page.goto(f"{live_server.url}/{lang}/manage/gwynedd/reports")
    assert page.locator("a[hreflang=cy][href$='.html']").count() == 1
    assert page.locator("a[hreflang=en][href$='.html']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]
    assert violations(page) == []
    page.screenshot(path=f"/tmp/report-list-kept-{lang}.png", full_page=True)
    assert errors == []
    context.close()
