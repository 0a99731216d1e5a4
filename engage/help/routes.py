"""The guide's pages: signed-in staff of any organisation and any role (like the staff dashboard).

Every word is in the templates, through the catalogue. Links to staff pages need an organisation:
with one, the guide links straight to its pages; with several (or none), to the staff dashboard.
"""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

bp = Blueprint("help", __name__, url_prefix="/<lang:lang>/manage/help")

#: The officer guide's task pages, in the order the index lists them: endpoint → title.
TASKS = {
    "help.events": _l("Set up an event and its door"),
    "help.vote": _l("Run a vote, from codes to results"),
    "help.feedback": _l("Publish “You said, we did”"),
    "help.report": _l("Send the monthly report"),
    "help.staff": _l("Staff and accounts"),
}


def org_link(endpoint: str, **values: object) -> str:
    """The address of an organisation's staff page for the signed-in person, or their dashboard
    when they belong to more (or fewer) than one organisation."""
    orgs = current_user.organisations
    if len(orgs) != 1:
        return url_for("accounts.dashboard")
    return url_for(endpoint, org=orgs[0].slug, **values)


bp.add_app_template_global(org_link, "help_org_link")


def _page(template: str):  # type: ignore[no-untyped-def]
    return render_template(f"help/{template}.html", tasks=TASKS)


@bp.route("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    return _page("index")


@bp.route("/events")
@login_required
def events():  # type: ignore[no-untyped-def]
    return _page("events")


@bp.route("/vote")
@login_required
def vote():  # type: ignore[no-untyped-def]
    return _page("vote")


@bp.route("/you-said-we-did")
@login_required
def feedback():  # type: ignore[no-untyped-def]
    return _page("feedback")


@bp.route("/monthly-report")
@login_required
def report():  # type: ignore[no-untyped-def]
    return _page("report")


@bp.route("/staff")
@login_required
def staff():  # type: ignore[no-untyped-def]
    return _page("staff")


@bp.route("/it")
@login_required
def it():  # type: ignore[no-untyped-def]
    return _page("it")
