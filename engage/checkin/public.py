"""Check-in pages for residents: checking in from the poster or screen, registering, their ticket."""
from __future__ import annotations

import re
from datetime import timedelta

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..events import services as events
from ..extensions import limiter
from ..links import public_url
from ..codes import random_token
from ..qr import qr_svg
from ..forms import Form
from ..types import utcnow
from . import labels, presenter, rotating, services
from .forms import PosterCodeForm, RegisterForm, SelfCheckinForm
from .models import EventCheckin

public = Blueprint("checkin", __name__, url_prefix="/<lang:lang>")
#: A phone's mark for one event (``services.device_hash``): a new random value per event, kept
#: until its check-in closes, so that one phone checks in once and nothing links two events.
PHONE_COOKIE = "engage_checkin_{event_id}"
MARK_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _poster(token: str) -> EventCheckin:
    """The door settings of a poster's (or screen's) token; 404 for a token of no event."""
    settings = services.poster_settings(token)
    if settings is None:
        abort(404)
    return settings


@public.route("/checkin", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def enter_code():  # type: ignore[no-untyped-def]
    """The poster's "No camera?" address (``/c``): its typed code leads to the same check-in as its QR."""
    form = PosterCodeForm()
    if form.validate_on_submit():
        settings = services.settings_by_code(form.code.data)
        if settings is None:
            form.code.errors.append(labels.NO_SUCH_CODE)
        elif settings.rotating:  # the screen's changing code is the way in: a typed one would bypass it
            form.code.errors.append(labels.USE_THE_SCREEN)
        else:
            return redirect(url_for("checkin.self_check_in", token=settings.poster_token))
    return render_template("checkin/enter_code.html", form=form), (400 if form.errors else 200)


def _phone_mark(event_id: int) -> tuple[str, bool]:
    """This phone's mark for the event, and whether it is new (to be set in a cookie)."""
    found = request.cookies.get(PHONE_COOKIE.format(event_id=event_id), "")
    return (found, False) if MARK_RE.match(found) else (random_token(), True)


@public.route("/checkin/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def self_check_in(token: str):  # type: ignore[no-untyped-def]
    settings = _poster(token)
    event = settings.event
    mark, new_mark = _phone_mark(event.id)
    response = make_response(*_self_check_in(settings, services.device_hash(event.id, mark)))
    if new_mark:  # set before the form is sent, so two tabs of one phone share one mark
        closes = services.window(event, settings)[1]
        response.set_cookie(PHONE_COOKIE.format(event_id=event.id), mark, samesite="Lax", httponly=True,
                            max_age=int(max(closes - utcnow(), timedelta(0)).total_seconds()) + 3600,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _self_check_in(settings: EventCheckin, device: str):  # type: ignore[no-untyped-def]
    event = settings.event
    form = SelfCheckinForm()
    pass_id = None
    if not settings.rotating:
        rotating_ok = True
    elif request.method == "POST":  # the code on the screen may have moved on while they typed
        pass_id = rotating.form_pass_id(settings, form.passed.data)
        rotating_ok = pass_id is not None
    else:
        rotating_ok = rotating.rotating_valid(settings, request.args.get("r"))
        form.passed.data = rotating.form_pass(settings) if rotating_ok else None
    state = None
    if not services.is_open(event, settings):
        state = "not_open"
    elif not rotating_ok:
        state = "expired"
    elif request.method == "GET" and (earlier := services.device_entry(event.id, device)) is not None:
        done = services.Outcome(result="already_checked_in", device_seen=True, earlier_at=earlier.scanned_at)
        return render_template("checkin/self_done.html", event=event, view=presenter.view(done, resident=True)), 200
    elif form.validate_on_submit():
        contact = {"name": form.name.data, "email": form.email.data} if settings.ask_contact and form.consent.data else None
        outcome = services.self_check_in(event, form.nonce.data, contact, form_pass=pass_id, device_mark=device)
        return render_template("checkin/self_done.html", event=event, view=presenter.view(outcome, resident=True)), 200
    opens, closes = services.window(event, settings)
    return render_template("checkin/self.html", event=event, settings=settings, form=form, state=state,
                           opens=opens, closes=closes, early=utcnow() < opens), (400 if form.errors else 200)


@public.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register(event_id: int):  # type: ignore[no-untyped-def]
    event = events.public_event(event_id)
    if event is None:
        abort(404)
    if not services.registration_open(event):
        return render_template("checkin/register_closed.html", event=event)
    form = RegisterForm(max_party=services.settings_for(event).max_party)
    if request.method == "GET":
        form.preferred_lang.data = None
    if form.validate_on_submit():
        data = {f: getattr(form, f).data for f in ("name", "email", "phone", "preferred_lang", "access_needs")}
        ticket = services.register(event, {**data, "places": form.places.data or 1})
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
                           qr=qr_svg(link, _("QR code of your ticket")), tickets_for=labels.tickets_for)
