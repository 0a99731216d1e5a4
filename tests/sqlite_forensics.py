"""What someone holding the SQLite files can read without SQLite's help: the tests' attacker.

Two readings of the raw files, as an attacker with a copy would make them:

- :func:`table_cells` walks a table's b-tree pages and returns its rows with where each is stored:
  within a page SQLite puts each new cell below the previous one, so cells sorted by their offset,
  highest first, come in the order they were written.
- :func:`wal_commits` splits a write-ahead log into its commits (each a set of page images) and
  :func:`replay` applies them one by one to a copy of the database, so the rows each commit added
  can be read: one commit, one ballot.

Only what the tests need: UTF-8 databases, rows that fit on their page (no overflow pages).
"""
from __future__ import annotations

import shutil
import sqlite3
import struct
from pathlib import Path
from typing import Any


def _varint(buf: bytes, at: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = buf[at + i]
        if i == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    raise AssertionError("unreachable")


def _record(buf: bytes, at: int) -> list[Any]:
    header_size, pos = _varint(buf, at)
    end, types = at + header_size, []
    while pos < end:
        serial, pos = _varint(buf, pos)
        types.append(serial)
    values: list[Any] = []
    for serial in types:
        if serial in (0, 10, 11):
            values.append(None)
        elif serial in (8, 9):
            values.append(serial - 8)
        elif 1 <= serial <= 6:
            size = (1, 2, 3, 4, 6, 8)[serial - 1]
            values.append(int.from_bytes(buf[end:end + size], "big", signed=True))
            end += size
        elif serial == 7:
            values.append(struct.unpack(">d", buf[end:end + 8])[0])
            end += 8
        else:
            size = (serial - 12) // 2 if serial % 2 == 0 else (serial - 13) // 2
            raw = buf[end:end + size]
            values.append(raw if serial % 2 == 0 else raw.decode())
            end += size
    return values


def table_cells(db_path: Path, table: str) -> list[tuple[int, int, list[Any]]]:
    """(page number, cell offset, row values) for every row of ``table``, read from the file's bytes.

    Rows of a WITHOUT ROWID table come with their primary key first, then the other columns in
    table order; a rowid table's rows come as (rowid, columns...).
    """
    with sqlite3.connect(db_path) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    data = db_path.read_bytes()
    page_size = int.from_bytes(data[16:18], "big") or 65536
    found: list[tuple[int, int, list[Any]]] = []
    pages = [root]
    while pages:
        number = pages.pop()
        page = data[(number - 1) * page_size:number * page_size]
        base = 100 if number == 1 else 0
        kind, cells = page[base], int.from_bytes(page[base + 3:base + 5], "big")
        header = base + (12 if kind in (2, 5) else 8)
        if kind in (2, 5):
            pages.append(int.from_bytes(page[base + 8:base + 12], "big"))
        for i in range(cells):
            offset = int.from_bytes(page[header + 2 * i:header + 2 * i + 2], "big")
            pos = offset
            if kind in (2, 5):
                pages.append(int.from_bytes(page[pos:pos + 4], "big"))
                pos += 4
                if kind == 5:
                    continue  # an interior table cell holds only a rowid
            _size, pos = _varint(page, pos)
            rowid = None
            if kind == 13:
                rowid, pos = _varint(page, pos)
            values = _record(page, pos)
            found.append((number, offset, values if rowid is None else [rowid, *values]))
    return found


def written_order(cells: list[tuple[int, int, list[Any]]]) -> list[list[Any]]:
    """The rows in the order the cell layout says they were written (within a page: highest offset first)."""
    return [values for _page, _offset, values in sorted(cells, key=lambda c: (c[0], -c[1]))]


def wal_commits(wal_path: Path) -> list[dict[int, bytes]]:
    """The log's commits, oldest first: each the page images it wrote, by page number. Frames after
    the last commit, and frames of an earlier generation of the log (other salts), are kept too, as
    an attacker would: they follow, grouped by the commit marks they carry."""
    data = wal_path.read_bytes() if wal_path.exists() else b""
    if len(data) < 32:
        return []
    page_size = int.from_bytes(data[8:12], "big")
    commits: list[dict[int, bytes]] = []
    current: dict[int, bytes] = {}
    for at in range(32, len(data) - 24 - page_size + 1, 24 + page_size):
        number, after_commit = struct.unpack(">II", data[at:at + 8])
        if number == 0:
            break
        current[number] = data[at + 24:at + 24 + page_size]
        if after_commit:
            commits.append(current)
            current = {}
    return commits


def replay(db_path: Path, wal_path: Path, work: Path, query: str) -> list[set[Any]]:
    """Apply the log's commits one by one to a copy of the database and run ``query`` after each:
    the rows each commit added are the difference between one result and the next."""
    work.mkdir(parents=True, exist_ok=True)
    copy = work / "replay.sqlite3"
    shutil.copyfile(db_path, copy)
    page_size = int.from_bytes(db_path.read_bytes()[16:18], "big") or 65536
    results: list[set[Any]] = []
    for commit in wal_commits(wal_path):
        with copy.open("r+b") as fh:
            for number, image in commit.items():
                fh.seek((number - 1) * page_size)
                fh.write(image)
            fh.seek(18)
            fh.write(b"\x01\x01")  # read it as a rollback-journal database: no log of its own
        conn = sqlite3.connect(copy)
        try:
            results.append(set(conn.execute(query).fetchall()))
        except sqlite3.DatabaseError:
            results.append(set())  # a half-applied schema change, say: nothing to read at this commit
        finally:
            conn.close()
    return results
