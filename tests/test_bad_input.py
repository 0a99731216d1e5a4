"""Bad input is refused with a clear error in the caller's format, never a 5xx, and changes nothing.

The app is built with exceptions turned into responses (as in production), so a crash is a 500 here,
not a traceback.
"""
from __future__ import annotations

import re

import pytest

from helpers import Client, sign_in
from test_access_matrix import samples  # noqa: F401  (a fixture)
from test_fuzz import row_counts

DEEP = 100_000
HUGE_IDS = ("0", str(2**31), str(2**63), "9" * 25)


@pytest.fixture
def staff(app, two_orgs):  # type: ignore[no-untyped-def]
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.test_client_class = Client
    client = app.test_client()
    sign_in(client, "admin-a@example.org")
    return client


def _page_lang(response) -> str | None:  # type: ignore[no-untyped-def]
    found = re.search(r'<html lang="(\w+)"', response.get_data(as_text=True))
    return found.group(1) if found else None


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


# --- 2. ids and numbers too big for the database --------------------------------------------------


def test_every_int_segment_takes_only_ids_the_database_can_hold(app, staff, samples):  # noqa: F811
    rules = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert len(rules) > 25
    for rule in rules:
        own = samples["by_endpoint"].get(rule.endpoint, {})
        args = {name: own.get(name, samples.get(name)) for name in rule.arguments if name != "lang"}
        ints = [name for name in rule.arguments if re.search(rf"<int:{name}>", rule.rule)]
        for name in ints:
            for huge in HUGE_IDS:
                # Swap the sample for the hostile value in the path (building refuses it, rightly).
                path = rule.build({**args, name: 987654321, **({"lang": "cy"} if "lang" in rule.arguments else {})})[1]
                url = path.replace("987654321", huge)
                method = "get" if "GET" in rule.methods else "post"
                response = getattr(staff, method)(url, data={"csrf_token": staff.last_csrf},
                                                  headers={"X-CSRFToken": staff.last_csrf or ""})
                assert response.status_code == 404, (url, response.status_code)
                if url.startswith("/api/"):
                    assert response.json["error"]["code"] == "not_found"
                else:
                    assert _page_lang(response) == "cy", url


def test_the_biggest_id_postgresql_holds_is_looked_up(staff):
    assert staff.get(f"/en/events/{2**31 - 1}").status_code == 404
    assert staff.get(f"/en/events/{2**31}").status_code == 404


@pytest.mark.parametrize("value", ["-1", "0", str(2**31), str(2**63), "9" * 25, "9" * 5000, "x"])
def test_huge_page_numbers_and_filter_ids_are_ignored(staff, value):
    for url in (f"/en/manage/gwynedd/events/?page={value}", f"/cy/manage/gwynedd/audit?page={value}",
                f"/en/manage/gwynedd/events/?theme={value}", f"/en/manage/gwynedd/events/?audience={value}",
                f"/en/manage/gwynedd/events.csv?theme={value}&audience={value}"):
        assert staff.get(url).status_code == 200, url


def test_a_draft_from_an_unknown_huge_event_is_refused(app, staff):
    before = row_counts(app)
    staff.get("/en/manage/gwynedd/you-said-we-did/")
    response = staff.post("/en/manage/gwynedd/you-said-we-did/from-event",
                          data={"event": "9" * 25, "csrf_token": staff.last_csrf})
    assert response.status_code in (400, 404)
    assert row_counts(app) == before
