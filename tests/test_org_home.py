"""An organisation's home leads to everything staff need and says what needs doing first (issue #18):
today's doors, events with no record of what happened, drafts missing a language, funds closing soon
and counts waiting for a second person. Only that organisation's, in the page's language."""
from __future__ import annotations

from datetime import timedelta

from engage.extensions import db
from factories import make_pot
from helpers import Client, sign_in, wales_now
from test_feedback import service_data


def home(app, email: str, lang: str = "en") -> str:  # type: ignore[no-untyped-def]
    client = Client(app, use_cookies=True)
    assert sign_in(client, email, lang=lang).status_code == 302
    response = client.get(f"/{lang}/manage/gwynedd/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_what_needs_doing_lists_this_organisations_work_only(app, two_orgs, make_event):
    from engage.accounts.services import get_org
    from engage.ballots import lifecycle, results
    from engage.ballots.models import Pot
    from engage.feedback import services as feedback
    from engage.types import utcnow
    from pb_helpers import counter_and_signer

    now = wales_now().replace(second=0, microsecond=0)
    today = make_event(start=now - timedelta(minutes=30), hours=2, title={"cy": "Noson heddiw", "en": "Tonight"})
    quiet = make_event(start=now - timedelta(days=3), title={"cy": "Bore tawel", "en": "Quiet morning"})
    make_event("powys", start=now - timedelta(days=3), title={"cy": "Digwyddiad Powys", "en": "Powys event"})
    closing = make_pot(app, title={"cy": "Cronfa’n cau", "en": "Closing fund"})
    counted = make_pot(app, title={"cy": "Cronfa wedi’i chyfrif", "en": "Counted fund"})
    with app.app_context():
        pot = db.session.get(Pot, closing.id)
        pot.closes_at = utcnow() + timedelta(days=2)
        pot = db.session.get(Pot, counted.id)
        lifecycle.close_pot(pot)
        results.count_preview(pot, counter_and_signer(pot.org)[0])
        db.session.commit()
        draft = feedback.create_entry(get_org("gwynedd"), service_data(
            title={"cy": "", "en": "Library hours"}, published=False)).id
    page = home(app, "organiser-a@example.org")
    assert "What needs doing" in page
    assert "Tonight" in page and f"/events/{today.id}/door" in page
    assert "Quiet morning" in page and f"/events/{quiet.id}/outcome" in page
    assert "Closing fund" in page and "Counted fund" in page
    assert "Library hours" in page and f"/you-said-we-did/{draft}/edit" in page
    assert "Powys event" not in page
    assert "/manage/gwynedd/members" not in page and "/manage/help/" in page  # an organiser's links
    welsh = home(app, "admin-a@example.org", lang="cy")
    assert "Beth sydd angen ei wneud" in welsh and "Bore tawel" in welsh and "Heddiw" in welsh
    for link in ("/cy/manage/gwynedd/members", "/cy/manage/gwynedd/outbox", "/cy/manage/gwynedd/audit",
                 "/cy/manage/gwynedd/settings"):
        assert link in welsh, link
    # Recording what happened takes the event off the list.
    from engage.events import services as events
    from engage.events.models import Event

    with app.app_context():
        events.record_outcome(db.session.get(Event, quiet.id), {
            "narrative": {"cy": "Daeth pobl.", "en": "People came."}, "outcomes": {"cy": "", "en": ""},
            "follow_up": {"cy": "", "en": ""}, "headcount": 12, "audience_counts": {}, "status": "held",
            "outcomes_public": False})
    assert "Quiet morning" not in home(app, "organiser-a@example.org")


def test_nothing_waiting_is_said_plainly(app, two_orgs):
    page = home(app, "organiser-a@example.org")
    assert "Nothing is waiting" in page
