"""One-line confirmations shown after a redirect ("flash" messages).

Views flash a key, not a sentence: the next page translates it into its own language, so a
notice flashed on an English page and shown after a switch to Welsh is still Welsh.
"""
from __future__ import annotations

from flask import Flask, flash, get_flashed_messages
from flask_babel import lazy_gettext as _l

from . import refusals
from .refusals import Refusal

NOTICES = {
    "signed_out": _l("You have signed out."),
    "password_changed": _l("Your password has been changed. Other devices have been signed out."),
    "saved": _l("Your changes have been saved."),
    "event_saved": _l("The event has been saved."),
    "event_duplicated": _l("This is a copy of the event. Check the dates, then save it."),
    "outcome_saved": _l("What happened at the event has been saved."),
    "report_made": _l("The report has been made and kept for download."),
    "feedback_saved": _l("The feedback entry has been saved."),
    "feedback_drafted": _l("A draft has been started from the event. Check it, then save it."),
    "feedback_update_added": _l("The update has been added."),
    "pb_open": _l("Voting is open."),
    "pb_close": _l("Voting is closed."),
    "pb_publish": _l("The results are published. Draft ‘You said, we did’ entries have been prepared."),
    "pb_paper_entered": _l("The paper ballot has been entered. A different member of staff must now check it."),
    "pb_paper_confirmed": _l("The paper ballot has been checked and counted."),
    "pb_kiosk_ended": _l("The kiosk has ended. Sign in to go back to the staff area."),
    "invited": _l("The invitation has been sent. It works for 7 days."),
    "invitation_withdrawn": _l("The invitation has been withdrawn: its link no longer works."),
    "role_changed": _l("The role has been changed."),
    "member_removed": _l("Their access to the organisation has been removed."),
    "member_signed_out": _l("They have been signed out on every device."),
    "sessions_ended": _l("Your other sessions have been signed out."),
    "session_ended": _l("That session has been signed out."),
    "joined": _l("Welcome: you have joined the organisation."),
    "reset_sent": _l("If there is an account with that email address, we have sent it a link to choose a new password. It works for one hour."),
    "password_reset": _l("Your password has been changed and every device signed out. Sign in with your new password."),
    "two_step_off": _l("Two-step sign-in is off."),
    "two_step_needed": _l("Your organisation requires two-step sign-in of its administrators. Set it up to continue."),
    "two_step_rule_saved": _l("The rule for two-step sign-in has been saved."),
    "pb_paper_rejected": _l("The paper ballot has been removed. Enter it again if it was typed wrongly."),
}
#: A refusal is flashed as "refusal:<area>:<code>" and put into words from its area's labels.
REFUSAL_PREFIX = "refusal:"


def flash_refusal(err: Refusal) -> None:
    """Tell the next page why something was refused, in that page's language."""
    flash(f"{REFUSAL_PREFIX}{err.area}:{err.code}")


def words_for(key: str) -> str:
    """A flashed key in the current language. A key nobody gave words to is a bug, not silence."""
    if key.startswith(REFUSAL_PREFIX):
        area, _sep, code = key[len(REFUSAL_PREFIX):].partition(":")
        return str(refusals.words(area, code))
    return str(NOTICES[key])


def init_app(app: Flask) -> None:
    @app.context_processor
    def _notices() -> dict:
        def notices() -> list[str]:
            return [words_for(key) for key in get_flashed_messages()]
        return {"notices": notices}
