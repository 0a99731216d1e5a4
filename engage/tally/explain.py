"""Outcome of a tally and the per-project explanations a results page shows."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from fractions import Fraction
from typing import Any, Union

Money = Union[int, Fraction]

#: Machine-readable reasons. The web app turns them into Welsh or English sentences itself.
SELECTED = "selected"
DID_NOT_FIT = "did_not_fit"
BELOW_THRESHOLD = "below_threshold"
SUPPORTERS_COULD_NOT_AFFORD = "supporters_could_not_afford"
NO_VOTES = "no_votes"
REASONS = (SELECTED, DID_NOT_FIT, BELOW_THRESHOLD, SUPPORTERS_COULD_NOT_AFFORD, NO_VOTES)
#: Rule names as the CLI and the web app use them. "mes" is add1 followed by greedy completion.
#: (Here rather than in ``rules``, so that the CLI can offer them without importing numpy.)
RULES: tuple[str, ...] = ("greedy", "mes", "mes-add1", "mes-plain")


def money_json(value: Money | None) -> int | str | None:
    """JSON form of an exact amount: an int, or "numerator/denominator" when not whole."""
    # Not a float: a recount must reproduce the published numbers digit for digit.
    if value is None:
        return None
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    return value


def _json(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if value is None:
            continue  # absent facts are left out, so the JSON says only what applies
        out[f.name] = money_json(value) if isinstance(value, (int, Fraction)) and not isinstance(value, bool) else value
    return out


@dataclass
class ProjectExplanation:
    """Why one project was or was not funded, with the numbers behind it."""

    project_id: str
    cost: int
    votes: int  # voters who chose it
    score: int  # total points (equals votes on approval and knapsack ballots)
    selected: bool
    reason: str  # one of REASONS
    stage: str | None = None  # "greedy", "mes" or "completion": which step decided
    position: int | None = None  # 1-based place in the selection order
    money_left: int | None = None  # greedy: budget left when it was considered (before it, if not funded)
    threshold: int | None = None  # below_threshold: the minimum it missed
    price_per_vote: Money | None = None  # MES: what each supporter paid per vote (or point) at full price
    paid_by_supporters: Money | None = None  # MES: total its supporters paid from their shares
    supporters_budget_left: Money | None = None  # MES not funded: its supporters' remaining shares at the end

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (exact amounts as int or "n/d" strings)."""
        return _json(self)

    def describe(self, currency: str = "") -> str:
        """One English sentence, for the command line (the web app renders its own text)."""
        c = f"{currency} " if currency else ""
        if self.reason == SELECTED:
            how = {"mes": "by equal shares", "completion": "by greedy completion"}.get(self.stage or "", "by votes")
            return f"selected {how} (#{self.position}, {self.votes} votes, cost {c}{self.cost})"
        if self.reason == DID_NOT_FIT:
            return f"did not fit in the {c}{self.money_left} left after higher-voted projects (cost {c}{self.cost})"
        if self.reason == BELOW_THRESHOLD:
            return f"below the minimum of {self.threshold} votes ({self.score})"
        if self.reason == NO_VOTES:
            return "nobody voted for it"
        left = float(self.supporters_budget_left or 0)
        return (
            f"its supporters' remaining shares ({c}{left:.2f}) could not cover its cost ({c}{self.cost})"
        )


@dataclass
class MesRound:
    """One round of the Method of Equal Shares: who bought which project and how."""

    round: int
    project_id: str
    price_per_vote: Money  # what a supporter pays per vote (per point) if they can afford it
    full_payers: int  # supporters who paid the full price
    capped_payers: int  # supporters who paid all they had left (less than the price)
    capped_total: Money  # what the capped payers paid together
    paid: Money  # capped_total + full price paid; equals the project's cost

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form."""
        return _json(self)


@dataclass
class Outcome:
    """The result of a tally: winners in selection order, cost, explanations, MES rounds."""

    rule: str
    selected: list[str]
    total_cost: int
    budget: int
    explanations: dict[str, ProjectExplanation]
    rounds: list[MesRound] = field(default_factory=list)
    min_votes: int | None = None
    voter_budget: Money | None = None  # MES: each voter's share in the run that decided
    budget_increments: int | None = None  # MES add1: units added to each share

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, as `engage pb tally --json` prints it."""
        return {
            "rule": self.rule,
            "selected": list(self.selected),
            "total_cost": self.total_cost,
            "budget": self.budget,
            "min_votes": self.min_votes,
            "voter_budget": money_json(self.voter_budget),
            "budget_increments": self.budget_increments,
            "explanations": {pid: e.to_dict() for pid, e in self.explanations.items()},
            "rounds": [r.to_dict() for r in self.rounds],
        }
