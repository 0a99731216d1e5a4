"""Words for the accounts area: why a request about organisations, people or passwords was refused,
and why signing in is paused."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Under the pause's message, when the person may try again (a time in Wales, e.g. 14:35).
TRY_AGAIN_FROM = _l("You can try again from %(time)s")

REFUSALS = {
    "bad_slug": _l("Use only lower-case letters, numbers and hyphens in the short name"),
    "names_required": _l("Enter the name in both Welsh and English"),
    "slug_taken": _l("Another organisation already has this short name"),
    "bad_role": _l("Choose a role from the list"),
    "password_too_short": _l("Enter a password of at least 12 characters"),
    "password_has_name": _l("Choose a password without the name in your email address or your organisation’s "
                            "name in it: they are among the first things someone would try"),
    "password_too_guessable": _l("Choose a password that is harder to guess: this one is too common or follows "
                                 "a common pattern. A few unrelated words are easy to remember and hard to guess"),
    "already_member": _l("This person is already a member of the organisation"),
    "wrong_password": _l("Your current password is not correct"),
    "wrong_code": _l("The code is not correct or has been used. Enter the code your app shows now, or a recovery code."),
    "two_step_required": _l("Your organisation requires two-step sign-in of its administrators, so it cannot be turned off."),
    "link_not_usable": _l("This link does not work any more: it has been used, withdrawn or has expired. Ask for a new one."),
    "not_a_member": _l("This person is not a member of the organisation"),
    "last_admin": _l("An organisation needs at least one administrator. Make someone else an administrator first."),
    # The same words whether or not an account has this address: a pause gives nothing away.
    "sign_in_paused": _l("Too many wrong passwords have been tried with this email address, so signing in "
                         "with it is paused for a while"),
    # Colours (brand.py): the numbers are filled in from the refusal's details.
    "bad_colour": _l("Enter a colour as # and six hexadecimal digits, like #1d70b8"),
    "brand_contrast": _l("Contrast %(found)s:1 with white text; it needs at least %(needed)s:1. Choose a darker "
                         "colour, for example %(suggested)s."),
    "link_contrast": _l("Contrast %(found)s:1 on a white page; links need at least %(needed)s:1. Choose a darker "
                        "colour, for example %(suggested)s."),
    "link_contrast_panel": _l("Contrast %(found)s:1 on the light grey of boxes and the footer; links need at least "
                              "%(needed)s:1. Choose a darker colour, for example %(suggested)s."),
}
