"""Names of the statuses and the reasons a PB project was not funded, in the page's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "considering": _l("Under consideration"),
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "not_possible": _l("Not possible"),
}

#: Codes the ballots work passes to ``drafts.drafts_from_pb_results`` for projects not funded.
NOT_FUNDED_REASONS = {
    "not_enough_votes": _l("not enough votes"),
    "over_budget": _l("the money left was not enough for its cost"),
    "ineligible": _l("it was found not to be eligible"),
    "withdrawn": _l("it was withdrawn"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))
