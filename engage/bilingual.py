"""Text that staff write in both languages: column pairs, a form field pair, a template helper.

A model declares ``title_cy, title_en = bilingual_columns(200)`` and mixes in :class:`Bilingual`.
Forms use :class:`BilingualField`, which renders a Welsh and an English input side by side and
knows how to require both (publishing needs both languages; a draft may have one).
Templates show ``{{ tr(obj, "title") }}``: the page's language, or, on a staff page showing a draft
that lacks it, the other language marked with its own ``lang`` attribute.
"""
from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import String, Text
from sqlalchemy.orm import MappedColumn, mapped_column
from wtforms import Form, FormField, StringField, TextAreaField

from .i18n import other_lang
from .validators import MaxLength, Optional

LANGS = ("cy", "en")


def page_language() -> str:
    """"cy" or "en" for the current page (the Babel locale may be "en_GB")."""
    locale = get_locale()
    return locale.language if locale is not None else "cy"


def bilingual_columns(length: int | None = None) -> tuple[MappedColumn[Any], MappedColumn[Any]]:
    """Two nullable columns (Welsh, English); ``length=None`` makes them TEXT."""
    def col() -> MappedColumn[Any]:
        return mapped_column(String(length) if length else Text, nullable=True)
    return col(), col()


class Bilingual:
    """Mixin for models with ``<name>_cy`` / ``<name>_en`` column pairs."""

    #: Fields that must exist in both languages before the object can be published.
    bilingual_fields: tuple[str, ...] = ()

    def text(self, name: str, lang: str | None = None) -> str:
        """The value in ``lang`` (default: the page's language), or '' when it is missing."""
        lang = lang or page_language()
        return getattr(self, f"{name}_{lang}") or ""

    def set_text(self, name: str, values: dict[str, str | None]) -> None:
        for lang in LANGS:
            value = (values.get(lang) or "").strip()
            setattr(self, f"{name}_{lang}", value or None)

    def texts(self, name: str) -> dict[str, str]:
        return {lang: getattr(self, f"{name}_{lang}") or "" for lang in LANGS}

    def missing_translations(self, names: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
        """(field, language) pairs that are empty; publishing is allowed only when this is empty."""
        names = self.bilingual_fields if names is None else names
        return [(n, lang) for n in names for lang in LANGS if not (getattr(self, f"{n}_{lang}") or "").strip()]


def _pick(obj: Bilingual | None, name: str) -> tuple[str, str | None]:
    """(value, None) in the page's language, else (value, its language) from the other one."""
    if obj is None:
        return "", None
    lang = page_language()
    value = getattr(obj, f"{name}_{lang}")
    if value:
        return value, None
    other = other_lang(lang)
    return getattr(obj, f"{name}_{other}") or "", other


def tr(obj: Bilingual | None, name: str) -> Markup:
    """Template helper: the field in the page's language, else the other one marked with ``lang``."""
    value, fallback = _pick(obj, name)
    if fallback is None or not value:
        return escape(value)
    return Markup('<span lang="{0}">{1}</span>').format(fallback, value)


def tr_text(obj: Bilingual | None, name: str) -> str:
    """Like ``tr`` but plain text, for places that cannot hold markup and escape it themselves:
    ``<option>`` and label texts, page titles. (``str(tr(...))`` there showed ``&amp;`` and tags.)"""
    return _pick(obj, name)[0]


def _pair_form(field_cls: type, max_length: int) -> type[Form]:
    class _Pair(Form):
        cy = field_cls(_l("Welsh"), validators=[Optional(), MaxLength(max_length)])
        en = field_cls(_l("English"), validators=[Optional(), MaxLength(max_length)])
    return _Pair


class BilingualField(FormField):
    """A Welsh input and an English input under one label; ``.data`` is ``{"cy": .., "en": ..}``."""

    def __init__(self, label: Any = None, validators: Any = None, *, multiline: bool = False,
                 max_length: int = 200, **kwargs: Any) -> None:
        field_cls = TextAreaField if multiline else StringField
        super().__init__(_pair_form(field_cls, max_length), label, validators, separator="-", **kwargs)
        self.multiline = multiline

    def require(self, langs: tuple[str, ...] = LANGS) -> bool:
        """Add an error to each empty language in ``langs``; True when none was empty."""
        ok = True
        for lang in langs:
            sub = self.form[lang]
            if not (sub.data or "").strip():
                # Named, so a summary of several empty boxes says which is which.
                sub.errors = list(sub.errors) + [
                    _l("Enter the Welsh text for “%(label)s”", label=self.label.text) if lang == "cy"
                    else _l("Enter the English text for “%(label)s”", label=self.label.text)
                ]
                ok = False
        return ok

    def require_one(self) -> bool:
        """At least one language must be filled in (drafts)."""
        if any((self.form[lang].data or "").strip() for lang in LANGS):
            return True
        self.form["cy"].errors = list(self.form["cy"].errors) + [_l("Enter the text in Welsh, English or both")]
        return False
