"""Staff check-in pages around the door: the printed poster, the changing QR screen, settings, registrations."""
from __future__ import annotations

from flask import Blueprint, Response, flash, g, make_response, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user

from ..accounts.access import org_required
from ..formatting import clock, long_date, when
from ..i18n import BABEL_LOCALES, LANGUAGE_LABELS, LANGUAGES
from ..links import public_url
from ..qr import qr_svg
from ..safetext import spreadsheet_csv
from . import labels, rotating, services
from .access import staff_event
from .forms import SettingsForm

manage = Blueprint("manage_checkin", __name__, url_prefix="/<lang:lang>/manage/<org>/events/<int:event_id>")


@manage.route("/poster")
@org_required()
def poster(event_id: int):  # type: ignore[no-untyped-def]
    event = staff_event(event_id)
    settings = services.settings_for(event)
    link = public_url("checkin_links.poster_link", token=settings.poster_token)
    # What people without a camera type: the short /c address, no scheme (…/c leads to the code's page).
    typed = public_url("checkin_links.code_link").split("://", 1)[1]
    texts = {}
    for lang in LANGUAGES:  # both languages on one sheet, Welsh first, each in its own words
        with force_locale(BABEL_LOCALES[lang]):
            texts[lang] = {"title": event.text("title", lang), "when": when(event.starts_at, event.ends_at),
                           "where": _("Online") if event.online else event.text_or_other("venue_name", lang), "heading": _("Check in here"),
                           "scan": _("Scan the QR code with your phone’s camera."),
                           "or": _("No camera? Go to %(site)s and type this code:", site=typed),
                           "anon": _("We only count that you came. We do not ask who you are.")}
    return render_template("checkin/poster.html", event=event, settings=settings, texts=texts,
                           qr=qr_svg(link, "QR"), link=link)


@manage.route("/screen")
@org_required()
def screen(event_id: int):  # type: ignore[no-untyped-def]
    """A changing QR for a projector or tablet; screen.js loads a new one every 30 seconds."""
    event = staff_event(event_id)
    return render_template("checkin/screen.html", event=event, settings=services.settings_for(event),
                           seconds=rotating.ROTATION_SECONDS)


@manage.route("/screen/qr.svg")
@org_required()
def screen_qr(event_id: int):  # type: ignore[no-untyped-def]
    settings = services.settings_for(staff_event(event_id))
    link = public_url("checkin_links.poster_link", token=settings.poster_token, r=rotating.rotating_param(settings))
    response = make_response(str(qr_svg(link, "QR")))
    response.mimetype = "image/svg+xml"
    response.headers["Cache-Control"] = "no-store"  # a cached code would be stale within 30 seconds
    return response


@manage.route("/checkin-settings", methods=["GET", "POST"])
@org_required()
def settings(event_id: int):  # type: ignore[no-untyped-def]
    event = staff_event(event_id)
    form = SettingsForm(obj=services.settings_for(event))
    if form.validate_on_submit():
        services.update_settings(event, form.data, current_user)
        flash("saved")
        return redirect(url_for("door.page", org=g.org.slug, event_id=event.id))
    return render_template("checkin/settings.html", org=g.org, event=event, form=form), (400 if form.errors else 200)


@manage.route("/tickets")
@org_required()
def tickets(event_id: int):  # type: ignore[no-untyped-def]
    event = staff_event(event_id)
    return render_template("checkin/tickets.html", org=g.org, event=event, tickets=services.tickets_of(event),
                           people=services.people_registered(event), place=labels.place_of,
                           arrived_of=labels.arrived_of)


@manage.route("/tickets.csv")
@org_required()
def tickets_csv(event_id: int):  # type: ignore[no-untyped-def]
    """The registrations as CSV, in the page's language, with a byte-order mark so that a spreadsheet
    reads its Welsh letters as UTF-8."""
    event = staff_event(event_id)
    out, writer = spreadsheet_csv()
    writer.writerow([_("Name"), _("Email address"), _("Phone number"), _("Ticket code"), _("Language"),
                     _("Access needs"), _("Place"), _("Checked in"), _("Registered"), _("People"),
                     _("People arrived")])
    for t in services.tickets_of(event):
        writer.writerow([t.name or _("(removed after the event)"), t.email or "", t.phone or "", t.code,
                         LANGUAGE_LABELS[t.preferred_lang] if t.preferred_lang else "", t.access_needs or "",
                         labels.place_of(t), pgettext("arrived", "Yes") if t.arrived else pgettext("arrived", "No"),
                         f"{long_date(t.created_at)} {clock(t.created_at)}", t.places, t.arrived])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=event-{event.id}-registrations-{g.lang}.csv"})
