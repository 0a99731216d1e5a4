"""Check-in pages: poster and ticket short links, self check-in, registration, the door, the JSON API."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import (Blueprint, abort, flash, g, jsonify, make_response, redirect, render_template,
                   request, url_for)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..accounts.access import org_required
from ..events import services as events
from ..events.models import Event
from ..extensions import db, limiter
from ..formatting import clock, when
from ..security import CSP_WITH_WASM
from ..qr import qr_svg
from ..i18n import BABEL_LOCALES, LANGUAGES, choose_or_redirect, remembered_lang
from . import services
from .forms import RegisterForm, SelfCheckinForm, SettingsForm, TypedCodeForm, WalkInForm, new_nonce
from .models import EventCheckin, Ticket

neutral = Blueprint("checkin_links", __name__)
public = Blueprint("checkin", __name__, url_prefix="/<lang:lang>")
door = Blueprint("door", __name__, url_prefix="/<lang:lang>/manage/<org>/events/<int:event_id>")
api = Blueprint("checkin_api", __name__, url_prefix="/api/orgs/<org>/events/<int:event_id>")

#: The door's big result: colour and words for each result code.
COLOURS = {"ok": "green", "already_checked_in": "amber"}
MESSAGES = {
    "ok": _l("Checked in"),
    "already_checked_in": _l("Already checked in"),
    "wrong_event": _l("This ticket is for a different event"),
    "not_open": _l("Check-in is not open at this time"),
    "cancelled": _l("This ticket or event has been cancelled"),
    "invalid": _l("This ticket is not valid"),
}


def result_view(outcome: services.Outcome) -> dict[str, Any]:
    """What a page or the API says about a scan, in the page's language."""
    detail = ""
    if outcome.result == "already_checked_in" and outcome.earlier_at:
        who = _("the poster") if outcome.earlier_by == "poster" else outcome.earlier_by
        detail = _("First checked in at %(time)s by %(who)s.", time=clock(outcome.earlier_at), who=who)
    elif outcome.result == "wrong_event" and outcome.other_event:
        detail = _("It is for: %(event)s", event=outcome.other_event)
    return {"result": outcome.result, "colour": COLOURS.get(outcome.result, "red"),
            "message": str(MESSAGES[outcome.result]), "detail": detail, "name": outcome.ticket_name,
            "code": outcome.ticket_code, "scan_id": outcome.scan_id, "count": outcome.count,
            "undoable": outcome.result == "ok" and outcome.scan_id is not None}


# --- language-neutral short links (what QR codes hold) --------------------------------------------


@neutral.route("/c/<token>")
def poster_link(token: str):  # type: ignore[no-untyped-def]
    args = {"r": request.args["r"]} if "r" in request.args else {}
    return choose_or_redirect("checkin.self_check_in", token=token, **args)


@neutral.route("/t/<token>")
def ticket_link(token: str):  # type: ignore[no-untyped-def]
    """A ticket's QR code. Opened by staff of the event's organisation (say, from the phone's own
    camera app), it checks the ticket in straight away: the one GET here that changes data, on
    purpose, because at a busy door there is no time for a second tap. It is safe to repeat (the
    second time answers "already checked in") and needs the ticket's 128-bit secret. Opened by anyone
    else, it shows the ticket."""
    ticket = services.ticket_by_token(token)
    event = db.session.get(Event, ticket.event_id) if ticket else None
    if ticket and event and current_user.is_authenticated and current_user.role_in(event.org):
        lang = remembered_lang() or current_user.preferred_lang or "cy"
        g.lang = lang
        with force_locale(BABEL_LOCALES[lang]):
            outcome = services.record_scan(event, method="ticket_scan", nonce=None, user=current_user,
                                           token=token, device="camera app")
            return render_template("checkin/scanned.html", event=event, org=event.org, view=result_view(outcome))
    if ticket is None:
        abort(404)
    return choose_or_redirect("checkin.ticket", token=token)


# --- residents -----------------------------------------------------------------------------------


def _poster_event(token: str) -> tuple[Event, EventCheckin]:
    settings = db.session.scalar(select(EventCheckin).where(EventCheckin.poster_token == token))
    if settings is None or not settings.event.public:
        abort(404)
    return settings.event, settings


