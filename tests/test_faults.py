"""Fault tests with real processes: the server killed with -9 in the middle of a vote, and the
PostgreSQL server restarted under load. Every ballot that was confirmed must be in the box, none may
be there twice, and nothing may be half-written. Loopback only, bounded in time."""
from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpers import wait_until
from factories import make_pot
from pb_helpers import counts
from servers import Browser, Gunicorn, PrivatePostgres, server_env

RECEIPT = re.compile(r'id="receipt">([A-Z0-9-]+)<')


def prepare(voter: Browser, pot: dict[str, Any], n: int) -> None:
    """Enter the code and choose (two projects that fit the budget); the ballot waits to be sent."""
    path = f"/en/pb/{pot.id}/vote"
    voter.request(path)
    assert voter.request(path, {"code": pot.codes[n]})[0] == 302
    voter.request(path + "/choose")
    chosen = [str(p) for p in (pot.projects[n % 4], pot.projects[(n + 2) % 4])]
    assert voter.request(path + "/choose", {"project": chosen, "action": "continue"})[0] == 302


def submit(voter: Browser, pot: dict[str, Any]) -> int:
    return voter.request(f"/en/pb/{pot.id}/vote/submit", {})[0]


def receipt_of(voter: Browser, pot: dict[str, Any]) -> str:
    status, page = voter.request(f"/en/pb/{pot.id}/vote/done")
    found = RECEIPT.search(page)
    assert status == 200 and found, f"no receipt on the done page ({status})"
    return found.group(1)


def check_box(app: Flask, pot: dict[str, Any], receipts: list[str], voters: int) -> None:
    """Every confirmed receipt is in the box; one roll row and one box row per voter, no code twice."""
    from engage.ballots import box
    from engage.ballots.models import Receipt, RollEntry
    from engage.extensions import db

    with app.app_context():
        in_box = set(db.session.scalars(select(Receipt.receipt_hash).where(Receipt.pot_id == pot.id)))
        missing = [r for r in receipts if box.receipt_hash(r) not in in_box]
        assert not missing, f"{len(missing)} confirmed ballots are not in the box"
        codes = db.session.execute(select(RollEntry.code_id, func.count()).where(RollEntry.pot_id == pot.id)
                                   .group_by(RollEntry.code_id)).all()
        assert all(n == 1 for _, n in codes) and len(codes) == voters
    assert counts(app, pot.id) == (voters, voters)


def test_kill_9_during_a_vote_loses_no_confirmed_ballot_and_doubles_none(app, two_orgs, tmp_path):
    n = 48
    pot = make_pot(app, codes=n)
    env = server_env(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "server", ENGAGE_RATELIMIT_ENABLED="false")
    server = Gunicorn(env).start()
    try:
        voters = [Browser(server.base) for _ in range(n)]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: prepare(voters[i], pot, i), range(n)))
            first: list[int] = [0] * n
            confirmed = threading.Semaphore(0)

            def send(i: int) -> None:
                first[i] = submit(voters[i], pot)
                if first[i] == 302:
                    confirmed.release()

            futures = [pool.submit(send, i) for i in range(n)]
            for _ in range(n // 3):  # a third of the ballots are in: pull the plug
                assert confirmed.acquire(timeout=60)
            server.kill9()
            for f in futures:
                f.result(timeout=60)
    finally:
        server.stop()
    # Before the kill only confirmations; at and after it, connections refused or cut (0).
    assert set(first) <= {302, 0} and first.count(302) >= n // 3 and 0 in first

    server = Gunicorn(env).start()
    try:
        again: dict[int, int] = {}
        for i, voter in enumerate(voters):
            voter.base = server.base
            if first[i] != 302:
                # Sent into the kill: either it never arrived (it counts now) or it was stored but
                # the confirmation was lost (the code is then used: refused, never counted twice).
                again[i] = submit(voter, pot)
        assert set(again.values()) <= {302, 409}, again
        receipts = [receipt_of(v, pot) for i, v in enumerate(voters) if first[i] == 302 or again.get(i) == 302]
    finally:
        server.stop()
    check_box(app, pot, receipts, n)


@pytest.mark.postgres_only
def test_postgresql_restarted_under_load_fails_cleanly_and_recovers(app_factory, tmp_path):
    pg = PrivatePostgres().init()
    try:
        _restart_under_load(app_factory, pg, tmp_path)
    finally:
        pg.cleanup()


def _restart_under_load(app_factory, pg: PrivatePostgres, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from flask_migrate import upgrade

    from engage.accounts import services as accounts
    from engage.extensions import db

    app = app_factory(SQLALCHEMY_DATABASE_URI=pg.url)
    with app.app_context():
        upgrade()
        accounts.create_org("gwynedd", "Gwynedd Council", "Cyngor Gwynedd")
    n = 40
    pot = make_pot(app, codes=n)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    env = server_env(pg.url, tmp_path / "server", ENGAGE_RATELIMIT_ENABLED="false")
    server = Gunicorn(env).start()
    try:
        voters = [Browser(server.base) for _ in range(n)]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: prepare(voters[i], pot, i), range(n)))
        statuses: dict[int, list[int]] = {i: [] for i in range(n)}
        outage: list[tuple[int, str]] = []

        def keep_voting(i: int, deadline: float) -> None:
            # A phone that retries until its vote is confirmed or refused as already used.
            while time.monotonic() < deadline:
                status = submit(voters[i], pot)
                statuses[i].append(status)
                if status in (302, 409):
                    return
                time.sleep(0.2)

        threads = 8
        with ThreadPoolExecutor(threads) as pool:
            deadline = time.monotonic() + 90
            futures = [pool.submit(keep_voting, i, deadline) for i in range(n // 2)]
            for f in futures:
                f.result(timeout=120)
            pg.stop("immediate")  # the database vanishes mid-stream...
            for lang in ("cy", "en"):  # ...and a page that needs it says so, in its language
                status, page = Browser(server.base).request(f"/{lang}/pb/{pot.id}/results")
                outage.append((status, page))
            futures = [pool.submit(keep_voting, i, deadline) for i in range(n // 2, n)]
            # The second half votes into the outage: each of the pool's voters has had an answer.
            wait_until(lambda: sum(bool(statuses[i]) for i in range(n // 2, n)) >= threads, timeout=60,
                       what="every thread of the pool to have voted into the outage")
            pg.start()  # ...and comes back
            for f in futures:
                f.result(timeout=120)
        receipts = [receipt_of(voters[i], pot) for i in range(n) if statuses[i][-1] == 302]
    finally:
        server.stop()
    (cy_status, cy_page), (en_status, en_page) = outage
    assert cy_status == en_status == 503
    assert "nid yw’r gwasanaeth ar gael" in cy_page and "Sorry, the service is unavailable" in en_page
    failed = [s for i in range(n // 2, n) for s in statuses[i][:-1]]
    assert failed and set(failed) == {503}, "votes sent during the outage get a clean 503"
    assert all(statuses[i] and statuses[i][-1] == 302 for i in range(n)), statuses  # all recovered
    app = app_factory(SQLALCHEMY_DATABASE_URI=pg.url)
    check_box(app, pot, receipts, n)
    with app.app_context():
        db.engine.dispose()
