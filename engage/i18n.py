"""Language in the URL: every page lives under /cy/... and /en/..., and the choice is remembered.

Routes declare ``/<lang:lang>/...`` (blueprints get it from their ``url_prefix``). The ``lang``
value is taken out of the view arguments before the view runs and put back into every ``url_for``
call automatically, so views and templates never pass it by hand. Language-neutral links (``/`` and
the short links printed in QR codes) go to the remembered language, or show a bilingual choice page:
never a silent default.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Flask, current_app, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask.typing import ResponseReturnValue
from werkzeug.routing import BaseConverter

LANGUAGES = ("cy", "en")
#: Each language's own name, for the switch (never a flag).
LANGUAGE_NAMES = {"cy": "Cymraeg", "en": "English"}
#: Each language's name in the page's language, for text about a language ("Saesneg" on a Welsh page).
LANGUAGE_LABELS = {"cy": _l("Welsh"), "en": _l("English")}
COOKIE_MAX_AGE = 365 * 24 * 3600


class LangConverter(BaseConverter):
    regex = "cy|en"


def path_lang(path: str) -> str | None:
    """The language a path is in, from its first segment (works when no route matched, e.g. 404)."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in LANGUAGES else None


def current_lang() -> str | None:
    """The page's language, or None on a language-neutral URL."""
    if "lang" in g:
        return g.lang
    try:
        return path_lang(request.path)
    except RuntimeError:  # outside a request (CLI, scheduler)
        return None


def remembered_lang() -> str | None:
    value = request.cookies.get(current_app.config["LANG_COOKIE"])
    return value if value in LANGUAGES else None


#: Formatting locale for each language: British English dates ("2 October 2026"), not American.
BABEL_LOCALES = {"cy": "cy", "en": "en_GB"}


def select_locale() -> str:
    """Flask-Babel's locale selector: URL first, then the cookie, then the default."""
    lang = current_lang()
    if not lang:
        try:
            lang = remembered_lang()
        except RuntimeError:
            lang = None
    return BABEL_LOCALES[lang or current_app.config["BABEL_DEFAULT_LOCALE"]]


def other_lang(lang: str) -> str:
    return "en" if lang == "cy" else "cy"


def counterpart_url(target: str) -> str:
    """The same page in ``target`` language, keeping the query string."""
    path = request.path
    lang = path_lang(path)
    rest = path[len(lang) + 1 :] if lang else path
    url = f"{request.script_root}/{target}{rest or '/'}"
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return url


def choose_or_redirect(endpoint: str, **values: object) -> ResponseReturnValue:
    """Send a language-neutral link to the remembered language, else offer both languages."""
    lang = remembered_lang()
    if lang:
        return redirect(url_for(endpoint, lang=lang, **values))
    choices = {code: url_for(endpoint, lang=code, **values) for code in LANGUAGES}
    return render_template("choose_language.html", choices=choices)


def init_app(app: Flask) -> None:
    app.url_map.converters["lang"] = LangConverter

    @app.url_value_preprocessor
    def _pull_lang(endpoint: str | None, values: dict | None) -> None:
        if values and "lang" in values:
            g.lang = values.pop("lang")

    @app.url_defaults
    def _add_lang(endpoint: str, values: dict) -> None:
        if "lang" in values or "lang" not in g:
            return
        if app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = g.lang

    @app.after_request
    def _remember_lang(response):  # type: ignore[no-untyped-def]
        lang = g.get("lang")
        if lang and request.cookies.get(app.config["LANG_COOKIE"]) != lang:
            response.set_cookie(
                app.config["LANG_COOKIE"],
                lang,
                max_age=COOKIE_MAX_AGE,
                samesite="Lax",
                secure=app.config["SESSION_COOKIE_SECURE"],
                httponly=True,
            )
        response.vary.add("Cookie")  # once, even when the session was read too
        return response

    @app.context_processor
    def _lang_context() -> dict:
        lang = current_lang()
        return {
            "page_lang": lang,
            "other_lang": other_lang(lang) if lang else None,
            "language_names": LANGUAGE_NAMES,
            "language_labels": LANGUAGE_LABELS,
            "counterpart_url": counterpart_url,
        }


def compile_catalogues(translations: Path, force: bool = False) -> list[Path]:
    """Compile each ``messages.po`` whose ``.mo`` is missing or older; return what was written.

    Written to a temporary file and renamed, so workers starting together never read half a file.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name)
        fd, tmp = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        os.replace(tmp, mo_path)
        written.append(mo_path)
    return written
