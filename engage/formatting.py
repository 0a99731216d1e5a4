"""Template filters for dates, times and money, always through Flask-Babel (Welsh month and day
names, 24-hour times, full dates because "Mawrth" is both March and Tuesday)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from babel.numbers import get_currency_symbol
from flask import Flask
from flask_babel import format_currency, format_date, format_decimal, format_time, get_locale

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


def money(amount: int | Fraction, currency: str = "GBP", scale: int = 100) -> str:
    """An amount kept as ``scale`` to one unit of ``currency``, in the page's language: pounds() for
    pence; else "€1,070,000", "1,070,000 PLN" (a currency whose sign is its code puts it after, as the
    issue's readers write it), or the bare number for a file that named no currency."""
    if currency == "GBP" and scale == 100:
        return pounds(round(amount))
    value = Fraction(amount) / scale
    whole = value.denominator == 1
    number = Decimal(value.numerator) if whole else Decimal(round(float(value), 2))
    pattern = "#,##0" if whole else "#,##0.00"
    if not currency:
        return format_decimal(number, pattern)
    if get_currency_symbol(currency, get_locale()).isalpha():
        return f"{format_decimal(number, pattern)}\u00a0{currency}"
    return format_currency(number, currency, "¤" + pattern, currency_digits=False)


def amount(value: int | Fraction, pot: Any) -> str:
    """A pot's amount (its budget, a cost) in the pot's currency: ``{{ pot.budget_pence|amount(pot) }}``."""
    return money(value, pot.currency, pot.amount_scale)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(long_date=long_date, clock=clock, moment=moment, pounds=pounds,
                                  month_name=month_name, amount=amount)
    app.jinja_env.globals["when"] = when
