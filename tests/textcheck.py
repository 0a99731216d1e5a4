"""Visible text of a page, for checking that a Welsh page shows no English interface text."""
from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIP = {"script", "style", "code", "noscript", "template"}
ATTRS = ("alt", "aria-label", "title", "placeholder", "data-label")
#: Text that is the same in both languages on purpose (names, brands, abbreviations).
SAME_IN_BOTH = {"Engage", "Beta", "Cymraeg", "English", "WCAG", "EHRC", "EASS", "JavaScript",
                # the Welsh word for a logo is "logo"
                "Logo"}


class _Text(HTMLParser):
    def __init__(self, page_lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None, bool]] = []
        self.page_lang = page_lang
        self.segments: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _, _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        other_lang = a.get("lang") not in (None, self.page_lang)
        skip = tag in SKIP or other_lang or "hidden" in a
        if tag not in VOID:
            self.stack.append((tag, a.get("lang"), skip))
        if skip or self._skipping():
            return
        for name in ATTRS:
            if a.get(name):
                self.segments.append(a[name] or "")
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.segments.append(a["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            top = self.stack.pop()[0]
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping() and data.strip():
            self.segments.append(" ".join(data.split()))


def visible_text(html: str, page_lang: str) -> list[str]:
    parser = _Text(page_lang)
    parser.feed(html)
    return parser.segments


def untranslated(cy_html: str, en_html: str, allow: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Segments of the Welsh page that also appear, word for word, on its English twin."""
    english = set(visible_text(en_html, "en"))
    found = []
    for seg in visible_text(cy_html, "cy"):
        if seg in SAME_IN_BOTH or seg in allow or seg not in english:
            continue
        if not re.search(r"[A-Za-z]{3,}", seg):  # numbers, dates in digits, punctuation
            continue
        if re.fullmatch(r"[\w.+-]+@[\w.-]+", seg):  # email addresses
            continue
        if re.fullmatch(r"Cost: £[\d,.]+", seg):  # "Cost" is the Welsh word too (the fluent review)
            continue
        found.append(seg)
    return found
