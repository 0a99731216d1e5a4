"""Check-in's language-neutral short links: the poster's /c/ (its QR) and /c (to type its code), a ticket's /t/."""
from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from flask_babel import force_locale
from flask_login import current_user

from ..i18n import BABEL_LOCALES, choose_or_redirect, remembered_lang
from . import presenter, services

links = Blueprint("checkin_links", __name__)


@links.route("/c")
def code_link():  # type: ignore[no-untyped-def]
    """What the poster tells people without a camera to type: short, in no language."""
    return choose_or_redirect("checkin.enter_code")


@links.route("/c/<token>")
def poster_link(token: str):  # type: ignore[no-untyped-def]
    args = {"r": request.args["r"]} if "r" in request.args else {}
    return choose_or_redirect("checkin.self_check_in", token=token, **args)


@links.route("/t/<token>")
def ticket_link(token: str):  # type: ignore[no-untyped-def]
    """A ticket's QR code. Opened by staff of the event's organisation (say, from the phone's own
    camera app), it checks the ticket in straight away: the one GET here that changes data, on
    purpose, because at a busy door there is no time for a second tap. It is safe to repeat (the
    second time answers "already checked in") and needs the ticket's 128-bit secret. Opened by anyone
    else, it shows the ticket."""
    ticket = services.ticket_by_token(token)
    if ticket is None:
        abort(404)
    event = ticket.event
    if not (current_user.is_authenticated and current_user.role_in(event.org)):
        return choose_or_redirect("checkin.ticket", token=token)
    # No language in the URL: answer in the one this person last chose.
    g.lang = remembered_lang() or current_user.preferred_lang or "cy"
    with force_locale(BABEL_LOCALES[g.lang]):
        outcome = services.record_scan(event, method="ticket_scan", nonce=None, user=current_user, token=token,
                                       device="camera app")
        return render_template("checkin/scanned.html", event=event, org=event.org, view=presenter.view(outcome))
