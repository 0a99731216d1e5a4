"""Election data types for the PB tally engine: projects, ballots, elections."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Literal, Union

import numpy as np
import numpy.typing as npt

BallotType = Literal["approval", "knapsack", "cumulative", "choose-1"]
BALLOT_TYPES: tuple[str, ...] = ("approval", "knapsack", "cumulative", "choose-1")

#: What a caller may pass as one ballot: project ids, or {project id: points}.
BallotLike = Union["Ballot", Sequence[str], Mapping[str, int]]


class ElectionError(ValueError):
    """An election that cannot be tallied (unknown project, bad cost, ...)."""


@dataclass(frozen=True)
class Project:
    """One project: id, cost in whole currency units (pence for Engage), optional name."""

    id: str
    cost: int
    name: str = ""
    #: Other columns of a pabulib PROJECTS row (votes, category, selected, ...), kept for round trips.
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ballot:
    """One voter's ballot: the projects chosen and, for cumulative ballots, the points given."""

    projects: tuple[str, ...]
    points: tuple[int, ...] | None = None
    voter_id: str = ""
    #: Other columns of a pabulib VOTES row (age, sex, ...).
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, vote: BallotLike, voter_id: str = "") -> Ballot:
        """Build a ballot from a list of project ids or a {project id: points} mapping."""
        if isinstance(vote, Ballot):
            return vote
        if isinstance(vote, Mapping):
            return cls(tuple(vote), tuple(int(v) for v in vote.values()), voter_id)
        return cls(tuple(vote), None, voter_id)

    def weights(self) -> Iterable[tuple[str, int]]:
        """Yield (project id, points), with 1 point per project on approval ballots."""
        if self.points is None:
            return ((p, 1) for p in self.projects)
        return zip(self.projects, self.points)


@dataclass(frozen=True)
class Election:
    """A participatory budgeting election: budget, projects, ballots and how to break ties."""

    budget: int
    projects: tuple[Project, ...]
    #: A tuple, or a BallotTable (``table``) from the pabulib reader: compact, equal to the tuple.
    ballots: Sequence[Ballot]
    ballot_type: BallotType = "approval"
    #: pabulib META entries (strings) in file order; empty for elections built in Python.
    meta: Mapping[str, str] = field(default_factory=dict)
    #: Tie-break order (earlier wins). None: project ids compared as strings, as pabutools does.
    tie_break: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.ballot_type not in BALLOT_TYPES:
            raise ElectionError(f"unknown ballot type {self.ballot_type!r}")
        if not isinstance(self.budget, int) or self.budget < 0:
            raise ElectionError(f"budget must be a whole number >= 0, got {self.budget!r}")
        ids = set()
        for p in self.projects:
            if p.id in ids:
                raise ElectionError(f"duplicate project id {p.id!r}")
            if not isinstance(p.cost, int) or p.cost < 0:
                raise ElectionError(f"project {p.id!r}: cost must be a whole number >= 0")
            ids.add(p.id)
        # A BallotTable (table.py) holds only votes the pabulib reader has checked, with the same
        # rules and the line named: checking them again would double the time to read a big file.
        if not getattr(self.ballots, "checked", False):
            self._check_ballots(ids)
        if self.tie_break is not None and sorted(self.tie_break) != sorted(ids):
            raise ElectionError("tie_break must list every project id exactly once")

    def _check_ballots(self, ids: set[str]) -> None:
        for i, b in enumerate(self.ballots):
            if b.points is not None and len(b.points) != len(b.projects):
                raise ElectionError(f"ballot {i + 1}: points do not match projects")
            if len(set(b.projects)) != len(b.projects):
                raise ElectionError(f"ballot {i + 1}: a project appears twice")
            for pid, pts in b.weights():
                if pid not in ids:
                    raise ElectionError(f"ballot {i + 1}: vote for unknown project {pid!r}")
                if pts < 0:
                    raise ElectionError(f"ballot {i + 1}: negative points for {pid!r}")

    @classmethod
    def build(
        cls,
        budget: int,
        projects: Iterable[Project | tuple[str, int] | tuple[str, int, str]],
        ballots: Iterable[BallotLike],
        ballot_type: BallotType = "approval",
        tie_break: Sequence[str] | None = None,
    ) -> Election:
        """Build an election from plain Python values (the web app's entry point)."""
        projs = tuple(p if isinstance(p, Project) else Project(*p) for p in projects)
        return cls(
            budget=budget,
            projects=projs,
            ballots=tuple(Ballot.of(b) for b in ballots),
            ballot_type=ballot_type,
            tie_break=tuple(tie_break) if tie_break is not None else None,
        )

    def project(self, project_id: str) -> Project:
        """Return the project with this id."""
        for p in self.projects:
            if p.id == project_id:
                return p
        raise KeyError(project_id)

    def tie_order(self) -> list[str]:
        """Project ids in tie-break order: the first one wins a tie."""
        if self.tie_break is not None:
            return list(self.tie_break)
        return sorted(p.id for p in self.projects)

    def min_votes_default(self) -> int | None:
        """The META `min_project_score_threshold`, if the file sets one."""
        return min_votes_of(self.meta)


