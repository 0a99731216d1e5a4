"""The factory, configuration layers, database set-up, headers and error pages."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, inspect, select, text

from engage import create_app
from engage.db import write_transaction
from engage.extensions import db


def test_config_layers_defaults_then_instance_then_environment(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "engage.cfg").write_text('FEEDBACK_EMAIL = "from-instance@example.org"\nPROXY_COUNT = 2\n')
    monkeypatch.setenv("ENGAGE_PROXY_COUNT", "1")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["LANG_COOKIE"] == "engage_lang"  # default
    assert app.config["FEEDBACK_EMAIL"] == "from-instance@example.org"  # instance file
    assert app.config["PROXY_COUNT"] == 1  # environment beats the instance file
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance}/engage.sqlite3"


def test_database_url_from_environment_uses_psycopg(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@127.0.0.1:5/x")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@127.0.0.1:5/x"


def test_development_secret_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("ENGAGE_SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_without_secret_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.delenv("ENGAGE_SECRET_KEY", raising=False)
    monkeypatch.setenv("ENGAGE_ENV", "production")
    with pytest.raises(RuntimeError, match="ENGAGE_SECRET_KEY is not set"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("ENGAGE_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("ENGAGE_PUBLIC_URL", "https://engage.example.gov.wales")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not (tmp_path / "secret_key").exists()


def test_an_all_digit_secret_key_from_the_environment_is_text(tmp_path, monkeypatch):
    # ENGAGE_* values are read as JSON: this one became an int and every page was a 500.
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ENGAGE_SECRET_KEY", "1234567890" * 4)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True})
    assert app.config["SECRET_KEY"] == "1234567890" * 4
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
    response = app.test_client().get("/en/sign-in")
    assert response.status_code == 200 and 'name="csrf_token"' in response.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("env", ["development", "production"])
@pytest.mark.parametrize("where,value", [
    ("environment", "12345"), ("environment", "short-secret"), ("config", 1234567890123456789012345678901234567890),
    ("config", "test-secret-key"), ("config", b"bytes-are-not-text-" + b"x" * 20),
])
def test_a_secret_key_must_be_a_string_of_32_characters(tmp_path, monkeypatch, env, where, value):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ENGAGE_ENV", env)
    monkeypatch.setenv("ENGAGE_PUBLIC_URL", "https://engage.example.gov.wales")
    config = {"INSTANCE_PATH": str(tmp_path)}
    if where == "environment":
        monkeypatch.setenv("ENGAGE_SECRET_KEY", value)
    else:
        monkeypatch.delenv("ENGAGE_SECRET_KEY", raising=False)
        config["SECRET_KEY"] = value
    with pytest.raises(RuntimeError, match="must be a string of at least 32 characters"):
        create_app(config)


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == "ok"


def test_sqlite_pragmas(app, database):
    if database.dialect != "sqlite":
        return  # PostgreSQL has none of these settings; its run checks the same tests elsewhere
    with app.app_context():
        conn = db.session.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        # FULL: an acknowledged ballot survives a power cut (NORMAL could lose the last commits).
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_write_transactions_do_not_fail_under_contention(app):
    """Threads each read, then write: with BEGIN IMMEDIATE none fails and every write lands."""
    from engage.public.models import SiteFeedback

    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                for i in range(10):
                    db.session.scalar(select(func.count(SiteFeedback.id)))  # a read first, like a request
                    with write_transaction():
                        db.session.add(SiteFeedback(comments=f"{n}-{i}", lang="cy"))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(func.count(SiteFeedback.id))) == 80


def test_write_transaction_rolls_back_on_error(app):
    from engage.public.models import SiteFeedback

    with app.app_context():
        with pytest.raises(ZeroDivisionError):
            with write_transaction():
                db.session.add(SiteFeedback(comments="lost", lang="en"))
                db.session.flush()
                1 / 0  # noqa: B018
        assert db.session.scalar(select(func.count(SiteFeedback.id))) == 0


_FEEDBACK = text("INSERT INTO site_feedback (comments, lang, created_at) VALUES (:comments, :lang, :now)")
_RATE = text("UPDATE site_feedback SET rating = 5 WHERE comments = :rated")


# The ballot box's write path (engage/ballots/box.py) is generic: statements, each writing one row, all
# or nothing. These tests drive it with the site feedback table, where each failure is easy to make.


@pytest.mark.parametrize("rated, written", [("first", True), ("nobody wrote this", False)])
def test_write_chain_is_all_or_nothing(app, rated, written):
    """Each statement must write one row; when one writes none, the rows before it go too."""
    from engage.ballots.box import write_all_or_nothing as write_chain
    from engage.public.models import SiteFeedback

    with app.app_context():
        params = {"comments": "first", "lang": "cy", "now": "2026-11-24 10:00:00", "rated": rated}
        assert write_chain([_FEEDBACK, _RATE], params) is written
        db.session.remove()
        assert db.session.scalars(select(SiteFeedback.rating)).all() == ([5] if written else [])


def test_write_chain_raises_constraint_errors_and_keeps_nothing(app):
    from sqlalchemy.exc import IntegrityError

    from engage.ballots.box import write_all_or_nothing as write_chain
    from engage.public.models import SiteFeedback

    with app.app_context():
        with pytest.raises(IntegrityError):
            write_chain([_FEEDBACK], {"comments": "x", "lang": "fr", "now": "2026-11-24 10:00:00"})
        with pytest.raises(IntegrityError):  # the second fails: the first goes too
            write_chain([_FEEDBACK, text("INSERT INTO site_feedback (comments, lang) VALUES ('y', 'xx')")],
                        {"comments": "x", "lang": "cy", "now": "2026-11-24 10:00:00"})
        assert db.session.scalar(select(func.count(SiteFeedback.id))) == 0
        # The pooled connection came back usable: the next chain writes.
        assert write_chain([_FEEDBACK], {"comments": "z", "lang": "en", "now": "2026-11-24 10:00:00"})
        assert db.session.scalars(select(SiteFeedback.comments)).all() == ["z"]


def test_write_chain_inside_another_write_is_all_or_nothing_too(app):
    from engage.ballots.box import write_all_or_nothing as write_chain
    from engage.public.models import SiteFeedback

    with app.app_context():
        with write_transaction():
            db.session.add(SiteFeedback(comments="outer", lang="en"))
            params = {"comments": "inner", "lang": "cy", "now": "2026-11-24 10:00:00", "rated": "nobody"}
            assert write_chain([_FEEDBACK, _RATE], params) is False
            assert write_chain([_FEEDBACK], dict(params, comments="kept")) is True
        db.session.remove()
        assert sorted(db.session.scalars(select(SiteFeedback.comments))) == ["kept", "outer"]


def test_write_chain_sends_values_as_their_types_say_and_errors_hide_them(app):
    from datetime import datetime, timezone

    from sqlalchemy import bindparam
    from sqlalchemy.exc import IntegrityError, StatementError

    from engage.ballots.box import write_all_or_nothing as write_chain
    from engage.public.models import SiteFeedback
    from engage.types import UTCDateTime

    typed = text(_FEEDBACK.text).bindparams(bindparam("now", type_=UTCDateTime))
    when = datetime(2026, 11, 24, 9, 30, 15, 250000, tzinfo=timezone.utc)
    with app.app_context():
        assert write_chain([typed], {"comments": "typed", "lang": "cy", "now": when})
        # Stored exactly as the ORM stores it, so the ORM's own comparisons find it.
        assert db.session.scalar(select(SiteFeedback.created_at).where(SiteFeedback.created_at >= when)) == when
        with pytest.raises(StatementError):  # UTCDateTime refuses a naive time, on every path
            write_chain([typed], {"comments": "naive", "lang": "cy", "now": when.replace(tzinfo=None)})
        with pytest.raises(IntegrityError) as refused:
            write_chain([typed], {"comments": "a secret-ish value", "lang": "fr", "now": when})
        # The error's text (which the 503 page logs) carries no values; PostgreSQL's own DETAIL may
        # show a failing row, but never parameters beside it.
        assert "[parameters:" not in str(refused.value) and "{'comments'" not in str(refused.value)
        db.session.rollback()
        assert db.session.scalars(select(SiteFeedback.comments)).all() == ["typed"]


def test_check_constraints_guard_the_data(app):
    from sqlalchemy.exc import IntegrityError

    from engage.public.models import SiteFeedback

    with app.app_context():
        with pytest.raises(IntegrityError):
            with write_transaction():
                db.session.add(SiteFeedback(comments="x", lang="fr"))
        with pytest.raises(IntegrityError):
            with write_transaction():
                db.session.add(SiteFeedback(comments="x", lang="cy", rating=9))


def test_migrations_match_the_models(app):
    import warnings

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context():
        with db.engine.connect() as conn:
            with warnings.catch_warnings():
                # SQLite cannot reflect expression indexes (lower(email)); nothing to compare there.
                warnings.filterwarnings("ignore", message=".*expression-based index.*")
                warnings.filterwarnings("ignore", message=".*reflection of expression-based index.*")
                diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
                names = {i["name"] for i in inspect(db.engine).get_indexes("users")}
        assert diff == []
        if db.engine.dialect.name == "postgresql":
            assert "uq_users_email_lower" in names


@pytest.mark.parametrize("path", ["/cy/", "/en/privacy", "/healthz", "/", "/cy/nothing-here"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_hsts_over_https(client):
    response = client.get("/cy/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_cookie_flags(client, two_orgs):
    from helpers import sign_in

    response = sign_in(client, "admin-a@example.org")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("engage_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_post_without_csrf_is_refused_with_a_bilingual_page(client):
    cy = client.post("/cy/feedback", data={"comments": "hello"})
    en = client.post("/en/feedback", data={"comments": "hello"})
    assert cy.status_code == en.status_code == 400
    assert "Mae eich ffurflen wedi dod i ben" in cy.get_data(as_text=True)
    assert "Your form has expired" in en.get_data(as_text=True)
    assert "CSRF" not in cy.get_data(as_text=True) + en.get_data(as_text=True)


@pytest.mark.parametrize("lang,title", [("cy", "Heb ddod o hyd i’r dudalen"), ("en", "Page not found")])
def test_404_in_the_page_language(client, lang, title):
    response = client.get(f"/{lang}/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert f"<h1>{title}</h1>" in html and f'<html lang="{lang}">' in html


def test_404_on_a_neutral_url_is_bilingual(client):
    html = client.get("/no-such-page").get_data(as_text=True)
    assert "Heb ddod o hyd i’r dudalen" in html and "Page not found" in html
    assert html.index("Heb ddod") < html.index("Page not found")


def test_405_403_and_429_pages_are_in_the_page_language(app, client, two_orgs):
    from helpers import sign_in

    response = client.get("/cy/sign-out")
    assert response.status_code == 405 and "Nid oes modd defnyddio’r dudalen hon fel hynny" in response.get_data(as_text=True)
    sign_in(client, "organiser-a@example.org")
    response = client.get("/cy/manage/gwynedd/audit")
    assert response.status_code == 403 and "Nid oes gennych ganiatâd" in response.get_data(as_text=True)
    response = client.get("/en/manage/gwynedd/audit")
    assert response.status_code == 403 and "You do not have permission" in response.get_data(as_text=True)
    app.config["LOGIN_RATE_LIMIT"] = "5 per minute"  # the per-address page, reached in a few attempts
    for _ in range(5):
        client.submit("/en/sign-in", {"email": "x@example.org", "password": "wrong password"})
    response = client.submit("/cy/sign-in", {"email": "x@example.org", "password": "wrong password"})
    assert response.status_code == 429 and "Gormod o ymdrechion" in response.get_data(as_text=True)


def test_500_page_is_in_the_page_language(app):
    @app.route("/<lang:lang>/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    response = client.get("/cy/boom")
    assert response.status_code == 500 and "mae problem gyda’r gwasanaeth" in response.get_data(as_text=True)
    response = client.get("/en/boom")
    assert response.status_code == 500 and "there is a problem with the service" in response.get_data(as_text=True)


def test_the_500_page_does_not_need_the_failed_transaction(app, two_orgs):
    """A failed write leaves the transaction unusable (PostgreSQL aborts it; SQLAlchemy refuses it until
    rolled back), and the error page loads the signed-in user: it must start afresh, not fail too."""
    from engage.accounts.models import Organisation
    from helpers import Client, sign_in

    @app.route("/<lang:lang>/clash")
    def clash():  # type: ignore[no-untyped-def]
        db.session.add(Organisation(slug="gwynedd", name_cy="Dyblyg", name_en="Duplicate"))
        db.session.flush()

    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.test_client_class = Client
    client = app.test_client()
    sign_in(client, "admin-a@example.org")
    response = client.get("/en/clash")
    assert response.status_code == 500 and "there is a problem with the service" in response.get_data(as_text=True)
    assert client.get("/en/manage/").status_code == 200


def test_json_callers_get_json_errors(client):
    response = client.get("/en/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json == {"error": {"status": 404, "code": "not_found", "message": "Page not found"}}


def test_database_failure_is_a_clean_503(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    import engage.public.services as services

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(services, "leave_feedback", broken)
    response = client.submit("/cy/feedback", {"comments": "Da iawn"})
    assert response.status_code == 503
    assert "nid yw’r gwasanaeth ar gael" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "30"


def test_a_blank_optional_rating_is_no_rating(app, client):
    """The fuzz tests found a 500: a rating of " " passed Optional() and reached int()."""
    from sqlalchemy import select

    from engage.extensions import db
    from engage.public.models import SiteFeedback

    response = client.submit("/en/feedback", {"comments": "Fine", "rating": " "})
    assert response.status_code in (200, 302)
    bad = client.submit("/en/feedback", {"comments": "Fine", "rating": "7"})
    assert bad.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(SiteFeedback.rating)).all() == [None]


def test_no_state_change_on_get(app):
    """Every route that changes data accepts POST only (GET routes are read-only by design)."""
    writers = {"accounts.sign_out"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in writers:
            assert "GET" not in rule.methods


def test_postgresql_connections_are_checked_before_use(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@127.0.0.1:5/x")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    monkeypatch.setenv("ENGAGE_SQLALCHEMY_ENGINE_OPTIONS", '{"pool_size": 3}')
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True, "hide_parameters": True, "pool_size": 3}
