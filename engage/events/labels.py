"""Words for the events area: why a change to an event, objective or report was refused."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

REFUSALS = {
    "ends_before_start": _l("The end must be after the start"),
    "public_needs_both_languages": _l("Enter the title, description, venue, accessibility information and partners "
                                      "in both Welsh and English before publishing (or leave out the ones you do not need)"),
    "outcomes_need_both_languages": _l("Enter the narrative and outcomes in both Welsh and English before publishing"),
    "unknown_choice": _l("Select only options from the list"),
    "code_taken": _l("Another objective already has this number"),
    "future_month": _l("The month must be this month or earlier"),
    "month_not_over": _l("This month is not over yet: you can print or download its report so far, and keep it once the month has ended"),
}
