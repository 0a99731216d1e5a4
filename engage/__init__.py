"""Engage: bilingual engagement log, QR check-in, participatory budgeting and feedback.

``create_app`` is imported on first use, not here: a recount (``engage pb tally``) imports
``engage.tally`` and should not pay for Flask, SQLAlchemy and the rest of the web application.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module 'engage' has no attribute {name!r}")
