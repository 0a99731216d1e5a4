"""Words for the accounts area: why a request about organisations, people or passwords was refused."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

REFUSALS = {
    "bad_slug": _l("Use only lower-case letters, numbers and hyphens in the short name"),
    "names_required": _l("Enter the name in both Welsh and English"),
    "slug_taken": _l("Another organisation already has this short name"),
    "bad_role": _l("Choose a role from the list"),
    "password_too_short": _l("Enter a password of at least 10 characters"),
    "already_member": _l("This person is already a member of the organisation"),
    "wrong_password": _l("Your current password is not correct"),
}
