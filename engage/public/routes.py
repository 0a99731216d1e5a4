from __future__ import annotations

from flask import Blueprint, g, jsonify, redirect, render_template, url_for
from sqlalchemy import text

from ..extensions import db, limiter
from ..i18n import choose_or_redirect
from . import services
from .forms import SiteFeedbackForm

bp = Blueprint("public", __name__, url_prefix="/<lang:lang>")
neutral = Blueprint("neutral", __name__)


@neutral.route("/")
def root():  # type: ignore[no-untyped-def]
    return choose_or_redirect("public.home")


@neutral.route("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        db.session.rollback()
        database = f"error: {type(exc).__name__}"
    ok = database == "ok"
    return jsonify(status="ok" if ok else "error", database=database,
                   dialect=db.engine.dialect.name), (200 if ok else 503)


@bp.route("/")
def home():  # type: ignore[no-untyped-def]
    """Where to start: open votes, the next few events, and the three areas."""
    from ..ballots.pots import public_pots
    from ..events.services import upcoming_public

    return render_template("public/home.html", open_pots=public_pots("open"), events=upcoming_public(limit=HOME_EVENTS))


#: How many upcoming events the home page lists (the events page has them all).
HOME_EVENTS = 3


@bp.route("/accessibility")
def accessibility():  # type: ignore[no-untyped-def]
    return render_template("public/accessibility.html")


@bp.route("/privacy")
def privacy():  # type: ignore[no-untyped-def]
    return render_template("public/privacy.html")


@bp.route("/feedback", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def feedback():  # type: ignore[no-untyped-def]
    form = SiteFeedbackForm()
    if form.validate_on_submit():
        services.leave_feedback(form.rating.data, form.comments.data, g.lang)
        return redirect(url_for("public.feedback_thanks"))
    return render_template("public/feedback.html", form=form), (400 if form.errors else 200)


@bp.route("/feedback/thanks")
def feedback_thanks():  # type: ignore[no-untyped-def]
    return render_template("public/feedback_thanks.html")
