"""Sorting by the Welsh alphabet (no Flask imports).

The Welsh alphabet is a b c ch d dd e f ff g ng h i j l ll m n o p ph r rh s t th u w y, so
"Llandudno" comes after "Lôn" and "Rhyl" after "Rygbi"; Python's ``sorted()`` gets both wrong.
Letters Welsh lacks (k q v x z) are placed where English puts them.

Digraphs are matched greedily, except where a word joins n+g or r+h across its parts: in
Llan|gefni, Ban|gor, Pen|gwern or Bryn|gwran the n and the g are two letters, as are the r and the h
in ar|holiad or gor|hendaid. Dictionaries list these by hand; here they come from a short, documented
list of stems (``NG_STEMS``, ``RH_STEMS``) and whole words (``SPLIT_WORDS``), at the start of a word
(so "Llangefni" sorts after "Llandygai", as the letters l-l-a-n-g say, and "Bancyfelin" before
"Bangor"). Every other ng and rh is one letter: "Yng Nghymru", "Rhyl", "Penrhyn".
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
#: Word beginnings after which n+g are two letters (the stem ends in n, the next part starts with g):
#: llan- (church: Llangefni, Llangollen, Llangrannog), ban- (Bangor), pen- (Pengam, Pengwern),
#: bryn- (Bryngwran, Bryngwyn), glyn- (Glyngarth), ton- (Tongwynlais).
NG_STEMS = ("llan", "ban", "pen", "bryn", "glyn", "ton")
#: Word beginnings after which r+h are two letters: ar- (arholiad, arhosfa), gor- (gorhendaid),
#: cyr- (cyrhaeddodd).
RH_STEMS = ("ar", "gor", "cyr")
#: Whole words with n+g or r+h split, and where: "angharad" is an|gharad.
SPLIT_WORDS = {"angharad": 1}


def _split_digraphs(base: str) -> set[int]:
    """Positions i where base[i:i+2] looks like ng or rh but is two letters (see NG_STEMS)."""
    splits: set[int] = set()
    start = 0
    for i in range(len(base) + 1):
        if i < len(base) and base[i].isalpha():
            continue
        word = base[start:i]
        if word in SPLIT_WORDS:
            splits.add(start + SPLIT_WORDS[word])
        for stems, second in ((NG_STEMS, "g"), (RH_STEMS, "h")):
            for stem in stems:
                if word.startswith(stem + second) and len(word) > len(stem) + 1:
                    splits.add(start + len(stem) - 1)
        start = i + 1
    return splits


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
    splits = _split_digraphs(base)
    ranks: list[int] = []
    i = 0
    while i < len(base):
        pair = base[i : i + 2]
        if pair in _DIGRAPHS and i not in splits:
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
