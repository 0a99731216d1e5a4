"""Test fixtures: a real database (SQLite by default, PostgreSQL with DATABASE_URL), the app built by
its factory for each test, an HTTP client that handles CSRF like a browser, and small factories.

Tests that need something outside Python (Chromium, a reachable PostgreSQL) call :func:`need`: it
skips with the reason, or fails when ``ENGAGE_REQUIRE_ALL=1`` (as CI sets), so nothing is skipped
silently there.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from engage import create_app
from engage.config import normalise_database_url

from factories import door, make_event, make_org, make_user, two_orgs  # noqa: F401  (fixtures, made in one place)
from helpers import REQUIRE_ALL, SECRET_KEY, Client, need  # noqa: E402


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests about one database's own behaviour are left out (not skipped) of the other's run.
    dialect = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    other = "postgres_only" if dialect == "sqlite" else "sqlite_only"
    kept = [item for item in items if other not in item.keywords]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if other in item.keywords])
        items[:] = kept


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Any skip at all (a plugin's, a marker's) fails the run when everything is required.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if REQUIRE_ALL and reporter and reporter.stats.get("skipped"):
        reporter.write_line(f"ENGAGE_REQUIRE_ALL=1: {len(reporter.stats['skipped'])} test(s) skipped", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- database -------------------------------------------------------------------------------


class Database:
    """Where each test's app keeps its data. Migrations (not create_all) build the schema once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pg_url = os.environ.get("DATABASE_URL")
        self.dialect = "postgresql" if self.pg_url else "sqlite"
        self.template = root / "template.sqlite3"

    def prepare(self) -> None:
        if self.pg_url:
            engine = create_engine(normalise_database_url(self.pg_url))
            try:
                with engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
            except Exception as exc:  # noqa: BLE001
                engine.dispose()
                need(False, f"PostgreSQL at DATABASE_URL is not reachable: {exc}")
            engine.dispose()
            url = self.pg_url
        else:
            url = f"sqlite:///{self.template}"
        app = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": url,
                          "INSTANCE_PATH": str(self.root / "migrate-instance")})
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()
            from engage.extensions import db
            for engine in db.engines.values():
                engine.dispose()

    def url_for_test(self, tmp_path: Path) -> str:
        if self.pg_url:
            return self.pg_url
        path = tmp_path / "engage.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def reset(self, app: Flask) -> None:
        from engage.extensions import db

        with app.app_context():
            db.session.remove()
            if self.pg_url:
                tables = ", ".join(t.name for t in db.metadata.sorted_tables)
                with db.engine.begin() as conn:
                    conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Database:
    database = Database(tmp_path_factory.mktemp("db"))
    database.prepare()
    return database


def make_app(database: Database, tmp_path: Path, **overrides: Any) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": database.url_for_test(tmp_path),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "PUBLIC_URL": "http://localhost",  # the test client's own address, so its links can be followed
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app_factory(database: Database, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Make further apps on this test's database with other settings (e.g. a read-only URL)."""
    return lambda **overrides: make_app(database, tmp_path, **overrides)


@pytest.fixture
def app(database: Database, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(database, tmp_path)
    yield app
    database.reset(app)


# --- HTTP ---------------------------------------------------------------------------------------


@pytest.fixture
def client(app: Flask) -> Client:
    app.test_client_class = Client
    return app.test_client()  # type: ignore[return-value]
