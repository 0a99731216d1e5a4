"""Logging an event on a phone, and the event pages under axe-core."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from browser.conftest import sign_in
from browser.test_accessibility import violations
from helpers import PASSWORD, wales_now


@pytest.mark.browser
def test_log_an_event_on_a_phone_and_download_the_months_csv(app, two_orgs, live_server, page):
    sign_in(page, live_server, "organiser-a@example.org", PASSWORD, lang="cy")
    page.goto(f"{live_server.url}/cy/manage/gwynedd/events/new")
    last_month = (wales_now().replace(day=1) - timedelta(days=1)).replace(day=10, hour=18, minute=0)
    page.fill("#title-cy", "Noson gymunedol Llanberis")
    page.fill("#title-en", "Llanberis community evening")
    page.fill("#description-cy", "Sgwrs am y pentref.")
    page.fill("#description-en", "A chat about the village.")
    page.check("#kind-0")
    page.fill("#starts_at", last_month.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#ends_at", (last_month + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#venue_name-cy", "Neuadd Llanberis")
    page.fill("#venue_name-en", "Llanberis Hall")
    page.fill("#postcode", "LL55 4TY")
    page.get_by_label("2.3 Cynnwys cymunedau sydd ar y cyrion").check()
    page.check("#status-1")  # held
    page.check("#public")
    page.click("button[name=submit]")
    page.wait_for_load_state("load")
    assert "Mae’r digwyddiad wedi’i gadw." in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("text=Cofnodi’r hyn a ddigwyddodd")
    page.fill("#headcount", "23")
    page.fill("#narrative-cy", "Codwyd pryderon am y bws.")
    page.fill("#narrative-en", "People raised the bus service.")
    page.click("button[name=submit]")
    page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/cy/manage/gwynedd/reports")
    page.select_option("#month", str(last_month.month))
    page.select_option("#year", str(last_month.year))
    page.click("button[name=submit]")
    page.wait_for_load_state("load")
    with page.expect_download() as info:
        page.click("a[href$='/report.csv']")
    from pathlib import Path
    body = Path(info.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")  # opens in Excel with its Welsh letters
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert any(r[:2] == ["kind", "engagement"] and r[3:5] == ["1", "23"] for r in rows)
    assert any("Codwyd pryderon am y bws." in cell for r in rows for cell in r)  # the Welsh page's download


@pytest.mark.browser
def test_event_pages_have_no_axe_violations(app, two_orgs, make_event, live_server, page):
    from engage.events import services
    from engage.events.models import Event
    from engage.extensions import db

    event_id = make_event(start=wales_now() - timedelta(hours=1), pulse_enabled=True,
                          theme_codes=["1.1"], audience_keys=["refugees"]).id
    with app.app_context():
        services.record_outcome(db.session.get(Event, event_id), {
            "narrative": {"cy": "Naratif", "en": "Narrative"}, "outcomes": {"cy": "Canlyniad", "en": "Outcome"},
            "follow_up": {"cy": "", "en": ""}, "headcount": 10, "status": "held", "outcomes_public": True,
            "audience_counts": {}})
    make_event(start=wales_now() + timedelta(days=2))
    paths = [f"/{lang}/events/{event_id}" for lang in ("cy", "en")] + [f"/{lang}/events/{event_id}/pulse" for lang in ("cy", "en")]
    paths += [f"/{lang}/events/" for lang in ("cy", "en")] + [f"/{lang}/events/past" for lang in ("cy", "en")]
    found = {}
    for path in paths:
        page.goto(live_server.url + path)
        if problems := violations(page):
            found[path] = problems
    sign_in(page, live_server, "admin-a@example.org", PASSWORD)
    staff = [f"/manage/gwynedd/events/{event_id}", f"/manage/gwynedd/events/{event_id}/edit",
             f"/manage/gwynedd/events/{event_id}/outcome", "/manage/gwynedd/events/?kind=engagement",
             "/manage/gwynedd/reports/2026-10", "/manage/gwynedd/themes/new", "/manage/gwynedd/audiences/new"]
    for path in staff:
        for lang in ("cy", "en"):
            page.goto(f"{live_server.url}/{lang}{path}")
            if problems := violations(page):
                found[f"/{lang}{path}"] = problems
    # A form with errors.
    page.goto(f"{live_server.url}/cy/manage/gwynedd/events/new")
    page.click("button[name=submit]")
    page.wait_for_load_state("load")
    if problems := violations(page):
        found["/cy/manage/gwynedd/events/new (errors)"] = problems
    assert found == {}
