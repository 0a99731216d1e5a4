"""Pages for staff running their own accounts: colleagues (invite, roles, remove, sign out), accepting
an invitation, a forgotten password, and one's own sessions. Services are in ``people.py``."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..codes import secret_hash
from ..extensions import limiter
from ..notices import flash_refusal
from . import people, services, twostep, twostep_pages
from .access import org_required
from .forms import AcceptExistingForm, AcceptNewForm, ConfirmForm, ForgotForm, InviteForm, ResetForm, RoleForm
from .models import Membership

bp = Blueprint("people", __name__, url_prefix="/<lang:lang>")
#: Pages whose address holds a secret: never kept by a browser or a proxy, never sent on as a referrer.
PRIVATE_PAGES = {"people.accept_invitation", "people.reset_password"}


@bp.after_request
def _private(response):  # type: ignore[no-untyped-def]
    if request.endpoint in PRIVATE_PAGES:
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- colleagues --------------------------------------------------------------------------------------

@bp.route("/manage/<org>/members")
@org_required("admin")
def members():  # type: ignore[no-untyped-def]
    rows = sorted(g.org.memberships, key=lambda m: m.user.email)
    return render_template("accounts/members.html", org=g.org, memberships=rows, invitations=people.open_invitations(g.org),
                           invite_form=InviteForm(formdata=None), role_words=people.role_words)


@bp.route("/manage/<org>/members/invite", methods=["GET", "POST"])
@org_required("admin")
def invite():  # type: ignore[no-untyped-def]
    form = InviteForm()
    if form.validate_on_submit():
        try:
            people.invite(g.org, form.email.data, form.role.data, form.lang.data, current_user)
        except people.AccountRefusal as err:
            form.show_error(err)
        else:
            flash("invited")
            return redirect(url_for("people.members", org=g.org.slug))
    return render_template("accounts/invite.html", org=g.org, form=form), (400 if form.errors or form.form_errors else 200)


@bp.route("/manage/<org>/invitations/<int:link_id>/withdraw", methods=["POST"])
@org_required("admin")
def withdraw(link_id: int):  # type: ignore[no-untyped-def]
    if ConfirmForm().validate_on_submit():
        try:
            people.withdraw_invitation(g.org, link_id, current_user)
            flash("invitation_withdrawn")
        except people.AccountRefusal as err:
            flash_refusal(err)
    return redirect(url_for("people.members", org=g.org.slug))


def _member_or_404(membership_id: int) -> Membership:
    member = next((m for m in g.org.memberships if m.id == membership_id), None)
    if member is None:
        abort(404)
    return member


@bp.route("/manage/<org>/members/<int:membership_id>", methods=["GET", "POST"])
@org_required("admin")
def member(membership_id: int):  # type: ignore[no-untyped-def]
    """One colleague: their role (change it), sign them out everywhere, remove their access."""
    found = _member_or_404(membership_id)
    form = RoleForm(data={"role": found.role})
    if form.validate_on_submit():
        try:
            people.change_role(g.org, membership_id, form.role.data, current_user)
        except people.AccountRefusal as err:
            form.show_error(err)
        else:
            flash("role_changed")
            return redirect(url_for("people.members", org=g.org.slug))
    return render_template("accounts/member.html", org=g.org, member=found, form=form, confirm=ConfirmForm(formdata=None),
                           role_words=people.role_words), (400 if form.errors or form.form_errors else 200)


@bp.route("/manage/<org>/members/<int:membership_id>/remove", methods=["POST"])
@org_required("admin")
def remove(membership_id: int):  # type: ignore[no-untyped-def]
    _member_or_404(membership_id)
    if ConfirmForm().validate_on_submit():
        try:
            people.remove_member(g.org, membership_id, current_user)
        except people.AccountRefusal as err:
            flash_refusal(err)
            return redirect(url_for("people.member", org=g.org.slug, membership_id=membership_id))
        flash("member_removed")
        if not current_user.role_in(g.org):  # removed themselves
            return redirect(url_for("accounts.dashboard"))
    return redirect(url_for("people.members", org=g.org.slug))


@bp.route("/manage/<org>/members/<int:membership_id>/sign-out", methods=["POST"])
@org_required("admin")
def sign_out_member(membership_id: int):  # type: ignore[no-untyped-def]
    _member_or_404(membership_id)
    if ConfirmForm().validate_on_submit():
        people.end_sessions_of(g.org, membership_id, current_user)
        flash("member_signed_out")
    return redirect(url_for("people.member", org=g.org.slug, membership_id=membership_id))


# --- accepting an invitation -------------------------------------------------------------------------

def _invited_account_key() -> str:
    # Wrong passwords of an existing account, counted per account whatever the link or address: an
    # admin who can read their own invitations (the outbox) must not get unlimited guesses this way.
    link = people.usable_link((request.view_args or {}).get("token", ""), "invite")
    return "invited-account:" + (link.email if link else "")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("10 per hour", methods=["POST"], key_func=_invited_account_key,
               deduct_when=lambda _response: bool(g.get("invite_wrong_password")))
def accept_invitation(token: str):  # type: ignore[no-untyped-def]
    link = people.usable_link(token, "invite")
    if link is None:
        return render_template("accounts/link_expired.html"), 404
    existing = services.find_user(link.email)
    form = AcceptExistingForm() if existing else AcceptNewForm()
    if form.validate_on_submit():
        try:
            user = people.accept_invitation(
                token, name=getattr(form, "name", None) and form.name.data or "",
                password=getattr(form, "password", None) and form.password.data,
                current_password=getattr(form, "current_password", None) and form.current_password.data, lang=g.lang)
        except people.AccountRefusal as err:
            g.invite_wrong_password = err.code == "wrong_password"
            form.show_error(err)
        else:
            logout_user()
            if twostep.is_on(user):  # joining proves the password only: the code is still to come
                response = twostep_pages.begin(user, url_for("accounts.org_home", org=link.org.slug))
                flash("joined")
                return response
            session.clear()
            services.start_session(user, request.user_agent.string)
            login_user(user)
            flash("joined")
            return redirect(url_for("accounts.org_home", org=link.org.slug))
    return render_template("accounts/accept.html", form=form, link=link, existing=existing,
                           role=people.role_words(link.role)), (400 if form.errors or form.form_errors else 200)


# --- a forgotten password ----------------------------------------------------------------------------

@bp.route("/sign-in/forgotten", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgotten():  # type: ignore[no-untyped-def]
    form = ForgotForm()
    if form.validate_on_submit():
        people.request_reset(form.email.data)
        flash("reset_sent")  # the same words whether or not there is an account
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/forgotten.html", form=form), (400 if form.errors else 200)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def reset_password(token: str):  # type: ignore[no-untyped-def]
    if people.usable_link(token, "reset") is None:
        return render_template("accounts/link_expired.html"), 404
    form = ResetForm()
    if form.validate_on_submit():
        try:
            people.reset_password(token, form.new.data)
        except people.AccountRefusal as err:
            form.show_error(err)
        else:
            logout_user()
            session.clear()
            flash("password_reset")
            return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset.html", form=form), (400 if form.errors or form.form_errors else 200)


# --- one's own sessions ------------------------------------------------------------------------------

@bp.route("/manage/sessions", methods=["GET", "POST"])
@login_required
def sessions():  # type: ignore[no-untyped-def]
    form = ConfirmForm()
    if form.validate_on_submit():
        which = request.form.get("session", "")
        if which == "others":
            people.end_my_other_sessions(current_user)
            flash("sessions_ended")
        elif which.isascii() and which.isdigit() and len(which) <= 18:
            people.end_my_session(current_user, int(which))
            flash("session_ended")
        return redirect(url_for("people.sessions"))
    mine = secret_hash(current_user.session_key or "")
    return render_template("accounts/sessions.html", rows=people.sessions_of(current_user), mine=mine, form=form)
