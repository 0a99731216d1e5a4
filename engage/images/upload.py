"""Forms that carry a photo may be larger than the site's 2 MB limit for a form; no others."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Request, current_app

from .picture import MAX_UPLOAD

F = TypeVar("F", bound=Callable[..., Any])
#: A photo plus the rest of the form (titles, descriptions in two languages).
UPLOAD_FORM_LIMIT = MAX_UPLOAD + 512 * 1024


def accepts_upload(view: F) -> F:
    """Mark a view whose form carries a picture: its request body may be up to ``UPLOAD_FORM_LIMIT``."""
    view.accepts_upload = True  # type: ignore[attr-defined]
    return view


class UploadAwareRequest(Request):
    """The body limit is decided by the matched view, before anything (CSRF included) reads the form."""

    @property  # type: ignore[override]
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:
            return self._max_content_length
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        view = current_app.view_functions.get(self.endpoint or "")
        if view is not None and getattr(view, "accepts_upload", False) and limit is not None:
            return max(limit, UPLOAD_FORM_LIMIT)
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value
