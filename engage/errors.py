"""Errors are handled here, in the caller's format: bilingual HTML pages, or JSON with a code."""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from .extensions import db
from .i18n import BABEL_LOCALES, LANGUAGES, current_lang, remembered_lang
from .links import public_adapter

log = logging.getLogger(__name__)

#: Title and explanation for each status we render ourselves.
MESSAGES = {
    400: (_l("There is a problem with your request"), _l("Go back, check what you entered and try again.")),
    403: (_l("You do not have permission to see this page"), _l("If you think you should have access, ask an administrator in your organisation.")),
    404: (_l("Page not found"), _l("If you typed the web address, check it is correct. If you pasted it, check you copied the whole address.")),
    405: (_l("This page cannot be used that way"), _l("Go back and use the buttons and links on the page.")),
    413: (_l("What you sent is too large"), _l("A form can hold up to 2 MB and a photo up to 10 MB. Go back, choose a smaller file or shorten what you wrote, and try again.")),
    429: (_l("Too many attempts"), _l("Wait a minute, then try again.")),
    500: (_l("Sorry, there is a problem with the service"), _l("Try again later. Nothing you entered has been saved.")),
    503: (_l("Sorry, the service is unavailable"), _l("Try again in a few minutes. Nothing you entered has been saved.")),
}
CSRF_MESSAGE = (
    _l("Your form has expired"),
    _l("For your security, forms stop working after a while or when cookies are blocked. Go back, reload the page and try again."),
)
HOME_LINK = _l("Go to the home page")
#: The API's code for a refused CSRF token: the session it belonged to has gone (signed out, expired).
CSRF_CODE = "form_expired"
CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         413: "too_large",
         429: "too_many_requests", 500: "server_error", 503: "unavailable"}


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(status: int, texts: tuple | None = None, code: str | None = None):  # type: ignore[no-untyped-def]
    title, body = texts or MESSAGES.get(status, MESSAGES[500])
    if wants_json():
        response = jsonify(error={"status": status, "code": code or CODES.get(status, "error"), "message": str(title)})
        return response, status
    lang = current_lang() or remembered_lang()
    if lang:
        # No route matched (404, 405), so the URL preprocessor never set the page language.
        g.lang = lang
        return render_template("errors/error.html", status=status, title=title, body=body), status
    # A language-neutral URL and no remembered choice: say it in both languages, Welsh first.
    versions = []
    for code in LANGUAGES:
        with force_locale(BABEL_LOCALES[code]):
            versions.append({"lang": code, "title": str(title), "body": str(body),
                             "home": str(HOME_LINK)})
    return render_template("errors/error_bilingual.html", status=status, versions=versions), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):  # type: ignore[no-untyped-def]
        return render_error(400, CSRF_MESSAGE, code=CSRF_CODE)

    @app.errorhandler(SecurityError)
    def _untrusted_host(error: SecurityError):  # type: ignore[no-untyped-def]
        # A Host not in TRUSTED_HOSTS: Flask refused it before routing, so the request has no URL
        # adapter and the page's own (relative) links could not be built. Build them for the public
        # address; the page is the usual 400, in the URL's language.
        request_ctx.url_adapter = public_adapter()
        return _http(error)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        if error.response is not None:  # a page with its own words, e.g. the paused sign-in form
            return error.response
        status = error.code or 500
        if status not in MESSAGES:
            return error
        response, status = render_error(status)
        response = app.make_response((response, status))
        if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        if status == 429:
            response.headers.setdefault("Retry-After", "60")
        return response

    @app.errorhandler(OperationalError)
    def _database_down(error: OperationalError):  # type: ignore[no-untyped-def]
        # Lost connection, locked or read-only database, full disk: nothing was written (the
        # transaction rolled back); say so clearly instead of a bare 500.
        log.error("database unavailable: %s", error)
        db.session.rollback()
        response = app.make_response(render_error(503))
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(500)
    def _server_error(error):  # type: ignore[no-untyped-def]
        # What failed may have left the transaction aborted (PostgreSQL then refuses every statement,
        # including loading the signed-in user for the page): the error page starts afresh.
        db.session.rollback()
        return render_error(500)
