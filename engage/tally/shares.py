"""What the MES modules share: per-project arrays, the float tolerance, the b-step limits and who is short of money.

`prepare` turns a compiled election into one `ProjectArrays` per project, once per election;
the exact run (mes.py), the float screen (mes_screen.py), the certificate (certify.py) and the
add1 search (add1.py) all read them.

The limits answer one question for every run that proves how far the per-voter share `b` may
grow with the same choices: given constraints ``g0 + dg * step > 0`` that hold at ``b``, how
large may ``step`` be with every one of them still holding?
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .model import Compiled

FArray = npt.NDArray[np.float64]
IArray = npt.NDArray[np.int64]

#: Relative tolerance of the float screens. Anything closer than this is decided exactly.
TOL = 1e-9


@dataclass
class ProjectArrays:
    """Per-project arrays that do not change between runs."""

    groups: IArray
    w: IArray  # points per supporting group (1 on approval ballots)
    m: FArray  # voters per supporting group
    wm: FArray  # w * m
    wm_int: IArray
    cost: int
    tot_w: float  # total points


def prepare(cp: Compiled) -> list[ProjectArrays]:
    """Precompute per-project arrays once per election (reused by every run)."""
    out = []
    mult_f = cp.mult.astype(np.float64)
    for p, cost in enumerate(cp.costs):
        g, w = cp.supp[p], cp.wts[p]
        m = mult_f[g]
        out.append(ProjectArrays(g, w, m, w * m, w * cp.mult[g], cost, float((w * m).sum())))
    return out


def step_limits(g0: FArray, dg: FArray, scale: FArray | float, b: float) -> FArray:
    """Per constraint: the largest step in b keeping g0 + dg*step positive, with safety margins."""
    # Margins make the float answer err towards smaller steps: a smaller step only costs an
    # extra run, a larger one could skip a budget at which the outcome changes.
    g = g0 - TOL * scale
    d = TOL * scale / max(b, 1.0) - dg
    out = np.empty(g.shape)
    out.fill(math.inf)
    np.divide(g, d, out=out, where=d > 0)
    out *= 1 - TOL
    out[g <= 0] = 0.0
    return out


def step_limit1(g0: float, dg: float, scale: float, b: float) -> float:
    """`step_limits` for a single constraint, without numpy's per-call cost."""
    g = g0 - TOL * scale
    d = -dg + TOL * scale / max(b, 1.0)
    if g <= 0:
        return 0.0
    return g / d * (1 - TOL) if d > 0 else math.inf


def step_limit(g0: FArray, dg: FArray, scale: FArray | float, b: float) -> float:
    """The smallest of `step_limits`: how far b may grow with every constraint still holding."""
    if g0.size == 0:
        return math.inf
    g = g0 - TOL * scale
    if g.min() <= 0:
        return 0.0
    # With every g > 0, the least g/d over d > 0 is 1 / (the largest d/g): no division by zero
    # and no masks, which matters on the short arrays of a round.
    top = float(((TOL / max(b, 1.0)) * scale - dg).__truediv__(g).max())
    return 1.0 / top * (1 - TOL) if top > 0 else math.inf


def short_of_money(key: FArray, money: FArray, weight: FArray, total_weight: float,
                   cost: float) -> tuple[npt.NDArray[np.bool_], float, float]:
    """Who cannot pay their share of ``cost`` (``key`` below the price per point), the weight of
    those who can, and that price: (short, rich, q).

    Start from the price with nobody short of money and charge those who cannot pay it all they
    have (``money``); the price rises, so the short only grow, until no one new is short. Once
    short, a group stays short: in exact arithmetic it would anyway, and in floats a price nudged
    down by rounding could otherwise drop a group and take it back for ever (a hang the property
    tests met). At most one pass per group.
    """
    rich, q = total_weight, cost / total_weight
    short = key < q
    n_short = int(np.count_nonzero(short))
    while n_short:
        pick = short.astype(np.float64)  # once for both products (each would convert it anew)
        rich = total_weight - float(weight @ pick)
        q = (cost - float(money @ pick)) / rich
        short |= key < q
        n = int(np.count_nonzero(short))
        if n == n_short:
            break
        n_short = n
    return short, rich, q
