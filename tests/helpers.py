"""Helpers shared by the tests (importable as ``helpers``; fixtures live in conftest.py)."""
from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from engage.dates import LOCAL

REQUIRE_ALL = os.environ.get("ENGAGE_REQUIRE_ALL") == "1"
logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the live server's request log is noise
PASSWORD = "correct horse battery"
#: Long enough for the app's rule (at least 32 characters).
SECRET_KEY = "test-secret-key-at-least-32-characters"
CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE_RE = re.compile(r'value="([^"]*)"')


def need(condition: bool, reason: str) -> None:
    """Skip (or, under ENGAGE_REQUIRE_ALL=1, fail) unless ``condition`` holds."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"ENGAGE_REQUIRE_ALL=1 but: {reason}", pytrace=False)
    pytest.skip(reason)


class Client(FlaskClient):
    """Test client that, like a browser, sends the CSRF token of the page it last saw."""

    last_csrf: str | None = None

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/html":
            found = CSRF_RE.search(response.get_data(as_text=True))
            if found:
                value = VALUE_RE.search(found.group(0))
                if value:
                    self.last_csrf = value.group(1)
        return response

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        """GET the form page, then POST ``data`` with its CSRF token (like a person would)."""
        self.get(url)
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.last_csrf)
        return self.post(url, data=payload, **kwargs)


def sign_in(client: Client, email: str, password: str = PASSWORD, lang: str = "en"):  # type: ignore[no-untyped-def]
    return client.submit(f"/{lang}/sign-in", {"email": email, "password": password})


def wales_now() -> datetime:
    """Now as a wall-clock time in Wales, naive (what staff type and ``make_event`` takes).

    Never ``datetime.now()``: that is the machine's own zone, and the suite must pass in any zone.
    """
    return datetime.now(LOCAL).replace(tzinfo=None)


def wales_today() -> date:
    """Today's date in Wales (not ``date.today()``, the machine's date)."""
    return datetime.now(LOCAL).date()


def wait_until(predicate: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
    """Poll ``predicate`` every 20 ms until it returns something true (returned); fail at ``timeout``
    seconds. For a condition another process or thread brings about: never a bare sleep."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            pytest.fail(f"waited {timeout} s for {what or getattr(predicate, '__name__', 'a condition')}, in vain")
        time.sleep(0.02)
