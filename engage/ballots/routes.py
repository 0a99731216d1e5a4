"""PB pages: the public list, a pot, the ballot steps, results and open data; the code-card link."""
from __future__ import annotations

import json
import random
import secrets
from collections.abc import Callable
from dataclasses import asdict
from functools import wraps
from typing import Any

from flask import (Blueprint, Response, abort, current_app, flash, g, make_response, redirect, render_template,
                   request, session, url_for)

from ..codes import pretty_code
from ..extensions import limiter
from ..i18n import choose_or_redirect, path_lang
from ..links import public_url
from ..types import utcnow
from . import downloads
from . import kiosk as kiosks
from . import labels
from .box import Voter, cast_ballot, fingerprint, receipt_counted, receipt_hash
from .caps import open_vote_refusal
from .choices import check_choices
from .forms import ActionForm, CodeEntryForm, PinForm, PostcodeForm, ReceiptForm
from .in_progress import KIOSK_SESSION, read_choices, save_state, start_ballot, state
from .models import Kiosk, Pot
from .pabulib import export_pabulib
from .pages import results_view
from .pots import BallotRefusal, clean_postcode, public_pot, public_pots
from .results import PublishedResult, published
from .voters import browser_hash, code_hash, usable_code

neutral = Blueprint("pb_links", __name__)
public = Blueprint("pb", __name__, url_prefix="/<lang:lang>/pb")

@public.context_processor
def _words() -> dict[str, Any]:
    return {"labels": labels}


#: Pages that show a ballot, a receipt or a kiosk: never kept by the browser (Back on a shared device
#: must not bring up the last voter's choices or receipt).
PRIVATE_PAGES = {"pb.start", "pb.choose", "pb.check", "pb.done", "pb.receipt_file", "pb.kiosk_home", "pb.kiosk_end"}


@public.after_request
def _not_kept(response: Response) -> Response:
    if request.endpoint in PRIVATE_PAGES:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _held_kiosk() -> Kiosk | None:
    """The kiosk this device's session names, if its token is right (ended or not)."""
    held = session.get(KIOSK_SESSION)
    return kiosks.device_kiosk(int(held.get("k") or 0), str(held.get("t") or "")) if held else None


@public.before_app_request
def _kiosk_stays_a_kiosk():  # type: ignore[no-untyped-def]
    """A device holding a live kiosk does not reach the sign-in or staff pages (a browser's saved
    password would sign the admin back in on a public device): only the kiosk's PIN, or staff ending
    the kiosk on the fund's page, lets it go."""
    if KIOSK_SESSION not in session or not request.endpoint or not (
            request.endpoint == "accounts.sign_in" or "/manage/" in (request.path or "")):
        return None
    found = _held_kiosk()
    if found is not None and found.ended_at is None and found.ends_at > utcnow():
        return redirect(url_for("pb.kiosk_home", lang=path_lang(request.path) or "cy"))
    return None


#: Cookie holding a random token for open voting (one ballot per browser); only its hash is stored.
BROWSER_COOKIE = "engage_pb_browser"


def _pot_or_404(pot_id: int) -> Pot:
    pot = public_pot(pot_id)
    if pot is None:
        abort(404)
    return pot


def _shuffled(pot: Pot, seed: int) -> list[Any]:
    """The projects in this voter's own random order (the order on a ballot paper biases votes)."""
    projects = list(pot.projects)
    random.Random(seed).shuffle(projects)
    return projects


# --- language-neutral link printed on code cards -------------------------------------------------


@neutral.route("/v/<int:pot_id>")
def vote_link(pot_id: int):  # type: ignore[no-untyped-def]
    code = request.args.get("code", "")[:40]
    return choose_or_redirect("pb.start", pot_id=pot_id, **({"code": code} if code else {}))


# --- public pages ------------------------------------------------------------------------------


@public.route("/")
def index():  # type: ignore[no-untyped-def]
    return render_template("ballots/index.html", pots=public_pots())


@public.route("/<int:pot_id>")
def pot_page(pot_id: int):  # type: ignore[no-untyped-def]
    pot = _pot_or_404(pot_id)
    return render_template("ballots/pot.html", pot=pot)


