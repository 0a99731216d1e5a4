"""Sorting by the Welsh alphabet (no Flask imports).

The Welsh alphabet is a b c ch d dd e f ff g ng h i j l ll m n o p ph r rh s t th u w y, so
"Llandudno" comes after "Lôn" and "Rhyl" after "Rygbi"; Python's ``sorted()`` gets both wrong.
Letters Welsh lacks (k q v x z) are placed where English puts them.

Digraphs are matched greedily: every "ng" and "rh" counts as one letter. A few words join n+g or
r+h across syllables (Bangor is ban-gor, Angharad is an-ghar-ad); dictionaries list those by hand.
We do not guess: "Angharad" sorts as a-ng-h-a-r-a-d, so before "Anafon" where a dictionary would
put it after. For place and project names the difference is rare and harmless.
Accents (â ê î ô û ŵ ŷ, ä, é …) do not change a letter's place; they only break ties.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

ALPHABET = (
    "a b c ch d dd e f ff g ng h i j k l ll m n o p ph q r rh s t th u v w x y z"
).split()
_RANK = {letter: i for i, letter in enumerate(ALPHABET)}
_DIGRAPHS = {letter for letter in ALPHABET if len(letter) == 2}
_LETTERS_BASE = 100  # digits and punctuation sort before letters; letters start here


def _strip_accents(text: str) -> tuple[str, str]:
    """Return (base letters, accent marks) for ``text`` lower-cased."""
    base, marks = [], []
    for ch in unicodedata.normalize("NFD", text.lower()):
        if unicodedata.combining(ch):
            if marks:
                marks[-1] += ch
        else:
            base.append(ch)
            marks.append("")
    return "".join(base), "".join(m or "-" for m in marks)


def welsh_key(text: str) -> tuple[tuple[int, ...], str, str]:
    """Sort key placing ``text`` by the Welsh alphabet; accents and case only break ties."""
    base, marks = _strip_accents(text)
    ranks: list[int] = []
    i = 0
    while i < len(base):
        pair = base[i : i + 2]
        if pair in _DIGRAPHS:
            ranks.append(_LETTERS_BASE + _RANK[pair])
            i += 2
            continue
        ch = base[i]
        if ch in _RANK:
            ranks.append(_LETTERS_BASE + _RANK[ch])
        elif ch.isdigit():
            ranks.append(10 + int(ch))
        elif ch.isspace() or ch in "-'’":
            ranks.append(0)  # word breaks sort first: "Llan Ffestiniog" before "Llanaber"
        else:
            ranks.append(_LETTERS_BASE + len(ALPHABET) + ord(ch))
        i += 1
    return tuple(ranks), marks, text


def sort_welsh(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:  # type: ignore[assignment]
    """Return ``items`` sorted by the Welsh alphabet using ``key`` to get each item's text."""
    return sorted(items, key=lambda item: welsh_key(key(item)))


def sort_for_language(items: Iterable[T], key: Callable[[T], str], lang: str) -> list[T]:
    """Sort by the alphabet of ``lang``: Welsh rules for "cy", case-insensitive otherwise."""
    if lang == "cy":
        return sort_welsh(items, key)
    return sorted(items, key=lambda item: (key(item).casefold(), key(item)))
