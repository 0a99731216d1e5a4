"""What a float screening run of MES keeps (see mes_screen): its rounds' records, the state each
round started from, and the state of a run in progress."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .shares import FArray, IArray


@dataclass
class RoundRecord:
    """One round of a screening run, as `certify.py` reads it."""

    winner: int
    ratio: float  # the winner's price per vote over its cost
    dratio: float  # its slope in b
    poor: IArray  # the winner's supporting groups that paid all they had
    rich: float  # points of the winner's full payers
    #: Per project, a lower bound on its price over cost at this round (inf: bought or
    #: unaffordable); None when the round was resumed from an earlier run rather than computed.
    bounds: FArray | None
    slopes: FArray | None  # the slopes in b of those bounds
    #: Projects evaluated at this round: their poor groups and the points of their full payers.
    fresh: dict[int, tuple[IArray, float]]


@dataclass
class ScreenRun:
    """Projects bought in order, how far b may grow with the same choices, and whether unsure."""

    b: float
    selected: list[int]
    delta_max: float
    close: bool
    rounds: list[RoundRecord]
    #: The first `proven` rounds were resumed from a run at budget `base`: they are the same at
    #: every budget from `base` to `b`, and at their end every budget moves with b at `slope`.
    proven: int
    base: float
    slope: FArray


@dataclass
class Snapshot:
    """State at the start of one round, and that round's decision (see Screener.run).

    The per-group arrays (``val``, ``slope``) are kept whole only for the first round a run
    computes; each later one keeps what the round before it changed (its winner's supporters) and
    is rebuilt from there when read, which is rare: a whole copy per round cost a quarter of the
    screening time on elections with tens of thousands of distinct ballots.
    """

    b: float  # the budget the round was computed at; the arrays are linear in b from there
    alive: npt.NDArray[np.bool_]
    rho: FArray
    drho: FArray
    whole: tuple[FArray, FArray] | None  # (val, slope), or None: see parent and change
    parent: Snapshot | None = None
    change: tuple[IArray, FArray, FArray] | None = None  # groups, and their val and slope after parent's round
    #: The largest b at which this round, started from this state, makes the same decision
    #: (filled in when the round ends; math.inf for the last state, where nothing is left).
    until: float = math.inf
    close: bool = False  # the round made a near call
    record: RoundRecord | None = None  # None for the state after the last purchase

    @property
    def val(self) -> FArray:
        """Each group's budget per voter at b."""
        return self._arrays()[0]

    @property
    def slope(self) -> FArray:
        """Each group's budget per voter: its slope in b."""
        return self._arrays()[1]

    def _arrays(self) -> tuple[FArray, FArray]:
        if self.whole is not None:
            return self.whole
        changes = []
        snap: Snapshot = self
        while snap.whole is None:
            assert snap.parent is not None and snap.change is not None
            changes.append(snap.change)
            snap = snap.parent
        val, slope = snap.whole[0].copy(), snap.whole[1].copy()
        for groups, v, sl in reversed(changes):
            val[groups], slope[groups] = v, sl
        return val, slope


@dataclass(slots=True)
class RunState:
    """What the steps of one screening run share (see Screener.run)."""

    b: float  # the budget the run is at
    ceilings: list[float] | None  # as passed to Screener.run
    old: list[Snapshot]  # the previous run's states, round by round
    # The state at the start of the current round (linear in b, as in Snapshot); `_buy` moves
    # it on to the next round.
    val: FArray
    slope: FArray
    alive: npt.NDArray[np.bool_]
    rho: FArray
    drho: FArray
    #: While the state equals the previous run's at round `at` (as linear functions of b), the
    #: index of that round; None once this run has decided differently.
    at: int | None
    snaps: list[Snapshot] = field(default_factory=list)
    proven: int | None = None  # rounds taken over before the first computed one
    # The round being computed: the projects it evaluated (with their poor groups and rich
    # points), whether it made a near call, and how far b may grow with its decision unchanged.
    fresh: dict[int, tuple[IArray, float]] = field(default_factory=dict)
    close: bool = False
    delta: float = math.inf
    # The same for the whole run so far.
    run_close: bool = False
    run_delta: float = math.inf
    # The snapshot of the round before, and what its purchase changed in val and slope (None
    # when the arrays were replaced since: the next snapshot keeps them whole).
    last: Snapshot | None = None
    change: tuple[IArray, FArray, FArray] | None = None