def min_votes_of(meta: Mapping[str, str]) -> int | None:
    """A META `min_project_score_threshold` as the tally reads it (None when absent or "None"); raises
    ValueError or OverflowError for one it cannot read ("abc", "nan", "1e400")."""
    raw = meta.get("min_project_score_threshold")
    if raw is None or raw.strip().lower() in ("", "none"):
        return None
    return int(float(raw))


def distinct(ballots: Sequence[Ballot]) -> Iterable[tuple[tuple[str, ...], tuple[int, ...] | None, int]]:
    """(projects, points, voters): a BallotTable's distinct votes with their counts, else each ballot once."""
    counted = getattr(ballots, "distinct", None)
    return counted() if counted is not None else ((b.projects, b.points, 1) for b in ballots)


@dataclass
class Compiled:
    """An election reduced to arrays: identical ballots grouped, supporters per project."""

    ids: list[str]  # project ids in tie-break order; indices below refer to this list
    costs: list[int]
    n_voters: int
    mult: npt.NDArray[np.int64]  # voters per distinct ballot (group)
    supp: list[npt.NDArray[np.int64]]  # per project: the groups that support it
    wts: list[npt.NDArray[np.int64]]  # per project: points each supporting group gave
    votes: list[int]  # per project: number of supporters
    score: list[int]  # per project: total points (= votes on approval ballots)

    @classmethod
    def of(cls, election: Election) -> Compiled:
        """Group identical ballots and index supporters per project."""
        ids = election.tie_order()
        index = {pid: i for i, pid in enumerate(ids)}
        cost_of = {p.id: p.cost for p in election.projects}
        coded = getattr(election.ballots, "codes", None)
        got = coded() if coded is not None else None
        if got is not None:
            mult, supp_a = _group_codes(got, index)
            return cls(ids=ids, costs=[cost_of[pid] for pid in ids], n_voters=len(election.ballots), mult=mult,
                       supp=supp_a, wts=[np.ones(len(s), dtype=np.int64) for s in supp_a],
                       votes=[int(mult[s].sum()) for s in supp_a], score=[int(mult[s].sum()) for s in supp_a])
        # Grouping identical ballots is what makes 100k-voter elections cheap:
        # every later step works on distinct ballots with a multiplicity.
        # A group's key: its project indices, sorted; (index, points) pairs when some points are
        # not 1 (so approval ballots and ballots of 1 point each group together, as they count alike).
        groups: dict[tuple[int, ...] | tuple[tuple[int, int], ...], int] = {}
        weighted = False
        # Local names for the loop over tens of thousands of distinct votes (a plain dict's get:
        # a Counter's += costs a Python call for every new key).
        get, position = groups.get, index.__getitem__
        for projects, points, voters in distinct(election.ballots):
            if points is None or all(w == 1 for w in points):
                key1 = tuple(sorted(map(position, projects)))
                groups[key1] = get(key1, 0) + voters
            else:
                weighted = True
                key = tuple(sorted((index[p], w) for p, w in zip(projects, points) if w > 0))
                key2 = tuple(p for p, _ in key) if all(w == 1 for _, w in key) else key
                groups[key2] = get(key2, 0) + voters
        mult = np.fromiter(groups.values(), dtype=np.int64, count=len(groups))
        supp_a, wts_a = _supporters(list(groups), len(ids), weighted)
        return cls(
            ids=ids,
            costs=[cost_of[pid] for pid in ids],
            n_voters=len(election.ballots),
            mult=mult,
            supp=supp_a,
            wts=wts_a,
            votes=[int(mult[s].sum()) for s in supp_a],
            score=[int((mult[s] * w).sum()) for s, w in zip(supp_a, wts_a)],
        )


