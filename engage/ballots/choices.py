"""A voter's choices and the rules of the ballot they must keep (no database, no Flask)."""
from __future__ import annotations

from typing import Any

from .pots import BallotRefusal


def parse_choices(raw: dict[str, Any]) -> dict[int, int]:
    """{project id: points} from session or form data; anything unreadable is refused ``tampered``."""
    out: dict[int, int] = {}
    for key, value in raw.items():
        try:
            pid, points = int(key), int(value)
        except (TypeError, ValueError):
            raise BallotRefusal("tampered") from None
        if points < 0:
            raise BallotRefusal("negative_points")
        if points:
            out[pid] = points
    return out


def check_choices(pot: Any, choices: dict[int, int], costs: dict[int, int] | None = None) -> int:
    """Refuse choices that break the pot's rules; return their total cost.

    ``pot`` may be a Pot or the box's cached terms (anything with the ballot columns); ``costs``
    ({project id: pence}) defaults to the pot's projects.
    """
    if costs is None:
        costs = {p.id: p.cost_pence for p in pot.projects}
    if any(pid not in costs for pid in choices):
        raise BallotRefusal("tampered")
    if any(points < 0 for points in choices.values()):
        raise BallotRefusal("negative_points")
    total = sum(costs[pid] for pid in choices)
    if not choices:
        raise BallotRefusal("empty")
    if pot.ballot_type == "knapsack":
        if any(points != 1 for points in choices.values()):
            raise BallotRefusal("tampered")
        if total > pot.budget_pence:
            raise BallotRefusal("over_budget", total=total, budget=pot.budget_pence)
    elif pot.ballot_type == "approval":
        if any(points != 1 for points in choices.values()):
            raise BallotRefusal("tampered")
        if len(choices) > (pot.max_choices or 0):
            raise BallotRefusal("too_many", chosen=len(choices), limit=pot.max_choices)
    else:
        given = sum(choices.values())
        if given != pot.points_total:
            raise BallotRefusal("points_total", given=given, needed=pot.points_total)
    return total
