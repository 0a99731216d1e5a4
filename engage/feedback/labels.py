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

#: Why a change was refused (``FeedbackRefusal`` codes).
REFUSALS = {
    "unknown_choice": _l("Select only options from the list"),
    "progress_range": _l("Enter a number between 0 and 100"),
    "reason_needed": _l("Enter why it is not possible, in both Welsh and English"),
    "publish_needs_both_languages": _l("Enter the title, We asked, You said and We did (and the area, if any) in "
                                       "both Welsh and English before publishing"),
    "update_needs_both_languages": _l("Enter the update in both Welsh and English"),
    "already_following": _l("This email address already follows this entry, or is waiting to be confirmed. "
                            "Check your inbox for our email."),
    "event_not_held": _l("Only an event that was held and has a record of what happened can start an entry"),
    "bad_pb_result": _l("The results of the vote could not be read, so no drafts were made"),
}
