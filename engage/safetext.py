"""Text written into files other programs read: Atom (XML) and iCalendar feeds, and CSV."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any, TextIO

#: Characters XML 1.0 forbids even as character references (C0 controls but tab, line feed and
#: carriage return; lone surrogates; U+FFFE and U+FFFF), and DELETE, which iCalendar forbids too.
#: One of them in a title makes the whole feed unreadable, so they are dropped on the way out.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def feed_text(value: str) -> str:
    """``value`` without the characters an XML or iCalendar reader refuses."""
    return _FORBIDDEN.sub("", value)


#: A cell starting with one of these is run as a formula by spreadsheets (CSV injection:
#: "=HYPERLINK(...)" in a project title becomes a link on the council's own report).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A text cell a spreadsheet shows as text (a leading quote before a formula's first
    character); numbers are left as they are."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


class CSVWriter:
    """``csv.writer`` whose every cell goes through :func:`csv_cell`: use it for every CSV the app
    writes, so no column can be forgotten."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(value) for value in row])


def spreadsheet_csv() -> tuple[io.StringIO, CSVWriter]:
    """A CSV for people to open in a spreadsheet: a buffer that starts with a byte-order mark (so
    Excel reads it as UTF-8 and "Pobl hŷn" is not garbled) and the one writer to fill it with."""
    out = io.StringIO()
    out.write("\ufeff")
    return out, CSVWriter(out)
