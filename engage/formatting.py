"""Template filters for dates, times and money, always through Flask-Babel (Welsh month and day
names, 24-hour times, full dates because "Mawrth" is both March and Tuesday)."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_decimal, format_time

from .dates import utc_to_local


def long_date(value: datetime | date) -> str:
    """A full date; a datetime is taken as UTC and shown on its day in Wales."""
    return format_date(utc_to_local(value) if isinstance(value, datetime) else value, "full")


def clock(value: datetime) -> str:
    return format_time(utc_to_local(value), "HH:mm")


def when(start: datetime, end: datetime) -> str:
    """"Dydd Mawrth, 24 Tachwedd 2026, 18:00–20:00", or both full dates when it spans days."""
    s, e = utc_to_local(start), utc_to_local(end)
    if s.date() == e.date():
        return f"{long_date(start)}, {clock(start)}–{clock(end)}"
    return f"{long_date(start)}, {clock(start)} – {long_date(end)}, {clock(end)}"


def moment(value: datetime) -> str:
    """"Dydd Sul, 6 Rhagfyr 2026, 14:31": a UTC time as a full date and clock time in Wales."""
    return f"{long_date(value)}, {clock(value)}"


def month_name(value: date | str) -> str:
    """"Tachwedd 2026" / "November 2026": a month (a date in it, or "2026-11") in the page's language."""
    if isinstance(value, str):
        value = date(int(value[:4]), int(value[5:7]), 1)
    return format_date(value, "LLLL y")


def pounds(pence: int) -> str:
    """£1,234.50 (whole pounds without pence)."""
    value = pence / 100
    return "£" + format_decimal(value, "#,##0" if pence % 100 == 0 else "#,##0.00")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(long_date=long_date, clock=clock, moment=moment, pounds=pounds,
                                  month_name=month_name)
    app.jinja_env.globals["when"] = when
