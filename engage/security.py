"""Security headers on every response, and requests carrying a NUL character refused."""
from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, request, session
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


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _carries_nul() -> bool:
    """Whether the request's path, query, form or JSON body holds a NUL character."""
    if "\x00" in request.path or b"%00" in request.query_string or b"\x00" in request.query_string:
        return True
    if request.method == "POST":
        if request.is_json:  # parsed as the view will parse it (any UTF), then every string looked at
            return _has_nul(request.get_json(silent=True))
        return any("\x00" in key or "\x00" in value for key, value in request.form.items(multi=True))
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

    @app.before_request
    def _refuse_nul() -> None:
        # Nobody types a NUL, and PostgreSQL refuses one in any text (a 500 the fuzz tests found):
        # a request carrying one is refused whole with the bilingual 400, before anything reads it.
        if _carries_nul():
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
