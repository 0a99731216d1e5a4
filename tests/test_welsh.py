"""The Welsh alphabetical sort key (pure Python, no app needed)."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engage.welsh import sort_for_language, sort_welsh, welsh_key


def test_digraphs_are_single_letters():
    assert sort_welsh(["Llandudno", "Lôn"]) == ["Lôn", "Llandudno"]
    assert sort_welsh(["Rhyl", "Rygbi"]) == ["Rygbi", "Rhyl"]
    assert sort_welsh(["Dyfed", "Ddôl", "Dinbych"]) == ["Dinbych", "Dyfed", "Ddôl"]
    assert sort_welsh(["Ffos", "Fyny"]) == ["Fyny", "Ffos"]
    assert sort_welsh(["Chwilog", "Cymer"]) == ["Cymer", "Chwilog"]
    assert sort_welsh(["Thomas", "Tywyn"]) == ["Tywyn", "Thomas"]
    assert sort_welsh(["Pwllheli", "Phillips"]) == ["Pwllheli", "Phillips"]


def test_ng_comes_after_g_and_before_h():
    assert sort_welsh(["Hendy", "Ngwlad", "Gwynedd"]) == ["Gwynedd", "Ngwlad", "Hendy"]


def test_greedy_ng_is_documented_behaviour():
    # "Angharad" is really a-n-gh…, but the key does not guess: it reads "ng" (see engage/welsh.py).
    assert sort_welsh(["Anafon", "Angharad"]) == ["Angharad", "Anafon"]


def test_accents_and_case_only_break_ties():
    # w comes before y, so "tŵr" leads; "Ty", "ty" and "tŷ" share their letters and are then
    # ordered unaccented first, capital first.
    assert sort_welsh(["tŷ", "Ty", "ty", "tŵr"]) == ["tŵr", "Ty", "ty", "tŷ"]
    assert welsh_key("Môn")[0] == welsh_key("mon")[0]


def test_whole_alphabet_order():
    letters = "a b c ch d dd e f ff g ng h i j l ll m n o p ph r rh s t th u w y".split()
    import random
    shuffled = letters[:]
    random.Random(4).shuffle(shuffled)
    assert sort_welsh(shuffled) == letters


def test_sort_for_language_uses_english_rules_for_english():
    names = ["Rhyl", "Rygbi", "llandudno", "Lôn"]
    assert sort_for_language(names, str, "en") == ["llandudno", "Lôn", "Rhyl", "Rygbi"]
    assert sort_for_language(names, str, "cy") == ["Lôn", "llandudno", "Rygbi", "Rhyl"]


@given(st.lists(st.text(alphabet="abcdefghilmnoprstuwyâêîôûŵŷ -'", max_size=12), max_size=20))
def test_sorting_is_stable_and_total(words):
    once = sort_welsh(words)
    assert sort_welsh(once) == once
    assert sorted(once) == sorted(words)
