"""Role checks for staff routes. Every staff view is wrapped in one of these."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g
from flask_login import current_user, login_required

from .models import ROLES
from .services import get_org


def org_required(role: str = "organiser") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Load ``<org>`` from the URL into ``g.org``; 404 for non-members, 403 for too low a role.

    404 rather than 403 for other organisations, so staff cannot even learn which slugs exist.
    ``role="organiser"`` lets admins in too (an admin can do everything an organiser can).
    """
    assert role in ROLES

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, org: str, **kwargs: Any) -> Any:
            found = get_org(org)
            user_role = current_user.role_in(found) if found else None
            if found is None or user_role is None:
                abort(404)
            if role == "admin" and user_role != "admin":
                abort(403)
            g.org = found
            g.org_role = user_role
            return view(*args, **kwargs)

        wrapper.required_role = role  # type: ignore[attr-defined]  # read by the access-matrix test
        return wrapper

    return decorator
