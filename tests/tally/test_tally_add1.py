"""The add1 search that leaps (engage/tally/add1.py) against plain stepping, and its certificate."""
from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engage.tally import Election, read_pabulib
from engage.tally.add1 import Add1, Step
from engage.tally.certify import certify, winner_falls
from engage.tally.mes import run_mes
from engage.tally.mes_screen import Screener, short_of_money
from engage.tally.model import Compiled
from engage.tally.shares import prepare, step_limit, step_limits

DATA = Path(__file__).resolve().parents[1] / "data" / "pabulib"
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def elections(draw: Any, projects: int = 7, per_ballot: int = 7, points: bool | None = None) -> Election:
    # Costs far above the share make add1 take many steps, which is where it leaps.
    n_projects = draw(st.integers(2, projects))
    ids = [f"p{i}" for i in range(n_projects)]
    costs = draw(st.lists(st.integers(1, 400), min_size=n_projects, max_size=n_projects))
    if points is None:
        points = draw(st.booleans())
    ballots: list[Any] = []
    for _ in range(draw(st.integers(1, 40))):
        size = min(n_projects, per_ballot)
        chosen = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True, max_size=size))
        ballots.append({p: draw(st.integers(1, 5)) for p in chosen} if points else chosen)
    budget = draw(st.integers(1, sum(costs)))
    return Election.build(budget, list(zip(ids, costs)), ballots, ballot_type="cumulative" if points else "approval")


def _search(e: Election) -> Add1:
    cp = Compiled.of(e)
    active = [i for i in range(len(cp.ids)) if cp.costs[i] > 0 and cp.score[i] > 0]
    return Add1(cp, prepare(cp), active, [], e.budget, Fraction(e.budget, cp.n_voters))


@SETTINGS
@given(elections())
def test_the_search_that_leaps_ends_where_plain_stepping_ends(e: Election) -> None:
    fast_run, fast_k = _search(e).search()
    slow_run, slow_k = _search(e).linear()
    assert (fast_k, fast_run.selected) == (slow_k, slow_run.selected)
    assert fast_run.b == slow_run.b


@SETTINGS
@given(elections(), st.integers(2, 60))
def test_a_certificate_holds_at_every_budget_it_covers(e: Election, width: int) -> None:
    # Every interval of this width along add1's path, so that many of them hold a change.
    cp = Compiled.of(e)
    pd = prepare(cp)
    active = [i for i in range(len(cp.ids)) if cp.costs[i] > 0 and cp.score[i] > 0]
    b0 = Fraction(e.budget, cp.n_voters)
    exact = [run_mes(cp, pd, active, b0 + k).selected for k in range(120)]
    screen = Screener(cp, pd, active)
    for start in range(0, 120 - width, max(1, width // 3)):
        lo = screen.run(b0 + start)
        hi = screen.run(b0 + start + width, [r.ratio for r in lo.rounds])
        if certify(lo, hi, pd, cp.mult.astype(float)):
            assert all(sel == lo.selected for sel in exact[start : start + width + 1]), start


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Points ballots on few, short ballots: supporters short of money early, choices that hold.
@given(elections(projects=4, per_ballot=2, points=True), st.integers(0, 10), st.integers(2, 12))
def test_winner_prices_fall_at_least_as_fast_as_the_certificate_assumes(e: Election, start: int, width: int) -> None:
    cp = Compiled.of(e)
    pd = prepare(cp)
    active = [i for i in range(len(cp.ids)) if cp.costs[i] > 0 and cp.score[i] > 0]
    b0 = Fraction(e.budget, cp.n_voters) + start
    runs = [run_mes(cp, pd, active, b0 + k) for k in range(width + 1)]
    if any(run.selected != runs[0].selected for run in runs):
        return  # the bound assumes the same choices all along, which certify checks first
    screen = Screener(cp, pd, active)
    lo = screen.run(b0)
    hi = Screener(cp, pd, active).run(b0 + width, [r.ratio for r in lo.rounds])
    falls = winner_falls(lo, hi, pd, cp.mult.astype(float))
    for r, fall in enumerate(falls, start=len(lo.rounds) - len(falls)):
        cost = pd[lo.rounds[r].winner].cost
        ratio = [float(run.rounds[r].q) / cost for run in runs]
        for k in range(width + 1):
            slack = 1e-9 * ratio[0]
            assert ratio[k] <= ratio[0] - k * fall + slack, (r, k)
            assert ratio[k] >= ratio[-1] + (width - k) * fall - slack, (r, k)


def test_a_certificate_refuses_budgets_where_the_winners_change() -> None:
    # Two voters back "a" (cost 100), one backs "b" (cost 30): at a share of 10 "b" is out of
    # reach, at 30 its supporter alone can buy it.
    e = Election.build(60, [("a", 100), ("b", 30)], [["a"], ["a"], ["b"]])
    cp = Compiled.of(e)
    pd = prepare(cp)
    screen = Screener(cp, pd, [0, 1])
    lo = screen.run(Fraction(10))
    hi = screen.run(Fraction(35), [r.ratio for r in lo.rounds])
    assert lo.selected != hi.selected
    assert not certify(lo, hi, pd, cp.mult.astype(float))


@SETTINGS
@given(elections(projects=10), st.lists(st.integers(0, 60), min_size=2, max_size=20), st.sampled_from([0.0, 1.0]))
def test_a_screen_that_reuses_rounds_reports_what_a_fresh_screen_reports(e: Election, steps: list[int],
                                                                          least_step: float) -> None:
    # Budgets up and down, as the search visits them: rounds taken over from earlier runs (each
    # computed at its own budget) must show their prices at the budget asked for. With least_step
    # (add1's: whole steps, sometimes the same one again) a run works out no limits past one
    # under a step, and later runs take over only what still holds.
    cp = Compiled.of(e)
    pd = prepare(cp)
    active = [i for i in range(len(cp.ids)) if cp.costs[i] > 0 and cp.score[i] > 0]
    b0 = Fraction(e.budget, cp.n_voters)
    screen = Screener(cp, pd, active, least_step)
    for k in steps:
        reused, fresh = screen.run(b0 + k), Screener(cp, pd, active).run(b0 + k)
        if fresh.close or reused.close:
            continue
        assert reused.selected == fresh.selected, k
        for a, z in zip(reused.rounds, fresh.rounds):
            assert abs(a.ratio - z.ratio) <= 1e-9 * z.ratio, k


@pytest.mark.parametrize("least_step", [0.0, 1.0])
@pytest.mark.parametrize("name", ["Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals.pb", "Netherlands_Assen_2024.pb"])
def test_rounds_taken_over_from_older_runs_show_prices_at_the_new_budget(name: str, least_step: float) -> None:
    # Real elections, where one step takes rounds over from runs at several earlier budgets.
    e = read_pabulib(DATA / name)
    cp = Compiled.of(e)
    pd = prepare(cp)
    active = [i for i in range(len(cp.ids)) if cp.costs[i] > 0 and cp.score[i] > 0]
    b0 = Fraction(e.budget, cp.n_voters)
    screen = Screener(cp, pd, active, least_step)
    for k in range(200, 240):
        reused, fresh = screen.run(b0 + k), Screener(cp, pd, active).run(b0 + k)
        assert reused.selected == fresh.selected, k
        worst = max((abs(a.ratio - z.ratio) / z.ratio for a, z in zip(reused.rounds, fresh.rounds)), default=0.0)
        assert worst <= 1e-9, k


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.floats(-50, 50), st.floats(-5, 5), st.floats(0.01, 100)), max_size=8), st.floats(0.5, 500))
def test_the_least_limit_is_the_least_of_the_limits(rows: list[tuple[float, float, float]], b: float) -> None:
    # `step_limit` takes a shortcut (no masks, a reciprocal) that must agree with `step_limits`.
    g0, dg, scale = (np.array(col, dtype=float) for col in zip(*rows)) if rows else (np.zeros(0),) * 3
    want = float(step_limits(g0, dg, scale, b).min()) if rows else math.inf
    got = step_limit(g0, dg, scale, b)
    assert got == want or abs(got - want) <= 1e-12 * want


