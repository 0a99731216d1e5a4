"""Dates the app writes are dates in Wales, whatever time zone the server's machine is set to."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from sqlalchemy import select

from helpers import wales_today
from factories import make_pot
from pb_helpers import vote

#: The zones furthest behind and ahead of Wales: at any hour, one of them is on another date.
FAR_ZONES = ("Etc/GMT+12", "Etc/GMT-14")


@pytest.fixture
def machine_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], str]]:
    """Put this process in a zone whose date is not the date in Wales right now, as ``TZ=`` would."""
    def elsewhere() -> str:
        for zone in FAR_ZONES:
            monkeypatch.setenv("TZ", zone)
            time.tzset()
            if date.today() != wales_today():
                return zone
        raise AssertionError("no zone on another date than Wales")
    yield elsewhere
    monkeypatch.undo()
    time.tzset()


def test_ballot_dates_are_the_date_in_wales(app, two_orgs, client, machine_zone):
    from engage.accounts.models import User
    from engage.ballots import paper
    from engage.ballots.models import PaperEntry, Pot, RollEntry, VoterCode
    from engage.extensions import db

    zone = machine_zone()
    pot = make_pot(app, codes=2)
    assert vote(client, pot.id, pot.codes[0], [pot.projects[0]]).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "admin-a@example.org"))
        paper.enter_paper(db.session.get(Pot, pot.id), user, {pot.projects[1]: 1})
        written = {
            "created_on": set(db.session.scalars(select(VoterCode.created_on))),
            "voted_on": set(db.session.scalars(select(RollEntry.voted_on))),
            "entered_on": set(db.session.scalars(select(PaperEntry.entered_on))),
        }
    today = wales_today()
    assert written == dict.fromkeys(written, {today}), f"machine in {zone} on {date.today()}, Wales on {today}"
