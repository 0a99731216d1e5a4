"""The base form every Engage form derives from."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

from .validators import WTFormsTranslations

_TRANSLATIONS = WTFormsTranslations()


class Form(FlaskForm):
    """FlaskForm whose built-in messages come from our catalogue (see engage.validators)."""

    class Meta:
        def get_translations(self, form: Any) -> WTFormsTranslations:
            return _TRANSLATIONS

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
            else:
                out.extend((field.id, str(msg)) for msg in field.errors)
        for msg in getattr(self, "form_errors", []):
            out.append(("", str(msg)))
        return out
