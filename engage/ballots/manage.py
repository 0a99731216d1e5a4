"""Staff PB pages: pots, projects, voter codes and cards, the kiosk, paper ballots, the lifecycle.

No page here shows who chose what: staff see counts, never a ballot next to a code or a person.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from ..accounts.access import org_required
from ..accounts.services import end_session
from ..codes import pretty_code
from ..formatting import clock, long_date
from ..i18n import BABEL_LOCALES, LANGUAGES
from ..images.picture import ImageRefusal
from ..images.services import read_upload
from ..images.upload import accepts_upload
from ..links import public_url
from ..notices import flash_refusal
from ..qr import qr_svg
from . import kiosk as kiosks
from . import labels, lifecycle, pots, results
from . import paper as paper_ballots
from .box import turnout
from .forms import ActionForm, CodesForm, KioskForm, PotForm, ProjectForm
from .in_progress import KIOSK_SESSION, read_choices
from .models import Pot, Project
from .pages import results_view
from .pots import BallotRefusal
from .voters import code_counts, generate_codes

manage = Blueprint("manage_pb", __name__, url_prefix="/<lang:lang>/manage/<org>/pb")


@manage.context_processor
def _words() -> dict[str, Any]:
    return {"labels": labels}


def _pot(pot_id: int) -> Pot:
    pot = pots.get_pot(g.org, pot_id)
    if pot is None:
        abort(404)
    return pot


def _project(pot: Pot, project_id: int) -> Project:
    found = next((p for p in pot.projects if p.id == project_id), None)
    if found is None:
        abort(404)
    return found


def _back(pot: Pot, notice: str | None = None):  # type: ignore[no-untyped-def]
    if notice:
        flash(notice)
    return redirect(url_for("manage_pb.detail", org=g.org.slug, pot_id=pot.id))


def _detail(pot: Pot, error: BallotRefusal | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    # Messages are looked up here, in the page's language (the dicts above hold lazy strings).
    return render_template("ballots/manage_detail.html", org=g.org, pot=pot, action=ActionForm(),
                           codes_form=CodesForm(formdata=None), counts=code_counts(pot),
                           turnout=turnout(pot), readiness=[labels.READINESS[r] for r in lifecycle.readiness(pot)],
                           pending=len(paper_ballots.pending_paper(pot)), kiosks=kiosks.pot_kiosks(pot),
                           check=results.preview(pot),
                           error=error.message() if error else None), status


@manage.route("/")
@org_required()
def index():  # type: ignore[no-untyped-def]
    return render_template("ballots/manage_list.html", org=g.org, pots=pots.org_pots(g.org))


@manage.route("/new", methods=["GET", "POST"], defaults={"pot_id": None}, endpoint="create")
@manage.route("/<int:pot_id>/edit", methods=["GET", "POST"])
@org_required()
def edit(pot_id: int | None):  # type: ignore[no-untyped-def]
    pot = _pot(pot_id) if pot_id else None
    form = PotForm() if request.method == "POST" else PotForm.for_pot(pot)
    if form.validate_on_submit():
        try:
            pot = pots.update_pot(pot, form.to_data()) if pot else pots.create_pot(g.org, form.to_data())
        except BallotRefusal as err:
            form.form_errors.append(err.message())
        else:
            return _back(pot, "saved")
    return render_template("ballots/pot_form.html", org=g.org, pot=pot, form=form), (
        400 if form.errors or form.form_errors else 200)


@manage.route("/<int:pot_id>")
@org_required()
def detail(pot_id: int):  # type: ignore[no-untyped-def]
    return _detail(_pot(pot_id))


@manage.route("/<int:pot_id>/<any(open, close):step>", methods=["POST"], endpoint="lifecycle")
@org_required()
def change_status(pot_id: int, step: str):  # type: ignore[no-untyped-def]
    pot = _pot(pot_id)
    try:
        if step == "open":
            lifecycle.open_pot(pot, current_user.id)
        else:
            lifecycle.close_pot(pot, current_user.id)
    except BallotRefusal as err:
        return _detail(pot, err, 409)
    return _back(pot, f"pb_{step}")


@manage.route("/<int:pot_id>/count", methods=["POST"])
@org_required()
def count(pot_id: int):  # type: ignore[no-untyped-def]
    """Count a closed pot into a private preview, for a colleague to check and publish."""
    pot = _pot(pot_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        results.count_preview(pot, current_user)
    except BallotRefusal as err:
        return _detail(pot, err, 409)
    return redirect(url_for("manage_pb.preview", org=g.org.slug, pot_id=pot.id))


@manage.route("/<int:pot_id>/preview")
@org_required()
def preview(pot_id: int):  # type: ignore[no-untyped-def]
    pot = _pot(pot_id)
    check = results.preview(pot)
    if check is None:
        return _back(pot)
    return render_template("ballots/results.html", preview=check, org=g.org, action=ActionForm(),
                           may_sign=g.org_role == "admin" and check.counted_by_id != current_user.id,
                           **results_view(pot, results.PublishedResult.from_json(check.result_json)))


@manage.route("/<int:pot_id>/publish", methods=["POST"])
@org_required("admin")
def publish(pot_id: int):  # type: ignore[no-untyped-def]
    """Sign off the preview (a different person from whoever counted it) and publish the results."""
    pot = _pot(pot_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        results.publish(pot, current_user)
    except BallotRefusal as err:
        return _detail(pot, err, 409)
    return _back(pot, "pb_publish")


@manage.route("/<int:pot_id>/projects/new", methods=["GET", "POST"], defaults={"project_id": None},
              endpoint="add_project")
@manage.route("/<int:pot_id>/projects/<int:project_id>/edit", methods=["GET", "POST"])
@accepts_upload
@org_required()
def edit_project(pot_id: int, project_id: int | None):  # type: ignore[no-untyped-def]
    """The project form, with its picture (multipart: this form alone may be up to 10.5 MB)."""
    pot = _pot(pot_id)
    project = _project(pot, project_id) if project_id else None
    form = ProjectForm.for_project(project, posted=request.method == "POST")
    if form.validate_on_submit():
        try:
            raw = read_upload(form.upload.stream) if form.upload is not None else None
            pots.save_project(pot, form.to_data(), project, image=raw, by_id=current_user.id)
        except ImageRefusal as err:
            form.show_error(err)  # at the file input; everything typed stays, nothing was saved
        except BallotRefusal as err:
            form.form_errors.append(err.message())
        else:
            return _back(pot, "saved")
    return render_template("ballots/project_form.html", org=g.org, pot=pot, project=project, form=form), (
        400 if form.errors or form.form_errors else 200)


@manage.route("/<int:pot_id>/projects/<int:project_id>/delete", methods=["POST"])
@org_required()
def delete_project(pot_id: int, project_id: int):  # type: ignore[no-untyped-def]
    pot = _pot(pot_id)
    try:
        pots.delete_project(pot, _project(pot, project_id))
    except BallotRefusal as err:
        return _detail(pot, err, 409)
    return _back(pot, "saved")


@manage.route("/<int:pot_id>/codes", methods=["POST"])
@org_required()
def codes(pot_id: int):  # type: ignore[no-untyped-def]
    """Make codes and show them, with printable cards, this once: only their hashes are kept."""
    pot = _pot(pot_id)
    form = CodesForm()
    if not form.validate_on_submit():
        return _detail(pot, None, 400)
    try:
        made = generate_codes(pot, form.count.data, by=current_user)
    except BallotRefusal as err:
        return _detail(pot, err, 409)
    texts = {}
    for lang in LANGUAGES:  # both languages on every card, Welsh first, each in its own words
        with force_locale(BABEL_LOCALES[lang]):
            texts[lang] = {"heading": _("Your voter code"), "title": pot.text("title", lang) or pot.text("title"),
                           "scan": _("Scan the QR code with your phone’s camera to vote."),
                           "or": _("Or go to this address and type the code:"),
                           "once": _("The code works once. Your vote is secret.")}
    cards = []
    for code in made:
        link = public_url("pb_links.vote_link", pot_id=pot.id, code=code)
        cards.append({"code": pretty_code(code), "qr": qr_svg(link, _("QR code to vote"))})
    address = public_url("pb_links.vote_link", pot_id=pot.id)
    return render_template("ballots/codes.html", org=g.org, pot=pot, cards=cards, texts=texts, address=address)


@manage.route("/<int:pot_id>/kiosk", methods=["GET", "POST"])
@org_required("admin")
def kiosk(pot_id: int):  # type: ignore[no-untyped-def]
    """Start a kiosk on this device. The device is signed out of the staff area as it starts."""
    pot = _pot(pot_id)
    events = kiosks.kiosk_events(pot)
    form = KioskForm()
    form.event.choices = [(0, _("Select an event"))] + [(e.id, f"{e.text('title')} ({clock(e.starts_at)}, "
                                                           f"{long_date(e.starts_at)})") for e in events]
    if not form.is_submitted():
        form.suggest(events)
    if form.validate_on_submit():
        try:
            started, token = kiosks.start_kiosk(pot, form.event.data, current_user, form.ends_at(), form.pin.data)
        except BallotRefusal as err:
            form.show_error(err)
        else:
            end_session(current_user)
            logout_user()
            session.clear()
            session[KIOSK_SESSION] = {"k": started.id, "t": token}
            return redirect(url_for("pb.kiosk_home"))
    return render_template("ballots/kiosk_start.html", org=g.org, pot=pot, form=form, events=events), (
        400 if form.errors or form.form_errors else 200)


@manage.route("/<int:pot_id>/kiosk/<int:kiosk_id>/end", methods=["POST"])
@org_required()
def end_kiosk(pot_id: int, kiosk_id: int):  # type: ignore[no-untyped-def]
    pot = _pot(pot_id)
    found = kiosks.pot_kiosk(pot, kiosk_id)
    if found is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    kiosks.end_kiosk(found, pot, current_user)
    return _back(pot, "pb_kiosk_ended")


@manage.route("/<int:pot_id>/paper", methods=["GET", "POST"])
@org_required()
def paper(pot_id: int):  # type: ignore[no-untyped-def]
    """Type in a paper ballot; a different member of staff checks each one before it counts."""
    pot = _pot(pot_id)
    form = ActionForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            paper_ballots.enter_paper(pot, current_user, read_choices(pot))
        except BallotRefusal as err:
            error = err
        else:
            flash("pb_paper_entered")
            return redirect(url_for("manage_pb.paper", org=g.org.slug, pot_id=pot.id))
    pending = paper_ballots.pending_paper(pot)
    return render_template("ballots/paper.html", org=g.org, pot=pot, form=form, error=error,
                           pending=[(e, json.loads(e.choices)) for e in pending],
                           titles={str(p.id): p for p in pot.projects}), (400 if error else 200)


@manage.route("/<int:pot_id>/paper/<int:entry_id>/<any(confirm, reject):verdict>", methods=["POST"])
@org_required()
def paper_check(pot_id: int, entry_id: int, verdict: str):  # type: ignore[no-untyped-def]
    pot = _pot(pot_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if verdict == "confirm":
            paper_ballots.confirm_paper(pot, entry_id, current_user)
        else:
            paper_ballots.reject_paper(pot, entry_id, current_user)
    except BallotRefusal as err:
        flash_refusal(err)
    else:
        flash(f"pb_paper_{verdict}ed")
    return redirect(url_for("manage_pb.paper", org=g.org.slug, pot_id=pot.id))
