"""Float screening runs of MES for the add1 search (never the source of a published result).

MES add1 may need thousands of runs, one per budget step. Most of them only have to answer
"does this run overspend or exhaust the budget?", so they run in floats on per-ballot-group
arrays, with no exact bookkeeping. A screening run reports `close=True` when any choice it made
was within the float tolerance (a near tie, a supporter whose budget is almost exactly the
price, a project almost exactly affordable); the caller then repeats that step exactly. The run
that decides the published outcome is always the exact one in `mes.py`.

Each run also keeps a record per round (`RoundRecord`): the winner's price and who paid all they
had, and, for a run made with `ceilings`, a lower bound on every other project's price with the
payers of the projects it evaluated. Two such records are what `certify.py` needs to prove that
every budget between two runs makes the same choices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from .model import Compiled
from .screen_state import RoundRecord, RunState, ScreenRun, Snapshot
from .shares import TOL, FArray, IArray, ProjectArrays, short_of_money, step_limit, step_limit1, step_limits

__all__ = ["RoundRecord", "ScreenRun", "Screener", "short_of_money"]


@dataclass
class _Eval:
    q: float
    dq: float
    poor: npt.NDArray[np.bool_]  # per supporting group (as in ProjectArrays.groups): pays all it has
    rich: float  # points of the full payers
    den: float | None  # `rich`, when all the others are spent (price = cost/den)
    beta: FArray  # the supporting groups' budgets per voter when evaluated (read by _buy)


class Screener:
    """Float MES runs for one election that reuse the rounds of the previous run that still hold.

    Each round keeps the state it started from (linear in b) and how far b may grow with its own
    decision unchanged. A later run walks the previous one round by round: a round whose own
    limit covers the new b is taken as it was; one that does not is computed again, and if it
    decides as before (same winner, same payers short of money, same projects left) the state
    after it is the one the previous run had, so the walk goes on. Most steps change a few late
    rounds and leave the rest alone.
    """

    def __init__(self, cp: Compiled, pd: list[ProjectArrays], active: list[int], least_step: float = 0.0) -> None:
        self.cp, self.pd, self.active = cp, pd, active
        #: The least distance between two budgets the caller asks about (add1's steps: 1). Once a
        #: run's limit is below it, its later rounds' limits are not worked out (see _unread).
        self.least_step = least_step
        self.snaps: list[Snapshot] = []
        self.costs = np.array([float(pr.cost) for pr in pd])
        self.cost_f = self.costs.tolist()
        tot_w = np.array([max(pr.tot_w, 1.0) for pr in pd])
        self.rho0 = 1.0 / tot_w  # price with nobody short of money, over cost: a lower bound
        self.wf = [pr.w.astype(np.float64) for pr in pd]
        self.binary = [bool((pr.w == 1).all()) for pr in pd]  # approval ballots: price per vote = per point

    def run(self, b: Fraction, ceilings: list[float] | None = None) -> ScreenRun:
        """Screen MES at per-voter budget b, reusing the previous run's rounds that still hold.

        With `ceilings` (a price ratio per round, from a run at a smaller budget) each round also
        evaluates every project whose lower bound is under that round's ceiling, so that its
        records can close a certificate (see certify.py); such a run computes every round after
        the first one it has to compute.
        """
        st = self._start(float(b), ceilings)
        while self._take_over(st):
            this = self._open_round(st)
            if not st.alive.any():
                break
            found, best = self._price(st)
            if not found:
                self._end_round(st, this)
                break
            if ceilings is not None and len(st.snaps) - 1 < len(ceilings):
                self._under_ceiling(st, ceilings[len(st.snaps) - 1])
            s, ev, others = self._choose(st, found, best)
            this.record = record = self._buy(st, s, ev, others)
            self._end_round(st, this)
            self._follow(st, record)
        self.snaps = st.snaps
        return self._result(st)

    # -- the steps of a run, in order -----------------------------------------------------------
    def _start(self, bf: float, ceilings: list[float] | None) -> RunState:
        """The state before the first round: every voter holds bf, every active project is in."""
        n_groups = len(self.cp.mult)
        alive = np.zeros(len(self.pd), dtype=bool)
        alive[self.active] = True
        return RunState(bf, ceilings, self.snaps, np.full(n_groups, bf), np.ones(n_groups), alive,
                         self.rho0.copy(), np.zeros(len(self.pd)), 0 if self.snaps else None)

    def _reusable(self, n: int, bf: float) -> int:
        """The first round from n on whose previous decision is not proven for b = bf."""
        old = self.snaps
        while n < len(old) and old[n].b <= bf <= old[n].until:
            n += 1
        return n

    def _take_over(self, st: RunState) -> bool:
        """Take over the previous run's rounds that still hold at st.b; False if that was all."""
        if st.at is None:
            if st.proven is None:
                st.proven = 0
            return True
        old, at = st.old, st.at
        end = self._reusable(at, st.b)
        if end > at:  # rounds at..end-1 are taken over: their records move along b
            st.snaps.extend(old[at:end])
            for snap in old[at:end]:
                st.run_close = st.run_close or snap.close
                st.run_delta = min(st.run_delta, snap.until - st.b)
        if end == len(old):
            return False  # every round was taken over, down to the state after the last one
        if end > at or end == 0:
            snap = old[end]
            step = st.b - snap.b
            st.val, st.slope = snap.val + snap.slope * step, snap.slope.copy()
            st.alive = snap.alive.copy()
            st.rho, st.drho = snap.rho + snap.drho * step, snap.drho.copy()
            st.last = st.change = None
        st.at = end
        if st.proven is None:
            st.proven = end
        return True

    @staticmethod
    def _open_round(st: RunState) -> Snapshot:
        """Keep the state the round starts from, and start its own bookkeeping afresh."""
        if st.last is not None and st.change is not None:
            this = Snapshot(st.b, st.alive.copy(), st.rho.copy(), st.drho.copy(), None, st.last, st.change)
        else:
            this = Snapshot(st.b, st.alive.copy(), st.rho.copy(), st.drho.copy(), (st.val.copy(), st.slope.copy()))
        st.last, st.change = this, None
        st.snaps.append(this)
        st.fresh, st.close, st.delta = {}, False, math.inf
        return this

    def _evaluate(self, st: RunState, p: int) -> _Eval | tuple[float, float]:
        """Float price of p now, or (money held, its slope) when p is unaffordable."""
        pr = self.pd[p]
        beta = st.val.take(pr.groups)  # take/compress: cheaper than [] on large arrays
        total = float(beta @ pr.m)
        if total < pr.cost * (1 + TOL):
            st.close = st.close or total >= pr.cost * (1 - TOL)
            if self._unread(st):
                return total, math.nan  # its limit is not worked out (see _unread)
            return total, float(st.slope.take(pr.groups) @ pr.m)
        # The sort-and-scan answer without the sort (see short_of_money).
        key = beta if self.binary[p] else beta / pr.w
        short, rich, q = short_of_money(key, beta * pr.m, pr.wm, pr.tot_w, pr.cost)
        # The payers' split is exact only if nobody sits on the boundary.
        gap = key - q
        if np.abs(gap, out=gap).min() <= TOL * q:
            st.close = True
        poor = pr.groups.compress(short)
        dq = -float(st.slope.take(poor) @ pr.m.compress(short)) / rich
        spent = not np.logical_and(beta, short).any()  # spent budgets are exactly 0.0
        st.fresh[p] = (poor, rich)
        return _Eval(q, dq, short, rich, rich if spent else None, beta)

    def _price(self, st: RunState) -> tuple[list[tuple[int, _Eval]], float]:
        """Evaluate the live projects, least stale bound first, until no bound is under the best
        price found: the affordable ones evaluated and that best price (the others drop out)."""
        costs, alive, rho, drho = self.cost_f, st.alive, st.rho, st.drho
        idx = np.flatnonzero(alive)
        best = bar = math.inf  # bar: best * (1 + TOL)
        found: list[tuple[int, _Eval]] = []
        # Python floats and ints in the loop: numpy scalars cost several times more per operation.
        order = idx[np.argsort(rho[idx], kind="stable")]
        for p, bound in zip(order.tolist(), rho[order].tolist()):
            if bound > bar:
                break
            ev = self._evaluate(st, p)
            if not isinstance(ev, _Eval):
                self._out(st, p, ev)
                continue
            ratio = ev.q / costs[p]
            rho[p], drho[p] = ratio, ev.dq / costs[p]
            found.append((p, ev))
            if ratio < best:
                best, bar = ratio, ratio * (1 + TOL)
        return found, best

    def _under_ceiling(self, st: RunState, ceiling: float) -> None:
        """Evaluate every live project whose stale bound is under `ceiling`."""
        for p in np.flatnonzero(st.alive & (st.rho <= ceiling * (1 + TOL))).tolist():
            if p in st.fresh:
                continue
            ev = self._evaluate(st, p)
            if isinstance(ev, _Eval):
                st.rho[p], st.drho[p] = ev.q / self.cost_f[p], ev.dq / self.cost_f[p]
            else:
                self._out(st, p, ev)

    def _out(self, st: RunState, p: int, held: tuple[float, float]) -> None:
        """p is unaffordable now (its supporters hold ``held``: money, its slope in b): out of the
        race, and it must stay so while b grows by the round's limit. Once the run's limit is under
        the least step that limit is not worked out (see _unread): 0."""
        st.alive[p] = False
        if self._unread(st):
            st.delta = 0.0
        else:
            cost = self.cost_f[p]
            st.delta = min(st.delta, step_limit1(cost - held[0], -held[1], cost, st.b))

    @staticmethod
    def _choose(st: RunState, found: list[tuple[int, _Eval]],
                best: float) -> tuple[int, _Eval, npt.NDArray[np.bool_]]:
        """The round's winner, its evaluation, and the live projects it has to stay ahead of."""
        near = [(p, ev) for p, ev in found if st.rho[p] <= best * (1 + TOL)]
        others = st.alive.copy()
        if len(near) > 1:
            dens = [ev.den for _, ev in near]
            if all(d is not None for d in dens):
                # Everyone short of money has nothing left, so each price is exactly
                # cost / points of the full payers: the tie is decided by comparing whole
                # numbers, and it stays a tie as b grows (no price then depends on b).
                top = max(d for d in dens if d is not None)
                near = [(p, ev) for p, ev in near if ev.den == top]
                others[[p for p, _ in near]] = False
            else:
                st.close = True
        # Among exact ties the tie-break order alone decides (their float prices may differ
        # in the last bit); otherwise `near` holds a single project.
        s, ev = min(near, key=lambda pe: pe[0])
        st.alive[s] = others[s] = False
        return s, ev, others

    def _buy(self, st: RunState, s: int, ev: _Eval, others: npt.NDArray[np.bool_]) -> RoundRecord:
        """Charge s's supporters, bound how far b may grow with this decision, and record it."""
        pr = self.pd[s]
        full = st.ceilings is not None
        # s was evaluated this round, so st.fresh holds its poor groups (pr.groups where ev.poor).
        record = RoundRecord(s, st.rho[s], st.drho[s], st.fresh[s][0], ev.rich,
                             np.where(st.alive, st.rho, math.inf) if full else None,
                             np.where(st.alive, st.drho, 0.0) if full else None, st.fresh)
        # ev.beta: the budgets as read this round (nothing charged since); one point each (approval)
        # makes q * w just q, so the products are skipped there (the same floats).
        g, is_poor, beta, sl = pr.groups, ev.poor, ev.beta, st.slope.take(pr.groups)
        qw, dqw = (ev.q, ev.dq) if self.binary[s] else (ev.q * self.wf[s], ev.dq * self.wf[s])
        h0, dh = beta - qw, sl - dqw
        if self._unread(st):
            st.delta = 0.0
        else:
            sign = 1.0 - 2.0 * is_poor  # -1.0 for the poor, else 1.0
            delta = min(st.delta, step_limit(sign * h0, sign * dh, np.maximum(np.abs(beta), qw) + 1e-300, st.b))
            st.delta = min(delta, self._competitors(st, np.flatnonzero(others), s, min(delta, st.run_delta)))
        new_val, new_slope = np.where(is_poor, 0.0, h0), np.where(is_poor, 0.0, dh)
        st.val[g], st.slope[g] = new_val, new_slope
        st.change = (g, new_val, new_slope)
        return record

    def _unread(self, st: RunState) -> bool:
        """Whether this round's limit would serve no one, so is taken as 0 (which always holds).

        It does once an earlier round's decision holds for less than the least step: the next run
        asked about (a larger budget) computes that round again, and with it every later one that it
        does not find decided as here, and this run cannot skip a step.
        """
        return st.run_delta < self.least_step

    def _competitors(self, st: RunState, others: IArray, s: int, delta: float) -> float:
        """How far b may grow while the winner s stays cheaper than every other project."""
        if not others.size:
            return math.inf
        rho, drho, bf = st.rho, st.drho, st.b
        rs, drs = rho[s], drho[s]
        gap, dgap = rho[others] - rs, drho[others] - drs
        least, tight = step_limit(gap, dgap, rs, bf), min(8.0, delta)
        if least >= tight:
            return least  # nothing to refresh (the usual case)
        lims = step_limits(gap, dgap, rs, bf)
        # A stale lower bound that binds before anything else does is refreshed (only the few
        # tightest, to keep rounds cheap): the real price is often well above it. Each project
        # is looked at once (`others` has no repeats), so `st.fresh` may grow meanwhile.
        for j in np.argsort(lims)[:4].tolist():
            p = int(others[j])
            if lims[j] >= tight or p in st.fresh:
                continue
            ev = self._evaluate(st, p)
            if isinstance(ev, _Eval):
                rho[p], drho[p] = ev.q / self.costs[p], ev.dq / self.costs[p]
                lims[j] = step_limit1(rho[p] - rs, drho[p] - drs, rs, bf)
            else:  # harmless while it stays unaffordable, or while its old bound holds
                cost = self.costs[p]
                lims[j] = max(lims[j], step_limit1(cost - ev[0], -ev[1], cost, bf))
        return float(lims.min())

    @staticmethod
    def _end_round(st: RunState, this: Snapshot) -> None:
        """Note in the round's snapshot, and in the run's totals, its near call and its limit."""
        this.until, this.close = st.b + st.delta, st.close
        st.run_close, st.run_delta = st.run_close or st.close, min(st.run_delta, st.delta)

    @staticmethod
    def _follow(st: RunState, record: RoundRecord) -> None:
        """Keep walking the previous run while this one decides as it did."""
        if st.at is None:
            return
        # Decided as before: the state is again the previous run's, one round on.
        old, at = st.old, st.at
        prev = old[at].record
        same = (st.ceilings is None and prev is not None and prev.winner == record.winner
                and np.array_equal(prev.poor, record.poor)
                and at + 1 < len(old) and np.array_equal(old[at + 1].alive, st.alive))
        st.at = at + 1 if same else None

    def _result(self, st: RunState) -> ScreenRun:
        """The run as the add1 search and certify.py read it."""
        bf, snaps = st.b, st.snaps
        records = [self._moved(snap, bf) for snap in snaps if snap.record is not None]
        # The rounds taken over before the first computed one hold from the latest budget any of
        # them was computed at (0.0: none, so nothing is assumed) up to bf.
        proven = min(st.proven or 0, len(records))
        base = max((snap.b for snap in snaps[:proven]), default=0.0)
        base_slope = snaps[proven].slope
        return ScreenRun(bf, [r.winner for r in records], st.run_delta, st.run_close, records, proven, base, base_slope)

    @staticmethod
    def _moved(snap: Snapshot, bf: float) -> RoundRecord:
        """The round's record at b = bf (as computed when snap.b == bf; else moved along b)."""
        r = snap.record
        assert r is not None
        if snap.b == bf:
            return r
        return RoundRecord(r.winner, r.ratio + r.dratio * (bf - snap.b), r.dratio, r.poor, r.rich, None, None, {})
