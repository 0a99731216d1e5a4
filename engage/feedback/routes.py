"""Public “You said, we did” pages, feeds and open data, and the staff pages that keep them."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..accounts.access import org_required
from ..accounts.services import get_org
from ..dates import today_local
from ..events.services import get_event, themes_of
from ..extensions import csrf, limiter
from ..links import public_url
from . import drafts, feeds, follow, services
from ..money import pence_to_pounds
from .forms import EntryForm, FollowForm, FromEventForm, PublicFilterForm, UpdateForm
from .labels import status_label
from .models import STATUSES

public = Blueprint("feedback", __name__, url_prefix="/<lang:lang>/you-said-we-did")
manage = Blueprint("manage_feedback", __name__, url_prefix="/<lang:lang>/manage/<org>/you-said-we-did")
api = Blueprint("feedback_api", __name__, url_prefix="/api")



def _status(form: Any) -> int:
    return 400 if form.errors or form.form_errors else 200


public.add_app_template_global(status_label, "feedback_status")


@public.app_template_global("feedback_for_event")
def feedback_for_event(event_id: int) -> list[Any]:
    """Published entries that came of an event, for its public page."""
    return services.entries_for_event(event_id)


@public.app_template_global("feedback_for_pot")
def feedback_for_pot(pot_id: int) -> list[Any]:
    """Published entries about a PB pot, for its page (the ballots work shows them like events do)."""
    return services.entries_for_pot(pot_id)


# --- public --------------------------------------------------------------------------------------


def _public_filter(form: PublicFilterForm) -> services.PublicFilter:
    org = get_org(form.org.data) if form.org.data else None
    return services.PublicFilter(org=org, area=form.area.data or None, theme=form.theme.data or None,
                                 status=form.status.data if form.status.data in STATUSES else None)


def _feed_links(pairs: set[tuple[Any, str | None]]) -> list[dict[str, str]]:
    """Atom feeds covering a page: one per organisation, and one per area when the page is about one."""
    links = []
    for org, area in sorted(pairs, key=lambda p: (p[0].slug, p[1] or "")):
        if area:
            links.append({"href": url_for("feedback.area_feed", org=org.slug, area=area),
                          "title": _("Atom feed for this area")})
        else:
            links.append({"href": url_for("feedback.org_feed", org=org.slug), "title": _("Atom feed: %(org)s",
                                                                                      org=org.text("name"))})
    return links


@public.route("/")
def index():  # type: ignore[no-untyped-def]
    form = PublicFilterForm(request.args)
    options = services.filter_options(None)
    form.set_choices(options)
    f = _public_filter(form)
    entries = services.public_entries(f)
    orgs = [f.org] if f.org else options["orgs"]
    pairs = {(o, None) for o in orgs} | ({(e.org, f.area) for e in entries} if f.area else set())
    return render_template("feedback/index.html", form=form, entries=entries, counts=services.status_counts(f),
                           feeds=_feed_links(pairs), filtered=any(request.args.get(k) for k in ("org", "area", "theme", "status")))


@public.route("/<int:entry_id>")
def show(entry_id: int):  # type: ignore[no-untyped-def]
    entry = services.public_entry(entry_id)
    if entry is None:
        abort(404)
    return _render_entry(entry, FollowForm(formdata=None, data={"lang": g.lang}))


def _render_entry(entry: Any, form: FollowForm, status: int = 200):  # type: ignore[no-untyped-def]
    pairs = {(entry.org, None)} | ({(entry.org, entry.area_slug)} if entry.area_slug else set())
    return render_template("feedback/show.html", entry=entry, form=form, feeds=_feed_links(pairs)), status


@public.route("/<int:entry_id>/follow", methods=["POST"])
@limiter.limit("10 per hour")
def follow_entry(entry_id: int):  # type: ignore[no-untyped-def]
    entry = services.public_entry(entry_id)
    if entry is None:
        abort(404)
    form = FollowForm()
    if form.validate_on_submit():
        try:
            follow.subscribe(entry, form.email.data, None if form.lang.data == "both" else form.lang.data)
        except services.FeedbackRefusal as err:
            form.show_error(err)
        else:
            return render_template("feedback/follow_sent.html", entry=entry)
    return _render_entry(entry, form, 400)


@public.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):  # type: ignore[no-untyped-def]
    """GET only shows a button: mail scanners open links, and opening a link must change nothing."""
    if request.method == "POST":
        sub = follow.confirm(token)
        if sub is None:
            abort(404)
        return render_template("feedback/follow_done.html", entry=sub.entry, done="confirmed")
    if follow.find_by_confirm(token) is None:
        abort(404)
    return render_template("feedback/follow_button.html", action="confirm")


@public.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: the mail client POSTs without our form; the token is the proof
def unsubscribe(token: str):  # type: ignore[no-untyped-def]
    if request.method == "POST":
        entry = follow.unsubscribe(token)
        if entry is None:
            abort(404)
        return render_template("feedback/follow_done.html", entry=entry, done="unsubscribed")
    if follow.find_by_unsubscribe(token) is None:
        abort(404)
    return render_template("feedback/follow_button.html", action="unsubscribe")


def _atom(org: Any, area: str | None) -> Response:
    entries = services.public_entries(services.PublicFilter(org=org, area=area), limit=100)
    if area:
        named = services.area_name(org, area)
        if named is None:
            abort(404)
        title = _("You said, we did: %(org)s, %(area)s", org=org.text("name"), area=named.text("area"))
        self_url = public_url("feedback.area_feed", org=org.slug, area=area)
    else:
        title = _("You said, we did: %(org)s", org=org.text("name"))
        self_url = public_url("feedback.org_feed", org=org.slug)
    page_url = public_url("feedback.index", org=org.slug, area=area)
    body = feeds.atom(org, entries, g.lang, title=title, self_url=self_url, page_url=page_url)
    return Response(body, mimetype="application/atom+xml")


def _org_or_404(slug: str) -> Any:
    org = get_org(slug)
    if org is None:
        abort(404)
    return org


@public.route("/<org>/feed.xml")
def org_feed(org: str):  # type: ignore[no-untyped-def]
    return _atom(_org_or_404(org), None)


@public.route("/<org>/areas/<area>/feed.xml")
def area_feed(org: str, area: str):  # type: ignore[no-untyped-def]
    return _atom(_org_or_404(org), area)


@api.route("/you-said-we-did.json")
def open_data():  # type: ignore[no-untyped-def]
    """Every published entry, both languages; ?org=, ?area=, ?theme= and ?status= filter it."""
    org = _org_or_404(request.args["org"]) if request.args.get("org") else None
    status = request.args.get("status")
    f = services.PublicFilter(org=org, area=request.args.get("area") or None, theme=request.args.get("theme") or None,
                              status=status if status in STATUSES else None)
    response = jsonify(feeds.open_data(services.public_entries(f)))
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


# --- staff ---------------------------------------------------------------------------------------


@manage.route("/")
@org_required()
def staff_index():  # type: ignore[no-untyped-def]
    form = FromEventForm()
    form.event.choices = [(e.id, e.text("title") or e.text("title", "cy" if g.lang == "en" else "en"))
                          for e in services.held_events(g.org)]
    return render_template("feedback/manage_list.html", org=g.org, entries=services.staff_entries(g.org),
                           from_event=form)


@manage.route("/from-event", methods=["POST"])
@org_required()
def from_event():  # type: ignore[no-untyped-def]
    form = FromEventForm()
    if not form.validate_on_submit():
        abort(400)
    event = get_event(g.org, form.event.data)
    if event is None:
        abort(404)
    try:
        entry = drafts.draft_from_event(event)
    except services.FeedbackRefusal:
        abort(400)
    flash("feedback_drafted")
    return redirect(url_for("manage_feedback.edit", org=g.org.slug, entry_id=entry.id))


def _entry_form(entry: Any = None) -> EntryForm:
    if entry is not None and request.method == "GET":
        data = {name: entry.texts(name) for name in services.BILINGUAL}
        data.update({name: getattr(entry, name) for name in services.PLAIN})
        data.update(published=entry.published, themes=[t.id for t in entry.themes], events=[e.id for e in entry.events],
                    budget=pence_to_pounds(entry.budget_pence))
        form = EntryForm(data=data)
    else:
        form = EntryForm()
        if request.method == "GET":
            form.status.data = "considering"
    themes = themes_of(g.org)
    events = services.org_events(g.org)
    if entry is not None:  # keep links made before a theme was retired or an event dropped off the list
        themes = sorted(set(themes) | set(entry.themes), key=lambda t: t.code)
        events = sorted(set(events) | set(entry.events), key=lambda e: e.starts_at, reverse=True)
    form.set_choices(themes, events)
    return form


def _own_entry(entry_id: int) -> Any:
    entry = services.get_entry(g.org, entry_id)
    if entry is None:
        abort(404)
    return entry


@manage.route("/new", methods=["GET", "POST"], defaults={"entry_id": None}, endpoint="create")
@manage.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@org_required()
def edit(entry_id: int | None):  # type: ignore[no-untyped-def]
    entry = _own_entry(entry_id) if entry_id is not None else None
    form = _entry_form(entry)
    if form.validate_on_submit():
        try:
            if entry is None:
                entry = services.create_entry(g.org, form.service_data())
            else:
                services.update_entry(entry, form.service_data())
        except services.FeedbackRefusal as err:
            form.show_error(err)
        else:
            flash("feedback_saved")
            return redirect(url_for("manage_feedback.detail", org=g.org.slug, entry_id=entry.id))
    return render_template("feedback/form.html", org=g.org, form=form, entry=entry), _status(form)


def _render_detail(entry: Any, form: UpdateForm):  # type: ignore[no-untyped-def]
    return render_template("feedback/manage_detail.html", org=g.org, entry=entry, form=form,
                           history=services.history(entry), followers=len(follow.followers(entry))), _status(form)


@manage.route("/<int:entry_id>")
@org_required()
def detail(entry_id: int):  # type: ignore[no-untyped-def]
    return _render_detail(_own_entry(entry_id), UpdateForm(formdata=None, data={"happened_on": today_local()}))


@manage.route("/<int:entry_id>/updates", methods=["POST"])
@org_required()
def add_update(entry_id: int):  # type: ignore[no-untyped-def]
    entry = _own_entry(entry_id)
    form = UpdateForm()
    if form.validate_on_submit():
        try:
            services.add_update(entry, {"happened_on": form.happened_on.data, "body": form.body.data,
                                        "status": form.status.data or None, "progress": form.progress.data,
                                        "reason": form.reason.data})
        except services.FeedbackRefusal as err:
            form.show_error(err)
        else:
            flash("feedback_update_added")
            return redirect(url_for("manage_feedback.detail", org=g.org.slug, entry_id=entry.id))
    return _render_detail(entry, form)
