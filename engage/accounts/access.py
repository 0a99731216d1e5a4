"""Role checks for staff routes. Every staff view is wrapped in one of these."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, flash, g, jsonify, redirect, url_for
from flask_login import current_user, login_required

from ..errors import wants_json
from . import twostep
from .models import ROLES


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
            # The user's memberships (loaded with the user, organisations joined) answer both
            # "is there such an organisation" and "is this person in it" without another query.
            membership = next((m for m in current_user.memberships if m.org.slug == org), None)
            if membership is None:
                abort(404)
            if role == "admin" and membership.role != "admin":
                abort(403)
            if twostep.needs_setting_up(current_user, membership.org, membership.role):
                if wants_json():  # the door's API: no page to send it to (and no language in its address)
                    return jsonify(error={"status": 403, "code": "two_step_required"}), 403
                flash("two_step_needed")
                return redirect(url_for("twostep.setup"))
            g.org = membership.org
            g.org_role = membership.role
            return view(*args, **kwargs)

        wrapper.required_role = role  # type: ignore[attr-defined]  # read by the access-matrix test
        return wrapper

    return decorator
