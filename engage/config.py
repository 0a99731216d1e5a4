"""Configuration layers: defaults here, then the instance folder, then the environment.

Order of precedence (later wins): ``Defaults`` → ``instance/engage.cfg`` → environment variables
(``DATABASE_URL`` and ``ENGAGE_*``) → the mapping passed to ``create_app`` (used by tests).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

SECRET_FILE = "secret_key"
#: Characters a secret key needs at least (itsdangerous signs sessions and CSRF tokens with it).
MIN_SECRET_KEY = 32
DEVELOPMENT_URL = "http://127.0.0.1:5000"
LOCAL_HOSTS = ("localhost", "127.0.0.1")


class Defaults:
    """Settings for the embedded single-machine default (SQLite in the instance folder)."""

    #: "development" or "production"; production refuses to start without a SECRET_KEY.
    ENV = "development"
    SECRET_KEY: str | None = None
    #: Filled in by :func:`load` when empty: ``sqlite:///<instance>/engage.sqlite3``.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    #: Milliseconds SQLite waits for a lock before giving up (≥ 5 s, see engage/db.py).
    SQLITE_BUSY_TIMEOUT_MS = 10_000
    #: FULL: a commit is on disk before it is acknowledged (a power cut loses no ballot with a receipt).
    SQLITE_SYNCHRONOUS = "FULL"

    BABEL_DEFAULT_LOCALE = "cy"
    BABEL_DEFAULT_TIMEZONE = "Europe/London"
    LANGUAGES = ("cy", "en")
    LANG_COOKIE = "engage_lang"

    SESSION_COOKIE_NAME = "engage_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12

    WTF_CSRF_TIME_LIMIT = None  # a ballot or a long event log may take an evening to fill in
    WTF_CSRF_SSL_STRICT = True
    WTF_I18N_ENABLED = False  # we give every validator our own (translated) message

    #: Flask-Limiter: "memory://" suits one process; several workers need a shared store
    #: such as "redis://localhost:6379" (see README, "Running on more than one worker").
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False  # our 429 page sets Retry-After itself
    #: Failed sign-ins from one address (an office shares one: not so low that typos stop it).
    LOGIN_RATE_LIMIT = "30 per minute"
    #: Failed sign-ins with one email address, from anywhere, before its password sign-in pauses.
    ACCOUNT_LOGIN_RATE_LIMIT = "10 per 15 minutes"

    #: Trust X-Forwarded-* from this many proxies (0: serve directly).
    PROXY_COUNT = 0
    #: Run APScheduler jobs inside the web process (single-process default only).
    SCHEDULER_IN_PROCESS = False
    #: A claimed job tick whose runner has not finished after this long is taken over.
    SCHEDULER_LEASE_SECONDS = 600
    #: Seconds a job waits after claiming its tick before working (fault tests only).
    JOB_START_DELAY = 0
    FEEDBACK_EMAIL = ""
    #: Days after an event ends before attendees' names and contact details are deleted.
    CHECKIN_RETENTION_DAYS = 90

    #: "outbox" keeps mail in the database for admins to read (development, tests); "smtp" sends it.
    MAIL_BACKEND = "outbox"
    MAIL_FROM = "Engage <no-reply@engage.invalid>"
    SMTP_HOST = "localhost"
    SMTP_PORT = 587
    SMTP_USERNAME = ""
    SMTP_PASSWORD = ""
    SMTP_STARTTLS = True
    #: The site's address as people reach it, e.g. "https://engage.example.gov.wales". Every link that
    #: leaves the site (email, posters, voter-code cards, feeds) starts with it, never with the
    #: request's Host header, which anyone can set. Required in production; development uses
    #: DEVELOPMENT_URL.
    PUBLIC_URL = ""
    #: Host names the app answers to; a request for any other Host is a 400. Empty: PUBLIC_URL's host,
    #: plus localhost and 127.0.0.1 in development and tests. ENGAGE_TRUSTED_HOSTS="a.example,b.example".
    TRUSTED_HOSTS: list[str] | str | None = None
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024


def load(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Apply the configuration layers to ``app.config`` in order."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("engage.cfg", silent=True)
    _from_environment(app)
    if overrides:
        app.config.update(overrides)
    _private_instance(Path(app.instance_path))
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        db_path = Path(app.instance_path) / "engage.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    # A database error's message (logged by the 503 handler) never carries the statement's values:
    # a ballot's code hash and its choices would otherwise reach the log side by side.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"hide_parameters": True, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A pooled connection may have died (database restarted, failover): test it before use, so a
        # restart costs no failed requests once the database is back.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if app.config["ENV"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    _ensure_secret_key(app)
    _public_address(app)


def _private_instance(path: Path) -> None:
    """The instance folder (database, secret key, kept reports) is its owner's alone (0700)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        path.chmod(0o700)
    except PermissionError:
        pass  # not ours (a shared read-only mount): leave it as its owner set it


def _from_environment(app: Flask) -> None:
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    # ENGAGE_SECRET_KEY → SECRET_KEY, ENGAGE_PROXY_COUNT=1 → 1 (values parsed as JSON when they can be).
    app.config.from_prefixed_env("ENGAGE")
    if os.environ.get("ENGAGE_SECRET_KEY"):
        # A secret is text, never JSON: an all-digit key parsed into a number made every page a 500.
        app.config["SECRET_KEY"] = os.environ["ENGAGE_SECRET_KEY"]


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgres://`` / ``postgresql://`` URLs (what hosts hand out)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _ensure_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY")
    if key is None or key == "":
        if app.config["ENV"] == "production":
            raise RuntimeError(
                "ENGAGE_SECRET_KEY is not set. In production the secret key must come from the "
                "environment or instance/engage.cfg; Engage will not invent one."
            )
        key = _development_key(app)
    if not isinstance(key, str) or len(key) < MIN_SECRET_KEY:
        raise RuntimeError(
            f"The secret key (ENGAGE_SECRET_KEY, or SECRET_KEY in instance/engage.cfg) must be a string "
            f"of at least {MIN_SECRET_KEY} characters; make one with "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    app.config["SECRET_KEY"] = key


def _development_key(app: Flask) -> str:
    """Make a key on first run and keep it in the instance folder, so sessions survive restarts."""
    path = Path(app.instance_path) / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made earlier, or by another worker starting at the same moment
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))  # 64 characters
    return path.read_text().strip()


def _public_address(app: Flask) -> None:
    """Check PUBLIC_URL and derive TRUSTED_HOSTS (Flask answers any other Host with a 400)."""
    production = app.config["ENV"] == "production"
    url = str(app.config.get("PUBLIC_URL") or "").strip()
    if not url:
        if production:
            raise RuntimeError(
                "ENGAGE_PUBLIC_URL is not set. In production every emailed or printed link is built "
                "from it (e.g. https://engage.example.gov.wales), never from the request's Host header."
            )
        url = DEVELOPMENT_URL
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise RuntimeError(f"ENGAGE_PUBLIC_URL must be an http(s) address such as "
                           f"https://engage.example.gov.wales, not {url!r}")
    app.config["PUBLIC_URL"] = url.rstrip("/")
    hosts = app.config.get("TRUSTED_HOSTS") or []
    if isinstance(hosts, str):
        hosts = hosts.split(",")
    hosts = [str(h).strip().lower() for h in hosts if str(h).strip()]
    if not hosts:
        hosts = [parts.hostname]
        if not production:
            hosts += [h for h in LOCAL_HOSTS if h not in hosts]
    app.config["TRUSTED_HOSTS"] = hosts
