"""WTForms validators with our own translated messages, and translations for WTForms' built-in ones.

WTForms' Welsh catalogue is incomplete (seven messages fall back to English), so no message of
WTForms' own is ever shown: every validator here carries one of ours, and the few messages fields
produce themselves (a number that is not a number, a choice not on the list) are mapped to ours by
:class:`WTFormsTranslations`, which any form gets through ``engage.forms.Form``.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import validators as v
from wtforms.validators import StopValidation, ValidationError  # noqa: F401  (re-exported)

from .dates import FIRST_YEAR, LAST_YEAR

__all__ = ["Required", "RequiredInput", "MaxLength", "Email", "NumberRange", "EqualTo", "Optional",
           "within_years", "ValidationError", "StopValidation", "WTFormsTranslations"]


class Optional(v.Optional):
    """An empty field stops validation with no error. WTForms leaves what was sent in ``data``, so a
    choice answered with " " skipped the check against its choices and kept " " (the fuzz tests found
    it reaching ``int()``): a blank answer to a choice is no answer, its default."""

    def __call__(self, form: Any, field: Any) -> None:
        try:
            super().__call__(form, field)
        except StopValidation:
            if hasattr(field, "choices") and isinstance(field.data, str):
                field.data = field.default
            raise


def Required(message: Any = None) -> v.DataRequired:
    """The field must not be empty (spaces alone count as empty)."""
    return v.DataRequired(message=message or _l("Enter a value"))


def RequiredInput(message: Any = None) -> v.InputRequired:
    """Something must be typed; unlike Required it keeps a field's own error (e.g. "Enter a real
    date") when what was typed cannot be read."""
    return v.InputRequired(message=message or _l("Enter a value"))


def MaxLength(maximum: int, message: Any = None) -> v.Length:
    return v.Length(max=maximum, message=message or _l("Enter %(max)d characters or fewer"))


def Email(message: Any = None) -> v.Email:
    return v.Email(
        message=message or _l("Enter an email address in the correct format, like name@example.com"),
        check_deliverability=False,
    )


def NumberRange(minimum: Any = None, maximum: Any = None, message: Any = None) -> v.NumberRange:
    if message is None:
        if minimum is not None and maximum is not None:
            message = _l("Enter a number between %(min)s and %(max)s")
        elif minimum is not None:
            message = _l("Enter a number that is %(min)s or more")
        else:
            message = _l("Enter a number that is %(max)s or less")
    return v.NumberRange(min=minimum, max=maximum, message=message)


def EqualTo(other: str, message: Any) -> v.EqualTo:
    return v.EqualTo(other, message=message)


def within_years(form: Any, field: Any) -> None:
    """A date (or date and time) from FIRST_YEAR to LAST_YEAR; every form's date fields get it."""
    if isinstance(field.data, date) and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise StopValidation(_("Enter a date between %(first)s and %(last)s", first=FIRST_YEAR, last=LAST_YEAR))


# Messages that WTForms fields raise by themselves, mapped to ours. Anything not listed becomes the
# generic message, so an unknown WTForms string can never reach a Welsh page in English.
_BUILTIN = {
    "Not a valid integer value.": _l("Enter a whole number, like 12"),
    "Not a valid decimal value.": _l("Enter a number, like 12.50"),
    "Not a valid float value.": _l("Enter a number, like 12.50"),
    "Not a valid date value.": _l("Enter a real date"),
    "Not a valid datetime value.": _l("Enter a real date and time"),
    "Not a valid time value.": _l("Enter a real time, like 18:30"),
    "Not a valid choice.": _l("Select one of the options"),
    "Invalid Choice: could not coerce.": _l("Select one of the options"),
    "'%(value)s' is not a valid choice for this field.": _l("Select only options from the list"),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l("Select only options from the list"),
    "This field is required.": _l("Enter a value"),
}
_GENERIC = _l("Check this answer")


class WTFormsTranslations:
    """``Meta.get_translations`` object: WTForms asks it for its own messages; we answer with ours."""

    def gettext(self, string: str) -> str:
        return str(_BUILTIN.get(string, _GENERIC))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)
