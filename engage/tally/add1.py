"""MES add1: raise every voter's share by one unit until MES overspends or is exhaustive.

pabutools' rule runs MES at b0, b0 + 1, b0 + 2, ... and stops at the first step k whose outcome
costs more than the budget (keeping step k - 1) or leaves nothing affordable out (keeping k). A
city election can take tens of thousands of steps, so the search here runs MES at few of them:

* Every step it looks at is screened in floats (mes_screen); one too close to call is run exactly.
* A screening run proves that b may grow by `delta_max` with the very same state: those steps are
  the same and are skipped.
* Further on, it leaps: a run at k + D, and a certificate (certify.py) that every step between
  k and k + D buys what both ends buy. When that fails, a step in between is run (where the
  first differing winners' prices are estimated to cross, else halfway) and each part is
  settled the same way. Leaps grow while they pay off; where they cost more runs than they save
  (an election whose order of winners changes every few steps) the search steps plainly for a
  while, twice as long after each such leap.

The step that stops the search and the step returned are always run exactly (mes.py), and if
the exact run disagrees with the screen the search falls back to plain stepping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .certify import certify
from .mes import MesRun, run_mes
from .mes_screen import Screener, ScreenRun
from .model import Compiled
from .shares import ProjectArrays

#: The shortest leap tried.
MIN_LEAP = 8
#: A leap is worth it if it covers this many steps per screening run (a plain step covers one or
#: two, but costs less: it resumes from the previous run).
WORTH = 4


@dataclass
class Step:
    """One budget step that was looked at: what it buys and whether the search stops there."""

    k: int
    selected: list[int]
    delta: float  # b may grow this much with the same state (proven by the run)
    screen: ScreenRun | None  # None when the screen was unsure and the step was run exactly
    stops: bool


class Add1:
    """The add1 search for one election (projects `active` take part in MES, `free` are bought)."""

    def __init__(self, cp: Compiled, pd: list[ProjectArrays], active: list[int], free: list[int],
                 budget: int, b0: Fraction) -> None:
        self.cp, self.pd, self.active, self.free = cp, pd, active, free
        self.budget, self.b0 = budget, b0
        self.mult = cp.mult.astype(float)
        self.screen = Screener(cp, pd, active, least_step=1.0)  # the steps are whole units of b
        # Past the dearest project every supported project is bought, so the search stops by then.
        self.k_cap = max(cp.costs, default=0) + 2
        self.looked = 0  # steps screened

    def search(self) -> tuple[MesRun, int]:
        """The outcome add1 keeps and its number of increments."""
        cur = self._step(0)
        good_k = 0  # the last step seen not to stop (step 0 cannot overspend: plain MES never does)
        leap = MIN_LEAP
        wait, backoff = 0, 1  # plain steps before the next leap; the wait after a poor one
        while not cur.stops:
            plain = cur.k + int(cur.delta) + 1
            leaping = wait == 0 and cur.k + leap > plain and cur.screen is not None
            target = min(cur.k + leap, max(plain, self.k_cap)) if leaping else plain
            looked = self.looked
            nxt = self._step(target, self._ceilings(cur) if leaping else None)
            stop = self._first_stop(cur, nxt)
            if stop is not None:
                return self._finish(stop, cur.k)
            if not leaping:
                wait = max(wait - 1, 0)
            elif target - cur.k >= WORTH * (self.looked - looked):
                leap = leap * 2 if self.looked - looked == 1 else max(MIN_LEAP, leap // 2)
                backoff = max(1, backoff // 2)
            else:  # leaps cost more here than they save: step plainly for a while
                leap, wait, backoff = MIN_LEAP, backoff, backoff * 2
            good_k, cur = cur.k, nxt
        return self._finish(cur, good_k)

    def _step(self, k: int, ceilings: list[float] | None = None) -> Step:
        self.looked += 1
        sr = self.screen.run(self.b0 + k, ceilings)
        if not sr.close:
            return Step(k, sr.selected, sr.delta_max, sr, self._stops(sr.selected))
        exact = run_mes(self.cp, self.pd, self.active, self.b0 + k, interval=True)
        return Step(k, exact.selected, exact.delta_max, None, self._stops(exact.selected))

    @staticmethod
    def _ceilings(step: Step) -> list[float] | None:
        return None if step.screen is None else [r.ratio for r in step.screen.rounds]

    def _first_stop(self, lo: Step, hi: Step) -> Step | None:
        """The first step strictly between lo and hi at which the search stops, if any."""
        if hi.k - lo.k <= 1 or hi.k - 1 <= lo.k + lo.delta:
            return None
        if lo.screen is not None and hi.screen is not None and certify(lo.screen, hi.screen, self.pd, self.mult):
            return None
        mid = self._step(self._split(lo, hi), self._ceilings(lo))
        found = self._first_stop(lo, mid)
        if found is None and mid.stops:
            found = mid
        return found if found is not None else self._first_stop(mid, hi)

    @staticmethod
    def _split(lo: Step, hi: Step) -> int:
        """Where to look between lo and hi: just before the estimated change of winner, or halfway."""
        half = (lo.k + hi.k) // 2
        if lo.screen is None or hi.screen is None:
            return half
        for a, z in zip(lo.screen.rounds, hi.screen.rounds):
            if a.winner != z.winner:
                break
        else:
            return half
        p, w = z.winner, a.winner
        if z.bounds is None or not z.bounds[w] > z.ratio:
            return half
        # The winner w at lo gives way to p at hi where p's price falls below w's: the gap is
        # taken as linear in b between the two runs (a stale price at lo makes the guess early).
        if a.bounds is None or not math.isfinite(a.bounds[p]) or not a.bounds[p] > a.ratio:
            return half
        gap_lo, gap_hi = a.bounds[p] - a.ratio, z.ratio - z.bounds[w]
        guess = lo.k + int((hi.k - lo.k) * gap_lo / (gap_lo - gap_hi))
        # A guess outside says the model is off here: halve instead.
        return guess if lo.k < guess < hi.k else half

    def _finish(self, stop: Step, good_k: int) -> tuple[MesRun, int]:
        """Confirm the stopping step exactly; `good_k` is a step known not to stop."""
        run = run_mes(self.cp, self.pd, self.active, self.b0 + stop.k)
        if run.selected != stop.selected:  # the float screen was wrong: trust exact, step on
            return self.linear(good_k)
        if self._cost(run.selected) <= self.budget or stop.k == 0:
            return run, stop.k  # exhaustive (k = 0 cannot overspend: plain MES never does)
        last = run_mes(self.cp, self.pd, self.active, self.b0 + stop.k - 1)
        if self._stops(last.selected):
            return self.linear(good_k)
        return last, stop.k - 1

    def linear(self, k: int = 0) -> tuple[MesRun, int]:
        """Plain add1 from step k, one exact run per step: the fallback that never skips. Should
        step k itself overspend (the screen that chose it was wrong), it starts again from 0."""
        prev: MesRun | None = None
        while True:
            run = run_mes(self.cp, self.pd, self.active, self.b0 + k)
            spent = self._cost(run.selected)
            if spent > self.budget and prev is None and k > 0:
                return self.linear(0)
            if spent > self.budget and prev is not None:
                return prev, k - 1
            if spent > self.budget or self._exhaustive(run.selected, spent):
                return run, k
            prev, k = run, k + 1

    def _cost(self, selected: list[int]) -> int:
        return sum(self.cp.costs[i] for i in self.free + selected)

    def _stops(self, selected: list[int]) -> bool:
        spent = self._cost(selected)
        return spent > self.budget or self._exhaustive(selected, spent)

    def _exhaustive(self, selected: list[int], spent: int) -> bool:
        # pabutools' notion: no supported, positive-cost project left out would still fit.
        chosen = set(selected)
        return all(i in chosen or spent + self.cp.costs[i] > self.budget for i in self.active)
