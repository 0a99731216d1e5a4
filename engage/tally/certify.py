"""Prove from two screening runs that every budget between them makes the same MES choices.

MES add1 asks the same question at thousands of budgets, and on a large election the sequence of
winners changes at only a few of them. A run at b1 and a run at b2 > b1 that buy the same projects
in the same order settle every budget b in between, once it is shown that no other project can
overtake the winner of any round at any such b. Round by round, assuming the earlier rounds
agree (they were proven first):

* Monotony. Every voter's budget is non-decreasing in b and every price non-increasing: a voter
  who is poor (pays all they have) at b2 is poor at every b <= b2, one who is rich at b1 stays rich,
  and a project unaffordable at b2 is unaffordable at every b <= b2.
* Slopes. For the winner s, -dq/db = (budget slopes of the poor) / (points of the rich). Poor at
  b2 means poor throughout and the rich points are at most those at b2, so a lower bound
  `slope_lo` on every voter's budget slope gives a lower bound on how fast each price falls. It
  starts at 1; a voter rich at b1 adds (that bound) * points after paying, any other payer has 0.
* Rounds that a run resumed from an earlier one (mes_screen) are the same from that run's budget
  on, by its own linear proof: the check starts after them, from their exact slopes.
* Then price(s) at b is at most price(s, b1) - (b - b1) * fall(s), price(p) at b is at least
  price(p, b2) + (b2 - b) * fall(p), and the gap between the two lines is smallest at an end.

The prices are floats from runs that reported no near call; each comparison keeps a relative
margin of `TOL`, far above their rounding. A certificate that fails proves nothing either way:
the caller then looks at a budget in between.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .shares import TOL, FArray, IArray, ProjectArrays
from .mes_screen import RoundRecord, ScreenRun


def certify(lo: ScreenRun, hi: ScreenRun, pd: list[ProjectArrays], mult: FArray) -> bool:
    """True if every per-voter budget between lo.b and hi.b buys what both runs buy, in order."""
    if lo.close or hi.close or lo.selected != hi.selected or hi.base > lo.b:
        return False
    width = hi.b - lo.b
    for a, z, slope_lo, fall_s in _rounds(lo, hi, pd, mult):
        if z.bounds is None:
            return False
        s = a.winner
        for p in np.flatnonzero(z.bounds <= a.ratio * (1 + TOL)).tolist():
            if not a.poor.size and (pd[p].tot_w, -p) < (pd[s].tot_w, -s):
                # Nobody short of money at b1, so s's price is cost / points at every b >= b1,
                # and no price of p is below cost / its points: p cannot win, not even a tie.
                continue
            got = z.fresh.get(p)
            if got is None:
                return False
            fall = min(_fall(got[0], got[1], slope_lo, mult) / pd[p].cost, fall_s)
            if z.bounds[p] - a.ratio + width * fall * (1 - TOL) <= TOL * a.ratio:
                return False
    return True


def winner_falls(lo: ScreenRun, hi: ScreenRun, pd: list[ProjectArrays], mult: FArray) -> list[float]:
    """Per round that hi computed: how fast, at least, its winner's price over cost falls with b.

    Valid between lo.b and hi.b provided every budget there makes the same choices (what
    `certify` proves round by round); the tests hold it against exact runs.
    """
    return [fall for _, _, _, fall in _rounds(lo, hi, pd, mult)]


def _rounds(lo: ScreenRun, hi: ScreenRun, pd: list[ProjectArrays],
            mult: FArray) -> Iterator[tuple[RoundRecord, RoundRecord, FArray, float]]:
    """The rounds hi computed, each with the budget-slope bounds at its start and its winner's fall."""
    # The rounds hi resumed are the same all the way from hi.base; after them the budgets are
    # linear in b, so their slopes are known exactly.
    slope_lo = hi.slope.copy()  # lower bound on each group's budget slope, per voter
    for a, z in list(zip(lo.rounds, hi.rounds))[hi.proven :]:
        s = a.winner
        fall = _fall(z.poor, z.rich, slope_lo, mult)
        yield a, z, slope_lo, fall / pd[s].cost
        slope_lo[pd[s].groups] += fall * (1 - TOL) * pd[s].w
        slope_lo[a.poor] = 0.0  # poor at b1: pays all it has at some budgets, so no bound above 0


def _fall(poor: IArray, rich: float, slope_lo: FArray, mult: FArray) -> float:
    """Lower bound on -d(price per point)/db for a project with these poor groups and rich points."""
    if rich <= 0:
        return 0.0
    return float(slope_lo[poor] @ mult[poor]) / rich
