"""The application factory. Steps run in a fixed order; each is a small ``configure_*`` function."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module
from . import db as db_module
from . import errors, i18n, notices, params, security
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .images.upload import UploadAwareRequest

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build an Engage app. ``config`` overrides every other layer (tests use it)."""
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("ENGAGE_INSTANCE_PATH")
    app = Flask(
        "engage",
        instance_path=str(Path(instance_path).resolve()) if instance_path else str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.request_class = UploadAwareRequest
    config_module.load(app, config)
    configure_logging(app)
    configure_extensions(app)
    configure_i18n(app)
    connect_areas(app)
    configure_blueprints(app)
    configure_cli(app)
    errors.init_app(app)
    security.init_app(app)
    notices.init_app(app)
    if app.config["SCHEDULER_IN_PROCESS"] and not app.testing:
        from . import scheduler

        app.extensions["engage_scheduler"] = scheduler.build(app)
        app.extensions["engage_scheduler"].start()
    if app.config["PROXY_COUNT"]:
        n = int(app.config["PROXY_COUNT"])
        # Never X-Forwarded-Host: links are built from PUBLIC_URL, and the Host checked against
        # TRUSTED_HOSTS must be the one the proxy was asked for, not one a client wrote.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=0)  # type: ignore[method-assign]
    return app


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure_extensions(app: Flask) -> None:
    # Order matters: models must be imported before the database is bound so Alembic sees them;
    # the limiter and login manager come after the database because their callbacks query it.
    from . import models  # noqa: F401  (registers every model on db.metadata)

    db.init_app(app)
    db_module.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)

    from .accounts.services import load_user

    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    # "strong": a session whose browser fingerprint changes is dropped, not just marked non-fresh.
    login_manager.session_protection = "strong"


def configure_i18n(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    # A stale or missing .mo would silently show English on Welsh pages; compiling takes
    # milliseconds and only happens when the .po is newer.
    i18n.compile_catalogues(TRANSLATIONS)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)

    from . import formatting
    from .bilingual import tr, tr_text
    from .links import public_origin

    app.jinja_env.globals.update(tr=tr, tr_text=tr_text, public_origin=public_origin)
    formatting.init_app(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.policies["ext.i18n.trimmed"] = True


def connect_areas(app: Flask) -> None:
    """Each area's hooks into the others and its refusals' words (see engage/hooks.py): explicit here,
    never a side effect of importing a module."""
    from . import accounts, ballots, checkin, events, feedback, images

    for area in (accounts, events, checkin, feedback, ballots, images):
        area.connect()


def configure_blueprints(app: Flask) -> None:
    from .accounts.people_pages import bp as people_bp
    from .accounts.routes import bp as accounts_bp
    from .accounts.twostep_pages import bp as twostep_bp
    from .accounts.routes import brand_bp
    from .audit.routes import bp as audit_bp
    from .ballots.manage import manage as pb_manage_bp
    from .ballots.routes import neutral as pb_links_bp
    from .ballots.routes import public as pb_bp
    from .checkin.api import api as checkin_api_bp
    from .checkin.door import door as door_bp
    from .checkin.links import links as checkin_links_bp
    from .checkin.manage import manage as checkin_manage_bp
    from .checkin.public import public as checkin_bp
    from .events.routes import manage as events_manage_bp
    from .events.routes import public as events_bp
    from .feedback.routes import api as feedback_api_bp
    from .feedback.routes import manage as feedback_manage_bp
    from .feedback.routes import public as feedback_bp
    from .help.routes import bp as help_bp
    from .images.routes import bp as images_bp
    from .mail import bp as outbox_bp
    from .public.routes import bp as public_bp
    from .public.routes import neutral

    params.init_app(app)  # the id converter every `<int:...>` below is built with
    for bp in (neutral, public_bp, accounts_bp, people_bp, twostep_bp, audit_bp, events_bp, events_manage_bp,
               checkin_links_bp, checkin_bp, door_bp, checkin_manage_bp, checkin_api_bp,
               feedback_bp, feedback_manage_bp, feedback_api_bp, outbox_bp, pb_links_bp, pb_bp, pb_manage_bp, images_bp,
               brand_bp, help_bp):
        app.register_blueprint(bp)


def configure_cli(app: Flask) -> None:
    from .commands import register

    register(app)
