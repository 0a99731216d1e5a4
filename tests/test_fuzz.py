"""Hostile input into every form on every page, and into the check-in API: no 5xx, nothing stored
when the input is refused, and whatever comes back is escaped.

Forms are found by reading the pages (every GET route the access matrix can build), so a new form is
fuzzed without anyone listing it.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from helpers import Client, sign_in
from test_access_matrix import SKIP_ENDPOINTS, samples  # noqa: F401  (a fixture)

SCRIPT = "<script>alert('x')</script>"
HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="ŵŷâêîôûŴŶ’‘–— \n", min_size=1, max_size=30),
    st.sampled_from([SCRIPT, "'; DROP TABLE users; --", "\" onmouseover=\"x", "%(name)s {0} {{ 7*7 }}",
                     "\x00\x01\x1b[31m", "-1", "0", "99999999999999999999", "1e309", "NaN", "2026-02-30T25:61",
                     "../../etc/passwd", "=cmd|' /C calc'!A0", "😀" * 50, ""]),
    st.text(min_size=3000, max_size=6000),
)
SETTINGS = settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))


class _Forms(HTMLParser):
    """POST forms of a page: (action, {field name: a plausible value}), skipping sign-out."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current: tuple[str, dict[str, str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post" and "sign-out" not in a.get("action", ""):
            self._current = (a.get("action", ""), {})
        elif self._current is not None and tag in ("input", "textarea", "select") and a.get("name"):
            if a.get("type") not in ("submit", "button") and a["name"] != "csrf_token":
                self._current[1].setdefault(a["name"], a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


def row_counts(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from engage.extensions import db

    with app.app_context():
        counts = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}
        db.session.remove()
    return counts


def discover_forms(app, client, samples) -> dict[str, tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    """action URL → (page it was found on, field names)."""
    found: dict[str, tuple[str, list[str]]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS or "GET" not in (rule.methods or ()):
            continue
        own = samples["by_endpoint"].get(rule.endpoint, {})
        args = {name: own.get(name, samples.get(name)) for name in rule.arguments if name != "lang"}
        if any(v is None for v in args.values()) or rule.rule.endswith((".csv", ".ics", ".xml", ".json", ".svg")):
            continue
        if rule.endpoint in ("checkin_links.ticket_link",):
            continue  # opening it checks a ticket in; its form-free page is covered elsewhere
        url = rule.build({**args, **({"lang": "cy"} if "lang" in rule.arguments else {})})[1]
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for action, fields in parser.forms:
            target = action or url
            if target not in found or len(fields) > len(found[target][1]):
                found[target] = (url, sorted(fields))
    return found


def fuzz_forms(app, samples, email: str | None):  # type: ignore[no-untyped-def]
    app.test_client_class = Client
    client = app.test_client()
    if email:
        sign_in(client, email)
    forms = discover_forms(app, client, samples)
    assert len(forms) >= (12 if email else 4), sorted(forms)
    problems: list[str] = []

    for action, (page, fields) in sorted(forms.items()):
        @SETTINGS
        @given(values=st.fixed_dictionaries({name: HOSTILE for name in fields}))
        def attempt(values: dict[str, str]) -> None:
            client.get(page)
            before = row_counts(app)
            response = client.post(action, data={**values, "csrf_token": client.last_csrf})
            body = response.get_data(as_text=True)
            if response.status_code >= 500:
                problems.append(f"{action}: {response.status_code} for {values!r}"[:300])
            if SCRIPT in body:
                problems.append(f"{action}: unescaped script in the response")
            if response.status_code == 400:
                after = row_counts(app)
                changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
                if changed:
                    problems.append(f"{action}: refused (400) but stored {changed}")

        attempt()
    assert problems == [], "\n".join(problems[:20])


def test_fuzz_public_forms(app, samples):  # noqa: F811
    fuzz_forms(app, samples, None)


def test_fuzz_staff_forms(app, samples):  # noqa: F811
    fuzz_forms(app, samples, "admin-a@example.org")


JSON_VALUE = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | HOSTILE,
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                          max_leaves=6)


def test_fuzz_check_in_api(app, samples):  # noqa: F811
    app.test_client_class = Client
    client = app.test_client()
    sign_in(client, "organiser-a@example.org")
    client.get(f"/en/manage/gwynedd/events/{samples['event_id']}/door")
    url = f"/api/orgs/gwynedd/events/{samples['event_id']}/scans"
    problems: list[str] = []

    @SETTINGS
    @given(body=st.one_of(JSON_VALUE, st.fixed_dictionaries(
        {"method": st.sampled_from(["ticket_scan", "typed_code", "name_search", "walk_in", "x"]) | JSON_VALUE},
        optional={"token": JSON_VALUE, "code": JSON_VALUE, "ticket_id": JSON_VALUE, "nonce": JSON_VALUE,
                  "scanned_at": JSON_VALUE, "device": JSON_VALUE, "audience_id": JSON_VALUE})))
    def attempt(body: object) -> None:
        from engage.checkin.models import Scan
        from engage.extensions import db

        with app.app_context():
            ok_before = db.session.scalar(select(func.count(Scan.id)).where(Scan.result == "ok"))
        response = client.post(url, json=body, headers={"X-CSRFToken": client.last_csrf})
        if response.status_code >= 500:
            problems.append(f"{response.status_code} for {body!r}"[:300])
            return
        data = response.get_json(silent=True) or {}
        with app.app_context():
            ok_after = db.session.scalar(select(func.count(Scan.id)).where(Scan.result == "ok"))
        # Only a walk-in (which needs no ticket) may add a successful check-in from made-up input.
        if ok_after != ok_before and not (isinstance(body, dict) and body.get("method") == "walk_in"):
            problems.append(f"stored an ok check-in for {body!r}"[:300])
        if SCRIPT in response.get_data(as_text=True) and not re.search(r"\\u003c", response.get_data(as_text=True)):
            problems.append("unescaped script in JSON")
        assert isinstance(data, dict)

    attempt()
    assert problems == [], "\n".join(problems[:20])
