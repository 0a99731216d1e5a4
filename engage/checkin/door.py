"""The staff door page and its forms, which work without JavaScript: typed code, name, walk-in, undo."""
from __future__ import annotations

from flask import Blueprint, abort, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ..accounts.access import org_required
from ..bilingual import tr_text
from ..events import services as events
from ..events.models import Event
from ..extensions import limiter
from ..types import utcnow
from ..security import CSP_WITH_WASM
from . import groups, labels, presenter, services
from .access import per_staff_member, staff_event
from .forms import TypedCodeForm, WalkInForm, new_nonce
from .presenter import ResultView

door = Blueprint("door", __name__, url_prefix="/<lang:lang>/manage/<org>/events/<int:event_id>/door")


def _door_page(event: Event, view: ResultView | None = None, code_form: TypedCodeForm | None = None,
               status: int = 200, undone: bool = False, error: str | None = None):  # type: ignore[no-untyped-def]
    settings = services.settings_for(event)
    walk_in = WalkInForm(formdata=None)  # never the posted form's: its nonce would make the next walk-in a replay
    walk_in.audience.choices = [SelectChoice(0, _("Not recorded"))] + [
        SelectChoice(a.id, tr_text(a, "name")) for a in events.audiences_of(g.org)]
    query = request.args.get("q", "")
    html = render_template("checkin/door.html", org=g.org, event=event, settings=settings, view=view,
                           code_form=code_form or TypedCodeForm(formdata=None), walk_in=walk_in, query=query,
                           matches=services.search_tickets(event, query) if query else [],
                           checked_in=services.checked_in_ticket_ids(event), count=services.live_count(event.id),
                           recent=services.recent_scans(event), message=presenter.message,
                           is_open=services.is_open(event, settings), window=services.window(event, settings),
                           now=utcnow(), new_nonce=new_nonce, undone=undone,
                           queue_life=services.QUEUE_LIFE, queue_too_old=labels.QUEUE_TOO_OLD, error=error,
                           how_many=labels.HOW_MANY, arrived_of=labels.arrived_of,
                           checked_in_people=labels.checked_in_people)
    response = make_response(html, status)
    # The camera's QR decoder may be WebAssembly (browsers without BarcodeDetector).
    response.headers["Content-Security-Policy"] = CSP_WITH_WASM
    return response


@door.route("")
@org_required()
def page(event_id: int):  # type: ignore[no-untyped-def]
    # ?undone: the undo form's answer, shown where the other answers are (a notice at the top of the
    # page would open above the screen, at #door-now).
    return _door_page(staff_event(event_id), undone="undone" in request.args)


@door.route("/code", methods=["POST"])
@org_required()
@limiter.limit("60 per minute", key_func=per_staff_member)
def typed_code(event_id: int):  # type: ignore[no-untyped-def]
    event = staff_event(event_id)
    form = TypedCodeForm()
    if not form.validate():
        return _door_page(event, code_form=form, status=400)
    outcome = services.record_scan(event, method="typed_code", nonce=form.nonce.data, user=current_user,
                                   code=form.code.data, device=request.form.get("device"))
    return _door_page(event, presenter.view(outcome))


#: How a group ticket's question was reached (its answer is recorded the same way); else a name search.
ASKED_BY = ("typed_code", "ticket_scan", "name_search")


def _people(event: Event) -> tuple[int | None, str | None]:
    """The form's number of people (absent: not asked), or the page's words for a bad one."""
    raw = request.form.get("people")
    if raw is None:
        return None, None
    people = groups.people_from(raw)
    return people, None if people is not None else str(labels.PEOPLE_NUMBER % {"most": groups.MAX_PEOPLE})


@door.route("/ticket/<int:ticket_id>", methods=["POST"])
@org_required()
def by_name(event_id: int, ticket_id: int):  # type: ignore[no-untyped-def]
    """A ticket found by name, or a group ticket's answer to "how many have arrived?" (``people``)."""
    event = staff_event(event_id)
    method = request.form.get("method") if request.form.get("method") in ASKED_BY else "name_search"
    people, error = _people(event)
    if error:  # nothing is recorded: the question again, with what was wrong
        return _door_page(event, presenter.view(services.group_question(event, ticket_id, method)), status=400,
                          error=error)
    outcome = services.record_scan(event, method=method, nonce=request.form.get("nonce"),
                                   user=current_user, ticket_id=ticket_id, people=people)
    return _door_page(event, presenter.view(outcome))


@door.route("/walk-in", methods=["POST"])
@org_required()
def walk_in(event_id: int):  # type: ignore[no-untyped-def]
    event = staff_event(event_id)
    people, error = _people(event)
    if error:
        return _door_page(event, status=400, error=error)
    outcome = services.record_scan(event, method="walk_in", nonce=request.form.get("nonce"), user=current_user,
                                   audience_id=request.form.get("audience", type=int), people=people)
    return _door_page(event, presenter.view(outcome))


@door.route("/undo/<int:scan_id>", methods=["POST"])
@org_required()
def undo(event_id: int, scan_id: int):  # type: ignore[no-untyped-def]
    event = staff_event(event_id)
    if services.undo(event, scan_id, current_user) is None:
        abort(404)
    return redirect(url_for("door.page", org=g.org.slug, event_id=event.id, undone=1, _anchor="door-now"))
