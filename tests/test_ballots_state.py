"""A hypothesis state machine over open / vote / close / publish: one ballot per code, the budget and
secrecy hold whatever the order of events."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import func, inspect, select

from factories import make_pot
from pb_helpers import publish_results

BUDGET = 1_000_000
COSTS = [400_000, 500_000, 200_000, 300_000]


def test_state_machine_keeps_one_ballot_per_code_budget_and_secrecy(app, two_orgs):
    from engage.ballots import box, lifecycle, pots, voters
    from engage.ballots.models import BoxBallot, Pot, RollEntry
    from engage.extensions import db

    class Ballots(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.ctx = app.app_context()
            self.ctx.push()
            made = make_pot(app, codes=4, open_it=False)
            self.pot_id, self.projects, self.codes = made.id, made.projects, made.codes
            self.status = "draft"
            self.used: set[str] = set()
            self.accepted = 0

        def teardown(self) -> None:
            db.session.remove()
            self.ctx.pop()

        def pot(self) -> Pot:
            return db.session.get(Pot, self.pot_id)

        @precondition(lambda self: self.status == "draft")
        @rule()
        def open(self) -> None:
            lifecycle.open_pot(self.pot())
            self.status = "open"

        @rule(code=st.integers(0, 3), picks=st.sets(st.integers(0, 3)), bogus=st.booleans())
        def vote(self, code: int, picks: set[int], bogus: bool) -> None:
            choices = {self.projects[i]: 1 for i in picks}
            if bogus:
                choices[10_000_000] = 1  # a project of no pot (a tampered form)
            pot = self.pot()
            voter = box.Voter("code", voters.code_hash(pot, self.codes[code]))
            fits = bool(picks) and sum(COSTS[i] for i in picks) <= BUDGET and not bogus
            should_work = self.status == "open" and fits and self.codes[code] not in self.used
            try:
                box.cast_ballot(self.pot_id, voter, choices)
            except pots.BallotRefusal:
                assert not should_work
            else:
                assert should_work
                self.used.add(self.codes[code])
                self.accepted += 1

        @precondition(lambda self: self.status == "open")
        @rule()
        def close(self) -> None:
            lifecycle.close_pot(self.pot())
            self.status = "closed"

        @precondition(lambda self: self.status == "closed")
        @rule()
        def publish(self) -> None:
            data = publish_results(self.pot())
            self.status = "published"
            assert data.turnout["total"] == self.accepted == data.ballots

        @rule(step=st.sampled_from(["open", "close", "publish"]))
        def out_of_order(self, step: str) -> None:
            allowed = {"open": "draft", "close": "open", "publish": "closed"}[step]
            if self.status == allowed:
                return
            act = {"open": lifecycle.open_pot, "close": lifecycle.close_pot, "publish": publish_results}[step]
            try:
                act(self.pot())
            except pots.BallotRefusal:
                pass
            else:
                raise AssertionError(f"{step} allowed from {self.status}")

        @invariant()
        def one_ballot_per_code_and_roll_matches_box(self) -> None:
            roll = db.session.scalar(select(func.count()).select_from(RollEntry).where(RollEntry.pot_id == self.pot_id))
            box = db.session.scalar(select(func.count()).select_from(BoxBallot).where(BoxBallot.pot_id == self.pot_id))
            assert roll == box == self.accepted
            doubled = db.session.execute(select(RollEntry.code_id).where(RollEntry.pot_id == self.pot_id)
                                         .group_by(RollEntry.code_id).having(func.count() > 1)).all()
            assert doubled == []

        @invariant()
        def budget_holds(self) -> None:
            for total, choices in db.session.execute(select(BoxBallot.total_pence, BoxBallot.choices)
                                                     .where(BoxBallot.pot_id == self.pot_id)):
                assert total <= BUDGET
                assert total == sum(COSTS[self.projects.index(int(p))] for p in json.loads(choices))

        @invariant()
        def secrecy_holds(self) -> None:
            box_columns = {c["name"] for c in inspect(db.engine).get_columns("pb_box")}
            assert box_columns.isdisjoint({"code_id", "browser_hash", "voted_on", "user_id", "created_at"})
            assert self.pot().status == self.status

    run_state_machine_as_test(Ballots, settings=settings(
        max_examples=20, stateful_step_count=15, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
