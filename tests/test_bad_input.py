"""Bad input is refused with a clear error in the caller's format, never a 5xx, and changes nothing:
JSON nested 100,000 deep, ids too big for the database's integer, extreme dates, and query-string keys
that clash with a route's own arguments.

The app is built with exceptions turned into responses (as in production), so a crash is a 500 here,
not a traceback.
"""
from __future__ import annotations

import json
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
    client.get("/en/feedback")  # signing in starts a new session: a CSRF token of this one
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


# --- 3. extreme dates, and query keys that clash with the route's ---------------------------------


@pytest.mark.parametrize("query", ["date_from=0001-01-01", "date_to=0001-01-01", "date_from=9999-12-31",
                                   "date_to=9999-12-31", "date_from=1899-12-31"])
def test_extreme_dates_on_the_staff_event_list_are_a_validation_message(staff, query):
    for lang in ("cy", "en"):
        response = staff.get(f"/{lang}/manage/gwynedd/events/?{query}")
        assert response.status_code == 200
        message = "Rhowch ddyddiad rhwng 1900 a 2999" if lang == "cy" else "Enter a date between 1900 and 2999"
        assert message in response.get_data(as_text=True)
        assert staff.get(f"/{lang}/manage/gwynedd/events.csv?{query}").status_code == 200


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_extreme_dates_in_forms_are_a_validation_message(app, staff, when):
    before = row_counts(app)
    response = staff.submit("/en/manage/gwynedd/events/new", {
        "title-en": "Drop-in", "kind": "engagement", "starts_at": when, "ends_at": when, "online": "y",
        "delivery_language": "en", "status": "planned"})
    assert response.status_code == 400
    assert "Enter a date between 1900 and 2999" in response.get_data(as_text=True)
    response = staff.submit("/en/manage/gwynedd/pb/new", {"opens_at": when, "closes_at": when})
    assert response.status_code == 400
    assert row_counts(app) == before


@pytest.mark.parametrize("month", ["0000-01", "0001-01", "9999-12", "10000-01", "2026-13"])
def test_extreme_report_months_are_not_found(app, staff, month):
    before = row_counts(app)
    for lang in ("cy", "en"):
        for url in (f"/{lang}/manage/gwynedd/reports/{month}", f"/{lang}/manage/gwynedd/reports/{month}.csv"):
            response = staff.get(url)
            assert response.status_code == 404, url
            assert _page_lang(response) == lang
        staff.get(f"/{lang}/manage/gwynedd/reports")
        assert staff.post(f"/{lang}/manage/gwynedd/reports/{month}/make",
                          data={"csrf_token": staff.last_csrf}).status_code == 404
        response = staff.submit(f"/{lang}/manage/gwynedd/reports", {"month": month})
        assert response.status_code == 400
    assert row_counts(app) == before


@pytest.mark.parametrize("query", ["org=x", "org=x&page=2", "lang=de", "_external=1&_scheme=javascript",
                                   "_scheme=javascript", "_anchor=x", "_method=POST"])
def test_query_keys_that_are_url_for_arguments_change_no_link(staff, make_event, query):
    for _ in range(2):
        make_event()
    for url in ("/en/manage/gwynedd/events/", "/cy/you-said-we-did/"):
        response = staff.get(f"{url}?{query}")
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert "javascript:" not in html and "/x/" not in html and "/de/" not in html
    export = re.search(r'href="([^"]*events\.csv[^"]*)"', staff.get(f"/en/manage/gwynedd/events/?{query}").get_data(as_text=True))
    assert export and export.group(1).startswith("/en/manage/gwynedd/events.csv")


# --- 6. what the fuzz suite found -----------------------------------------------------------------


@pytest.mark.parametrize("url, body", [("/en/manage/gwynedd/themes/new", {"code": True, "name-cy": 5, "name-en": 1e308}),
                                       ("/cy/manage/gwynedd/settings", {"name-cy": True, "name-en": 7}),
                                       ("/cy/feedback", {"comments": True}), ("/en/manage/gwynedd/reports", {"month": True}),
                                       ("/en/manage/gwynedd/themes/new", [1, 2])])
def test_a_json_body_to_an_html_form_is_refused(app, staff, url, body):
    # Only /api/ reads JSON; Flask-WTF took a JSON body as the form's fields (booleans, numbers and
    # lists where text belongs: 500s).
    before = row_counts(app)
    response = staff.post(url, json=body, headers={"X-CSRFToken": staff.last_csrf})
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"
    assert row_counts(app) == before


def test_a_lone_surrogate_in_json_is_refused_like_a_nul(app, staff, make_event):
    # JSON's "\ud800" escape makes a string UTF-8 cannot encode: not stored, nor shown back in a page.
    event_id = make_event().id
    staff.get(f"/en/manage/gwynedd/events/{event_id}/door")
    before = row_counts(app)
    for url, body in ((f"/api/orgs/gwynedd/events/{event_id}/scans", {"method": "walk_in", "device": "\ud800"}),
                      (f"/api/orgs/gwynedd/events/{event_id}/scans", {"method": "typed_code", "code": "\udfff" * 8}),
                      (f"/api/orgs/gwynedd/events/{event_id}/scans", {"method": "walk_in", "nonce": "\ud800-1"})):
        response = staff.post(url, data=json.dumps(body), content_type="application/json",
                              headers={"X-CSRFToken": staff.last_csrf})
        assert response.status_code == 400 and response.json["error"]["code"] == "bad_request", url
    assert row_counts(app) == before


def test_an_unreadable_json_body_is_a_400_everywhere(staff, make_event):
    event_id = make_event().id
    staff.get("/en/feedback")
    for body in (b'{"a": ', b"\xff\xfe[\x00", b"", b"[" * 33 + b"]" * 33):
        for url in (f"/api/orgs/gwynedd/events/{event_id}/scans", "/en/manage/gwynedd/themes/new", "/cy/feedback"):
            response = staff.post(url, data=body, content_type="application/json", headers={"X-CSRFToken": staff.last_csrf})
            assert response.status_code == 400 and response.json["error"]["status"] == 400, (url, body)
