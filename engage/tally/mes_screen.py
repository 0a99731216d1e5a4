"""Float screening runs of MES for the add1 search (never the source of a published result).

MES add1 may need thousands of runs, one per budget step. Most of them only have to answer
"does this run overspend or exhaust the budget?", so they run in floats on per-ballot-group
arrays, with no exact bookkeeping. A screening run reports `close=True` when any choice it made
was within the float tolerance (a near tie, a supporter whose budget is almost exactly the
price, a project almost exactly affordable); the caller then repeats that step exactly. The run
that decides the published outcome is always the exact one in `mes.py`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from .mes import TOL, FArray, IArray, _limit1, _limits, _Proj
from .model import Compiled


@dataclass
class ScreenRun:
    """Projects bought in order, how far b may grow with the same choices, and whether unsure."""

    selected: list[int]
    delta_max: float
    close: bool


@dataclass
class _Eval:
    q: float
    dq: float
    order: IArray  # supporters sorted by budget per point
    i: int  # the first `i` of them in that order pay all they have
    den: float | None  # points of the full payers, when all the others are spent (price = cost/den)


@dataclass
class _Snapshot:
    """State at the start of a round, to resume a later run from (see Screener.run)."""

    b: float
    val: FArray
    slope: FArray
    alive: npt.NDArray[np.bool_]
    rho: FArray
    drho: FArray
    held: FArray  # per project: money its supporters hold
    dheld: FArray  # its slope in b
    n_selected: int
    valid_until: float  # the largest b at which every decision before this round still holds
    close: bool


class Screener:
    """Float MES runs for one election that resume from the previous run where they can.

    When b grows by K and the first r rounds of the previous run were proven unchanged for that
    step, the state after them is the old one moved along its slopes; only the later rounds are
    computed again. Most of the rounds that change from step to step are late ones.
    """

    def __init__(self, cp: Compiled, pd: list[_Proj], active: list[int]) -> None:
        self.cp, self.pd, self.active = cp, pd, active
        self.snaps: list[_Snapshot] = []
        self.selected: list[int] = []
        self.costs = np.array([float(pr.cost) for pr in pd])
        tot_w = np.array([max(pr.tot_w, 1.0) for pr in pd])
        self.rho0 = 1.0 / tot_w  # price with nobody short of money, over cost: a lower bound
        self.voters = np.array([float(pr.m.sum()) for pr in pd])
        self._ballot_index: dict[int, tuple[IArray, IArray]] = {}

    def _neighbours(self, s: int) -> tuple[IArray, IArray]:
        """For the supporters of s: every project on their ballots, and which supporter it is."""
        hit = self._ballot_index.get(s)
        if hit is None:
            pos = np.full(len(self.cp.mult), -1, dtype=np.int64)
            pos[self.pd[s].groups] = np.arange(len(self.pd[s].groups))
            projs, where = [], []
            for p, pr in enumerate(self.pd):
                at = pos[pr.groups]
                at = at[at >= 0]
                projs.append(np.full(at.size, p, dtype=np.int64))
                where.append(at)
            hit = (np.concatenate(projs), np.concatenate(where))
            self._ballot_index[s] = hit
        return hit

    def run(self, b: Fraction) -> ScreenRun:
        """Screen MES at per-voter budget b, reusing the previous run's valid rounds."""
        pd, bf, costs = self.pd, float(b), self.costs
        start = None
        for n, snap in enumerate(self.snaps):
            # Steps are whole units, so b - snap.b is exact even in floats.
            if bf < snap.b or snap.valid_until < bf:
                break
            start = n
        if start is None:
            self.snaps = []
            val: FArray = np.full(len(self.cp.mult), bf)
            slope: FArray = np.ones(len(self.cp.mult))
            alive = np.zeros(len(pd), dtype=bool)
            alive[self.active] = True
            rho, drho = self.rho0.copy(), np.zeros(len(pd))
            held, dheld = self.voters * bf, self.voters.copy()
            selected: list[int] = []
            delta, close = math.inf, False
        else:
            snap = self.snaps[start]
            step = bf - snap.b
            val, slope = snap.val + snap.slope * step, snap.slope.copy()
            alive = snap.alive.copy()
            rho, drho = snap.rho + snap.drho * step, snap.drho.copy()
            held, dheld = snap.held + snap.dheld * step, snap.dheld.copy()
            selected = self.selected[: snap.n_selected]
            delta, close = snap.valid_until - bf, snap.close
            self.snaps = self.snaps[:start]

        def evaluate(p: int) -> _Eval | tuple[float, float]:
            nonlocal close
            pr = pd[p]
            beta = val[pr.groups]
            total = float(beta @ pr.m)
            if total < pr.cost * (1 + TOL):
                close = close or total >= pr.cost * (1 - TOL)
                return total, float(slope[pr.groups] @ pr.m)
            key = beta / pr.w
            o = np.argsort(key, kind="stable")
            bm, wm = (beta * pr.m)[o], pr.wm[o]
            den = pr.tot_w - (np.cumsum(wm) - wm)
            q = (pr.cost - (np.cumsum(bm) - bm)) / den
            ks = key[o]
            ok = np.flatnonzero(q <= ks)
            i = int(ok[0]) if ok.size else len(o) - 1
            # The payers' split is exact only if nobody sits on the boundary.
            if (i > 0 and ks[i - 1] >= q[i] * (1 - TOL)) or ks[i] <= q[i] * (1 + TOL):
                close = True
            poor = pr.groups[o[:i]]
            dq = -float(slope[poor] @ pr.m[o[:i]]) / float(den[i])
            spent = not val[poor].any()  # budgets are set to exactly 0.0 when spent
            return _Eval(float(q[i]), dq, o, i, float(den[i]) if spent else None)

        while alive.any():
            self.snaps.append(_Snapshot(bf, val.copy(), slope.copy(), alive.copy(), rho.copy(),
                                        drho.copy(), held.copy(), dheld.copy(), len(selected),
                                        bf + delta, close))
            idx = np.flatnonzero(alive)
            best = math.inf
            found: list[tuple[int, _Eval]] = []
            for p in idx[np.argsort(rho[idx], kind="stable")].tolist():
                if rho[p] > best * (1 + TOL):
                    break
                if held[p] < costs[p] * (1 - 1e-6):  # clearly unaffordable: no need to look closer
                    alive[p] = False
                    delta = min(delta, _limit1(costs[p] - held[p], -dheld[p], costs[p], bf))
                    continue
                ev = evaluate(p)
                if not isinstance(ev, _Eval):
                    alive[p] = False
                    delta = min(delta, _limit1(costs[p] - ev[0], -ev[1], costs[p], bf))
                    continue
                rho[p], drho[p] = ev.q / costs[p], ev.dq / costs[p]
                found.append((p, ev))
                best = min(best, rho[p])
            if not found:
                break
            near = [(p, ev) for p, ev in found if rho[p] <= best * (1 + TOL)]
            others = alive.copy()
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
                    close = True
            # Among exact ties the tie-break order alone decides (their float prices may differ
            # in the last bit); otherwise `near` holds a single project.
            s, ev = min(near, key=lambda pe: pe[0])
            alive[s] = others[s] = False
            selected.append(s)
            pr = pd[s]
            g = pr.groups[ev.order]
            w, is_poor = pr.w[ev.order].astype(np.float64), np.arange(len(g)) < ev.i
            beta, sl = val[g], slope[g]
            h0, dh = beta - ev.q * w, sl - ev.dq * w
            sign = np.where(is_poor, -1.0, 1.0)
            lims = _limits(sign * h0, sign * dh, np.maximum(np.abs(beta), ev.q * w) + 1e-300, bf)
            delta = min(delta, float(lims.min()) if lims.size else math.inf)
            delta = min(delta, self._competitors(np.flatnonzero(others), {p for p, _ in found}, s,
                                                 rho, drho, evaluate, bf, delta))
            new_val, new_slope = np.where(is_poor, 0.0, h0), np.where(is_poor, 0.0, dh)
            projs, where = self._neighbours(s)
            change = np.empty(len(g))
            change[ev.order] = (new_val - beta) * pr.m[ev.order]
            held += np.bincount(projs, weights=change[where], minlength=len(pd))
            change[ev.order] = (new_slope - sl) * pr.m[ev.order]
            dheld += np.bincount(projs, weights=change[where], minlength=len(pd))
            val[g], slope[g] = new_val, new_slope
        self.selected = selected
        return ScreenRun(list(selected), delta, close)

    def _competitors(self, others: IArray, fresh: set[int], s: int, rho: FArray, drho: FArray,
                     evaluate: Callable[[int], _Eval | tuple[float, float]], bf: float,
                     delta: float) -> float:
        """How far b may grow while the winner s stays cheaper than every other project."""
        if not others.size:
            return math.inf
        rs, drs = rho[s], drho[s]
        lims = _limits(rho[others] - rs, drho[others] - drs, np.full(others.size, rs), bf)
        # A stale lower bound that binds before anything else does is refreshed (only the few
        # tightest, to keep rounds cheap): the real price is often well above it.
        for j in np.argsort(lims)[:4].tolist():
            p = int(others[j])
            if lims[j] >= min(8.0, delta) or p in fresh:
                continue
            ev = evaluate(p)
            if isinstance(ev, _Eval):
                rho[p], drho[p] = ev.q / self.costs[p], ev.dq / self.costs[p]
                lims[j] = _limit1(rho[p] - rs, drho[p] - drs, rs, bf)
            else:  # harmless while it stays unaffordable, or while its old bound holds
                cost = self.costs[p]
                lims[j] = max(lims[j], _limit1(cost - ev[0], -ev[1], cost, bf))
        return float(lims.min())
