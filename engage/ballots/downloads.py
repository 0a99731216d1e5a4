"""A published pot's results as CSV, in the language of the page it was downloaded from.

Headings, yes/no and the reasons are words in that language; beside them, columns whose headings and
values never change with the language (documented in the README's open data): ``project_id``,
``result_code`` and ``other_result_code`` (``funded``, ``did_not_fit``, ``supporters_could_not_afford``,
``below_threshold``, ``no_votes``: the tally's reason, with its "selected" called ``funded``), and how
it was counted, the same on every row: ``rule`` (the official one), ``threshold`` (the fewest votes a
project needed; empty: any), ``tie_break_position`` (the project's place in the tie-break order, 1 wins
a tie), ``completion`` (what spent the money equal shares left; empty for greedy), ``currency`` and
``engine_version`` (``engage.version.TALLY_ENGINE_VERSION``); last, ``source_id``: an imported pot's
project id in its pabulib file (as in its ``.pb`` download; empty for a pot made here).
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import pgettext

from ..safetext import spreadsheet_csv
from . import labels
from .models import Pot
from .results import PublishedResult

#: The headings that stay the same in every language (stable codes for programs).
CODE_COLUMNS = ("project_id", "result_code", "other_result_code", "rule", "threshold", "tie_break_position",
                "completion", "currency", "engine_version", "source_id")


def result_code(explanation: dict[str, object]) -> str:
    """A project's verdict as a stable code: ``funded`` or why not (the tally's reason codes)."""
    reason = str(explanation["reason"])
    return "funded" if reason == "selected" else reason


def _funded(yes: bool) -> str:
    return pgettext("funded", "Yes") if yes else pgettext("funded", "No")


def _would_be(yes: bool) -> str:
    return pgettext("would be funded", "Yes") if yes else pgettext("would be funded", "No")


def cost_heading(pot: Pot) -> str:
    """The cost column's heading: pence for a pot made here, else the imported file's currency."""
    if pot.amount_scale == 100 and pot.currency == "GBP":
        return _("Cost in pence")
    return _("Cost (%(currency)s)", currency=pot.currency) if pot.currency else _("Cost")


def results_csv(pot: Pot, result: PublishedResult, lang: str) -> str:
    """One row per project, in the results page's order; words in the current locale (``lang``'s)."""
    out, writer = spreadsheet_csv()
    other = labels.RULE_NAMES[result.other_rule]
    writer.writerow(["project_id", _("Project"), cost_heading(pot), _("Votes"), _("Points"),
                     _("Funded (%(rule)s)", rule=labels.RULE_NAMES[result.official_rule]), _("Why"),
                     _("Figures"), _("Would be funded by the other rule (%(rule)s)", rule=other),
                     "result_code", "other_result_code", *CODE_COLUMNS[3:]])
    terms = result.terms
    rule = terms.get("parameters", {}).get(result.official_rule, {})
    place = {pid: n for n, pid in enumerate(terms.get("tie_break", []), start=1)}
    threshold = rule.get("threshold")
    before = [result.official_rule, "" if threshold is None else threshold]
    after = [rule.get("completion") or "", terms.get("currency", pot.currency), terms.get("engine_version", "")]
    shares = labels.shares_of(result.official, result.budget_pence, result.ballots)
    ties = labels.ties_of(result.official["explanations"])
    for row in result.rows(pot):
        with labels.amounts_of(pot):
            why, figures = labels.reason_text(row.explanation, shares, row.id in ties)
        title = (row.project.text("title", lang) or row.project.text("title", "en" if lang == "cy" else "cy")
                 if row.project else "")
        writer.writerow([row.id, title, row.cost, row.votes, row.score, _funded(row.funded), why,
                         "; ".join(figures), _would_be(row.other_funded),
                         result_code(row.explanation), result_code(result.other["explanations"][row.id]),
                         *before, place.get(row.id, ""), *after,
                         (row.project.source_id or "") if row.project else ""])
    return out.getvalue()
