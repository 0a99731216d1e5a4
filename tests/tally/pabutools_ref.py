"""pabutools as the reference for the tally tests and bench/tally.py (imported by both)."""
from __future__ import annotations

from typing import Any


def _points_cost_sat() -> type:
    # Engage's utility on points ballots: cost x points (pabutools has no built-in class for it).
    from pabutools.election.satisfaction.additivesatisfaction import AdditiveSatisfaction

    def func(instance: Any, profile: Any, ballot: Any, project: Any, pre: dict) -> Any:
        return ballot[project] * project.cost if project in ballot else 0

    class PointsCostSat(AdditiveSatisfaction):
        def __init__(self, instance: Any, profile: Any, ballot: Any) -> None:
            AdditiveSatisfaction.__init__(self, instance, profile, ballot, func)

    return PointsCostSat


def pabutools_select(instance: Any, profile: Any, rule: str, cache: dict | None = None) -> list[str]:
    """Winners by pabutools for one of Engage's rules (the recipe from pabutools' docs)."""
    from pabutools.election import Cost_Sat
    from pabutools.election.profile import AbstractCumulativeProfile
    from pabutools.rules import completion_by_rule_combination, greedy_utilitarian_welfare, method_of_equal_shares

    sat = _points_cost_sat() if isinstance(profile, AbstractCumulativeProfile) else Cost_Sat
    cache = {} if cache is None else cache

    def add1(inst: Any, prof: Any, **kwargs: Any) -> Any:
        # Memoised so the completion test reuses the add1 run: pabutools' add1 is the slow part.
        if "add1" not in cache:
            cache["add1"] = method_of_equal_shares(inst, prof, sat_class=sat, voter_budget_increment=1)
        start = kwargs.get("initial_budget_allocation")
        assert not start, "completion starts from an empty allocation"
        return cache["add1"]

    if rule == "greedy":
        out = greedy_utilitarian_welfare(instance, profile, sat_class=sat)
    elif rule == "mes-plain":
        out = method_of_equal_shares(instance, profile, sat_class=sat)
    elif rule == "mes-add1":
        out = add1(instance, profile)
    else:
        out = completion_by_rule_combination(
            instance, profile, [add1, greedy_utilitarian_welfare], [{}, {"sat_class": sat}]
        )
    return [p.name for p in out]
