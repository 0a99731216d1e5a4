"""Sign in and out, password, and the staff area's front pages."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import wants_json
from ..extensions import login_manager
from ..links import same_site_path
from ..welsh import sort_for_language
from ..images.services import read_upload
from ..images.picture import ImageRefusal
from ..images.upload import accepts_upload
from . import brand, home, services, twostep, twostep_pages
from .access import org_required
from .forms import ChangePasswordForm, OrgSettingsForm, SignInForm
from .throttle import note_wrong_password, sign_in_limits

bp = Blueprint("accounts", __name__, url_prefix="/<lang:lang>")
#: Language-neutral: an organisation's colours as a stylesheet.
brand_bp = Blueprint("brand", __name__)
brand_bp.add_app_template_global(brand.stylesheet_link, "brand_stylesheet")
A_YEAR = 365 * 24 * 3600


@login_manager.unauthorized_handler
def _sign_in_first():  # type: ignore[no-untyped-def]
    if wants_json():  # the door page's API: say so, don't redirect a fetch() to a sign-in page
        return jsonify(error={"status": 401, "code": "sign_in_required"}), 401
    return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))


@bp.route("/sign-in", methods=["GET", "POST"])
@sign_in_limits
def sign_in():  # type: ignore[no-untyped-def]
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            note_wrong_password()
            form.form_errors.append(_("Enter a correct email address and password"))
        elif twostep.is_on(user):
            return twostep_pages.begin(user, request.args.get("next"))  # the code is still to come
        else:
            session.clear()  # a fresh session (and CSRF token) on every sign-in
            services.start_session(user, request.user_agent.string)
            login_user(user)
            return redirect(same_site_path(request.args.get("next")) or url_for("accounts.dashboard"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("accounts/sign_in.html", form=form), status


@bp.route("/sign-out", methods=["POST"])
def sign_out():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        services.end_session(current_user)  # a copy of the cookie is worth nothing from now on
    logout_user()
    session.clear()
    flash("signed_out")
    return redirect(url_for("public.home"))


@bp.route("/manage/")
@login_required
def dashboard():  # type: ignore[no-untyped-def]
    orgs = sort_for_language(current_user.organisations, lambda o: o.text("name", g.lang), g.lang)
    return render_template("accounts/dashboard.html", orgs=orgs)


@bp.route("/manage/password", methods=["GET", "POST"])
@login_required
def password():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except services.AccountRefusal as err:
            form.show_error(err)
        else:
            flash("password_changed")
            return redirect(url_for("accounts.dashboard"))
    return render_template("accounts/password.html", form=form), (400 if form.errors else 200)


@bp.route("/manage/<org>/")
@org_required()
def org_home():  # type: ignore[no-untyped-def]
    return render_template("accounts/org_home.html", org=g.org, todo=home.to_do(g.org))


@bp.route("/manage/<org>/settings", methods=["GET", "POST"])
@org_required("admin")
@accepts_upload
def org_settings():  # type: ignore[no-untyped-def]
    org = g.org
    form = OrgSettingsForm(data={"name": org.texts("name"),
                                 "brand_colour": org.brand_colour or brand.STANDARD["brand_colour"],
                                 "link_colour": org.link_colour or brand.STANDARD["link_colour"]})
    if form.validate_on_submit():
        upload = request.files.get(form.logo.name)
        standard = bool(form.standard_colours.data)
        try:
            look = brand.Look(names=form.name.data, remove_logo=bool(form.remove_logo.data),
                              logo=read_upload(upload.stream) if upload and upload.filename else None,
                              brand_colour=None if standard else form.brand_colour.data,
                              link_colour=None if standard else form.link_colour.data)
            brand.save_look(org, look, by_id=current_user.id)
        except (services.AccountRefusal, ImageRefusal) as err:
            if isinstance(err, ImageRefusal):
                err.field = form.logo.name
            form.show_error(err)
        else:
            flash("saved")
            return redirect(url_for("accounts.org_home", org=org.slug))
    return render_template("accounts/org_settings.html", form=form, org=org), (400 if form.errors else 200)


@brand_bp.get("/brand/<slug>-<string(length=10):digest>.css")
def stylesheet(slug: str, digest: str) -> Response:
    """An organisation's colours. The address names them, so a copy never goes stale; an old address
    (the colours changed since the page was made) is sent on to the new one."""
    org = services.get_org(slug)
    if org is None or brand.stylesheet_path(org) is None:
        abort(404)
    if digest != brand.digest(org):
        return redirect(brand.stylesheet_path(org))  # type: ignore[return-value]
    response = Response(brand.stylesheet(org), mimetype="text/css")
    response.headers["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    return response
