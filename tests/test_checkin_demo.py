"""The demo shows the door journeys (issue #17, 4): an event today, in Wales, with registration on and
tickets; loaded again the same day it changes nothing, on a later day it makes that day's."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from engage.checkin import services
from engage.checkin.demo import TITLE, load_checkin
from engage.dates import utc_to_local
from engage.events.models import Event
from engage.extensions import db
from helpers import Client, sign_in, wales_now


def _todays(org_id: int, day) -> list[Event]:  # type: ignore[no-untyped-def]
    rows = db.session.scalars(select(Event).where(Event.org_id == org_id, Event.title_en == TITLE["en"]))
    return [e for e in rows if utc_to_local(e.starts_at).date() == day]


def test_the_demo_has_an_event_today_with_its_door_ready(app):
    from engage.accounts.services import get_org
    from engage.demo import load_demo

    with app.app_context():
        list(load_demo())
        assert not any("today's event" in line for line in load_demo())  # again the same day: nothing made
        org = get_org("demo")
        [event] = _todays(org.id, wales_now().date())
        settings = services.settings_for(event)
        assert event.public and event.title_cy and event.title_en and settings.registration_open
        assert services.is_open(event, settings) and services.registration_open(event)
        tickets = services.tickets_of(event)
        assert len(tickets) >= 3 and all(t.code and t.token for t in tickets)
        event_id, code = event.id, tickets[0].code
    staff = Client(app)
    sign_in(staff, "admin@demo.example.org", "bara-brith-a-phaned")
    for lang, words in (("cy", "Presenoldeb wedi’i gofrestru"), ("en", "Checked in")):
        door = staff.get(f"/{lang}/manage/demo/events/{event_id}/door")
        assert door.status_code == 200 and "Check-in is not open" not in door.get_data(as_text=True)
    answer = staff.post(f"/en/manage/demo/events/{event_id}/door/code",
                        data={"csrf_token": staff.last_csrf, "nonce": "demo-door-01", "code": code})
    assert "scan-green" in answer.get_data(as_text=True)
    assert "Register" in Client(app).get(f"/en/events/{event_id}/register").get_data(as_text=True)


@pytest.mark.parametrize("hour", [0, 8, 13, 22, 23])
def test_on_a_later_day_the_demo_makes_that_days_event_open_at_any_hour(app, hour):
    from engage.accounts.services import get_org
    from engage.demo import load_demo

    with app.app_context():
        list(load_demo())
        org = get_org("demo")
        later = datetime.combine(wales_now().date() + timedelta(days=3), time(hour, 30))
        made = list(load_checkin(org, now=later))
        assert len(made) == 1 and "/door" in made[0]
        assert list(load_checkin(org, now=later + timedelta(minutes=20))) == []  # again that day: nothing
        [event] = _todays(org.id, later.date())
        start, end = utc_to_local(event.starts_at), utc_to_local(event.ends_at)
        assert start.date() == end.date() == later.date()
        assert start.replace(tzinfo=None) <= later <= end.replace(tzinfo=None)
        assert len(_todays(org.id, wales_now().date())) == 1  # today's stays
