"""What arrives in the URL: whole numbers kept to what the database can hold, and links that keep
the query string.

An id of 2**31 is a 500 on PostgreSQL ("integer out of range") and one of 20 digits a 500 on SQLite
(OverflowError binding it); neither can name a row, so they are refused before any query: an id in
the path matches no route (the bilingual 404), a number in the query string is taken as missing,
and a form choice is not one of the options.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, request
from werkzeug.routing import IntegerConverter, Map

#: The largest id: PostgreSQL's ``integer``, the type of every id column.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` matching 1 to MAX_ID only. Registered as ``int``, so every rule gets it."""

    # Ten digits at most: a longer run never reaches int() (which refuses over 4,300 digits anyway).
    regex = r"\d{1,10}"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def query_int(name: str, default: int, low: int = 1, high: int = MAX_ID) -> int:
    """``?name=`` as a whole number from ``low`` to ``high``; ``default`` when missing or not one."""
    value = request.args.get(name, type=int)
    return value if value is not None and low <= value <= high else default


def record_id(value: Any) -> int:
    """A form choice's ``coerce`` for a record: 0 (any, none) to MAX_ID, else ValueError (which the
    field shows as "Select one of the options")."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError(value)
    return number


def with_query(url: str, **changes: Any) -> str:
    """``url`` with this request's query string, ``changes`` setting keys (``None`` removes one).

    Never spread the query string into ``url_for`` instead: ``?org=`` clashes with the route's own
    argument (a TypeError, 500) and ``?_scheme=`` or ``?_external=`` are taken as its options.
    """
    args = request.args.copy()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = str(value)
    return f"{url}?{urlencode(list(args.items(multi=True)))}" if args else url


def init_app(app: Flask) -> None:
    # Before any blueprint is registered: a rule takes its converter when it is added.
    app.url_map.converters["int"] = IdConverter
    app.add_template_global(with_query)