def test_who_is_short_of_money_is_settled_even_when_rounding_lowers_the_price() -> None:
    """Inputs no exact run makes (voter 0 has more money than its key says), standing in for float
    rounding that nudges the price down: the search used to drop voter 0 and take it back for ever."""
    import threading

    answer: list[object] = []
    worker = threading.Thread(target=lambda: answer.append(short_of_money(
        np.array([1.0, 3.0]), np.array([3.5, 3.0]), np.array([1.0, 1.0]), 2.0, 4.0)), daemon=True)
    worker.start()
    worker.join(10)
    assert answer, "short_of_money did not finish"
    short, rich, q = answer[0]  # type: ignore[misc]
    assert short.tolist() == [True, False] and (rich, q) == (1.0, 0.5)


class _WrongAtTheStop(Add1):
    """add1 whose float screen misreports the outcome at the step where the search stops: the
    case the exact fallbacks are there for."""

    def _step(self, k: int, ceilings: list[float] | None = None) -> Step:
        step = super()._step(k, ceilings)
        return Step(step.k, [*step.selected, -1], step.delta, step.screen, step.stops) if step.stops else step

    def _cost(self, selected: list[int]) -> int:
        return super()._cost([i for i in selected if i >= 0])


def test_when_the_screen_is_wrong_at_the_stop_the_fallback_never_overspends() -> None:
    e = Election.build(71, [("p0", 16), ("p1", 56), ("p2", 39)],
                       [["p0", "p2"], ["p0", "p1"], ["p1"], ["p0"], ["p0", "p1"], ["p2"]], ballot_type="approval")
    cp = Compiled.of(e)
    pd = prepare(cp)
    active = [i for i in range(len(cp.ids)) if cp.costs[i] > 0 and cp.score[i] > 0]
    b0 = Fraction(e.budget, cp.n_voters)
    truth, truth_k = Add1(cp, pd, active, [], e.budget, b0).linear()
    run, k = _WrongAtTheStop(cp, pd, active, [], e.budget, b0).search()
    assert (k, run.selected) == (truth_k, truth.selected)
    assert sum(cp.costs[i] for i in run.selected) <= e.budget
