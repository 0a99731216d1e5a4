"""Many ballots, held compactly: each distinct vote once, and per voter the index of theirs.

A city's file has tens of thousands of voters but fewer distinct votes. A :class:`BallotTable`
keeps each distinct (projects, points) once, and per voter
only a 32-bit index into them; voter ids and the other VOTES columns are kept as one string per
column and block of voters. It is a read-only sequence of Ballot: ``table[i]`` and iteration build
the Ballot objects on demand, equal to the ones the line-at-a-time reader used to keep. The tally reads
:meth:`BallotTable.distinct` and never builds them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np
import numpy.typing as npt

from .model import Ballot, words_for

#: Between the values of a column in a block: NUL, which the pabulib reader refuses in any file.
SEP = "\x00"
#: Voters held in the open (not yet packed) block of ballots added one at a time.
_OPEN_BLOCK = 65_536
#: Votes are kept and grouped as numbers (``codes``) only for files with at most this many projects,
#: and grouped so only while (distinct votes) x (words of 32 projects) stays under CODED_CELLS: each
#: vote is a row of bits then, and a file of thousands of projects would make the rows huge.
CODED_PROJECTS = 1024
CODED_CELLS = 1 << 22  # 4 million words: at most about 100 MB for a moment while a block is checked


class BallotTable(Sequence[Ballot]):
    """Ballots in file order, stored as distinct votes plus an index per voter (see the module).

    Only votes checked by the pabulib reader are added (``checked``): an Election does not check
    a table's ballots again.
    """

    checked = True

    def __init__(self, columns: Sequence[str], has_voter_id: bool) -> None:
        #: The stored text columns: "voter_id" first when the file has it, then the extra columns.
        self.columns = list(columns)
        self.has_voter_id = has_voter_id
        self.extra = self.columns[1:] if has_voter_id else self.columns
        #: The distinct votes (projects, points), in order of first appearance: see ``kinds``.
        self._kinds: list[tuple[tuple[str, ...], tuple[int, ...] | None]] = []
        #: Approval votes added as text by the block reader (first kind, texts), not yet split into
        #: tuples (the tally never needs them: it reads ``codes``).
        self._texts_pending: list[tuple[int, list[str]]] = []
        #: Per approval vote added as text: its number of projects and their indices into
        #: ``code_ids`` (first kind, lengths, flat indices).
        self._codes: list[tuple[int, npt.NDArray[np.int64], npt.NDArray[np.int64]]] = []
        #: The project ids the codes index (set by the reader that adds votes as text).
        self.code_ids: list[str] = []
        self._kind_of: dict[tuple[tuple[str, ...], tuple[int, ...] | None], int] = {}
        self._which: list[npt.NDArray[np.int32]] = []  # per block: each voter's kind
        self._texts: list[list[str]] = []  # per block: each column's values joined by "\n"
        self._starts: list[int] = []  # per block: index of its first voter
        self._size = 0
        self._open: tuple[list[int], list[list[str]]] = ([], [[] for _ in self.columns])
        self._decoded: tuple[int, list[list[str]]] = (-1, [])

    # -- filling ---------------------------------------------------------------------------
    @property
    def kinds(self) -> list[tuple[tuple[str, ...], tuple[int, ...] | None]]:
        """The distinct votes (projects, points), in order of first appearance."""
        if self._texts_pending:
            for first, texts in self._texts_pending:
                assert first == len(self._kinds)
                self._kinds.extend([(tuple(text.split(",")), None) for text in texts])
            self._texts_pending.clear()
        return self._kinds

    def n_kinds(self) -> int:
        """How many distinct votes there are (without splitting the ones added as text)."""
        return len(self._kinds) + sum(len(texts) for _, texts in self._texts_pending)

    def kind(self, projects: tuple[str, ...], points: tuple[int, ...] | None) -> int:
        """The index of this distinct vote, added if new."""
        key = (projects, points)
        found = self._kind_of.get(key)
        if found is None:
            kinds = self.kinds
            found = self._kind_of[key] = len(kinds)
            kinds.append(key)
        return found

    def new_kind(self, projects: tuple[str, ...], points: tuple[int, ...] | None) -> int:
        """The index of a new distinct vote (a vote given twice as two kinds is harmless: the tally
        groups equal votes again)."""
        kinds = self.kinds
        kinds.append((projects, points))
        return len(kinds) - 1

    def new_texts(self, texts: list[str], lengths: npt.NDArray[np.int64], codes: npt.NDArray[np.int64]) -> int:
        """Add approval votes the block reader checked, as their text ("a,b,c": the projects in the
        file's order), each one's number of projects and their indices into ``code_ids``, flat.
        Returns the first new kind's index."""
        first = self.n_kinds()
        self._texts_pending.append((first, texts))
        self._codes.append((first, lengths, codes))
        return first

    def forget_kinds(self) -> None:
        """Drop every distinct vote (only for a table that keeps no voters: a reader's for a sink)."""
        assert not self._which and not self._open[0]
        self._kinds.clear()
        self._kind_of.clear()
        self._texts_pending.clear()
        self._codes.clear()

    def add_block(self, which: list[int], columns: list[list[str]]) -> None:
        """Append voters: each one's kind and, per stored column, each one's value (no NUL in them)."""
        self._pack()
        self._add(which, columns)

    def add(self, ballot: Ballot) -> None:
        """Append one ballot (a reader that checks a line at a time uses this)."""
        which, columns = self._open
        which.append(self.kind(ballot.projects, ballot.points))
        values = ([ballot.voter_id] if self.has_voter_id else []) + [ballot.extra.get(c, "") for c in self.extra]
        for column, value in zip(columns, values):
            column.append(value)
        if len(which) >= _OPEN_BLOCK:
            self._pack()

    def _add(self, which: list[int], columns: list[list[str]]) -> None:
        if not which:
            return
        self._which.append(np.array(which, dtype=np.int32))
        texts = [SEP.join(column) for column in columns]
        if any(text.count(SEP) != len(which) - 1 for text in texts):
            raise ValueError("a BallotTable's values cannot hold NUL")
        self._texts.append(texts)
        self._starts.append(self._size)
        self._size += len(which)

    def _pack(self) -> None:
        which, columns = self._open
        if which:
            self._open = ([], [[] for _ in self.columns])
            self._add(which, columns)

    # -- reading ---------------------------------------------------------------------------
    def distinct(self) -> list[tuple[tuple[str, ...], tuple[int, ...] | None, int]]:
        """(projects, points, voters) for each distinct vote cast, in order of first appearance."""
        self._pack()
        if not self._which:
            return []
        counts = np.bincount(np.concatenate(self._which), minlength=len(self.kinds))
        return [(projects, points, n) for (projects, points), n in zip(self.kinds, counts.tolist()) if n]

    def codes(self) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
        """The distinct votes as numbers, for the tally: (project ids, per kind its number of
        projects, their indices into those ids flat, per kind its number of voters).

        None when some vote has points, or there are too many projects or votes for rows of bits
        (CODED_PROJECTS, CODED_CELLS): the tally then reads :meth:`distinct`.
        """
        self._pack()
        n = self.n_kinds()
        if any(points is not None for _, points in self._kinds):
            return None
        if not self.code_ids:  # no block was read as numbers: the ids the votes name
            self.code_ids = sorted({p for projects, _ in self.kinds for p in projects})
        ids = self.code_ids
        if len(ids) > CODED_PROJECTS or n * words_for(len(ids)) > CODED_CELLS:
            return None
        lengths: list[npt.NDArray[np.int64]] = []
        flat: list[npt.NDArray[np.int64]] = []
        at = 0
        position: dict[str, int] | None = None
        for first, lens, codes in [*self._codes, (n, None, None)]:
            if first > at:  # kinds added one at a time: numbered here
                if position is None:
                    position = {pid: i for i, pid in enumerate(ids)}
                some = self._kinds[at:first]
                lengths.append(np.fromiter(map(len, (projects for projects, _ in some)), np.int64, len(some)))
                flat.append(np.fromiter(map(position.__getitem__, (p for projects, _ in some for p in projects)),
                                        np.int64))
            if lens is not None and codes is not None:
                lengths.append(lens)
                flat.append(codes)
                at = first + len(lens)
        counts = np.bincount(np.concatenate(self._which), minlength=n) if self._which else np.zeros(n, np.int64)
        empty = np.zeros(0, np.int64)
        return (ids, np.concatenate(lengths) if lengths else empty, np.concatenate(flat) if flat else empty,
                counts.astype(np.int64))

    def __len__(self) -> int:
        return self._size + len(self._open[0])

    @overload
    def __getitem__(self, index: int) -> Ballot: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Ballot, ...]: ...

    def __getitem__(self, index: int | slice) -> Ballot | tuple[Ballot, ...]:
        self._pack()
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self._size)))
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError("ballot index out of range")
        block = bisect_right(self._starts, index) - 1
        return self._ballot(block, index - self._starts[block])

    def __iter__(self) -> Iterator[Ballot]:
        self._pack()
        for block in range(len(self._which)):
            for row in range(len(self._which[block])):
                yield self._ballot(block, row)

    def _ballot(self, block: int, row: int) -> Ballot:
        if self._decoded[0] != block:
            self._decoded = (block, [text.split(SEP) for text in self._texts[block]])
        return self._make(int(self._which[block][row]), [column[row] for column in self._decoded[1]])

    def built(self, which: list[int], columns: list[list[str]]) -> Iterator[Ballot]:
        """The Ballots of a block as :meth:`add_block` takes it, for a reader that hands them on."""
        for row, kind in enumerate(which):
            yield self._make(kind, [column[row] for column in columns])

    def _make(self, kind: int, values: list[str]) -> Ballot:
        projects, points = self.kinds[kind]
        voter = values.pop(0) if self.has_voter_id else ""
        return Ballot(projects, points, voter, dict(zip(self.extra, values)) if self.extra else {})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<BallotTable: {len(self)} ballots, {len(self.kinds)} distinct>"

