"""A published pot's results as CSV, in the language of the page it was downloaded from.

Headings, yes/no and the reasons are words in that language; beside them, columns whose headings and
values never change with the language (documented in the README's open data): ``project_id``,
``result_code`` and ``other_result_code`` (``funded``, ``did_not_fit``, ``supporters_could_not_afford``,
``below_threshold``, ``no_votes``: the tally's reason, with its "selected" called ``funded``).
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import pgettext

from ..safetext import spreadsheet_csv
from . import labels
from .models import Pot
from .results import PublishedResult

#: The headings that stay the same in every language (stable codes for programs).
CODE_COLUMNS = ("project_id", "result_code", "other_result_code")


def result_code(explanation: dict[str, object]) -> str:
    """A project's verdict as a stable code: ``funded`` or why not (the tally's reason codes)."""
    reason = str(explanation["reason"])
    return "funded" if reason == "selected" else reason


def _funded(yes: bool) -> str:
    return pgettext("funded", "Yes") if yes else pgettext("funded", "No")


def _would_be(yes: bool) -> str:
    return pgettext("would be funded", "Yes") if yes else pgettext("would be funded", "No")


def results_csv(pot: Pot, result: PublishedResult, lang: str) -> str:
    """One row per project, in the results page's order; words in the current locale (``lang``'s)."""
    out, writer = spreadsheet_csv()
    other = labels.RULE_NAMES[result.other_rule]
    writer.writerow(["project_id", _("Project"), _("Cost in pence"), _("Votes"), _("Points"),
                     _("Funded (%(rule)s)", rule=labels.RULE_NAMES[result.official_rule]), _("Why"),
                     _("Figures"), _("Would be funded by the other rule (%(rule)s)", rule=other),
                     "result_code", "other_result_code"])
    shares = labels.shares_of(result.official, result.budget_pence, result.ballots)
    ties = labels.ties_of(result.official["explanations"])
    for row in result.rows(pot):
        why, figures = labels.reason_text(row.explanation, shares, row.id in ties)
        title = (row.project.text("title", lang) or row.project.text("title", "en" if lang == "cy" else "cy")
                 if row.project else "")
        writer.writerow([row.id, title, row.cost, row.votes, row.score, _funded(row.funded), why,
                         "; ".join(figures), _would_be(row.other_funded),
                         result_code(row.explanation), result_code(result.other["explanations"][row.id])])
    return out.getvalue()
