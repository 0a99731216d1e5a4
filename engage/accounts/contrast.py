"""Colour contrast by WCAG 2.x: relative luminance, contrast ratio, and a darker shade that passes.

Pure arithmetic, no Flask: https://www.w3.org/TR/WCAG22/#dfn-relative-luminance and
https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio.
"""
from __future__ import annotations

import math
import re

HEX_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
#: Normal-size text (1.4.3 Contrast, level AA).
TEXT_RATIO = 4.5
#: A band, border or other part of the page that is not text (1.4.11 Non-text Contrast, AA).
NON_TEXT_RATIO = 3.0
#: Each step towards black keeps this share of every channel: the hue stays, the shade deepens.
DARKEN_STEP = 0.97


def is_hex(value: str) -> bool:
    return bool(HEX_RE.match(value or ""))


def rgb(colour: str) -> tuple[int, int, int]:
    """``#1d70b8`` → (29, 112, 184); ValueError for anything but ``#`` and six hex digits."""
    if not is_hex(colour):
        raise ValueError(f"not a colour: {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def to_hex(red: int, green: int, blue: int) -> str:
    return f"#{red:02x}{green:02x}{blue:02x}"


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance, 0 (black) to 1 (white)."""
    r, g, b = (_linear(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(one: str, other: str) -> float:
    """Contrast ratio of two colours, 1 to 21 (the order does not matter)."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def shown(value: float) -> str:
    """A ratio as people read it, rounded down to one decimal: 4.49 shows as 4.4, never as a pass."""
    return f"{math.floor(value * 10) / 10:.1f}"


def darken(colour: str, factor: float = DARKEN_STEP) -> str:
    """One step darker: every channel scaled by ``factor`` (and at least one lower, so it ends at black)."""
    return to_hex(*(min(int(c * factor), max(c - 1, 0)) for c in rgb(colour)))


def darker_until(colour: str, against: str, needed: float) -> str:
    """The first shade of ``colour``, darkening step by step, with at least ``needed`` contrast against
    ``against`` (a light colour: white, a pale panel). ``colour`` itself when it passes already."""
    current = colour.lower()
    while ratio(current, against) < needed:
        if current == "#000000":
            break
        current = darken(current)
    return current
