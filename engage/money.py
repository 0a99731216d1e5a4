"""Money as staff type it and as the database keeps it (whole pence). No Flask imports."""
from __future__ import annotations

import re
from decimal import Decimal

#: Pounds as typed: up to ten digits, optionally a point and one or two digits of pence.
MONEY_RE = re.compile(r"^\d{1,10}(\.\d{1,2})?$")


def pounds_to_pence(text: str | None) -> int | None:
    """"£12,500.50" → 1250050; blank → None; anything else raises ValueError."""
    cleaned = (text or "").strip().lstrip("£").replace(",", "").strip()
    if not cleaned:
        return None
    if not MONEY_RE.match(cleaned):
        raise ValueError(cleaned)
    return int(Decimal(cleaned) * 100)


def pence_to_pounds(pence: int | None) -> str:
    """The amount as typed back into a form: "12500" or "12500.50"."""
    if pence is None:
        return ""
    return str(pence // 100) if pence % 100 == 0 else f"{pence // 100}.{pence % 100:02d}"
