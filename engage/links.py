"""Links: the site's public address for every link that leaves it, and which ``next`` paths are safe.

Every absolute link (email, printed posters and voter-code cards, the screen QR, feeds) is built from
``PUBLIC_URL`` (``ENGAGE_PUBLIC_URL``), never from the request: its Host header is whatever the
sender wrote, and a poster printed from a laptop that reached the app at an internal address must
still carry the public one.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import SplitResult, unquote, urlsplit

from flask import current_app
from werkzeug.routing import MapAdapter


def _public() -> SplitResult:
    return urlsplit(current_app.config["PUBLIC_URL"])


def public_adapter() -> MapAdapter:
    """The app's URL map bound to the public address (also for pages refused before routing)."""
    parts = _public()
    return current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)


def public_url(endpoint: str, **values: object) -> str:
    """``url_for(endpoint, _external=True, **values)``, at the public address, in or out of a request."""
    current_app.inject_url_defaults(endpoint, values)
    return public_adapter().build(endpoint, values, force_external=True)


def public_origin() -> str:
    """``https://host[:port]`` of the public address (a path from ``url_for`` already holds any prefix)."""
    parts = _public()
    return f"{parts.scheme}://{parts.netloc}"


def public_address() -> str:
    """The address as people type it from a poster: host and any path, no scheme."""
    parts = _public()
    return parts.netloc + parts.path.rstrip("/")


def _has_control(text: str, *, or_space: bool) -> bool:
    # Browsers drop tabs and newlines anywhere in a URL and trim spaces and controls at its ends, so
    # "/\t/evil.example" reaches them as "//evil.example"; a newline in a header is a 500. Format
    # characters (zero-width, bidi marks) only ever hide something.
    return any(unicodedata.category(ch) in ("Cc", "Cf") or (or_space and ch.isspace()) for ch in text)


def same_site_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (never an open redirect).

    A path starts with exactly one ``/``, never followed by ``/`` or ``\\`` (browsers read both as
    the start of a host), and holds no backslash, control character or whitespace. The same holds
    once percent-decoded, for the proxies and browsers that decode before they look.
    """
    if not target or "\\" in target or _has_control(target, or_space=True):
        return None
    decoded = unquote(target)
    if _has_control(decoded, or_space=False):
        return None
    for form in (target, decoded):
        parts = urlsplit(form)
        if not form.startswith("/") or form[1:2] in ("/", "\\") or parts.scheme or parts.netloc:
            return None
    return target