def words_for(n_projects: int) -> int:
    """Words of 32 bits in a row of one bit per project (at least one)."""
    return max(1, (n_projects + 31) // 32)


def bit_rows(lens: npt.NDArray[np.int64], flat: npt.NDArray[np.int64], words: int) -> npt.NDArray[np.float64]:
    """Each vote's projects as a row of ``words`` words of 32 bits, flat: the sum of 2**index over a
    vote's project indices (``lens`` per vote, ``flat`` all of them), each word summed in floats, which
    is exact (a repeated index carries into the next bit instead of setting its own twice)."""
    n = len(lens)
    return np.bincount(np.repeat(np.arange(n) * words, lens) + (flat >> 5),
                       weights=np.ldexp(1.0, (flat & 31).astype(np.int32)), minlength=n * words)


def _group_codes(got: tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]],
                 index: dict[str, int]) -> tuple[npt.NDArray[np.int64], list[npt.NDArray[np.int64]]]:
    """Approval votes given as numbers (BallotTable.codes) grouped as the loop in Compiled.of groups
    them: equal sets of projects are one group, groups in order of first appearance; the voters
    per group and, per project, its groups in order."""
    ids, lens, flat, counts = got
    # Each vote's set of projects as a row of bits.
    words = words_for(len(ids))
    n = len(lens)
    starts = np.cumsum(lens) - lens
    rows = bit_rows(lens, flat, words)
    cast = np.flatnonzero(counts)  # kinds nobody cast (a refused block's) are left out, as distinct() does
    keys = rows.astype(np.uint32).reshape(n, words)[cast]
    _, first, inverse = np.unique(np.ascontiguousarray(keys).view(np.dtype((np.void, 4 * words))).ravel(),
                                  return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # groups in order of first appearance
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    mult = np.bincount(rank[inverse.ravel()], weights=counts[cast], minlength=len(order)).round().astype(np.int64)
    # Each group's projects: those of its first vote, as positions in tie-break order.
    rep = cast[first[order]]
    rep_lens = lens[rep]
    take = np.repeat(starts[rep] - (np.cumsum(rep_lens) - rep_lens), rep_lens) + np.arange(int(rep_lens.sum()))
    position = np.array([index[pid] for pid in ids], dtype=np.int64) if ids else np.zeros(0, np.int64)
    flat_p = position[flat[take]]
    flat_g = np.repeat(np.arange(len(order), dtype=np.int64), rep_lens)
    by_project = np.argsort(flat_p, kind="stable")  # stable: each project's groups stay in order
    bounds = np.searchsorted(flat_p[by_project], np.arange(len(index) + 1)).tolist()
    flat_g = flat_g[by_project]
    return mult, [flat_g[a:b] for a, b in zip(bounds, bounds[1:])]


def _supporters(keys: list[Any], n_projects: int,
                weighted: bool) -> tuple[list[npt.NDArray[np.int64]], list[npt.NDArray[np.int64]]]:
    """Per project, the groups (indices into ``keys``) that support it, in order, and their points."""
    if weighted:
        pairs = [[(k, 1) if isinstance(k, int) else k for k in key] for key in keys]
        flat = [pw for key in pairs for pw in key]
        flat_p = np.array([p for p, _ in flat], dtype=np.int64)
        flat_w = np.array([w for _, w in flat], dtype=np.int64)
    else:
        flat_p = np.fromiter(chain.from_iterable(keys), dtype=np.int64)
        flat_w = np.ones(len(flat_p), dtype=np.int64)
    lens = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    flat_g = np.repeat(np.arange(len(keys), dtype=np.int64), lens)
    order = np.argsort(flat_p, kind="stable")  # stable: each project's groups stay in order
    flat_g, flat_w = flat_g[order], flat_w[order]
    bounds = np.searchsorted(flat_p[order], np.arange(n_projects + 1)).tolist()
    return ([flat_g[a:b] for a, b in zip(bounds, bounds[1:])], [flat_w[a:b] for a, b in zip(bounds, bounds[1:])])
