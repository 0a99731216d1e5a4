"""Security headers on every response, requests carrying text no database can store (NUL, lone
surrogates) refused, and JSON bodies read only to a bounded depth."""
from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, Response, abort, request, session
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from itsdangerous import URLSafeTimedSerializer

# No inline scripts or styles anywhere: every script and stylesheet is a file under /static.
# img-src allows data: for QR codes rendered inline; camera scanning needs blob: media.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

#: The door page may compile the QR decoder's WebAssembly (only when the browser has no
#: BarcodeDetector); nothing else needs it, so only that page's policy allows it.
CSP_WITH_WASM = CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")


#: The same on every response unless a page set its own.
_FIXED = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    # The door page uses the camera; nothing needs the microphone or location.
    ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
)


#: Deepest nesting of arrays and objects a request body may have. The scanner's body is two levels
#: deep; Python's parser (and anything walking what it made) recurses once a level and dies with
#: RecursionError, a 500, somewhere under a thousand.
MAX_JSON_DEPTH = 32
#: A string, to its closing quote or the end of the text: with the quote optional every match
#: succeeds, so stripping strings stays linear however the quotes and backslashes are arranged.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


def nested_deeper_than(text: str, limit: int) -> bool:
    """Whether arrays and objects in a JSON text nest more than ``limit`` deep (brackets inside
    strings do not count). Stops at the first bracket past the limit."""
    depth = 0
    for bracket in _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing a text nested deeper than MAX_JSON_DEPTH before parsing it. Every
    request body is read through here (``request.get_json``): a refusal is the ValueError of any
    unreadable JSON, so it is a 400, or ``None`` with ``silent=True``."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        text = s.decode(json.detect_encoding(s), "surrogatepass") if isinstance(s, (bytes, bytearray)) else s
        # Counting brackets first keeps the usual small body from being scanned twice.
        if text.count("[") + text.count("{") > MAX_JSON_DEPTH and nested_deeper_than(text, MAX_JSON_DEPTH):
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        return super().loads(text, **kwargs)


#: What no text column can hold: PostgreSQL refuses NUL, and a lone surrogate (only JSON's "\ud800"
#: escapes make one; URLs and forms are decoded with replacement) is not a character: UTF-8 cannot
#: encode it, so neither database driver can store it nor a page that shows it back be sent.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value: Any) -> bool:
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(v) for v in value)
    return False


def _carries_unstorable() -> bool:
    """Whether the request's path, query, form or JSON body holds a NUL or a lone surrogate."""
    if "\x00" in request.path or b"%00" in request.query_string or b"\x00" in request.query_string:
        return True
    if request.method == "POST":
        if request.is_json:
            # Parsed as the view will parse it (any UTF), then every string looked at. A body that
            # cannot be read (malformed, or nested deeper than MAX_JSON_DEPTH) is the 400 here.
            return _unstorable(request.get_json())
        return any(_unstorable(key) or _unstorable(value) for key, value in request.form.items(multi=True))
    return False


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its signing serializer made once per key instead of
    twice a request (about 3 % of what sending a ballot costs)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if key not in self._serializers:
            made = super().get_signing_serializer(app)
            if made is None:
                return None
            self._serializers[key] = made
        return self._serializers[key]


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.json = JSONProvider(app)

    @app.before_request
    def _refuse_unreadable() -> None:
        # Only the /api/ routes read JSON. Every other POST is an HTML form, and Flask-WTF would take
        # a JSON body as its fields: numbers, booleans and lists where text belongs (500s the fuzz
        # tests found). Nobody types a NUL or a lone surrogate, and no database stores one. Either
        # way the request is refused whole with the 400, before anything reads it.
        if request.method == "POST" and request.is_json and not request.path.startswith("/api/"):
            abort(400)
        if _carries_unstorable():
            abort(400)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        for name, value in _FIXED:
            headers.setdefault(name, value)
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Only a signed-in session can be a staff member's (no need to load a user otherwise).
        if "_user_id" in session and current_user.is_authenticated:
            # Staff pages may hold personal data: never keep them in a shared or back cache.
            headers["Cache-Control"] = "private, no-store"
        return response