@public.route("/<int:pot_id>/vote", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def start(pot_id: int):  # type: ignore[no-untyped-def]
    """Step 1: a voter code (or, in open voting, a postcode)."""
    pot = _pot_or_404(pot_id)
    if pot.status != "open":
        return render_template("ballots/not_open.html", pot=pot), 409
    if pot.eligibility == "open":
        return _start_open(pot)
    form = CodeEntryForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:40]
    if form.validate_on_submit():
        hashed = usable_code(pot, form.code.data)
        if hashed is not None:
            start_ballot(pot, "code", hashed)
            return redirect(url_for("pb.choose", pot_id=pot.id))
        form.code.errors.append(labels.REFUSALS["voted_here" if _kept_receipt(pot) else "code_not_valid"])
    return render_template("ballots/start.html", pot=pot, form=form, voted_here=_kept_receipt(pot) is not None), \
        (400 if form.errors else 200)


def _kept_receipt(pot: Pot) -> dict[str, Any] | None:
    """The receipt this browser's session kept for the pot: the voter voted here (set by ``submit``)."""
    return (session.get("pb_receipts") or {}).get(str(pot.id))


def _start_open(pot: Pot):  # type: ignore[no-untyped-def]
    form = PostcodeForm()
    token = request.cookies.get(BROWSER_COOKIE) or secrets.token_urlsafe(24)
    if form.validate_on_submit():
        # The address as ProxyFix gives it (PROXY_COUNT trusted proxies), else the connection's own.
        refusal = open_vote_refusal(pot, form.postcode.data, request.remote_addr)
        if refusal is None:
            start_ballot(pot, "open", browser_hash(pot, token), postcode=clean_postcode(form.postcode.data))
            response = redirect(url_for("pb.choose", pot_id=pot.id))
            response.set_cookie(BROWSER_COOKIE, token, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                                secure=current_app.config["SESSION_COOKIE_SECURE"])
            return response
        (form.form_errors if refusal == "address_cap" else form.postcode.errors).append(labels.REFUSALS[refusal])
    return render_template("ballots/start.html", pot=pot, form=form), (400 if form.errors else 200)


@public.route("/<int:pot_id>/vote/choose", methods=["GET", "POST"])
def choose(pot_id: int):  # type: ignore[no-untyped-def]
    """Step 2: choose. "Update" keeps the choices (and shows the total); "Continue" checks them."""
    pot = _pot_or_404(pot_id)
    ballot = state(pot.id)
    if ballot is None or pot.status != "open":
        return redirect(url_for("pb.start", pot_id=pot.id))
    error: BallotRefusal | None = None
    choices = {int(k): v for k, v in ballot["c"].items()}
    if request.method == "POST":
        try:
            choices = read_choices(pot)
            # Kept even when wrong, so the voter corrects their own choices rather than starting over.
            ballot["c"] = {str(k): v for k, v in choices.items()}
            save_state(pot.id, ballot)
            about = request.form.get("about", type=int)  # "More about this project": ticks kept, then its page
            if about in {p.id for p in pot.projects}:
                return redirect(url_for("pb.project_page", pot_id=pot.id, project_id=about))
            # "enter": the form's hidden first button, which Enter in a box presses.
            if request.form.get("action") == "continue" or "enter" in request.form:
                check_choices(pot, choices)
                return redirect(url_for("pb.check", pot_id=pot.id))
        except BallotRefusal as err:
            error = err
    total = sum(p.cost_pence for p in pot.projects if p.id in choices)
    html = render_template("ballots/choose.html", pot=pot, projects=_shuffled(pot, ballot["s"]), choices=choices,
                           total=total, error=error)
    return html, (400 if error else 200)


