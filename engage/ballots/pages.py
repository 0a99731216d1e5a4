"""What a results page shows of a result, for the public page and the staff's private preview alike."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from . import labels
from .models import Pot
from .results import PublishedResult
from .svg import bar_chart


def results_view(pot: Pot, result: PublishedResult) -> dict[str, Any]:
    """The rows in selection order, why each was or was not funded, and the chart."""
    rows = result.rows(pot)
    value_label = _("Points") if pot.ballot_type == "points" else _("Votes")
    chart = bar_chart([{"title": r.project.text("title") if r.project else r.id, "value": r.score,
                        "funded": r.funded} for r in rows],
                      title=_("Chart: %(what)s for each project", what=value_label), chart_id="votes-chart",
                      value_label=value_label, funded_word=_("Funded"), not_funded_word=_("Not funded"))
    shares = labels.shares_of(result.official, result.budget_pence, result.ballots)
    ties = labels.ties_of(result.official["explanations"])
    with labels.amounts_of(pot):
        reasons = {row.id: labels.reason_text(row.explanation, shares, row.id in ties) for row in rows}
    return {"pot": pot, "data": result, "rows": rows, "reasons": reasons, "chart": chart, "value_label": value_label}
