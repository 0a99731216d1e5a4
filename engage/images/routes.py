"""Serving stored pictures from the site itself (language-neutral addresses)."""
from __future__ import annotations

from flask import Blueprint, Response, abort

from . import services

bp = Blueprint("images", __name__)
A_YEAR = 365 * 24 * 3600


@bp.get("/img/<string(length=32):key>.<any(jpg, png):ext>", endpoint="full")
@bp.get("/img/<string(length=32):key>-s.<any(jpg, png):ext>", endpoint="small", defaults={"small": True})
def serve(key: str, ext: str, small: bool = False) -> Response:
    image = services.find(key)
    if image is None or image.extension != ext:
        abort(404)
    response = Response(image.small if small else image.data, mimetype=image.content_type)
    # The address names the bytes (a hash), so a copy never goes stale.
    response.headers["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    response.headers["Content-Disposition"] = f'inline; filename="{key}.{ext}"'
    return response
