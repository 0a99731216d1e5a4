"""Pages for two-step sign-in: the code after the password, setting it up, turning it off, new
recovery codes, and an organisation's rule for its admins. Services are in ``twostep.py``."""
from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from ..extensions import db, limiter
from ..links import same_site_path
from ..qr import qr_svg
from . import services, twostep
from .access import org_required
from .forms import CodeForm, PasswordCheckForm, TwoStepRuleForm, TwoStepSetupForm
from .models import User

bp = Blueprint("twostep", __name__, url_prefix="/<lang:lang>")
PENDING = "two_step_pending"
SETUP = "two_step_setup"
#: How long after the password the code may be given.
PENDING_SECONDS = 300


@bp.after_request
def _private(response):  # type: ignore[no-untyped-def]
    response.headers["Cache-Control"] = "private, no-store"  # secrets and recovery codes on these pages
    return response


def begin(user: User, next_path: str | None) -> Any:
    """Called by sign-in once the password is right: the code is still to come, nobody is signed in."""
    session.clear()
    session[PENDING] = {"uid": user.id, "at": int(time.time()), "next": same_site_path(next_path) or ""}
    return redirect(url_for("twostep.code"))


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("uid"))
    return user if user is not None and user.active and twostep.is_on(user) else None


def _pending_key() -> str:
    pending = session.get(PENDING) or {}
    return f"two-step:{pending.get('uid', request.remote_addr)}"


@bp.route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=_pending_key)
def code():  # type: ignore[no-untyped-def]
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        return redirect(url_for("accounts.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        if twostep.check_code(user, form.code.data):
            next_path = session[PENDING].get("next")
            session.clear()
            services.start_session(user, request.user_agent.string)
            login_user(user)
            return redirect(next_path or url_for("accounts.dashboard"))
        form.code.errors.append(services.AccountRefusal("wrong_code").message())
    return render_template("accounts/two_step_code.html", form=form), (400 if form.errors else 200)


@bp.route("/manage/two-step", methods=["GET", "POST"])
@login_required
def setup():  # type: ignore[no-untyped-def]
    """Off: a new secret (kept in this session until confirmed) as a QR code and as text, and a code
    to prove the app has it. On: its state, new recovery codes, turning it off."""
    if twostep.is_on(current_user):
        return render_template("accounts/two_step_on.html", left=twostep.recovery_codes_left(current_user),
                               off_form=PasswordCheckForm(formdata=None), codes_form=PasswordCheckForm(formdata=None))
    secret = session.get(SETUP) or twostep.new_secret()
    session[SETUP] = secret
    form = TwoStepSetupForm()
    if form.validate_on_submit():
        try:
            codes = twostep.turn_on(current_user, secret, form.code.data, form.password.data)
        except services.AccountRefusal as err:
            form.show_error(err)
        else:
            session.pop(SETUP, None)
            return render_template("accounts/two_step_codes.html", codes=codes, first=True)
    uri = twostep.provisioning_uri(current_user, secret)
    return render_template("accounts/two_step_setup.html", form=form, qr=qr_svg(uri, _("QR code for your authenticator app")),
                           secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4))), (400 if form.errors else 200)


@bp.route("/manage/two-step/off", methods=["POST"])
@login_required
def turn_off():  # type: ignore[no-untyped-def]
    form = PasswordCheckForm()
    if form.validate_on_submit():
        try:
            twostep.turn_off(current_user, form.password.data)
        except services.AccountRefusal as err:
            form.show_error(err)
        else:
            flash("two_step_off")
            return redirect(url_for("accounts.dashboard"))
    return render_template("accounts/two_step_on.html", left=twostep.recovery_codes_left(current_user), off_form=form,
                           codes_form=PasswordCheckForm(formdata=None)), 400


@bp.route("/manage/two-step/recovery-codes", methods=["POST"])
@login_required
def recovery_codes():  # type: ignore[no-untyped-def]
    if not twostep.is_on(current_user):
        return redirect(url_for("twostep.setup"))
    form = PasswordCheckForm()
    if form.validate_on_submit():
        try:
            codes = twostep.new_recovery_codes(current_user, form.password.data)
        except services.AccountRefusal as err:
            form.show_error(err)
        else:
            return render_template("accounts/two_step_codes.html", codes=codes, first=False)
    return render_template("accounts/two_step_on.html", left=twostep.recovery_codes_left(current_user),
                           off_form=PasswordCheckForm(formdata=None), codes_form=form), 400


@bp.route("/manage/<org>/two-step-rule", methods=["POST"])
@org_required("admin")
def rule():  # type: ignore[no-untyped-def]
    form = TwoStepRuleForm()
    if form.validate_on_submit():
        twostep.set_requirement(g.org, bool(form.required.data), current_user)
        flash("two_step_rule_saved")
    return redirect(url_for("people.members", org=g.org.slug))
