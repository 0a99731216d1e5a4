"""Public event pages and the staff event log."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.access import org_required
from ..dates import local_to_utc, parse_month, recent_months, today_local, utc_to_local
from ..extensions import db, limiter
from ..params import query_int, with_query
from . import calendar, reports, services
from .export import events_csv as export_csv
from .forms import (AudienceForm, EventForm, FilterForm, KeepReportForm, OutcomeForm, PulseForm, ReportForm,
                    ThemeForm)
from .models import Audience, Theme

public = Blueprint("events", __name__, url_prefix="/<lang:lang>/events")
manage = Blueprint("manage_events", __name__, url_prefix="/<lang:lang>/manage/<org>")



# --- public --------------------------------------------------------------------------------------


@public.route("/")
def upcoming():  # type: ignore[no-untyped-def]
    return render_template("events/upcoming.html", events=services.upcoming_public())


@public.route("/past")
def past():  # type: ignore[no-untyped-def]
    return render_template("events/past.html", events=services.past_public())


@public.route("/<int:event_id>")
def show(event_id: int):  # type: ignore[no-untyped-def]
    event = services.public_event(event_id)
    if event is None:
        abort(404)
    from ..checkin.models import EventCheckin  # the check-in area builds on events, not the reverse

    pulse = services.pulse_summary([event.id]) if event.pulse_enabled else {}
    door = db.session.get(EventCheckin, event.id)
    attendance = reports.event_attendance(event, services.checkins([event.id]).get(event.id, 0))
    return render_template("events/show.html", event=event, pulse=pulse, pulse_open=services.pulse_open(event),
                           attendance=attendance, registration_open=bool(door and door.registration_open
                                                                         and event.status != "cancelled"))


@public.route("/calendar.ics")
def ical():  # type: ignore[no-untyped-def]
    body = calendar.feed(services.upcoming_public(), g.lang)
    return Response(body, mimetype="text/calendar", headers={"Content-Disposition": "inline; filename=events.ics"})


@public.route("/<int:event_id>/pulse", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def pulse(event_id: int):  # type: ignore[no-untyped-def]
    event = services.public_event(event_id)
    if event is None or not event.pulse_enabled:
        abort(404)
    if not services.pulse_open(event):
        return render_template("events/pulse_closed.html", event=event)
    form = PulseForm()
    if form.validate_on_submit():
        services.answer_pulse(event, {q: int(getattr(form, q).data) for q in ("belong", "get_on", "respect")})
        return render_template("events/pulse_thanks.html", event=event)
    return render_template("events/pulse.html", event=event, form=form), (400 if form.errors else 200)


# --- staff: the log ------------------------------------------------------------------------------


def _filters(form: FilterForm) -> services.EventFilter:
    def day(value: Any, plus: int = 0) -> datetime | None:
        return local_to_utc(datetime.combine(value, time()) + timedelta(days=plus)) if value else None

    if not form.validate():
        return services.EventFilter()
    return services.EventFilter(date_from=day(form.date_from.data), date_to=day(form.date_to.data, 1),
                                theme_id=form.theme.data or None, audience_id=form.audience.data or None,
                                kind=form.kind.data or None, status=form.status.data or None, q=form.q.data or "")


def _filter_form() -> FilterForm:
    form = FilterForm(request.args)
    form.set_choices(services.themes_of(g.org, False), services.audiences_of(g.org, False))
    return form


@manage.route("/events/")
@org_required()
def index():  # type: ignore[no-untyped-def]
    form = _filter_form()
    query = services.staff_query(g.org, _filters(form))
    page = db.paginate(query, page=query_int("page", 1), per_page=50, error_out=False)
    return render_template("events/manage_list.html", org=g.org, form=form, page=page,
                           export_url=with_query(url_for("manage_events.export", org=g.org.slug), page=None))


@manage.route("/events.csv")
@org_required()
def export():  # type: ignore[no-untyped-def]
    events = list(db.session.scalars(services.with_tags(services.staff_query(g.org, _filters(_filter_form())))))
    return Response(export_csv(events, g.lang), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=events-{g.org.slug}-{g.lang}.csv"})


def _event_form(event: Any = None) -> EventForm:
    if event is not None and request.method == "GET":
        data = {name: event.texts(name) for name in services.BILINGUAL}
        data.update({name: getattr(event, name) for name in services.EDITABLE})
        data["starts_at"] = utc_to_local(event.starts_at).replace(tzinfo=None)
        data["ends_at"] = utc_to_local(event.ends_at).replace(tzinfo=None)
        data["themes"] = [t.id for t in event.themes]
        data["audiences"] = [a.id for a in event.audiences]
        form = EventForm(data=data)
    else:
        form = EventForm()
        if request.method == "GET":
            form.delivery_language.data = "bilingual"
    form.set_choices(services.themes_of(g.org), services.audiences_of(g.org))
    if event is not None:  # keep themes that were retired after the event was logged
        form.set_choices(sorted(set(services.themes_of(g.org)) | set(event.themes), key=lambda t: t.code),
                         sorted(set(services.audiences_of(g.org)) | set(event.audiences), key=lambda a: a.id))
    return form


@manage.route("/events/new", methods=["GET", "POST"])
@org_required()
def create():  # type: ignore[no-untyped-def]
    form = _event_form()
    if form.validate_on_submit():
        try:
            event = services.create_event(g.org, form.service_data())
        except services.EventRefusal as err:
            form.show_error(err)
        else:
            flash("event_saved")
            return redirect(url_for("manage_events.detail", org=g.org.slug, event_id=event.id))
    return render_template("events/form.html", org=g.org, form=form, event=None), (400 if form.errors or form.form_errors else 200)


def _own_event(event_id: int):  # type: ignore[no-untyped-def]
    event = services.get_event(g.org, event_id)
    if event is None:
        abort(404)
    return event


@manage.route("/events/<int:event_id>")
@org_required()
def detail(event_id: int):  # type: ignore[no-untyped-def]
    event = _own_event(event_id)
    checked_in = services.checkins([event.id]).get(event.id, 0)
    return render_template("events/manage_detail.html", org=g.org, event=event, checked_in=checked_in,
                           attendance=reports.event_attendance(event, checked_in), pulse=services.pulse_summary([event.id]))


@manage.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@org_required()
def edit(event_id: int):  # type: ignore[no-untyped-def]
    event = _own_event(event_id)
    form = _event_form(event)
    if form.validate_on_submit():
        try:
            services.update_event(event, form.service_data())
        except services.EventRefusal as err:
            form.show_error(err)
        else:
            flash("event_saved")
            return redirect(url_for("manage_events.detail", org=g.org.slug, event_id=event.id))
    return render_template("events/form.html", org=g.org, form=form, event=event), (400 if form.errors or form.form_errors else 200)


@manage.route("/events/<int:event_id>/duplicate", methods=["POST"])
@org_required()
def duplicate(event_id: int):  # type: ignore[no-untyped-def]
    copy = services.duplicate_event(_own_event(event_id))
    flash("event_duplicated")
    return redirect(url_for("manage_events.edit", org=g.org.slug, event_id=copy.id))


@manage.route("/events/<int:event_id>/outcome", methods=["GET", "POST"])
@org_required()
def outcome(event_id: int):  # type: ignore[no-untyped-def]
    event = _own_event(event_id)
    audiences = sorted(set(services.audiences_of(g.org)) | {h.audience for h in event.headcounts}, key=lambda a: a.id)
    if request.method == "GET":
        form = OutcomeForm(data={**{n: event.texts(n) for n in ("narrative", "outcomes", "follow_up")},
                                 "headcount": event.headcount, "outcomes_public": event.outcomes_public,
                                 "status": "held" if event.status == "planned" else event.status})
        counts = {a.id: event.audience_counts.get(a.id) for a in audiences}
        count_errors: dict[int, str] = {}
    else:
        form = OutcomeForm()
        counts, count_errors = _audience_counts(audiences)
    if request.method == "POST" and form.validate_on_submit() and not count_errors:
        try:
            services.record_outcome(event, {**{n: getattr(form, n).data for n in ("narrative", "outcomes", "follow_up")},
                                            "headcount": form.headcount.data, "status": form.status.data,
                                            "outcomes_public": bool(form.outcomes_public.data),
                                            "audience_counts": counts})
        except services.EventRefusal as err:
            form.show_error(err)
        else:
            flash("outcome_saved")
            return redirect(url_for("manage_events.detail", org=g.org.slug, event_id=event.id))
    extra_errors = [(f"aud-{aid}", msg) for aid, msg in count_errors.items()]
    failed = bool(form.errors or form.form_errors or count_errors)
    return render_template("events/outcome.html", org=g.org, event=event, form=form, audiences=audiences,
                           counts=counts, count_errors=count_errors, extra_errors=extra_errors), (400 if failed else 200)


def _audience_counts(audiences: list[Audience]) -> tuple[dict[int, int | None], dict[int, str]]:
    """Read the per-audience headcount inputs (``aud-<id>``): whole numbers, 0 or more, or blank."""
    counts: dict[int, int | None] = {}
    errors: dict[int, str] = {}
    for audience in audiences:
        raw = (request.form.get(f"aud-{audience.id}") or "").strip()
        if not raw:
            counts[audience.id] = None
        elif raw.isdigit() and int(raw) <= 100000:
            counts[audience.id] = int(raw)
        else:
            counts[audience.id] = None
            errors[audience.id] = _("Enter a whole number, like 12")
    return counts, errors


# --- staff: themes and audiences (admins) ---------------------------------------------------------


@manage.route("/themes")
@org_required("admin")
def taxonomy():  # type: ignore[no-untyped-def]
    return render_template("events/taxonomy.html", org=g.org, themes=services.themes_of(g.org, False),
                           audiences=services.audiences_of(g.org, False))


def _owned(model: type, item_id: int | None):  # type: ignore[no-untyped-def]
    if item_id is None:
        return None
    item = db.session.scalar(select(model).where(model.id == item_id, model.org_id == g.org.id))
    if item is None:
        abort(404)
    return item


@manage.route("/themes/new", methods=["GET", "POST"], defaults={"theme_id": None})
@manage.route("/themes/<int:theme_id>", methods=["GET", "POST"])
@org_required("admin")
def theme(theme_id: int | None):  # type: ignore[no-untyped-def]
    item = _owned(Theme, theme_id)
    form = ThemeForm(data={"code": item.code, "name": item.texts("name"), "active": item.active} if item else None)
    if form.validate_on_submit():
        try:
            services.save_theme(g.org, item, form.code.data, form.name.data, bool(form.active.data))
        except services.EventRefusal as err:
            form.show_error(err)
        else:
            flash("saved")
            return redirect(url_for("manage_events.taxonomy", org=g.org.slug))
    return render_template("events/theme_form.html", org=g.org, form=form, item=item, what="theme"), (400 if form.errors else 200)


@manage.route("/audiences/new", methods=["GET", "POST"], defaults={"audience_id": None})
@manage.route("/audiences/<int:audience_id>", methods=["GET", "POST"])
@org_required("admin")
def audience(audience_id: int | None):  # type: ignore[no-untyped-def]
    item = _owned(Audience, audience_id)
    form = AudienceForm(data={"name": item.texts("name"), "active": item.active} if item else None)
    if form.validate_on_submit():
        services.save_audience(g.org, item, form.name.data, bool(form.active.data))
        flash("saved")
        return redirect(url_for("manage_events.taxonomy", org=g.org.slug))
    return render_template("events/theme_form.html", org=g.org, form=form, item=item, what="audience"), (400 if form.errors else 200)


# --- staff: monthly reports -----------------------------------------------------------------------


@manage.route("/reports", methods=["GET", "POST"])
@org_required()
def report_list():  # type: ignore[no-untyped-def]
    form = ReportForm()
    if form.validate_on_submit():
        return redirect(url_for("manage_events.report", org=g.org.slug, month=form.key))
    return render_template("events/reports.html", org=g.org, form=form, recent=recent_months(today_local()),
                           stored=reports.stored_reports(g.org)), (400 if form.errors else 200)


def _month_or_404(month: str) -> tuple[int, int]:
    parsed = parse_month(month)
    if parsed is None:
        abort(404)
    return parsed


def _report_or_404(month: str) -> reports.ReportData:
    year, number = _month_or_404(month)
    try:
        return reports.build(g.org, year, number)
    except services.EventRefusal:
        abort(404)


@manage.route("/reports/<month>", methods=["GET", "POST"])
@org_required()
def report(month: str):  # type: ignore[no-untyped-def]
    """The month's report as it stands now; POST keeps it (with the officer's narrative)."""
    data = _report_or_404(month)
    kept = reports.kept_files(g.org, data.key)
    some = next(iter(kept.values()), None)
    form = KeepReportForm(data={"narrative": some.texts("narrative")} if some and request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            reports.keep(g.org, data.year, data.month, form.narrative.data, current_user.id)
        except services.EventRefusal as refusal:
            form.show_error(refusal)
        else:
            flash("report_made")
            return redirect(url_for("manage_events.report", org=g.org.slug, month=data.key))
    return render_template("events/report_page.html", org=g.org, report=data, form=form, kept=kept), \
        (400 if form.errors or form.form_errors else 200)


@manage.route("/reports/<month>/report.csv")
@org_required()
def report_csv(month: str):  # type: ignore[no-untyped-def]
    """The report as shown now (before keeping, or a month so far), in the page's language."""
    data = _report_or_404(month)
    name = f"report-{g.org.slug}-{data.key}{'-so-far' if data.so_far else ''}-{g.lang}.csv"
    return Response(reports.render_csv(data, g.lang), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@manage.route("/reports/<month>.<fmt>", methods=["GET"])
@org_required()
def report_download(month: str, fmt: str):  # type: ignore[no-untyped-def]
    """A kept report in the page's language, as it was kept; GET never makes one."""
    _month_or_404(month)
    if fmt not in ("csv", "html"):
        abort(404)
    kept = reports.kept_files(g.org, month)
    stored = kept.get((fmt, g.lang)) or kept.get((fmt, "both"))
    if stored is None:
        abort(404)
    mimetype = "text/csv" if fmt == "csv" else "text/html"
    return Response(stored.content, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=report-{g.org.slug}-{month}-{stored.lang}.{fmt}"})
