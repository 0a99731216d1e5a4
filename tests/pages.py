"""The app's pages, read from its URL map, so a new route is tested without anyone listing it."""
from __future__ import annotations

from flask import Flask

#: Sample values for URL arguments, by name.
SAMPLES = {"org": "gwynedd", "month": "2026-10"}


#: Files rather than pages (feeds, downloads): not HTML, so not checked for text or by axe.
FILE_SUFFIXES = (".ics", ".csv", ".xml", ".json", ".pb", ".svg", ".png", ".pdf")


#: Steps in the middle of a journey, not pages of their own: the code after a password (without a
#: password just given, it sends the person back to sign in).
JOURNEY_STEPS = {"twostep.code"}


def page_paths(app: Flask, lang: str, *, staff: bool | None = None, html_only: bool = True) -> list[str]:
    """Every GET page under /<lang>/ whose arguments we can fill; ``staff`` filters /manage/."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "lang" not in rule.arguments or "GET" not in (rule.methods or ()) or rule.endpoint in JOURNEY_STEPS:
            continue
        args = {name: SAMPLES.get(name) for name in rule.arguments if name != "lang"}
        if any(value is None for value in args.values()):
            continue
        if html_only and rule.rule.endswith(FILE_SUFFIXES):
            continue
        is_staff = "/manage/" in rule.rule
        if staff is not None and is_staff != staff:
            continue
        with app.test_request_context():
            from flask import url_for
            paths.append(url_for(rule.endpoint, lang=lang, **args))
    return sorted(set(paths))
