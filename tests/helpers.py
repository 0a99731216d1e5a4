"""Helpers shared by the tests (importable as ``helpers``; fixtures live in conftest.py)."""
from __future__ import annotations

import logging
import os
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

REQUIRE_ALL = os.environ.get("ENGAGE_REQUIRE_ALL") == "1"
logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the live server's request log is noise
PASSWORD = "correct horse battery"
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
