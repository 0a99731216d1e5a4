"""Ballots under concurrency, through the real HTTP stack (a threaded werkzeug server on loopback).

Run on SQLite by default and on PostgreSQL with DATABASE_URL, like every test here.
"""
from __future__ import annotations

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

import pytest

from browser.conftest import LiveServer
from factories import make_pot
from pb_helpers import counts, csrf_of


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Phone:
    """One voter's browser: its own cookies (session), no JavaScript, redirects not followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())
        self.token = ""

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def get_token(self, path: str) -> None:
        status, html = self.request(path)
        assert status == 200, (path, status)
        self.token = csrf_of(html)

    def ready_to_send(self, pot_id: int, code: str, projects: list[int]) -> None:
        """Enter the code and choose (saving the choices even if they break the rules)."""
        self.get_token(f"/en/pb/{pot_id}/vote")
        status, _ = self.request(f"/en/pb/{pot_id}/vote", {"code": code, "csrf_token": self.token})
        assert status == 302, status
        self.get_token(f"/en/pb/{pot_id}/vote/choose")
        self.request(f"/en/pb/{pot_id}/vote/choose", {"project": [str(p) for p in projects], "action": "update",
                                                       "csrf_token": self.token})

    def send(self, pot_id: int) -> int:
        return self.request(f"/en/pb/{pot_id}/vote/submit", {"csrf_token": self.token})[0]


@pytest.fixture
def served(database, app_factory):  # type: ignore[no-untyped-def]
    # 60 phones enter codes from one loopback address: the per-address limit would (rightly) stop them.
    app = app_factory(RATELIMIT_ENABLED=False)
    from engage.accounts.services import create_org
    with app.app_context():
        create_org("gwynedd", "Gwynedd Council", "Cyngor Gwynedd")
    try:
        with LiveServer(app) as server:
            yield app, server
    finally:
        database.reset(app)
        # Flask-Limiter's init_app keeps the previous app's "enabled" as its default: switch it back on
        # so later tests' apps are limited again.
        from engage.extensions import limiter
        limiter.enabled = True


def _all_at_once(phones: list[Phone], pot_id: int) -> list[int]:
    barrier = threading.Barrier(len(phones))
    statuses: list[int] = [0] * len(phones)

    def go(i: int) -> None:
        barrier.wait()
        statuses[i] = phones[i].send(pot_id)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(phones))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return statuses


@pytest.mark.slow
def test_sixty_concurrent_submissions_with_one_code_accept_exactly_one(served):
    app, server = served
    pot = make_pot(app, codes=1)
    phones = [Phone(server.url) for _ in range(60)]
    for phone in phones:  # every phone has entered the code before anyone sends
        phone.ready_to_send(pot.id, pot.codes[0], [pot.projects[0]])
    statuses = _all_at_once(phones, pot.id)
    assert Counter(statuses) == Counter({302: 1, 409: 59}), Counter(statuses)
    assert counts(app, pot.id) == (1, 1)


@pytest.mark.slow
def test_concurrent_submissions_never_exceed_the_budget(served):
    from sqlalchemy import select

    from engage.ballots.models import BoxBallot
    from engage.extensions import db

    app, server = served
    pot = make_pot(app, codes=40)  # £10,000; projects cost £4,000, £5,000, £2,000, £3,000
    p = pot.projects
    wishes = [[p[0], p[1]], [p[0], p[1], p[2]], [p[1], p[2], p[3]], [p[0], p[2], p[3]], p]  # 2nd and 5th are over
    phones = [Phone(server.url) for _ in range(40)]
    for i, phone in enumerate(phones):
        phone.ready_to_send(pot.id, pot.codes[i], wishes[i % len(wishes)])
    statuses = _all_at_once(phones, pot.id)
    assert all(s < 500 for s in statuses)
    with app.app_context():
        totals = list(db.session.scalars(select(BoxBallot.total_pence).where(BoxBallot.pot_id == pot.id)))
    assert len(totals) == 24 and max(totals) <= 1_000_000  # 3 of every 5 fit; the other 16 were refused
    assert counts(app, pot.id) == (24, 24)


def test_two_staff_publishing_at_once_publish_once(app, two_orgs):
    """Two members of staff press "publish results" at the same moment: one publishes, the other is
    told it cannot be done at this stage; one ``pb.published`` in the audit log, one set of drafts.

    On PostgreSQL the audit table is held locked so that both publishes are in flight together
    (before the fix, each checked its own copy of the pot, both passed, and both wrote)."""
    import psycopg
    from sqlalchemy import func, select

    from engage.audit.models import AuditEntry
    from engage.accounts.models import User
    from engage.ballots import box, lifecycle, pots, results, voters
    from engage.ballots.models import Pot
    from engage.extensions import db
    from pb_helpers import counter_and_signer, wait_for_lock_waiters

    pot = make_pot(app, codes=2)
    with app.app_context():
        p = db.session.get(Pot, pot.id)
        box.cast_ballot(p.id, box.Voter("code", voters.code_hash(p, pot.codes[0])), {pot.projects[0]: 1})
        lifecycle.close_pot(p)
        counter, signer = counter_and_signer(p.org)
        results.count_preview(p, counter)
        signer_id = signer.id
    outcomes: list[str] = []

    def press_publish() -> None:
        with app.app_context():
            mine = db.session.get(Pot, pot.id)
            try:
                results.publish(mine, db.session.get(User, signer_id))
                outcomes.append("published")
            except pots.BallotRefusal as err:
                outcomes.append(err.code)

    staff = [threading.Thread(target=press_publish) for _ in range(2)]
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        url = url.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(url) as blocker, psycopg.connect(url, autocommit=True) as watcher:
            blocker.execute("LOCK TABLE audit_entries IN EXCLUSIVE MODE")
            for t in staff:
                t.start()
            wait_for_lock_waiters(watcher, 2)  # both are publishing: one waits for the log, one for the pot
            blocker.commit()
    else:
        for t in staff:
            t.start()
    for t in staff:
        t.join(60)
    assert sorted(outcomes) == ["published", "wrong_status"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.kind == "pb.published")) == 1