@public.route("/<int:pot_id>/vote/check")
def check(pot_id: int):  # type: ignore[no-untyped-def]
    """Step 3: check your answers."""
    pot = _pot_or_404(pot_id)
    ballot = state(pot.id)
    if ballot is None or pot.status != "open":
        return redirect(url_for("pb.start", pot_id=pot.id))
    choices = {int(k): v for k, v in ballot["c"].items()}
    try:
        total = check_choices(pot, choices)
    except BallotRefusal:
        return redirect(url_for("pb.choose", pot_id=pot.id))
    chosen = [p for p in _shuffled(pot, ballot["s"]) if p.id in choices]
    return render_template("ballots/check.html", pot=pot, chosen=chosen, choices=choices, total=total)


@public.route("/<int:pot_id>/vote/submit", methods=["POST"])
def submit(pot_id: int):  # type: ignore[no-untyped-def]
    """Step 4: send. One write (box.cast_ballot); the pot is read only inside it."""
    ballot = state(pot_id)
    if ballot is None:
        return render_template("ballots/refused.html", pot=_pot_or_404(pot_id), code="no_ballot"), 409
    is_open = ballot["v"] == "open"
    voter = Voter(ballot["v"], code_hash=None if is_open else ballot["h"], browser_hash=ballot["h"] if is_open else None,
                  postcode=ballot.get("p") if is_open else None, address=request.remote_addr if is_open else None)
    try:
        receipt = cast_ballot(pot_id, voter, {int(k): v for k, v in ballot["c"].items()})
    except BallotRefusal as err:
        pot = _pot_or_404(pot_id)
        if err.code in ("code_not_valid", "already_voted", "not_open", "postcode_cap", "address_cap"):
            save_state(pot_id, None)
            return render_template("ballots/refused.html", pot=pot, code=err.code), 409
        return redirect(url_for("pb.choose", pot_id=pot.id))
    save_state(pot_id, None)
    receipts = dict(session.get("pb_receipts") or {})
    receipts[str(pot_id)] = {"r": receipt, "k": ballot["v"] == "kiosk"}
    session["pb_receipts"] = receipts
    return redirect(url_for("pb.done", pot_id=pot_id))


@public.route("/<int:pot_id>/vote/done")
def done(pot_id: int):  # type: ignore[no-untyped-def]
    pot = _pot_or_404(pot_id)
    kept = _kept_receipt(pot)
    if kept is None:
        return redirect(url_for("pb.pot_page", pot_id=pot.id))
    return render_template("ballots/done.html", pot=pot, receipt=pretty_code(kept["r"]), kiosk=kept["k"],
                           results_address=public_url("pb.results", pot_id=pot.id))


@public.route("/<int:pot_id>/vote/receipt.txt")
def receipt_file(pot_id: int):  # type: ignore[no-untyped-def]
    """The receipt to keep, as a small text file in the page's language: the fund, the code and where
    to check it. Like the page, it never says what was chosen."""
    pot = _pot_or_404(pot_id)
    kept = _kept_receipt(pot)
    if kept is None or kept["k"]:  # nothing of a voter's is saved on a kiosk, a shared device
        abort(404)
    body = render_template("ballots/receipt_text.html", pot=pot, receipt=pretty_code(kept["r"]),
                           results_address=public_url("pb.results", pot_id=pot.id))
    return Response(body.replace("\n", "\r\n"), mimetype="text/plain",
                    headers={"Content-Disposition": f"attachment; filename=receipt-{pot.id}-{g.lang}.txt",
                             "Cache-Control": "no-store"})


# --- a kiosk device (started by an admin on the fund's staff page) -------------------------------


def kiosk_device(view: Callable[[Kiosk, Pot], Any]) -> Callable[[], Any]:
    """Give the view the kiosk this device's session names (if its token is right) and its pot; a
    device without one is told so, and nothing changes."""
    @wraps(view)
    def wrapper() -> Any:
        found = _held_kiosk()
        if found is None:
            return render_template("ballots/kiosk_ended.html")
        return view(found, found.pot)
    return wrapper


