"""Every refusal any service can raise has words, in Welsh and in English (engage/refusals.py)."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

from babel.messages.pofile import read_po

from engage import refusals
from engage.refusals import Refusal

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "engage"


def _raised_codes() -> dict[str, set[str]]:
    """{Refusal subclass name: codes}, read from every ``Subclass("code", ...)`` call in engage/."""
    subclasses: dict[str, str] = {}
    calls: list[tuple[str, ast.AST]] = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(getattr(b, "id", getattr(b, "attr", None)) == "Refusal"
                                                      for b in node.bases):
                subclasses[node.name] = module
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name:
                    calls.append((name, node.args[0]))
    found: dict[str, set[str]] = {name: set() for name in subclasses}
    for name, arg in calls:
        if name not in subclasses:
            continue
        options = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
        for option in options:
            assert isinstance(option, ast.Constant) and isinstance(option.value, str), (
                f"{name}(...) must name its code as a string literal, so it can be checked here")
            found[name].add(option.value)
    return {f"{subclasses[name]}.{name}": codes for name, codes in found.items()}


def test_every_area_raises_one_kind_of_refusal():
    raised = _raised_codes()
    areas = {}
    for qualified in raised:
        module, _, name = qualified.rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        assert issubclass(cls, Refusal) and cls.area, qualified
        areas.setdefault(cls.area, []).append(qualified)
    assert {a for a, names in areas.items() if len(names) > 1} == set(), areas
    assert set(areas) == {"accounts", "events", "feedback", "ballots", "checkin", "images"}


def test_every_code_a_service_can_raise_has_words_in_welsh_and_english(app):
    with (ROOT / "translations/cy/LC_MESSAGES/messages.po").open("rb") as po:
        catalogue = {m.id: m.string for m in read_po(po) if m.id}
    words = refusals.registered()
    missing, untranslated = [], []
    for qualified, codes in _raised_codes().items():
        module, _, name = qualified.rpartition(".")
        area = getattr(importlib.import_module(module), name).area
        for code in sorted(codes):
            text = words.get(area, {}).get(code)
            if text is None:
                missing.append(f"{area}:{code}")
            elif not catalogue.get(text._args[0] if hasattr(text, "_args") else str(text)):
                untranslated.append(f"{area}:{code}")
    assert missing == [] and untranslated == []


def test_a_refusal_flashed_to_the_next_page_is_in_that_page_language(app):
    from flask import get_flashed_messages

    from engage.ballots.pots import BallotRefusal
    from engage.notices import flash_refusal, words_for

    with app.test_request_context("/cy/"):
        from flask import g
        g.lang = "cy"
        flash_refusal(BallotRefusal("same_person"))
        (key,) = get_flashed_messages()
        from flask_babel import force_locale
        with force_locale("cy"):
            assert words_for(key) == "Rhaid i aelod arall o staff wirio papur pleidleisio."
        with force_locale("en"):
            assert words_for(key) == "A different member of staff must check a paper ballot."


def test_every_notice_a_route_flashes_has_words():
    """A notice is flashed as a key and put into words on the next page; a key with no words would be
    a silent nothing (``flash(f"pb_{code}")`` once was). Every flashed literal, and every key an
    f-string can make, must be in ``notices.NOTICES``."""
    from engage.notices import NOTICES

    flashed: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "flash" and node.args):
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant):
                flashed.add(arg.value)
            elif isinstance(arg, ast.JoinedStr) and path.name == "manage.py":
                # f"pb_paper_{verdict}ed": verdict is one of the route's <any(confirm, reject)>.
                flashed.update({"pb_paper_confirmed", "pb_paper_rejected"})
    flashed.update(f"pb_{step}" for step in ("open", "close", "publish"))  # _back(pot, f"pb_{step}")
    assert flashed - set(NOTICES) == set()
