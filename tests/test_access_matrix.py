"""Every route × {anonymous, organiser of A, admin of A, admin of B}: each gets exactly what it should.

Generated from the URL map, so a new route is checked without anyone listing it. A route whose URL
takes an argument this file has no sample for fails the test: add the sample (an object of
organisation A) to ``samples`` below.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from helpers import Client, sign_in, wales_now
from pb_helpers import publish_results

ROLES = ("anonymous", "organiser_a", "admin_a", "admin_b")
EMAILS = {"organiser_a": "organiser-a@example.org", "admin_a": "admin-a@example.org", "admin_b": "admin-b@example.org"}
#: Not part of the matrix: static files, and signing out (it would end the session mid-test; it is
#: tested in test_accounts.py).
SKIP_ENDPOINTS = {"static", "accounts.sign_out"}
#: Routes reached with a secret from an email rather than a role: the secret is only in the mail,
#: so here an unknown one must be refused the same way for everybody.
#: The receipt file is the same: only the browser that voted holds its receipt (in its session).
SECRET_LINKS = {"feedback.confirm": "not_found", "pb.receipt_file": "not_found",
                "people.accept_invitation": "not_found", "people.reset_password": "not_found",
                # The code after a password: without a password just given, back to signing in.
                "twostep.code": "sign_in"}


@pytest.fixture
def samples(app, two_orgs, make_event):  # type: ignore[no-untyped-def]
    """One object of each kind in organisation A, named by the URL argument that points at it."""
    from engage.accounts.services import get_org
    from engage.checkin import services as checkin
    from engage.checkin.models import EventCheckin
    from engage.events.models import Event
    from engage.events.services import audiences_of, themes_of
    from engage.extensions import db
    from engage.feedback import services as feedback

    event_id = make_event(start=wales_now() - timedelta(minutes=10), pulse_enabled=True).id
    with app.app_context():
        org = get_org("gwynedd")
        event = db.session.get(Event, event_id)
        ticket = checkin.register(event, {"name": "Ann", "email": "ann@example.org"})
        scan = checkin.record_scan(event, method="walk_in", nonce="matrix-walk-in")
        second_scan = checkin.record_scan(event, method="walk_in", nonce="matrix-walk-in-2")  # undone by the API
        from engage.events import reports
        reports.keep(org, 2026, 10, None, None)
        from engage.feedback import follow
        entry = feedback.create_entry(org, {
            **{n: {"cy": "Testun", "en": "Text"} for n in ("title", "asked", "said", "did")},
            "area": {"cy": "Bangor", "en": "Bangor"}, "status": "planned", "published": True})
        follow.subscribe(entry, "follower@example.org", "cy")
        from factories import make_pot
        from engage.accounts.services import find_user
        from engage.ballots import lifecycle, paper as paper_ballots, pots
        pot = make_pot(app)
        pot_obj = pots.get_pot(org, pot.id)
        paper = paper_ballots.enter_paper(pot_obj, find_user("admin-a@example.org"), {pot.projects[0]: 1})
        from engage.ballots import kiosk
        from engage.types import utcnow
        started, _token = kiosk.start_kiosk(pot_obj, event_id, find_user("admin-a@example.org"),
                                            utcnow() + timedelta(hours=1), "4821")
        done = make_pot(app, codes=0)  # a pot whose results are published, for the results pages
        done_obj = pots.get_pot(org, done.id)
        lifecycle.close_pot(done_obj)
        publish_results(done_obj)
        published = {"pot_id": done.id}
        from engage.feedback.models import FeedbackSubscription
        subscription = db.session.query(FeedbackSubscription).one()
        ticket_token = ticket.token
        from engage.accounts import people, services as accounts
        from engage.accounts.models import User

        admin = db.session.scalar(db.select(User).where(User.email == "admin-a@example.org"))
        invitation = people.invite(org, "invited@example.org", "organiser", "both", admin)
        extra = [accounts.create_user(f"extra-{n}@example.org", "llechi-glas-ar-do-capel-9", org, "organiser")
                 for n in (1, 2)]
        members = [extra_user.memberships[0].id for extra_user in extra]
        from engage.accounts import brand
        from engage.accounts.demo import demo_logo
        brand.save_look(org, brand.Look(names=org.texts("name"), brand_colour="#8a1538", logo=demo_logo()), by_id=None)
        logo = {"key": org.logo.key, "ext": org.logo.extension}
        return {"by_endpoint": {
                    "people.remove": {"membership_id": members[1]},
                    "images.full": logo, "images.small": {**logo, "small": True},
                    "brand.stylesheet": {"slug": "gwynedd", "digest": brand.digest(org)},
                    "checkin.ticket": {"token": ticket_token}, "checkin_links.ticket_link": {"token": ticket_token},
                    "checkin.cancel_ticket": {"token": ticket_token},
                    "feedback.confirm": {"token": "not-a-real-confirmation-token"},
                    "feedback.unsubscribe": {"token": follow.unsubscribe_token(subscription)},
                    "checkin_api.undo": {"scan_id": second_scan.scan_id},
                    "manage_pb.paper_check": {"entry_id": paper.id},
                    **{f"pb.{name}": published for name in ("results", "results_csv", "results_json", "ballots_pb")}},
                "pot_id": pot.id, "project_id": pot.projects[-1], "step": "close", "verdict": "confirm",
                "kiosk_id": started.id, "link_id": invitation.id, "membership_id": members[0],
                "org": "gwynedd", "event_id": event_id, "ticket_id": ticket.id, "scan_id": scan.scan_id,
                "theme_id": themes_of(org)[0].id, "audience_id": audiences_of(org)[0].id, "entry_id": entry.id,
                "month": "2026-10", "fmt": "csv", "area": "bangor",
                "token": db.session.get(EventCheckin, event_id).poster_token}


def expected(app, endpoint: str, rule: str, role: str) -> str:  # type: ignore[no-untyped-def]
    """'allowed', 'sign_in', 'forbidden' or 'not_found'."""
    if endpoint in SECRET_LINKS:
        return SECRET_LINKS[endpoint]
    view = app.view_functions[endpoint]
    needed = getattr(view, "required_role", None)
    if needed is None:
        if "/manage/" in rule:  # signed-in staff of any organisation (their dashboard, password)
            return "sign_in" if role == "anonymous" else "allowed"
        return "allowed"  # public
    if role == "anonymous":
        return "sign_in"
    if role == "admin_b":
        return "not_found"  # another organisation's pages do not exist for them
    if needed == "admin" and role == "organiser_a":
        return "forbidden"
    return "allowed"


def outcome(response) -> str:  # type: ignore[no-untyped-def]
    status = response.status_code
    assert status < 500, f"server error {status}"
    if status == 401 or (status == 302 and "/sign-in" in response.headers.get("Location", "")):
        return "sign_in"
    return {403: "forbidden", 404: "not_found"}.get(status, "allowed")


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, samples, role):
    app.test_client_class = Client
    client = app.test_client()
    if role != "anonymous":
        assert sign_in(client, EMAILS[role]).status_code == 302
    missing: set[str] = set()
    wrong: list[str] = []
    checked = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        own = samples["by_endpoint"].get(rule.endpoint, {})
        args = {name: own.get(name, samples.get(name)) for name in rule.arguments if name != "lang"}
        if any(value is None for value in args.values()):
            missing.update(name for name, value in args.items() if value is None)
            continue
        # Built from this very rule (an endpoint may have several, e.g. "new" and "edit").
        url = rule.build({**args, **({"lang": "en"} if "lang" in rule.arguments else {})})[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(url)
            else:
                client.get("/en/feedback")  # a fresh CSRF token, as a browser would have
                token = client.last_csrf
                response = client.post(url, data={"csrf_token": token}, headers={"X-CSRFToken": token})
            want, got = expected(app, rule.endpoint, rule.rule, role), outcome(response)
            checked += 1
            if want != got:
                wrong.append(f"{method} {url} ({rule.endpoint}): expected {want}, got {got} [{response.status_code}]")
    assert missing == set(), f"add samples for these URL arguments: {sorted(missing)}"
    assert wrong == [], "\n".join(wrong)
    assert checked > 60