@public.route("/kiosk", methods=["GET", "POST"])
@kiosk_device
def kiosk_home(found: Kiosk, pot: Pot):  # type: ignore[no-untyped-def]
    """The kiosk between voters: the fund, the event, the running count, and a button to start."""
    # "Next voter": nothing of the last voter (receipt, ballot) is left in the session.
    session.pop("pb_receipts", None)
    save_state(pot.id, None)
    form = ActionForm()
    error = None
    if form.validate_on_submit():
        try:
            code = kiosks.issue_code(found, pot)
        except BallotRefusal as err:
            error = err
        else:
            start_ballot(pot, "kiosk", code_hash(pot, code))
            return redirect(url_for("pb.choose", pot_id=pot.id))
    return render_template("ballots/kiosk.html", pot=pot, kiosk=kiosks.view(found, pot), form=form,
                           error=error), (409 if error else 200)


@public.route("/kiosk/end", methods=["GET", "POST"])
@kiosk_device
def kiosk_end(found: Kiosk, pot: Pot):  # type: ignore[no-untyped-def]
    """Staff end the kiosk on the device with its PIN; the device is then signed out of everything."""
    form = PinForm()
    if form.validate_on_submit():
        try:
            kiosks.end_with_pin(found, pot, form.pin.data)
        except BallotRefusal as err:
            form.show_error(err)
        else:
            session.clear()
            flash("pb_kiosk_ended")
            return redirect(url_for("accounts.sign_in"))
    return render_template("ballots/kiosk_end.html", pot=pot, form=form), (400 if form.errors else 200)


# --- results and open data ---------------------------------------------------------------------


def _published(pot_id: int) -> tuple[Pot, PublishedResult]:
    pot = _pot_or_404(pot_id)
    result = published(pot)
    if result is None:
        abort(404)
    return pot, result


@public.route("/<int:pot_id>/results")
def results(pot_id: int):  # type: ignore[no-untyped-def]
    pot = _pot_or_404(pot_id)
    result = published(pot)
    if result is None:
        # Open, or closed and being checked: say when, never what (the open data stay 404 until then).
        return render_template("ballots/results_pending.html", pot=pot)
    form = ReceiptForm(request.args)
    receipt_result = None
    if form.receipt.data and form.validate():
        receipt_result = receipt_counted(pot, form.receipt.data)
    mine = None
    if form.receipt.data and receipt_result:
        mine = fingerprint(receipt_hash(form.receipt.data))
    return render_template("ballots/results.html", form=form, receipt_result=receipt_result, mine=mine,
                           **results_view(pot, result))


@public.route("/<int:pot_id>/results.json")
def results_json(pot_id: int):  # type: ignore[no-untyped-def]
    pot, result = _published(pot_id)
    body = {"pot": {"id": pot.id, "title": pot.texts("title"), "area": pot.texts("area"),
                    "budget_pence": pot.budget_pence, "currency": pot.currency, "amount_scale": pot.amount_scale,
                    "ballot_type": pot.ballot_type, "rule": pot.rule,
                    "eligibility": pot.eligibility, "imported": pot.imported},
            "projects": [{"id": row.id, "title": row.project.texts("title") if row.project else {},
                          "cost_pence": row.cost,
                          # An imported pot's project as its file (and so the .pb download) names it.
                          **({"source_id": row.project.source_id} if row.project and row.project.source_id else {})}
                         for row in result.rows(pot)],
            **asdict(result)}
    response = make_response(json.dumps(body, ensure_ascii=False, indent=1))
    response.mimetype = "application/json"
    return response


@public.route("/<int:pot_id>/results.csv")
def results_csv(pot_id: int):  # type: ignore[no-untyped-def]
    pot, result = _published(pot_id)
    return Response(downloads.results_csv(pot, result, g.lang), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=pot-{pot.id}-results-{g.lang}.csv"})


@public.route("/<int:pot_id>/ballots.pb")
def ballots_pb(pot_id: int):  # type: ignore[no-untyped-def]
    pot, _result = _published(pot_id)
    return Response(export_pabulib(pot, g.lang), mimetype="text/plain",
                    headers={"Content-Disposition": f"attachment; filename=pot-{pot.id}-{g.lang}.pb"})


# A project's own page, on this blueprint (its module keeps this one under 400 lines).
from . import project_pages  # noqa: E402,F401
