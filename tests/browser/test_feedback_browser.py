"""Publishing a “You said, we did” entry on a phone, and the feedback pages under axe-core."""
from __future__ import annotations

from datetime import timedelta

import pytest

from browser.conftest import sign_in
from browser.test_accessibility import check_pages, violations
from helpers import PASSWORD, wales_now


@pytest.mark.browser
def test_publish_an_entry_and_read_it_in_both_languages(app, two_orgs, make_event, live_server, page):
    make_event(start=wales_now() - timedelta(days=2))
    sign_in(page, live_server, "organiser-a@example.org", PASSWORD, lang="cy")
    page.goto(f"{live_server.url}/cy/manage/gwynedd/you-said-we-did/new")
    page.fill("#title-cy", "Meinciau yn y parc")
    page.fill("#title-en", "Benches in the park")
    page.fill("#asked-cy", "Beth fyddai’n gwella’r parc?")
    page.fill("#asked-en", "What would improve the park?")
    page.fill("#said-cy", "Gofynnodd pobl hŷn am fwy o feinciau.")
    page.fill("#said-en", "Older people asked for more benches.")
    page.fill("#did-cy", "Fe wnaethon ni osod chwe mainc newydd.")
    page.fill("#did-en", "We put in six new benches.")
    page.fill("#area-cy", "Cricieth")
    page.fill("#area-en", "Criccieth")
    page.get_by_label("Bore coffi").check()
    page.get_by_label("Wedi’i wneud").check()
    page.fill("#progress", "100")
    page.fill("#budget", "2400")
    page.check("#published")
    page.click("button[name=submit]")
    page.wait_for_load_state("load")
    assert "Mae’r cofnod adborth wedi’i gadw." in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("text=Gweld y dudalen gyhoeddus")
    page.wait_for_load_state("load")
    main = page.locator("main").inner_text()
    assert "Meinciau yn y parc" in main and "Fe wnaethon ni osod chwe mainc newydd." in main and "£2,400" in main
    assert "Benches in the park" not in main
    page.click("text=English")
    page.wait_for_load_state("load")
    main = page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "Benches in the park" in main and "We put in six new benches." in main and "Done" in main
    assert "Coffee morning" in main  # where the input came from
    feed = page.locator("link[type='application/atom+xml']").first.get_attribute("href")
    assert feed == "/en/you-said-we-did/gwynedd/feed.xml"


@pytest.mark.browser
def test_feedback_pages_have_no_axe_violations(app, two_orgs, make_event, live_server, page):
    from engage.accounts.services import get_org
    from engage.dates import today_local
    from engage.feedback import follow, services
    from engage.feedback.models import FeedbackEntry
    from engage.extensions import db

    event_id = make_event(start=wales_now() - timedelta(days=2)).id
    with app.app_context():
        org = get_org("gwynedd")
        entry = services.create_entry(org, {
            "title": {"cy": "Teitl", "en": "Title"}, "asked": {"cy": "Gofyn", "en": "Ask"},
            "said": {"cy": "Dweud", "en": "Say"}, "did": {"cy": "Gwneud", "en": "Do"},
            "area": {"cy": "Bangor", "en": "Bangor"}, "status": "not_possible", "progress": 20,
            "reason": {"cy": "Rheswm", "en": "Reason"}, "budget_pence": 10000, "published": True, "events": [event_id]})
        services.add_update(entry, {"happened_on": today_local(), "body": {"cy": "Newyddion", "en": "News"},
                                    "status": None, "progress": 20})
        follow.subscribe(db.session.get(FeedbackEntry, entry.id), "person@example.org", None)
        entry_id = entry.id
    paths = [f"/you-said-we-did/{entry_id}", "/you-said-we-did/?status=not_possible", f"/events/{event_id}"]
    found = check_pages(page, live_server, [f"/{lang}{path}" for path in paths for lang in ("cy", "en")])
    page.goto(f"{live_server.url}/cy/you-said-we-did/{entry_id}")
    page.click("#follow ~ form button[name=submit]")
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    if problems := violations(page):
        found["follow (errors)"] = problems
    sign_in(page, live_server, "admin-a@example.org", PASSWORD)
    staff = [f"/manage/gwynedd/you-said-we-did/{entry_id}", f"/manage/gwynedd/you-said-we-did/{entry_id}/edit",
             "/manage/gwynedd/outbox"]
    found.update(check_pages(page, live_server, [f"/{lang}{path}" for path in staff for lang in ("cy", "en")]))
    page.goto(f"{live_server.url}/en/manage/gwynedd/you-said-we-did/new")
    page.click("button[name=submit]")
    page.wait_for_load_state("load")
    if problems := violations(page):
        found["new entry (errors)"] = problems
    assert found == {}
