"""The base form every Engage form derives from."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateTimeField

from .refusals import Refusal
from .validators import WTFormsTranslations, within_years

_TRANSLATIONS = WTFormsTranslations()


def _target(field: Any) -> str:
    """Where the error summary's link for ``field`` goes: the input itself, or for a group of radios
    or checkboxes its first option (the group's wrapper cannot take focus)."""
    if field.type in ("RadioField", "CheckboxesField"):
        first = next(iter(field), None)
        if first is not None:
            return str(first.id)
    return str(field.id)


class Form(FlaskForm):
    """FlaskForm whose built-in messages come from our catalogue (see engage.validators)."""

    class Meta:
        def get_translations(self, form: Any) -> WTFormsTranslations:
            return _TRANSLATIONS

    def validate(self, extra_validators: Any = None) -> bool:
        # Every date field (DateField and DateTimeLocalField derive from DateTimeField) keeps to the
        # years a date can name here, so no form has to remember to: year 1 or 9999 overflowed.
        extra = {name: list(found) for name, found in (extra_validators or {}).items()}
        for field in self:
            if isinstance(field, DateTimeField):
                extra.setdefault(field.name, []).append(within_years)
        return bool(super().validate(extra))

    def show_error(self, err: Refusal) -> None:
        """Show a service's refusal next to its field (``err.field``), in its area's words.

        On a bilingual pair the message goes on the Welsh input, which the error summary links to.
        """
        target = getattr(self, err.field, None) if err.field else None
        if target is not None and hasattr(target, "form"):
            target = target.form["cy"]
        message = err.message()
        if target is not None:
            target.errors = list(target.errors) + [message]
        else:
            self.form_errors.append(message)

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary, in the order fields appear on the page."""
        out: list[tuple[str, str]] = []
        for field in self:
            if field.name == "csrf_token":
                continue
            sub = getattr(field, "form", None)  # BilingualField and other FormFields
            if sub is not None and hasattr(sub, "_fields"):
                for inner in sub:
                    out.extend((inner.id, str(msg)) for msg in inner.errors)
            elif field.errors:
                out.extend((_target(field), str(msg)) for msg in field.errors)
        for msg in getattr(self, "form_errors", []):
            out.append(("", str(msg)))
        return out
