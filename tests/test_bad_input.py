"""Bad input is refused with a clear error in the caller's format, never a 5xx, and changes nothing.

The app is built with exceptions turned into responses (as in production), so a crash is a 500 here,
not a traceback.
"""
from __future__ import annotations

import pytest

from helpers import Client, sign_in
from test_fuzz import row_counts

DEEP = 100_000


@pytest.fixture
def staff(app, two_orgs):  # type: ignore[no-untyped-def]
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.test_client_class = Client
    client = app.test_client()
    sign_in(client, "admin-a@example.org")
    return client


# --- 1. deeply nested JSON ------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[" * DEEP + "]" * DEEP, '{"a":' * DEEP + "1" + "}" * DEEP], ids=["list", "object"])
def test_json_nested_100000_deep_is_a_400_not_a_crash(app, staff, make_event, body):
    event_id = make_event().id
    staff.get("/en/feedback")
    before = row_counts(app)
    for url in (f"/api/orgs/gwynedd/events/{event_id}/scans", "/en/feedback", "/en/manage/gwynedd/events/new"):
        response = staff.post(url, data=body, content_type="application/json", headers={"X-CSRFToken": staff.last_csrf})
        assert response.status_code == 400, (url, response.status_code)
        assert response.is_json and response.json["error"]["status"] == 400
    assert row_counts(app) == before


def test_json_nesting_within_the_limit_is_still_read(app):
    from engage.security import MAX_JSON_DEPTH

    with app.app_context():
        assert app.json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
        assert app.json.loads('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')["a"]
        with pytest.raises(ValueError):
            app.json.loads("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
