"""The optional cohesion pulse: three anonymous questions, shown only as aggregates of 5 or more."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from engage.events.models import PulseResponse
from engage.extensions import db
from helpers import wales_now

ANSWERS = {"belong": "5", "get_on": "4", "respect": "0"}


def test_pulse_answers_are_anonymous_and_suppressed_below_five(app, client, two_orgs, make_event):
    started = wales_now() - timedelta(hours=1)
    event_id = make_event(start=started, hours=2, pulse_enabled=True).id
    url = f"/cy/events/{event_id}/pulse"
    for n in range(4):
        assert client.submit(url, ANSWERS).status_code == 200
    page = client.get(f"/cy/events/{event_id}").get_data(as_text=True)
    assert page.count("Heb ei ddangos: llai na 5 ateb") == 3
    client.submit(url, {"belong": "2", "get_on": "4", "respect": "0"})
    page = client.get(f"/en/events/{event_id}").get_data(as_text=True)
    assert "Not shown" not in page
    assert "<td>80%</td>" in page  # belong: 4 of 5 agree
    assert "<td>100%</td>" in page  # get on: all agree
    assert "<td>–</td>" in page  # respect: everyone preferred not to say
    with app.app_context():
        columns = set(PulseResponse.__table__.columns.keys())
        assert columns == {"id", "event_id", "question", "answer"}  # nothing that could identify anyone


def test_pulse_bad_input_and_closed_window(app, client, two_orgs, make_event):
    open_event = make_event(start=wales_now() - timedelta(hours=1), pulse_enabled=True).id
    response = client.submit(f"/cy/events/{open_event}/pulse", {"belong": "9", "get_on": "4"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Dewiswch un o’r opsiynau" in html and "href=\"#respect-0\"" in html  # the first radio of the group
    future = make_event(start=wales_now() + timedelta(days=3), pulse_enabled=True).id
    assert "Nid yw’r cwestiynau hyn ar agor" in client.get(f"/cy/events/{future}/pulse").get_data(as_text=True)
    client.get(f"/cy/events/{open_event}/pulse")
    response = client.post(f"/cy/events/{future}/pulse", data={**ANSWERS, "csrf_token": client.last_csrf})
    assert "Nid yw’r cwestiynau hyn ar agor" in response.get_data(as_text=True)
    disabled = make_event(start=wales_now() - timedelta(hours=1), pulse_enabled=False).id
    assert client.get(f"/cy/events/{disabled}/pulse").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(PulseResponse.id))) == 0
