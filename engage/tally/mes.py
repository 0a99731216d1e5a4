"""One exact run of the Method of Equal Shares with cost utilities, as pabutools computes it.

Each voter starts with a share `b` of the budget. In each round every remaining project gets a
price per vote `q`: the smallest amount such that its supporters, each paying `q` per vote (per
point on cumulative ballots) or everything they have left if that is less, cover its cost. The
project with the lowest `q / cost` wins (utility = cost, so this is pabutools' `Cost_Sat`); ties go
to the earlier project in tie-break order. A project whose supporters together hold less than its
cost is out. The run ends when no project is affordable.

Speed: voters with the same ballot are one group; voters who paid for the same projects share one
exact budget ("class"), kept as a `Fraction`. numpy floats only rank and prune; every choice and
every budget is settled exactly. With `interval=True` the run also returns how much larger `b`
could be with the very same sequence of choices (`delta_max`), which lets MES add1 skip budget
steps that cannot change the outcome.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from .model import Compiled
from .shares import TOL, FArray, IArray, ProjectArrays, step_limit, step_limit1


@dataclass
class _Float:
    """Float evaluation of one project: price per vote and its slope in b."""

    q: float
    dq: float


@dataclass
class _Exact:
    """Exact evaluation of one project, kept to apply the purchase."""

    q: Fraction
    inv: IArray  # group -> entry index
    cls: IArray  # entry -> class
    w: IArray  # entry -> points
    count: list[int]  # entry -> voters
    poor: npt.NDArray[np.bool_]  # entry pays all it has (less than the price)
    capped_total: Fraction
    dq: Fraction  # exact slope of the price in b (the poor's budgets move with b)


@dataclass
class RoundData:
    """What happened in one MES round (project index, exact price, payers)."""

    project: int
    q: Fraction
    full_payers: int
    capped_payers: int
    capped_total: Fraction
    paid: Fraction


@dataclass
class MesRun:
    """Result of one run: projects bought in order, rounds, and the final voter budgets."""

    b: Fraction
    selected: list[int]
    rounds: list[RoundData]
    delta_max: float
    engine: MesEngine = field(repr=False)

    def supporters_budget_left(self, p: int) -> Fraction:
        """Exact money the supporters of project p hold at the end of the run."""
        return self.engine.supporters_budget(p)


class MesEngine:
    """State of one MES run: group classes and exact class budgets."""

    def __init__(self, cp: Compiled, pd: list[ProjectArrays], b: Fraction, slopes: bool = True) -> None:
        self.cp, self.pd, self.b = cp, pd, b
        # The slopes in b serve only `delta_max` (run_mes with interval=True). Without them the
        # classes made by purchases get none (their float slope stays 0) and every exact dq is
        # 0: the slopes are then meaningless, and nothing but `delta_max` reads them.
        self.track = slopes
        n_groups = len(cp.mult)
        # Class 0 is "spent": budget 0 for good. Class 1 is the untouched share b.
        self.gclass: IArray = np.ones(n_groups, dtype=np.int64)
        self.vals: list[Fraction] = [Fraction(0), b]
        self.slopes: list[Fraction] = [Fraction(0), Fraction(1)]  # d(budget)/db, exact
        self.val_f: FArray = np.zeros(64)
        self.slope_f: FArray = np.zeros(64)
        self.val_f[1], self.slope_f[1] = float(b), 1.0
        self.binary = all(int(pr.w.max(initial=1)) <= 1 for pr in pd)

    # -- evaluation -------------------------------------------------------------------------
    def _entries(self, p: int) -> tuple[IArray, IArray, IArray, list[int]]:
        """Supporters of p aggregated by (class, points): inverse map, class, points, voters."""
        pr = self.pd[p]
        cls = self.gclass[pr.groups]
        key = cls if self.binary else cls * (int(pr.w.max()) + 1) + pr.w
        uniq, inv = np.unique(key, return_inverse=True)
        counts = np.bincount(inv, weights=pr.m).round().astype(np.int64)
        if self.binary:
            return inv, uniq, np.ones(len(uniq), dtype=np.int64), counts.tolist()
        width = int(pr.w.max()) + 1
        return inv, uniq // width, uniq % width, counts.tolist()

    def supporters_budget(self, p: int) -> Fraction:
        """Exact total budget the supporters of p still hold."""
        _, cls, _, count = self._entries(p)
        # Summed per denominator in whole numbers, then as fractions: the same exact total, without
        # a gcd for every class (a run on a city's election has thousands of them).
        by_den: dict[int, int] = {}
        vals = self.vals
        for c, n in zip(cls.tolist(), count):
            v = vals[c]
            by_den[v.denominator] = by_den.get(v.denominator, 0) + v.numerator * n
        return sum((Fraction(num, den) for den, num in by_den.items()), Fraction(0))

    def eval_float(self, p: int) -> _Float | tuple[float, float]:
        """Float price per vote of p, or (money held, its slope) when p is unaffordable."""
        pr = self.pd[p]
        cls = self.gclass[pr.groups]
        beta = self.val_f[cls]
        total = float(beta @ pr.m)
        cost = pr.cost
        if total < cost * (1 + TOL):
            if total < cost * (1 - TOL) or self.supporters_budget(p) < cost:
                return total, float(self.slope_f[cls] @ pr.m)
        key = beta / pr.w
        o = np.argsort(key, kind="stable")
        bm = (beta * pr.m)[o]
        wm = pr.wm[o]
        contrib = np.cumsum(bm) - bm
        den = pr.tot_w - (np.cumsum(wm) - wm)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = (cost - contrib) / den
        ok = np.flatnonzero(q <= key[o])
        i = int(ok[0]) if ok.size else len(o) - 1
        poor = o[:i]
        dq = -float(self.slope_f[cls[poor]] @ pr.m[poor]) / float(den[i])
        return _Float(float(q[i]), dq)

    def eval_exact(self, p: int, qf: float) -> _Exact | None:
        """Exact price per vote of p (None if unaffordable), guided by the float price qf."""
        inv, cls, w, count = self._entries(p)
        cost = self.pd[p].cost
        vals = self.vals
        kf = self.val_f[cls] / w
        lo, hi = qf * (1 - TOL), qf * (1 + TOL)
        poor = kf < lo
        amb = np.flatnonzero((kf >= lo) & (kf <= hi))
        wl, cl = w.tolist(), cls.tolist()
        cap = sum((vals[cl[e]] * count[e] for e in np.flatnonzero(poor).tolist() if cl[e] != 0), Fraction(0))
        den = sum(wl[e] * count[e] for e in np.flatnonzero(kf > hi).tolist())
        # Only the few entries whose float key is too close to the price are ordered exactly.
        amb_l = sorted(amb.tolist(), key=lambda e: (vals[cl[e]] / wl[e], e))
        den += sum(wl[e] * count[e] for e in amb_l)
        q: Fraction | None = None
        for j, e in enumerate(amb_l + [-1]):
            if den > 0:
                cand = (cost - cap) / den
                if e < 0 or cand <= vals[cl[e]] / wl[e]:
                    q = cand
                    poor[amb_l[:j]] = True
                    break
            if e < 0:
                break
            cap += vals[cl[e]] * count[e]
            den -= wl[e] * count[e]
        if q is None or abs(float(q) - qf) > 1e-6 * max(qf, 1e-300):
            return self._eval_exact_slow(p)
        return self._exact(q, inv, cls, w, count, poor, cap)

    def _exact(self, q: Fraction, inv: IArray, cls: IArray, w: IArray, count: list[int],
               poor: npt.NDArray[np.bool_], cap: Fraction) -> _Exact:
        """Package an exact evaluation with the exact slope of its price."""
        if not self.track:
            return _Exact(q, inv, cls, w, count, poor, cap, Fraction(0))
        cl = cls.tolist()
        rich = np.flatnonzero(~poor).tolist()
        den = sum(int(w[e]) * count[e] for e in rich)
        held = sum((self.slopes[cl[e]] * count[e] for e in np.flatnonzero(poor).tolist() if cl[e] != 0), Fraction(0))
        return _Exact(q, inv, cls, w, count, poor, cap, -held / den)

    def _eval_exact_slow(self, p: int) -> _Exact | None:
        """Fully exact sort-and-scan: the safety net when the float screen is unsure."""
        inv, cls, w, count = self._entries(p)
        cost, vals = self.pd[p].cost, self.vals
        cl, wl = cls.tolist(), w.tolist()
        order = sorted(range(len(cl)), key=lambda e: (vals[cl[e]] / wl[e], e))
        den = sum(wl[e] * count[e] for e in order)
        cap = Fraction(0)
        poor = np.zeros(len(cl), dtype=bool)
        for e in order:
            q = (cost - cap) / den
            if q <= vals[cl[e]] / wl[e]:
                return self._exact(q, inv, cls, w, count, poor, cap)
            poor[e] = True
            cap += vals[cl[e]] * count[e]
            den -= wl[e] * count[e]
        return None

    # -- purchase -----------------------------------------------------------------------------
    def buy(self, p: int, ex: _Exact) -> tuple[RoundData, FArray, FArray, FArray, float]:
        """Charge p's supporters exactly; return the round and the constraint data for b steps."""
        pr = self.pd[p]
        qf = float(ex.q)
        beta = self.val_f[ex.cls]
        slope = self.slope_f[ex.cls]
        wf = ex.w.astype(np.float64)
        dq = float(ex.dq)
        # Constraints keeping the same payers poor or rich as b grows: (beta - q*w) keeps its sign.
        h0, dh = beta - qf * wf, slope - dq * wf
        sign = np.where(ex.poor, -1.0, 1.0)
        g0, dg = sign * h0, sign * dh
        scale = np.maximum(np.abs(beta), qf * wf) + 1e-300
        first_new = len(self.vals)
        new_cls = np.zeros(len(ex.cls), dtype=np.int64)
        full = capped = 0
        vals, slopes, count, track = self.vals, self.slopes, ex.count, self.track
        # q * points and dq * points, once per distinct number of points (1 on approval ballots).
        charge: dict[int, tuple[Fraction, Fraction]] = {}
        for e, (is_poor, c, wt) in enumerate(zip(ex.poor.tolist(), ex.cls.tolist(), ex.w.tolist())):
            if is_poor:
                capped += count[e]
                continue
            full += count[e]
            qw = charge.get(wt)
            if qw is None:
                qw = charge[wt] = (ex.q * wt, ex.dq * wt)
            new_cls[e] = len(vals)
            vals.append(vals[c] - qw[0])
            if track:
                slopes.append(slopes[c] - qw[1])
        self._grow(len(self.vals))
        rich = np.flatnonzero(~ex.poor)
        if rich.size:
            nv = np.array([float(v) for v in self.vals[first_new:]])
            self.val_f[first_new : len(self.vals)] = nv
            if track:
                self.slope_f[first_new : len(self.vals)] = [float(v) for v in self.slopes[first_new:]]
        self.gclass[pr.groups] = new_cls[ex.inv]
        paid = ex.capped_total + ex.q * int((np.array(ex.count) * ex.w)[~ex.poor].sum())
        rd = RoundData(p, ex.q, full, capped, ex.capped_total, paid)
        return rd, g0, dg, scale, dq

    def _grow(self, n: int) -> None:
        if n <= len(self.val_f):
            return
        size = max(n, 2 * len(self.val_f))
        self.val_f = np.concatenate([self.val_f, np.zeros(size - len(self.val_f))])
        self.slope_f = np.concatenate([self.slope_f, np.zeros(size - len(self.slope_f))])


