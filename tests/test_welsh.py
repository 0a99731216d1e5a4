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


def test_llan_and_other_stems_split_n_and_g_real_place_names():
    """Issue #19: the area filter listed Gwynedd, Llangefni, Llanberis, Llandudno … In Llan+gefni the n
    and g are two letters, so Llangefni comes after Llandygai (and Llanfairfechan)."""
    places = ["Llanrwst", "Llangefni", "Llandygai", "Llangollen", "Gwynedd", "Llanberis", "Llandudno",
              "Llanfairfechan", "Llan Ffestiniog"]
    assert sort_welsh(places) == ["Gwynedd", "Llan Ffestiniog", "Llanberis", "Llandudno", "Llandygai",
                                  "Llanfairfechan", "Llangefni", "Llangollen", "Llanrwst"]
    assert sort_welsh(["Bangor", "Bancyfelin"]) == ["Bancyfelin", "Bangor"]
    assert sort_welsh(["Bryngwran", "Brynaman", "Bryncrug"]) == ["Brynaman", "Bryncrug", "Bryngwran"]
    assert sort_welsh(["Pengam", "Penarth", "Pencader"]) == ["Penarth", "Pencader", "Pengam"]
    assert sort_welsh(["Angharad", "Anafon", "Aled"]) == ["Aled", "Anafon", "Angharad"]


def test_r_and_h_split_after_the_documented_stems_only():
    assert sort_welsh(["arholiad", "arafu", "arian"]) == ["arafu", "arholiad", "arian"]
    # Every other rh is one letter, after r: Rhyl after Rygbi, Penrhyn after Penrallt.
    assert sort_welsh(["Rhyl", "Rygbi"]) == ["Rygbi", "Rhyl"]
    assert sort_welsh(["Penrhyn", "Penrallt"]) == ["Penrallt", "Penrhyn"]
    # And other ng stay one letter: "Yng Nghymru" reads y-ng.
    assert sort_welsh(["Ynys Môn", "Yng Nghymru"]) == ["Yng Nghymru", "Ynys Môn"]


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
