"""A horizontal bar chart of votes per project as inline SVG, drawn on the server (no script).

Pure: it takes plain rows and already-translated words, so it can be tested without Flask.

Drawn for a phone first: the drawing is about as wide as a phone's column (``WIDTH`` units for
about 360 CSS pixels), so one unit is about one pixel there and the words are ``FONT`` px, never
shrunk to unreadable; the page caps its width on wide screens. A title wraps onto as many lines
as it needs and the figure and verdict have a line of their own under the bar, so nothing runs off
the right edge, in Welsh or English.
"""
from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

WIDTH = 340
FONT = 16  # px at 1:1; with WIDTH as above a phone shows it at about 16 px, a wide screen at about 19 px
LINE = 21
BAR_HEIGHT = 20
GAP = 18
WRAP = 34  # characters per line (bold, proportional: the widest Welsh words still fit WIDTH)
FUNDED, NOT_FUNDED = "#00703c", "#505a5f"


def bar_chart(rows: Sequence[dict[str, Any]], *, title: str, chart_id: str, value_label: str,
              funded_word: str, not_funded_word: str) -> Markup:
    """``rows``: {"title", "value", "funded"}. Returns an <svg role="img"> with a <title>."""
    top = max([r["value"] for r in rows] + [1])
    parts: list[str] = []
    y = 0
    for r in rows:
        for line in textwrap.wrap(str(r["title"]), WRAP, break_on_hyphens=False) or [""]:
            y += LINE
            parts.append(f'<text x="0" y="{y}" class="chart-label">{escape(line)}</text>')
        y += 6
        width = max(2, round(WIDTH * r["value"] / top))
        colour = FUNDED if r["funded"] else NOT_FUNDED
        word = funded_word if r["funded"] else not_funded_word
        parts.append(f'<rect x="0" y="{y}" width="{width}" height="{BAR_HEIGHT}" fill="{colour}"></rect>')
        y += BAR_HEIGHT + LINE
        for line in textwrap.wrap(f'{value_label}: {r["value"]} – {word}', WRAP + 6) or [""]:
            parts.append(f'<text x="0" y="{y - 4}" class="chart-value">{escape(line)}</text>')
            y += LINE
        y += GAP - LINE
    height = y + 4
    return Markup(
        f'<svg role="img" aria-labelledby="{chart_id}-title" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" '
        f'font-size="{FONT}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{"".join(parts)}</svg>')