def run_mes(cp: Compiled, pd: list[ProjectArrays], active: list[int], b: Fraction, interval: bool = False) -> MesRun:
    """Run MES with per-voter budget b over the `active` projects (supported, cost > 0)."""
    eng = MesEngine(cp, pd, b, slopes=interval)
    bf = float(b)
    alive = set(active)
    # A stale price is a lower bound of the current one (budgets only fall), as pabutools uses it;
    # its slope keeps it a lower bound for larger b too, which the b-step constraints rely on.
    rho = {p: 1.0 / pd[p].tot_w for p in active}  # price c/tot_w over cost c
    drho = dict.fromkeys(active, 0.0)
    selected: list[int] = []
    rounds: list[RoundData] = []
    delta = math.inf
    while alive:
        best = math.inf
        evaluated: list[tuple[int, _Float]] = []
        for p in sorted(alive, key=lambda x: (rho[x], x)):
            if rho[p] > best * (1 + TOL):
                break
            ev = eng.eval_float(p)
            if not isinstance(ev, _Float):
                alive.discard(p)
                if interval:  # p must stay unaffordable: cost - held > 0
                    cost = float(pd[p].cost)
                    delta = min(delta, step_limit1(cost - ev[0], -ev[1], cost, bf))
                continue
            rho[p], drho[p] = ev.q / pd[p].cost, ev.dq / pd[p].cost
            evaluated.append((p, ev))
            best = min(best, rho[p])
        if not evaluated:
            break
        winner: tuple[Fraction, int, _Exact] | None = None
        exact: dict[int, _Exact] = {}
        for p, ev in evaluated:
            if rho[p] > best * (1 + TOL):
                continue
            ex = eng.eval_exact(p, ev.q)
            if ex is None:  # exactly unaffordable after all (float was too close to call)
                alive.discard(p)
                delta = 0.0
                continue
            exact[p] = ex
            key = (ex.q / pd[p].cost, p)
            if winner is None or key < winner[:2]:
                winner = (key[0], p, ex)
        if winner is None:
            continue
        _, s, ex = winner
        alive.discard(s)
        rd, g0, dg, scale, dq = eng.buy(s, ex)
        selected.append(s)
        rounds.append(rd)
        if interval:
            delta = min(delta, step_limit(g0, dg, scale, bf))
            others = []
            for p in alive:
                tie = exact.get(p)
                if tie is not None and tie.q / pd[p].cost == winner[0]:
                    # An exact tie that s won on tie-break order: it stays won while p's price
                    # rises at least as fast as s's. Decided exactly; floats cannot see a tie.
                    if ex.dq / pd[s].cost > tie.dq / pd[p].cost:
                        delta = 0.0
                    continue
                others.append(p)
            if others:
                rs, drs = float(ex.q) / pd[s].cost, dq / pd[s].cost
                r_o = np.array([rho[p] for p in others])
                d_o = np.array([drho[p] for p in others])
                delta = min(delta, step_limit(r_o - rs, d_o - drs, np.full(len(others), rs), bf))
    return MesRun(b, selected, rounds, delta, eng)
