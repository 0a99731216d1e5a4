"""The tally entry point: greedy, MES, MES add1 and MES add1 with greedy completion."""

from __future__ import annotations

from fractions import Fraction

from .explain import (
    BELOW_THRESHOLD,
    DID_NOT_FIT,
    NO_VOTES,
    RULES,
    SELECTED,
    SUPPORTERS_COULD_NOT_AFFORD,
    MesRound,
    Outcome,
    ProjectExplanation,
)
from .add1 import Add1
from .greedy import greedy_fill
from .mes import run_mes
from .model import Compiled, Election
from .shares import prepare

__all__ = ["RULES", "tally"]


class _Tally:
    """Shared state for one tally: compiled election, eligibility, explanations."""

    def __init__(self, election: Election, rule: str, min_votes: int | None) -> None:
        self.cp = cp = Compiled.of(election)
        self.budget = election.budget
        self.rule = rule
        self.min_votes = min_votes
        n = len(cp.ids)
        self.eligible = [cp.score[i] > 0 and (min_votes is None or cp.score[i] >= min_votes) for i in range(n)]
        self.expl: dict[str, ProjectExplanation] = {}
        for i, pid in enumerate(cp.ids):
            reason = NO_VOTES if cp.score[i] == 0 else BELOW_THRESHOLD
            self.expl[pid] = ProjectExplanation(
                pid, cp.costs[i], cp.votes[i], cp.score[i], False, reason,
                threshold=min_votes if reason == BELOW_THRESHOLD else None,
            )
        self.selected: list[int] = []
        self.rounds: list[MesRound] = []
        self.voter_budget: Fraction | None = None
        self.increments: int | None = None

    def outcome(self) -> Outcome:
        cp = self.cp
        for pos, i in enumerate(self.selected, start=1):
            self.expl[cp.ids[i]].position = pos
        return Outcome(
            rule=self.rule,
            selected=[cp.ids[i] for i in self.selected],
            total_cost=sum(cp.costs[i] for i in self.selected),
            budget=self.budget,
            explanations={pid: self.expl[pid] for pid in sorted(self.expl, key=self._order)},
            rounds=self.rounds,
            min_votes=self.min_votes,
            voter_budget=self.voter_budget,
            budget_increments=self.increments,
        )

    def _order(self, pid: str) -> tuple[int, int]:
        # Explanations are listed winners first (in selection order), then the rest by score.
        i = self.cp.ids.index(pid)
        if i in self.selected:
            return (0, self.selected.index(i))
        return (1, -self.cp.score[i])

    # -- greedy -----------------------------------------------------------------------------
    def greedy(self, stage: str) -> None:
        added, money_left = greedy_fill(self.cp, self.budget, self.eligible, self.selected)
        for i, left in money_left.items():
            e = self.expl[self.cp.ids[i]]
            e.money_left, e.stage = left, stage
            if i in added:
                e.selected, e.reason = True, SELECTED
            else:
                e.reason = DID_NOT_FIT
        self.selected += added

    # -- MES --------------------------------------------------------------------------------
    def mes(self, add1: bool) -> None:
        cp = self.cp
        if cp.n_voters == 0:
            return  # pabutools returns the empty outcome when nobody voted
        # Free projects with support are funded before the rounds start, as in pabutools.
        free = [i for i in range(len(cp.ids)) if self.eligible[i] and cp.costs[i] == 0]
        active = [i for i in range(len(cp.ids)) if self.eligible[i] and cp.costs[i] > 0]
        pd = prepare(cp)
        b0 = Fraction(self.budget, cp.n_voters)
        if add1:
            run, k = Add1(cp, pd, active, free, self.budget, b0).search()
            self.increments = k
        else:
            run = run_mes(cp, pd, active, b0)
        self.voter_budget = run.b
        for i in free:
            e = self.expl[cp.ids[i]]
            e.selected, e.reason, e.stage, e.paid_by_supporters = True, SELECTED, "mes", 0
        for n, rd in enumerate(run.rounds, start=1):
            pid = cp.ids[rd.project]
            e = self.expl[pid]
            e.selected, e.reason, e.stage = True, SELECTED, "mes"
            e.price_per_vote, e.paid_by_supporters = rd.q, rd.paid
            self.rounds.append(
                MesRound(n, pid, rd.q, rd.full_payers, rd.capped_payers, rd.capped_total, rd.paid)
            )
        for i in active:
            if i not in run.selected:
                e = self.expl[cp.ids[i]]
                e.reason, e.stage = SUPPORTERS_COULD_NOT_AFFORD, "mes"
                e.supporters_budget_left = run.supporters_budget_left(i)
        self.selected = free + run.selected


def tally(election: Election, rule: str, *, min_votes: int | None = None) -> Outcome:
    """Tally an election by `rule` (see RULES); `min_votes` defaults to the file's threshold."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    if min_votes is None:
        min_votes = election.min_votes_default()
    if min_votes is not None and min_votes <= 0:
        min_votes = None  # a threshold of 0 excludes nothing that has votes
    t = _Tally(election, rule, min_votes)
    if rule == "greedy":
        t.greedy("greedy")
    else:
        t.mes(add1=rule != "mes-plain")
        if rule == "mes":
            t.greedy("completion")
    return t.outcome()
