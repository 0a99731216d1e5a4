"""Security headers on every response."""
from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

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


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        # The door page uses the camera; nothing needs the microphone or location.
        headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if current_user and current_user.is_authenticated:
            # Staff pages may hold personal data: never keep them in a shared or back cache.
            headers["Cache-Control"] = "private, no-store"
        return response
