"""Local time for Wales: staff type local times; the database keeps UTC (no Flask imports)."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/London")
#: How a local time travels in a form (<input type="datetime-local">).
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
#: The years a date typed or asked for may be in. No event, vote or decision here falls outside
#: them, and at the ends of Python's range (year 1, year 9999) turning a date into UTC or moving to
#: the next day or month overflows: a 500, not an answer.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def local_to_utc(naive_local: datetime) -> datetime:
    """A wall-clock time in Wales (as typed into a form) → aware UTC."""
    return naive_local.replace(tzinfo=LOCAL).astimezone(timezone.utc)


def today_local() -> date:
    """Today's date in Wales (not the machine's: a server abroad or on UTC would be a day out)."""
    return datetime.now(LOCAL).date()


def utc_to_local(value: datetime) -> datetime:
    return value.astimezone(LOCAL)


def parse_month(text: str) -> tuple[int, int] | None:
    """"2026-10" → (2026, 10); anything else, or a year outside FIRST_YEAR..LAST_YEAR → None."""
    found = MONTH_RE.match(text.strip())
    if not found or not FIRST_YEAR <= int(found.group(1)) <= LAST_YEAR:
        return None
    return int(found.group(1)), int(found.group(2))


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's first instant, in Wales, as UTC."""
    start = datetime(year, month, 1, tzinfo=LOCAL)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=LOCAL)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def previous_month(today: date) -> tuple[int, int]:
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def is_future_month(year: int, month: int, today: date) -> bool:
    return (year, month) > (today.year, today.month)


def recent_months(today: date, count: int = 12) -> list[tuple[int, int]]:
    """This month and the ``count - 1`` before it, newest first."""
    months = [(today.year, today.month)]
    while len(months) < count:
        months.append(previous_month(date(*months[-1], 1)))
    return months
