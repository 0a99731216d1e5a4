"""Greedy by votes: most votes first, skip what does not fit, carry on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .model import Compiled


def greedy_order(cp: Compiled, candidates: Iterable[int]) -> list[int]:
    """Candidates in greedy order: free projects first, then by score, ties by tie-break order."""
    # This is pabutools' greedy_utilitarian_welfare with Cost_Sat: it ranks by welfare per cost,
    # which for cost utilities is the number of votes (points), and a free project ranks first.
    return sorted(candidates, key=lambda i: (cp.costs[i] != 0, -cp.score[i], i))


def greedy_fill(
    cp: Compiled, budget: int, eligible: Sequence[bool], start: Sequence[int] = ()
) -> tuple[list[int], dict[int, int]]:
    """Add eligible projects greedily to `start`; return the additions and the money left at each step.

    For a funded project the money left is what remains after it; for one that did not fit,
    what was left when its turn came.
    """
    taken = set(start)
    left = budget - sum(cp.costs[i] for i in taken)
    added: list[int] = []
    money_left: dict[int, int] = {}
    for i in greedy_order(cp, (i for i in range(len(cp.ids)) if eligible[i] and i not in taken)):
        if cp.costs[i] <= left:
            left -= cp.costs[i]
            added.append(i)
        money_left[i] = left
    return added, money_left
