"""A horizontal bar chart of votes per project as inline SVG, drawn on the server (no script).

Pure: it takes plain rows and already-translated words, so it can be tested without Flask.
"""
from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

WIDTH = 600
BAR_HEIGHT = 22
LINE = 18
GAP = 14
WRAP = 58  # characters per line of a project title (titles wrap; they are never cut short)
FUNDED, NOT_FUNDED = "#00703c", "#505a5f"


def bar_chart(rows: Sequence[dict[str, Any]], *, title: str, chart_id: str, value_label: str,
              funded_word: str, not_funded_word: str) -> Markup:
    """``rows``: {"title", "value", "funded"}. Returns an <svg role="img"> with a <title>."""
    top = max([r["value"] for r in rows] + [1])
    parts: list[str] = []
    y = 4
    for r in rows:
        lines = textwrap.wrap(str(r["title"]), WRAP) or [""]
        for line in lines:
            y += LINE
            parts.append(f'<text x="0" y="{y}" class="chart-label">{escape(line)}</text>')
        y += 6
        width = max(2, round((WIDTH - 170) * r["value"] / top))
        colour = FUNDED if r["funded"] else NOT_FUNDED
        word = funded_word if r["funded"] else not_funded_word
        parts.append(f'<rect x="0" y="{y}" width="{width}" height="{BAR_HEIGHT}" fill="{colour}"></rect>')
        parts.append(f'<text x="{width + 8}" y="{y + BAR_HEIGHT - 6}" class="chart-value">'
                     f'{escape(value_label)}: {r["value"]} – {escape(word)}</text>')
        y += BAR_HEIGHT + GAP
    height = y + 4
    return Markup(
        f'<svg role="img" aria-labelledby="{chart_id}-title" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{"".join(parts)}</svg>')
