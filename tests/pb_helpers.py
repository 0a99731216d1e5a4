"""Helpers for the ballots tests: vote through HTTP like a phone, count the roll and the box.

Pots are made by ``factories.make_pot``."""
from __future__ import annotations

import re
from typing import Any

from flask import Flask


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1) or found.group(2)


def vote(client: Any, pot_id: int, code: str | None, choices: list[int] | dict[int, int], lang: str = "en",
         postcode: str | None = None) -> Any:
    """Enter the code, choose, continue, send. Returns the last response (302 to done when accepted)."""
    page = client.get(f"/{lang}/pb/{pot_id}/vote")
    field = {"postcode": postcode} if postcode is not None else {"code": code}
    started = client.post(f"/{lang}/pb/{pot_id}/vote", data={**field, "csrf_token": csrf_of(page.get_data(as_text=True))})
    if started.status_code != 302:
        return started
    choose_page = client.get(f"/{lang}/pb/{pot_id}/vote/choose")
    token = csrf_of(choose_page.get_data(as_text=True))
    if isinstance(choices, dict):
        form = {f"points-{pid}": str(points) for pid, points in choices.items()}
    else:
        form = {"project": [str(p) for p in choices]}
    chosen = client.post(f"/{lang}/pb/{pot_id}/vote/choose", data={**form, "action": "continue", "csrf_token": token})
    if chosen.status_code != 302:
        return chosen
    return client.post(f"/{lang}/pb/{pot_id}/vote/submit", data={"csrf_token": token})


def counts(app: Flask, pot_id: int) -> tuple[int, int]:
    """(roll rows, box rows) of a pot."""
    from sqlalchemy import func, select

    from engage.ballots.models import BoxBallot, RollEntry
    from engage.extensions import db

    with app.app_context():
        roll = db.session.scalar(select(func.count()).select_from(RollEntry).where(RollEntry.pot_id == pot_id))
        box = db.session.scalar(select(func.count()).select_from(BoxBallot).where(BoxBallot.pot_id == pot_id))
        return roll, box


def wait_for_lock_waiters(conn: Any, count: int, timeout: float = 30.0) -> None:
    """Wait until ``count`` PostgreSQL backends of this database are waiting for a lock (polled on
    ``conn``, a psycopg connection outside the test's transactions)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        waiting = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND wait_event_type = 'Lock'").fetchone()[0]
        if waiting >= count:
            return
        assert time.monotonic() < deadline, f"{waiting} of {count} backends waiting for a lock"
        time.sleep(0.02)


def counter_and_signer(org: Any) -> tuple[Any, Any]:
    """Two staff of ``org`` (inside an app context): an organiser who counts a closed pot into a
    private preview and an admin who signs it off; made the first time they are asked for."""
    from engage.accounts import services
    from helpers import PASSWORD

    people = []
    for role in ("organiser", "admin"):
        email = f"{role}-results@{org.slug}.example.org"
        user = services.find_user(email) or services.create_user(email, PASSWORD, org, role)
        people.append(user)
    return people[0], people[1]


def publish_results(pot: Any) -> Any:
    """Publish a closed pot as staff must (inside an app context): one counts, a different admin
    signs off. Returns the PublishedResult."""
    from engage.ballots import results

    counter, signer = counter_and_signer(pot.org)
    results.count_preview(pot, counter)
    return results.publish(pot, signer)
