"""Hostile input into every form on every page, and into the check-in API: no 5xx, nothing stored
when the input is refused, and whatever comes back is escaped.

Forms are found by reading the pages (every GET route the access matrix can build), so a new form is
fuzzed without anyone listing it. The last test sends over 10,000 hostile requests to every route the
access matrix builds (path, query string and body) and prints how many it sent and how many were a 5xx.
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


# --- every route, hostile values ------------------------------------------------------------------
# Over the access matrix's routes, anonymously and as an admin, in both languages: ids out of range,
# encodings that are not text, control characters, very long strings, extreme dates, JSON nested
# 100,000 deep, wrong content types and missing CSRF tokens, in the path, the query string and the
# body. Nothing may be a 5xx. Seeded, so a failure is the same on the next run.

#: Endpoints whose 5xx belongs to another agent's open item: still sent and counted, reported apart
#: and not failed here. Remove an entry when its item lands.
#: Routes whose 5xx another piece of work was fixing when this suite was written; empty since both
#: landed (unsubscribe tokens with huge ids, the scan API's huge ticket_id). Keep it empty.
KNOWN_ELSEWHERE: dict[str, str] = {}

IDS = ["0", "-1", str(2**31 - 1), str(2**31), str(2**63), "9" * 25]
#: Already percent-encoded: a lone surrogate, NUL, CR/LF (header injection), bytes that are not
#: UTF-8, a long run, a path climb, markup, format strings.
ENCODED = ["%ED%A0%80", "%00", "%0D%0ASet-Cookie:%20x=1", "%FF%FE", "x" * 3000, "..%2F..%2Fetc%2Fpasswd",
           "%3Cscript%3E", "%25s%25(x)s%7B0%7D"]
DATES = ["0001-01-01", "9999-12-31", "0001-01-01T00:00", "9999-12-31T23:59", "0000-01", "9999-12", "10000-01"]
PATH_VALUES = IDS + ENCODED[:6] + DATES[4:]
#: An <int:...> segment matches digits only: anything else is the same 404, so fewer are sent.
INT_PATH_VALUES = IDS
QUERY_KEYS = ("page", "date_from", "date_to", "theme", "audience", "org", "area", "status", "kind", "q", "code",
              "receipt", "next", "r", "lang", "month", "_scheme", "_external", "_anchor", "_method")
QUERY_VALUES = IDS + ENCODED + DATES + ["1e309", "NaN", "%5B%5D", "javascript:alert(1)"]
#: Form values as text (the client encodes them as UTF-8); what cannot be text goes in RAW_FORM.
FORM_VALUES = IDS + DATES + ["\x00", "\r\nx", "\x01\x0b\x1f", "x" * 20_000, SCRIPT, "=HYPERLINK(\"x\")", "😀" * 200,
                             "1e309", "-0.0", "", " "]
RAW_FORM = b"%ED%A0%80=1&{field}=%ED%A0%80&{field}=%FF%FE%00&x=%ZZ&csrf_token={token}"
DEEP_BODIES = ("[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "0" + "}" * 100_000)
OTHER_BODIES = [("text/plain", b"a=b"), ("application/xml", b"<?xml version='1.0'?><a>&x;</a>"),
                ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\nbroken"),
                ("application/json", b"{\"a\": "), ("application/json", b"\xff\xfe[\x00"),
                ("application/x-www-form-urlencoded; charset=utf-7", b"a=+ADw-")]


JSON_VALUES = [2**31, 2**63, 10**25, -1, -(2**31), 1e308, True, None, [], {}, "\ud800", "\x00", "x" * 5000, "%00",
               "0001-01-01T00:00:00", "9999-12-31T23:59:59Z", "2026-02-30T25:61", SCRIPT]
#: The check-in API's fields (see README): under /api/ each is sent with each JSON_VALUES value in turn.
API_METHODS = ("ticket_scan", "typed_code", "name_search", "walk_in")
API_FIELDS = ("ticket_id", "audience_id", "scanned_at", "nonce", "token", "code", "device")
API_BODIES = [{"method": API_METHODS[n % len(API_METHODS)], "nonce": f"fuzz-{n}", name: value}
              for n, (name, value) in enumerate((name, value) for name in API_FIELDS for value in JSON_VALUES)]
DEFAULT_FIELDS = ["name", "title-cy", "email", "date", "count"]


class _Route:
    """One rule: its URL built from the samples, and the same URL with each argument made hostile."""

    def __init__(self, rule, samples) -> None:  # type: ignore[no-untyped-def]
        own = samples["by_endpoint"].get(rule.endpoint, {})
        self.endpoint, self.rule = rule.endpoint, rule
        self.args = {name: own.get(name, samples.get(name)) for name in rule.arguments if name != "lang"}
        self.methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        self.has_lang = "lang" in rule.arguments

    def url(self, lang: str, **swap: object) -> str:
        return self.rule.build({**self.args, **swap, **({"lang": lang} if self.has_lang else {})})[1]

    def hostile_urls(self, lang: str) -> list[str]:
        urls = []
        for name, value in self.args.items():
            marker = 987654321 if isinstance(value, int) else "zzmarkerzz"
            try:
                template = self.url(lang, **{name: marker})
            except ValueError:  # an any(...) argument: only its listed words build
                continue
            values = INT_PATH_VALUES if isinstance(value, int) else PATH_VALUES
            urls += [template.replace(str(marker), hostile) for hostile in values]
        return urls


def _hostile(route: _Route, lang: str, token: str, fields: list[str], rng):  # type: ignore[no-untyped-def]
    """(method, URL, request arguments) for one route in one language."""
    url = route.url(lang)
    for method in route.methods:
        for hostile in route.hostile_urls(lang):
            yield method, hostile, {"data": {"csrf_token": token} if method == "POST" else None}
        for _ in range(7 if method == "GET" else 2):
            query = "&".join(f"{key}={rng.choice(QUERY_VALUES)}" for key in rng.sample(QUERY_KEYS, rng.randint(1, 3)))
            yield method, f"{url}?{query}", {}
        if method != "POST":
            continue
        yield method, url, {"data": {name: "1" for name in fields}}  # no CSRF token
        for _ in range(3):
            yield method, url, {"data": {**{name: rng.choice(FORM_VALUES) for name in fields}, "csrf_token": token}}
        yield method, url, {"data": RAW_FORM.replace(b"{field}", fields[0].encode()).replace(b"{token}", token.encode()),
                            "content_type": "application/x-www-form-urlencoded"}
        bodies = API_BODIES if url.startswith("/api/") else [{name: rng.choice(JSON_VALUES) for name in fields}]
        for body in bodies:
            yield method, url, {"json": body, "headers": {"X-CSRFToken": token}}
        for content_type, raw in [("application/json", DEEP_BODIES[lang == "en"]), *OTHER_BODIES]:
            yield method, url, {"data": raw, "content_type": content_type, "headers": {"X-CSRFToken": token}}


def _signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    with client.session_transaction() as session:
        return "_user_id" in session


def test_fuzz_every_route_with_hostile_values(app, samples, capsys, record_property):  # noqa: F811
    import random
    from time import perf_counter

    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 response, counted, as in production
    app.test_client_class = Client
    rng = random.Random(20261206)
    routes = [_Route(rule, samples) for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
              if rule.endpoint not in SKIP_ENDPOINTS]
    assert all(None not in route.args.values() for route in routes)
    admin = app.test_client()
    sign_in(admin, "admin-a@example.org")
    fields = {re.sub(r"^/(cy|en)/", "/", action): names
              for action, (_, names) in discover_forms(app, admin, samples).items()}
    sent, known, started = 0, 0, perf_counter()
    failures: dict[str, list[str]] = {}

    for who, client in (("anonymous", app.test_client()), ("admin", admin)):
        for lang in ("cy", "en"):
            client.set_cookie("engage_lang", lang)
            client.get(f"/{lang}/feedback")  # a CSRF token for this session
            for route in routes:
                if who == "admin" and not _signed_in(client):  # a hostile POST may have ended the session
                    sign_in(client, "admin-a@example.org", lang=lang)
                    client.get(f"/{lang}/feedback")  # the new session's CSRF token
                own = fields.get(re.sub(r"^/(cy|en)/", "/", route.url(lang))) or DEFAULT_FIELDS
                for method, url, kwargs in _hostile(route, lang, client.last_csrf or "", own, rng):
                    response = client.open(url, method=method, **kwargs)
                    sent += 1
                    if response.status_code >= 500:
                        known += route.endpoint in KNOWN_ELSEWHERE
                        failures.setdefault(route.endpoint, []).append(
                            f"{method} {url[:120]} {str(kwargs)[:160]} → {response.status_code}")

    errors = sum(len(found) for found in failures.values())
    summary = (f"hostile requests sent: {sent}; 5xx: {errors - known} "
               f"in {perf_counter() - started:.0f} s")
    record_property("hostile_requests", sent)
    record_property("hostile_5xx", errors - known)
    with capsys.disabled():
        print(f"\n{summary}")
        for endpoint in sorted(set(failures) & set(KNOWN_ELSEWHERE)):
            print(f"  known, {KNOWN_ELSEWHERE[endpoint]}: {len(failures[endpoint])}, e.g. {failures[endpoint][0][:200]}")
    mine = {endpoint: found for endpoint, found in failures.items() if endpoint not in KNOWN_ELSEWHERE}
    assert sent >= 10_000, summary
    assert mine == {}, summary + "\n" + "\n".join(f"{e}: {found[:3]}" for e, found in sorted(mine.items()))
