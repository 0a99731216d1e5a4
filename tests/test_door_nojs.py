"""The door page without JavaScript, on a phone (issue #17, 3): each answer opens where the answers are
(#door-now), and the page that answers a form gives the next form a new nonce."""
from __future__ import annotations

import re

from engage.checkin import services
from test_checkin import staff  # noqa: F401  (a fixture)


def _walk_in_nonce(html: str) -> str:
    form = html[html.index('data-scan-form="walk_in"'):]
    return re.search(r'name="nonce" type="hidden" value="([0-9a-f]+)"', form).group(1)


def test_a_walk_in_after_a_typed_code_is_a_new_scan(app, staff, door):  # noqa: F811
    """The bug: the page answering a typed code drew the walk-in form with the code's own nonce (the
    form read the POST), so the next "+1 walk-in" replayed the code's answer and counted nobody."""
    url = f"/en/manage/gwynedd/events/{door.event.id}/door"
    code_nonce = _walk_in_nonce(staff.get(url).get_data(as_text=True)) + "c"
    answer = staff.post(url + "/code", data={"csrf_token": staff.last_csrf, "nonce": code_nonce, "code": door.ann.code})
    html = answer.get_data(as_text=True)
    assert _walk_in_nonce(html) != code_nonce
    walk = staff.post(url + "/walk-in", data={"csrf_token": staff.last_csrf, "nonce": _walk_in_nonce(html),
                                              "audience": "0"}).get_data(as_text=True)
    assert 'id="live-count">2<' in walk
    with app.app_context():
        assert services.live_count(door.event.id) == 2


def test_every_door_form_answers_at_the_answer(app, staff, door):  # noqa: F811
    url = f"/cy/manage/gwynedd/events/{door.event.id}/door"
    html = staff.get(url + "?q=ann").get_data(as_text=True)
    actions = re.findall(r'<form method="post" action="([^"]+)"', html.split('<main', 1)[1])
    assert len(actions) >= 3 and all(a.endswith("#door-now") for a in actions), actions
    walk = staff.post(url + "/walk-in", data={"csrf_token": staff.last_csrf, "nonce": "walk-nojs-01"})
    scan_id = int(re.search(r'/door/undo/(\d+)#door-now"', walk.get_data(as_text=True)).group(1))
    undone = staff.post(f"{url}/undo/{scan_id}", data={"csrf_token": staff.last_csrf})
    assert undone.status_code == 302 and undone.headers["Location"].endswith("?undone=1#door-now")
    page = staff.get(url + "?undone=1").get_data(as_text=True)
    area = page[page.index('id="result-area"'):page.index('id="queue-status"')]
    assert "Mae’r cofrestru presenoldeb wedi’i ddadwneud." in area
    with app.app_context():
        assert services.live_count(door.event.id) == 0
