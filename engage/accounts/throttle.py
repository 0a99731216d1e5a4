"""Failed sign-ins are counted per address and per account (email), in Flask-Limiter's store.

Per address (``LOGIN_RATE_LIMIT``, 30 a minute) slows one machine trying many accounts, and is high
enough that an office behind one address is not stopped by one person's typos. Per account
(``ACCOUNT_LOGIN_RATE_LIMIT``, 10 in 15 minutes) pauses password sign-in for one email address,
whoever tries it from wherever. Addresses without an account are counted and paused in the same
way, with the same words, so a pause tells nobody which addresses have accounts. Only failures
count; with several workers the store is Redis, so every worker sees the same counts.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from flask import Response, current_app, g, make_response, render_template, request
from flask_limiter import RequestLimit

from ..extensions import limiter
from ..formatting import clock
from .forms import SignInForm
from .labels import TRY_AGAIN_FROM
from .services import AccountRefusal


def note_wrong_password() -> None:
    """Count this attempt against the account it named (the route calls it when sign-in fails)."""
    g.sign_in_refused = True


def _submitted_email() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def _account_key() -> str:
    # Prefixed: an "email" that looks like an IP address must not share the address limit's count.
    return "account:" + _submitted_email()


def _failed(response: Response) -> bool:
    # Showing the form or a successful sign-in uses up nothing.
    return request.method == "POST" and response.status_code != 302


def _wrong_password(response: Response) -> bool:
    # Not a form missing its password, nor an expired form: only a refused email and password.
    return bool(g.get("sign_in_refused"))


def _paused(limit: RequestLimit) -> Response:
    """The sign-in form again, saying that signing in with this email address is paused, and until when."""
    form = SignInForm()
    until = datetime.fromtimestamp(limit.reset_at, timezone.utc)
    form.form_errors += [AccountRefusal("sign_in_paused").message(), TRY_AGAIN_FROM % {"time": clock(until)}]
    response = make_response(render_template("accounts/sign_in.html", form=form), 429)
    # The store rounds its reset time up to the next whole second: never say longer than the window.
    wait = min(limit.reset_at - int(time.time()), limit.limit.get_expiry())
    response.headers["Retry-After"] = str(max(1, wait))
    return response


def sign_in_limits(view: Callable[..., Any]) -> Callable[..., Any]:
    """Both limits on the sign-in view, for POSTs only."""
    view = limiter.limit(lambda: current_app.config["ACCOUNT_LOGIN_RATE_LIMIT"], key_func=_account_key,
                         exempt_when=lambda: not _submitted_email(), methods=["POST"],
                         deduct_when=_wrong_password, on_breach=_paused)(view)
    return limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"],
                         deduct_when=_failed)(view)
