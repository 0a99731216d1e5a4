"""The VOTES section read in blocks of lines with str methods, each distinct vote checked once.

Most of a pabulib file is its VOTES lines, and nearly all of them are plain: ``;``-separated
cells, no quotes, a vote seen before. :class:`FastVotes` reads a block of such lines with str
methods, checks each distinct vote once (with the same checks as a line read alone, in ``checks``)
and gives the block back as indices into the distinct votes plus the other columns' values.

A block it cannot be sure of (a quote, a control character or unusual space, a line too long, a
row that is not a plain vote, a vote that fails a check) it refuses whole, before anything of it is
kept; the caller then reads that block and the rest of the file a line at a time with csv, which
finds and words the problem exactly as before, with its line number.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from itertools import repeat
from typing import TextIO

import numpy as np
import numpy.typing as npt

from .checks import MAX_LINE, Limits, PabulibError, ballot_of
from .model import bit_rows, words_for
from .table import CODED_CELLS, CODED_PROJECTS, BallotTable

#: Characters read a block at a time (about one megabyte).
BLOCK = 1 << 20
#: The same when the ballots go to a sink (an import): memory then stays near one small block.
SINK_BLOCK = 1 << 15
#: Distinct votes remembered when the ballots go to a sink; past it they are forgotten (checked again
#: when seen again), so that memory does not grow with the file.
SINK_DISTINCT = 2_000
#: What only the line-at-a-time reader handles: quotes (csv), NUL and undecodable bytes (refused),
#: and every character that str.splitlines or str.strip treats differently from readline or a space.
_UNUSUAL = re.compile('["\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f'
                      '\u3000\udc80-\udcff]')

#: The number of ones in each byte (one byte each: the look-up makes an array the size of the rows).
_ONES = np.array([bin(n).count("1") for n in range(256)], dtype=np.uint8)


class Blocks:
    """The rest of ``fh`` as (text, number of its first line) blocks, each about BLOCK long.

    A block ends after "\\n" or "\\r" (the line ends readline knows), never between "\\r" and
    "\\n"; a line with no end within MAX_LINE characters is given as a block of its own, to be
    refused. :meth:`rest` is the file from the start of the last block on, for the line-at-a-time
    reader to read on from.
    """

    def __init__(self, fh: TextIO, first_line: int, size: int | None = None) -> None:
        self.fh, self.first_line = fh, first_line
        self.size = BLOCK if size is None else size
        self.carry = ""  # read, but after the last block given

    def __iter__(self) -> Iterator[tuple[str, int]]:
        if not hasattr(self.fh, "read"):
            yield from _blocks_by_line(self.fh, self.first_line, self.size)
            return
        line = self.first_line
        while True:
            chunk = self.fh.read(self.size)
            if not chunk:
                if self.carry:
                    text, self.carry = self.carry, ""
                    yield text, line
                return
            text = self.carry + chunk
            end = len(text) - 1 if text.endswith("\r") else len(text)
            cut = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end)) + 1
            if cut == 0 and len(text) <= MAX_LINE + 2:
                self.carry = text
                continue
            cut = cut or len(text)
            self.carry = text[cut:]
            yield text[:cut], line
            line += text.count("\n", 0, cut) + text.count("\r", 0, cut) - text.count("\r\n", 0, cut)

    def rest(self, block: str) -> TextIO:
        """The file from ``block`` (the last one given) on."""
        head = block + self.carry
        if head.endswith("\r") and hasattr(self.fh, "read"):
            # The last read ended between a line's "\r" and its "\n": take the "\n" (if that is what
            # follows) into the head, or the csv reader would read it as a blank line of its own and
            # name every later line one too far on (found by tests/tally/test_tally_reader_fuzz.py).
            head += self.fh.read(1)
        return Chain(head, self.fh)


def _blocks_by_line(fh: TextIO, first_line: int, block: int) -> Iterator[tuple[str, int]]:
    """:class:`Blocks` for a file that can only be read a line at a time (it keeps no carry)."""
    lines: list[str] = []
    size = 0
    while True:
        line = fh.readline(MAX_LINE + 2)
        if line:
            lines.append(line)
            size += len(line)
        if lines and (not line or size >= block):
            yield "".join(lines), first_line
            first_line += len(lines)
            lines, size = [], 0
        if not line:
            return


class Chain(io.TextIOBase):
    """A block already read, then the rest of the file: what the line-at-a-time reader reads on from."""

    def __init__(self, head: str, tail: TextIO) -> None:
        self.head = io.StringIO(head, newline="")
        self.tail = tail

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        limit = -1 if size is None else size
        line = self.head.readline(limit)
        if line.endswith(("\n", "\r")) or 0 <= limit <= len(line):
            return line
        # The head ended inside a line (or is used up): the line goes on in the tail.
        return line + self.tail.readline(limit - len(line) if limit >= 0 else -1)


class FastVotes:
    """Reads plain blocks of VOTES lines for one file (see the module)."""

    def __init__(self, header: list[str], costs: dict[str, int], limits: Limits, table: BallotTable,
                 bulk: bool = True) -> None:
        at = {name: i for i, name in enumerate(header)}  # a repeated name: the last column, as dict(zip()) does
        self.width = len(header)
        self.vote = at["vote"]
        self.points = at["points"] if limits.cumulative else None
        self.stored = [at[name] for name in table.columns]
        self.costs, self.limits, self.table = costs, limits, table
        self.seen: dict[str | tuple[str, str], int] = {}  # a vote's text (and points) -> its kind
        # Approval votes are checked a block at a time as numbers (see _check_many), unless the
        # ballots go on to a sink (its table forgets its votes), a project id is empty or there are
        # too many projects for a row of bits per vote.
        self.bulk = bulk and not limits.cumulative and "" not in costs and 0 < len(costs) <= CODED_PROJECTS
        if self.bulk:
            table.code_ids = list(costs)
            self.position = {pid: i for i, pid in enumerate(costs)}
            self.cost_of = np.array(list(costs.values()), dtype=np.int64)
            self.words = words_for(len(costs))

    @staticmethod
    def stored_columns(header: list[str], cumulative: bool) -> tuple[list[str], bool]:
        """The columns a table keeps for this header (voter_id first, then extras) and whether voter_id is one."""
        skip = {"vote", "voter_id"} | ({"points"} if cumulative else set())
        names = list(dict.fromkeys(header))
        has_id = "voter_id" in names
        return (["voter_id"] if has_id else []) + [n for n in names if n not in skip], has_id

    def read(self, text: str, first_line: int) -> tuple[list[int], list[list[str]]] | None:
        """The block's voters (kinds, stored columns' values), or None if it is not plain."""
        if _UNUSUAL.search(text):
            return None
        lines = text.splitlines()
        if len(text) > MAX_LINE and max(map(len, lines)) > MAX_LINE:
            return None
        strip = " " in text or "\t" in text
        if not strip and self.vote != 0:
            got = self._columns(lines, first_line)
            if got is not None:
                return got
        return self._rows(lines, first_line, strip)

    def _columns(self, lines: list[str], first_line: int) -> tuple[list[int], list[list[str]]] | None:
        """A block whose lines all have exactly the header's columns and a vote, read column-wise.

        None when that is not so (a blank or short row, say), or when a vote breaks a rule: the
        caller then reads the block row by row.
        """
        width = self.width
        if set(map(str.count, lines, repeat(";", len(lines)))) != {width - 1}:
            return None
        cells = ";".join(lines).split(";")
        votes = cells[self.vote::width]
        if "" in votes:
            return None  # maybe a blank row or a section marker (the vote is not the first column)
        keys: list[str] | list[tuple[str, str]] = votes
        if self.points is not None:
            keys = list(zip(votes, cells[self.points::width]))
        seen = self.seen
        new = [k for k in dict.fromkeys(keys) if k not in seen]  # in order of first appearance
        if self.bulk and new:
            texts: list[str] = new  # type: ignore[assignment]  # approval: the keys are the votes
            got = self._check_many(texts)
            if got is not None:
                first = self.table.new_texts(texts, *got)
                seen.update(zip(texts, range(first, first + len(texts))))
                new = []
        for key in new:
            vote, points = (key, None) if isinstance(key, str) else key
            kind = self._check(vote, points, first_line)
            if kind is None:
                return None
            seen[key] = kind
        return list(map(seen.__getitem__, keys)), [cells[at::width] for at in self.stored]

    def _rows(self, lines: list[str], first_line: int, strip: bool) -> tuple[list[int], list[list[str]]] | None:
        """A block read row by row: blank rows skipped; None at anything the csv reader must see."""
        width, vote_at, points_at, seen = self.width, self.vote, self.points, self.seen
        which: list[int] = []
        values: list[list[str]] = [[] for _ in self.stored]
        pairs = list(zip(self.stored, values))
        for n, line in enumerate(lines, start=first_line):
            cells = line.split(";")
            if strip:
                cells = [c.strip() for c in cells]
            if len(cells) != width:
                if not any(cells):
                    continue  # a blank row
                if len(cells) < width or any(cells[width:]):
                    return None  # too few or too many columns
            vote = cells[vote_at]
            first = cells[0]
            if first.isalpha() and first.isupper() and sum(1 for c in cells if c) == 1:
                return None  # a section marker
            if not vote and not any(cells):
                continue
            key = vote if points_at is None else (vote, cells[points_at])
            kind = seen.get(key)
            if kind is None:
                kind = self._check(vote, None if points_at is None else cells[points_at], n)
                if kind is None:
                    return None
                seen[key] = kind
            which.append(kind)
            for at, column in pairs:
                column.append(cells[at])
        return which, values

    def forget(self) -> None:
        """Forget the distinct votes seen (a reader that hands ballots on, once there are many)."""
        self.seen.clear()
        self.table.forget_kinds()

    def _check_many(self, votes: list[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
        """Each vote's number of projects and their indices into the file's projects, flat, if
        every one of these approval votes (none empty) keeps the rules; else None, and the caller
        checks them one by one (which finds the one that fails, or accepts what this cannot, such
        as spaces around an id)."""
        if len(votes) * self.words > CODED_CELLS:
            return None  # a block of very many new votes on a long list: checked one by one
        flat = ",".join(votes).split(",")
        try:
            codes = np.fromiter(map(self.position.__getitem__, flat), np.int64, len(flat))
        except KeyError:
            return None  # an id not known as it stands
        lens = np.fromiter(map(str.count, votes, repeat(",")), np.int64, len(votes)) + 1
        limits = self.limits
        if ((limits.max_len is not None and int(lens.max()) > limits.max_len)
                or (limits.min_len is not None and int(lens.min()) < limits.min_len)):
            return None
        starts = np.cumsum(lens) - lens
        if limits.max_cost is not None and int(np.add.reduceat(self.cost_of[codes], starts).max()) > limits.max_cost:
            return None
        # Each project once per vote: a vote's row of bits has as many ones as the vote has projects
        # only if none repeats.
        rows = bit_rows(lens, codes, self.words)
        ones = _ONES[rows.astype(np.uint64).view(np.uint8)].reshape(len(votes), -1).sum(axis=1)
        if not np.array_equal(ones, lens):
            return None
        return lens, codes

    def _check(self, vote: str, points: str | None, line: int) -> int | None:
        """The kind of a vote not seen before, or None if it breaks a rule (read again to say which)."""
        if points is None:
            # Most votes: project ids without spaces, known, each once, within the limits.
            chosen = tuple(vote.split(",")) if vote else ()
            unique = set(chosen)
            if (len(unique) == len(chosen) and self.costs.keys() >= unique
                    and self.limits.approval_fits(chosen, self.costs)):
                return self.table.new_kind(chosen, None)
        record = {"vote": vote} if points is None else {"vote": vote, "points": points}
        try:
            ballot = ballot_of(record, line, self.costs, self.limits)
        except PabulibError:
            return None
        return self.table.kind(ballot.projects, ballot.points)