@public.route("/checkin/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def self_check_in(token: str):  # type: ignore[no-untyped-def]
    event, settings = _poster_event(token)
    form = SelfCheckinForm()
    if not settings.rotating:
        rotating_ok = True
    elif request.method == "POST":  # the code on the screen may have moved on while they typed
        rotating_ok = services.form_pass_valid(settings, form.passed.data)
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
        outcome = services.self_check_in(event, form.nonce.data, contact)
        return render_template("checkin/self_done.html", event=event, view=result_view(outcome))
    return render_template("checkin/self.html", event=event, settings=settings, form=form, state=state), (
        400 if form.errors else 200)


@public.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register(event_id: int):  # type: ignore[no-untyped-def]
    event = events.public_event(event_id)
    if event is None:
        abort(404)
    settings = services.settings_for(event)
    if not settings.registration_open or event.status == "cancelled" or event.ends_at < datetime.now(timezone.utc):
        return render_template("checkin/register_closed.html", event=event)
    form = RegisterForm()
    if request.method == "GET":
        form.preferred_lang.data = None
    if form.validate_on_submit():
        ticket = services.register(event, {f: getattr(form, f).data for f in
                                           ("name", "email", "phone", "preferred_lang", "access_needs")})
        return redirect(url_for("checkin.ticket", token=ticket.token))
    return render_template("checkin/register.html", event=event, form=form), (400 if form.errors else 200)


@public.route("/tickets/<token>")
def ticket(token: str):  # type: ignore[no-untyped-def]
    found = services.ticket_by_token(token)
    if found is None:
        abort(404)
    event = db.session.get(Event, found.event_id)
    link = url_for("checkin_links.ticket_link", token=token, _external=True)
    return render_template("checkin/ticket.html", ticket=found, event=event,
                           qr=qr_svg(link, _("QR code of your ticket")))


def _per_staff_member() -> str:
    # Every phone at a venue's door shares one public address: count a staff member's scans, not the
    # address's, or a busy door would be throttled by its neighbours.
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else (request.remote_addr or "")


# --- staff: the door -----------------------------------------------------------------------------


def _event(event_id: int) -> Event:
    event = events.get_event(g.org, event_id)
    if event is None:
        abort(404)
    return event


def _door_page(event: Event, view: dict[str, Any] | None = None, code_form: TypedCodeForm | None = None,
               status: int = 200):  # type: ignore[no-untyped-def]
    settings = services.settings_for(event)
    walk_in = WalkInForm()
    audiences = events.audiences_of(g.org)
    from ..bilingual import tr_text
    walk_in.audience.choices = [SelectChoice(0, _("Not recorded"))] + [SelectChoice(a.id, tr_text(a, "name"))
                                                                       for a in audiences]
    query = request.args.get("q", "")
    matches = services.search_tickets(event, query) if query else []
    messages = {code: str(text) for code, text in MESSAGES.items()}
    html = render_template("checkin/door.html", org=g.org, event=event, settings=settings, view=view,
                           code_form=code_form or TypedCodeForm(formdata=None), walk_in=walk_in, query=query,
                           matches=matches, checked_in=services.checked_in_ticket_ids(event),
                           count=services.live_count(event.id), recent=services.recent_scans(event),
                           messages=messages, is_open=services.is_open(event, settings),
                           new_nonce=new_nonce)
    response = make_response(html, status)
    response.headers["Content-Security-Policy"] = CSP_WITH_WASM
    return response


@door.route("/door")
@org_required()
def page(event_id: int):  # type: ignore[no-untyped-def]
    return _door_page(_event(event_id))


@door.route("/door/code", methods=["POST"])
@org_required()
@limiter.limit("60 per minute", key_func=_per_staff_member)
def typed_code(event_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    form = TypedCodeForm()
    if not form.validate():
        return _door_page(event, code_form=form, status=400)
    outcome = services.record_scan(event, method="typed_code", nonce=form.nonce.data, user=current_user,
                                   code=form.code.data, device=request.form.get("device"))
    return _door_page(event, result_view(outcome))


@door.route("/door/ticket/<int:ticket_id>", methods=["POST"])
@org_required()
def by_name(event_id: int, ticket_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    outcome = services.record_scan(event, method="name_search", nonce=request.form.get("nonce"),
                                   user=current_user, ticket_id=ticket_id)
    return _door_page(event, result_view(outcome))


@door.route("/door/walk-in", methods=["POST"])
@org_required()
def walk_in(event_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    audience = request.form.get("audience", type=int) or None
    if audience and audience not in {a.id for a in events.audiences_of(g.org)}:
        audience = None
    outcome = services.record_scan(event, method="walk_in", nonce=request.form.get("nonce"), user=current_user,
                                   audience_id=audience)
    return _door_page(event, result_view(outcome))


@door.route("/door/undo/<int:scan_id>", methods=["POST"])
@org_required()
def undo(event_id: int, scan_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    if services.undo(event, scan_id, current_user) is None:
        abort(404)
    flash("checkin_undone")
    return redirect(url_for("door.page", org=g.org.slug, event_id=event.id))


@door.route("/poster")
@org_required()
def poster(event_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    settings = services.settings_for(event)
    link = url_for("checkin_links.poster_link", token=settings.poster_token, _external=True)
    texts = {}
    for lang in LANGUAGES:  # both languages on one sheet, Welsh first, each in its own words
        with force_locale(BABEL_LOCALES[lang]):
            texts[lang] = {"title": event.text("title", lang), "when": when(event.starts_at, event.ends_at), "heading": _("Check in here"),
                           "scan": _("Scan the QR code with your phone’s camera."),
                           "or": _("No camera? Go to %(site)s and type this code:", site=request.host),
                           "anon": _("We only count that you came. We do not ask who you are.")}
    return render_template("checkin/poster.html", event=event, settings=settings, texts=texts,
                           qr=qr_svg(link, "QR"), link=link)


@door.route("/screen")
@org_required()
def screen(event_id: int):  # type: ignore[no-untyped-def]
    """A changing QR for a projector or tablet; screen.js loads a new one every 30 seconds."""
    event = _event(event_id)
    return render_template("checkin/screen.html", event=event, settings=services.settings_for(event),
                           seconds=services.ROTATION_SECONDS)


@door.route("/screen/qr.svg")
@org_required()
def screen_qr(event_id: int):  # type: ignore[no-untyped-def]
    settings = services.settings_for(_event(event_id))
    link = url_for("checkin_links.poster_link", token=settings.poster_token, r=services.rotating_param(settings),
                   _external=True)
    response = make_response(str(qr_svg(link, "QR")))
    response.mimetype = "image/svg+xml"
    response.headers["Cache-Control"] = "no-store"
    return response


@door.route("/checkin-settings", methods=["GET", "POST"])
@org_required()
def settings(event_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    current = services.settings_for(event)
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        from ..audit.services import record
        from ..db import write_transaction
        with write_transaction():
            form.populate_obj(current)
            record("checkin.settings", f"Check-in settings of event {event.id} changed", org_id=g.org.id, obj=event,
                   data={k: getattr(current, k) for k in ("opens_minutes_before", "closes_minutes_after",
                                                           "registration_open", "rotating", "ask_contact")})
        flash("saved")
        return redirect(url_for("door.page", org=g.org.slug, event_id=event.id))
    return render_template("checkin/settings.html", org=g.org, event=event, form=form), (400 if form.errors else 200)


@door.route("/tickets")
@org_required()
def tickets(event_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    rows = db.session.scalars(select(Ticket).where(Ticket.event_id == event.id).order_by(Ticket.created_at)).all()
    return render_template("checkin/tickets.html", org=g.org, event=event, tickets=rows,
                           checked_in=services.checked_in_ticket_ids(event))


# --- JSON API for the door page ------------------------------------------------------------------


def _json_error(status: int, code: str):  # type: ignore[no-untyped-def]
    return jsonify(error={"status": status, "code": code}), status


@api.route("/scans", methods=["POST"])
@org_required()
@limiter.limit("240 per minute", key_func=_per_staff_member)
def api_scan(event_id: int):  # type: ignore[no-untyped-def]
    """Record a scan: ``{"method", "nonce", "token"|"code"|"ticket_id", "scanned_at", "device", "audience_id"}``."""
    event = _event(event_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or body.get("method") not in ("ticket_scan", "typed_code", "name_search", "walk_in"):
        return _json_error(400, "bad_request")
    scanned_at = None
    if isinstance(body.get("scanned_at"), str):
        try:
            scanned_at = datetime.fromisoformat(body["scanned_at"].replace("Z", "+00:00"))
            if scanned_at.tzinfo is None:
                scanned_at = None
        except ValueError:
            scanned_at = None
    fields = {k: body.get(k) if isinstance(body.get(k), str) else None for k in ("token", "code", "device", "nonce")}
    ticket_id = body.get("ticket_id") if isinstance(body.get("ticket_id"), int) else None
    audience = body.get("audience_id") if isinstance(body.get("audience_id"), int) else None
    if audience and audience not in {a.id for a in events.audiences_of(g.org)}:
        audience = None
    outcome = services.record_scan(event, method=body["method"], nonce=fields["nonce"], user=current_user,
                                   device=fields["device"], token=_token_from(fields["token"]), code=fields["code"],
                                   ticket_id=ticket_id, scanned_at=scanned_at, audience_id=audience)
    payload = outcome.to_json()
    payload["messages"] = {}
    for lang in LANGUAGES:
        with force_locale(BABEL_LOCALES[lang]):
            view = result_view(outcome)
            payload["messages"][lang] = {"message": view["message"], "detail": view["detail"]}
    payload["colour"] = COLOURS.get(outcome.result, "red")
    return jsonify(payload)


def _token_from(value: str | None) -> str | None:
    """Accept the token itself or the whole URL the QR code holds (…/t/<token>)."""
    if value and "/t/" in value:
        return value.rsplit("/t/", 1)[1].split("?", 1)[0].strip("/")
    return value


@api.route("/scans/<int:scan_id>/undo", methods=["POST"])
@org_required()
def api_undo(event_id: int, scan_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    outcome = services.undo(event, scan_id, current_user)
    if outcome is None:
        return _json_error(404, "not_found")
    return jsonify(undone=scan_id, count=services.live_count(event.id))


@api.route("/counts")
@org_required()
def api_counts(event_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    return jsonify(event_id=event.id, checked_in=services.live_count(event.id),
                   open=services.is_open(event, services.settings_for(event)))

