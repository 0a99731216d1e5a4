"""Refusals: one exception for every rule a service enforces, and one place that puts it into words.

A service raises its area's subclass, e.g. ``BallotRefusal("over_budget", total=…, budget=…)``:
``code`` names the rule, ``field`` the form field it belongs to (if any), ``details`` the numbers
behind it. The service never writes words; each area registers the words for its codes (lazy
strings, so they come out in the language of the page that shows them) from its ``labels.py``,
in its ``connect()``. A test finds every code any service raises and checks it has words in
Welsh and in English, so a refusal can never reach a person as a bare code.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

_WORDS: dict[str, dict[str, Any]] = {}


class Refusal(ValueError):
    """A request the rules refuse; routes turn it into words with :meth:`message`."""

    #: Whose words explain the codes (the area's name).
    area: ClassVar[str] = ""

    def __init__(self, code: str, field: str | None = None, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.details = details

    def message(self) -> str:
        """The refusal in the current page's language."""
        return str(words(self.area, self.code))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, field={self.field!r}, **{self.details!r})"


def register(area: str, words_by_code: Mapping[str, Any]) -> None:
    """Give an area's refusal codes their words (called from each area's ``connect()``)."""
    _WORDS.setdefault(area, {}).update(words_by_code)


def words(area: str, code: str) -> Any:
    """The (lazy) words for a code; KeyError for a code nobody gave words to."""
    return _WORDS[area][code]


def registered() -> dict[str, dict[str, Any]]:
    """Every area's codes and words (for the test that nothing is missing)."""
    return {area: dict(found) for area, found in _WORDS.items()}
