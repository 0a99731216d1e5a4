"""Check-in pages for residents: checking in from the poster or screen, registering, their ticket."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..events import services as events
from ..extensions import limiter
from ..links import public_url
from ..qr import qr_svg
from . import presenter, services
from ..forms import Form
from .forms import RegisterForm, SelfCheckinForm
from .models import EventCheckin

public = Blueprint("checkin", __name__, url_prefix="/<lang:lang>")


def _poster(token: str) -> EventCheckin:
    """The door settings of a poster's (or screen's) token; 404 for a token of no public event."""
    settings = services.poster_settings(token)
    if settings is None:
        abort(404)
    return settings


@public.route("/checkin/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def self_check_in(token: str):  # type: ignore[no-untyped-def]
    settings = _poster(token)
    event = settings.event
    form = SelfCheckinForm()
    pass_id = None
    if not settings.rotating:
        rotating_ok = True
    elif request.method == "POST":  # the code on the screen may have moved on while they typed
        pass_id = services.form_pass_id(settings, form.passed.data)
        rotating_ok = pass_id is not None
    else:
        rotating_ok = services.rotating_valid(settings, request.args.get("r"))
        form.passed.data = services.form_pass(settings) if rotating_ok else None
    state = None
    if not services.is_open(event, settings):
        state = "not_open"
    elif not rotating_ok:
        state = "expired"
    elif form.validate_on_submit():
        contact = {"name": form.name.data, "email": form.email.data} if settings.ask_contact and form.consent.data else None
        outcome = services.self_check_in(event, form.nonce.data, contact, form_pass=pass_id)
        return render_template("checkin/self_done.html", event=event, view=presenter.view(outcome))
    return render_template("checkin/self.html", event=event, settings=settings, form=form, state=state), (
        400 if form.errors else 200)


@public.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register(event_id: int):  # type: ignore[no-untyped-def]
    event = events.public_event(event_id)
    if event is None:
        abort(404)
    if not services.registration_open(event):
        return render_template("checkin/register_closed.html", event=event)
    form = RegisterForm()
    if request.method == "GET":
        form.preferred_lang.data = None
    if form.validate_on_submit():
        ticket = services.register(event, {f: getattr(form, f).data for f in
                                           ("name", "email", "phone", "preferred_lang", "access_needs")})
        return redirect(url_for("checkin.ticket", token=ticket.token))
    return render_template("checkin/register.html", event=event, form=form, left=services.places_left(event)), (
        400 if form.errors else 200)


@public.route("/tickets/<token>/cancel", methods=["GET", "POST"])
def cancel_ticket(token: str):  # type: ignore[no-untyped-def]
    """Give up one's place (the link in the ticket email): a page to confirm, then one button."""
    found = services.ticket_by_token(token)
    if found is None:
        abort(404)
    form = Form()  # the button: CSRF only
    if found.cancelled_at is None and form.validate_on_submit():
        services.cancel_ticket(found)
        return redirect(url_for("checkin.ticket", token=token))
    return render_template("checkin/cancel_ticket.html", ticket=found, event=found.event, form=form)


@public.route("/tickets/<token>")
def ticket(token: str):  # type: ignore[no-untyped-def]
    found = services.ticket_by_token(token)
    if found is None:
        abort(404)
    link = public_url("checkin_links.ticket_link", token=token)
    return render_template("checkin/ticket.html", ticket=found, event=found.event,
                           qr=qr_svg(link, _("QR code of your ticket")))
