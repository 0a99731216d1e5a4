"""Running it for real: scheduled jobs run once per tick across processes (even when one is killed),
online backups that restore, and clean failures when the database cannot be written."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import uuid
from datetime import datetime, timedelta

import psycopg
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from engage.audit.models import AuditEntry
from engage.extensions import db
from engage.jobruns import JobRun
from engage.types import utcnow
from helpers import SECRET_KEY, need, wait_until
from pb_helpers import publish_results

CLI = [sys.executable, "-c", "from engage.cli import main; main()"]


def cli_env(app, **extra) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = dict(os.environ)
    env.update({"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "ENGAGE_SECRET_KEY": SECRET_KEY,
                "ENGAGE_INSTANCE_PATH": app.instance_path})
    env.update({f"ENGAGE_{k}": str(v) for k, v in extra.items()})
    return env


def report_entries(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.kind == "events.report_made"))


@pytest.fixture
def october(app, two_orgs, make_event):  # type: ignore[no-untyped-def]
    make_event(start=datetime(2026, 10, 7, 18), theme_codes=["1.1"])
    return app


def test_two_schedulers_run_a_tick_once(october):
    app = october
    env = cli_env(app, JOB_START_DELAY=1)
    procs = [subprocess.Popen(CLI + ["run-job", "monthly_reports", "--tick", "2026-11"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
    assert outputs == ["monthly_reports: ran", "monthly_reports: skipped (already run)"]
    assert report_entries(app) == 2  # two organisations, one kept report each (its four files), once
    again = subprocess.run(CLI + ["run-job", "monthly_reports", "--tick", "2026-11"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert again.stdout.strip() == "monthly_reports: skipped (already run)"
    with app.app_context():
        run = db.session.scalar(select(JobRun))
        assert (run.job, run.tick, run.status, run.attempts) == ("monthly_reports", "2026-11", "done", 1)


def test_a_scheduler_killed_mid_tick_does_not_run_it_twice(october):
    # Long enough that starting the second process (about 1 s, more on a busy machine) stays inside
    # the killed run's lease; a 2 s lease once expired first and the "early" run rightly took over.
    LEASE = 6
    app = october
    slow = subprocess.Popen(CLI + ["run-job", "monthly_reports", "--tick", "2026-12"],
                            env=cli_env(app, JOB_START_DELAY=30, SCHEDULER_LEASE_SECONDS=LEASE),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def claimed() -> JobRun | None:
        with app.app_context():
            run = db.session.scalar(select(JobRun))
            db.session.remove()
            return run

    run = wait_until(claimed, timeout=30, what="the slow run to claim the tick")
    slow.send_signal(signal.SIGKILL)  # kill -9 while it holds the tick
    slow.wait(10)
    env = cli_env(app, SCHEDULER_LEASE_SECONDS=LEASE)
    early = subprocess.run(CLI + ["run-job", "monthly_reports", "--tick", "2026-12"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert early.stdout.strip().endswith("skipped (already run)")  # its claim is still fresh
    # The claim is taken over once its lease has run out, judged as claim() judges it: the run's
    # started_at (in the database) against the clock of the process that claims.
    expires = run.started_at + timedelta(seconds=LEASE)
    wait_until(lambda: utcnow() > expires, timeout=LEASE + 30, what="the killed run's lease to run out")
    late = subprocess.run(CLI + ["run-job", "monthly_reports", "--tick", "2026-12"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert late.stdout.strip() == "monthly_reports: ran", late.stderr
    assert report_entries(app) == 2  # the killed run left nothing; the tick's work happened once
    with app.app_context():
        run = db.session.scalar(select(JobRun))
        assert (run.status, run.attempts) == ("done", 2)


@pytest.mark.sqlite_only
def test_backup_while_serving_and_restore(october, client, tmp_path):
    app = october
    client.submit("/en/feedback", {"comments": "Before the backup"})
    target = tmp_path / "backups" / "engage-backup.sqlite3"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    client.submit("/en/feedback", {"comments": "After the backup"})
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [r[0] for r in copy.execute("SELECT comments FROM site_feedback")] == ["Before the backup"]
        assert copy.execute("SELECT count(*) FROM events").fetchone()[0] == 1
    finally:
        copy.close()
    # Restore drill: an app started on the copy serves the data that was backed up.
    from engage import create_app
    restored = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}",
                           "INSTANCE_PATH": str(tmp_path / "restored")})
    with restored.app_context():
        from engage.events.models import Event
        assert db.session.scalar(select(func.count(Event.id))) == 1
        db.session.remove()
        db.engine.dispose()


def _closed_pot_with_votes(app, client):  # type: ignore[no-untyped-def]
    """A closed pot whose greedy winners depend on every ballot: 7 voters, 4 projects."""
    from engage.ballots import lifecycle
    from engage.ballots.models import Pot
    from factories import make_pot
    from pb_helpers import vote

    pot = make_pot(app, codes=7)
    p = pot.projects
    for code, chosen in zip(pot.codes, [[p[0], p[2]], [p[1]], [p[1], p[3]], [p[2], p[3]], [p[0], p[1]],
                                           [p[1], p[2]], [p[3]]]):
        assert vote(client, pot.id, code, chosen).status_code == 302
    with app.app_context():
        lifecycle.close_pot(db.session.get(Pot, pot.id))
    return pot.id


def _publish(app, pot_id):  # type: ignore[no-untyped-def]
    from engage.ballots.models import Pot

    with app.app_context():
        data = publish_results(db.session.get(Pot, pot_id))
        db.session.remove()
        return data.official["selected"], data.ballots


@pytest.mark.sqlite_only
def test_restore_drill_recounts_a_closed_pot_to_the_same_winners(app, two_orgs, client, tmp_path):
    pot_id = _closed_pot_with_votes(app, client)
    target = tmp_path / "backups" / "engage.sqlite3"
    assert app.test_cli_runner().invoke(args=["backup", str(target)]).exit_code == 0
    winners, ballots = _publish(app, pot_id)
    assert ballots == 7 and winners  # the original count
    from engage import create_app
    restored = create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}",
                           "INSTANCE_PATH": str(tmp_path / "restored")})
    assert _publish(restored, pot_id) == (winners, 7)
    with restored.app_context():
        db.engine.dispose()


@pytest.mark.postgres_only
def test_restore_drill_on_postgresql_with_pg_dump_and_pg_restore(app, app_factory, two_orgs, client, tmp_path):
    need(shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None,
         "pg_dump/pg_restore not found (apt-get install postgresql-client)")
    pot_id = _closed_pot_with_votes(app, client)
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    plain = url.set(drivername="postgresql")
    dump = tmp_path / "engage.dump"
    # What the README tells an operator to run (the app's own command refuses and points here).
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}",
                    plain.render_as_string(hide_password=False)], check=True, timeout=120)
    winners, _ = _publish(app, pot_id)
    copy_name = f"engage_restore_{uuid.uuid4().hex[:8]}"
    admin = plain.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{copy_name}"')
    try:
        copy_url = plain.set(database=copy_name).render_as_string(hide_password=False)
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={copy_url}", str(dump)], check=True, timeout=120)
        restored = app_factory(SQLALCHEMY_DATABASE_URI=copy_url)
        assert _publish(restored, pot_id) == (winners, 7)
        with restored.app_context():
            db.engine.dispose()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')


@pytest.mark.postgres_only
def test_backup_on_postgresql_points_to_pg_dump(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 2 and "pg_dump" in result.output


@pytest.mark.sqlite_only
def test_read_only_database_gives_a_clean_503(app, app_factory):
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    ro = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///file:{path}?mode=ro&uri=true")
    from helpers import Client
    ro.test_client_class = Client
    client = ro.test_client()
    assert client.get("/cy/").status_code == 200  # reading still works
    response = client.submit("/cy/feedback", {"comments": "Helo"})
    assert response.status_code == 503
    assert "nid yw’r gwasanaeth ar gael" in response.get_data(as_text=True)
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute("SELECT count(*) FROM site_feedback").fetchone()[0] == 0
    with ro.app_context():
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_full_disk_gives_a_clean_503_and_no_corruption(app, client):
    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _full(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # The database may not grow by a single page: SQLite answers "database or disk is full".
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

        engine.dispose()
    big = "Llawn " * 300
    response = None
    for n in range(400):  # fill the last free pages, then one more write fails
        response = client.submit("/en/feedback", {"comments": f"{n} {big}"[:2000]})
        if response.status_code != 302:
            break
    assert response is not None and response.status_code == 503
    assert "Sorry, the service is unavailable" in response.get_data(as_text=True)
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_old_rows_of_the_per_minute_job_are_pruned_daily(app):
    from datetime import timedelta

    from engage import scheduler
    from engage.types import utcnow

    now = utcnow()
    with app.app_context():
        for n, (job, age) in enumerate([("pb_lifecycle", timedelta(days=3)), ("pb_lifecycle", timedelta(days=5)),
                                        ("pb_lifecycle", timedelta(hours=2)), ("monthly_reports", timedelta(days=90))]):
            db.session.add(JobRun(job=job, tick=f"t{n}", status="done", runner="test", started_at=now - age))
        db.session.commit()
    assert scheduler.run_job(app, "prune_job_runs", tick="2026-11-24") == 2
    with app.app_context():
        left = sorted(db.session.execute(select(JobRun.job, JobRun.tick)).all())
    # The recent per-minute row, the monthly one (never pruned) and the pruning run's own row stay.
    assert left == [("monthly_reports", "t3"), ("pb_lifecycle", "t2"), ("prune_job_runs", "2026-11-24")]


@pytest.mark.sqlite_only
def test_write_lock_held_too_long_gives_the_bilingual_503(app, app_factory):
    """Another process holds SQLite's write lock past the busy timeout: a clean 503, nothing written."""
    from helpers import Client

    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    impatient = app_factory(SQLITE_BUSY_TIMEOUT_MS=200)
    impatient.test_client_class = Client
    client = impatient.test_client()
    client.get("/cy/feedback")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        response = client.post("/cy/feedback", data={"comments": "Helo", "csrf_token": client.last_csrf})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503 and "nid yw’r gwasanaeth ar gael" in response.get_data(as_text=True)
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT count(*) FROM site_feedback").fetchone()[0] == 0
    with impatient.app_context():
        db.engine.dispose()


def _ready_to_send(client, pot: dict) -> str:  # type: ignore[no-untyped-def]
    """A voter who has entered a code and chosen; returns the CSRF token for the send."""
    from pb_helpers import csrf_of

    base = f"/cy/pb/{pot.id}/vote"
    token = csrf_of(client.get(base).get_data(as_text=True))
    assert client.post(base, data={"code": pot.codes[0], "csrf_token": token}).status_code == 302
    token = csrf_of(client.get(base + "/choose").get_data(as_text=True))
    chosen = {"project": [str(pot.projects[0])], "action": "continue", "csrf_token": token}
    assert client.post(base + "/choose", data=chosen).status_code == 302
    return token


@pytest.mark.sqlite_only
def test_a_ballot_sent_while_the_write_lock_is_held_gets_the_503_and_can_be_sent_again(app, app_factory, two_orgs,
                                                                                     caplog):
    """The ballot's own write path (straight on the driver) fails as cleanly as every other write,
    and the error it logs holds neither the voter's code hash nor their choices."""
    from engage.ballots import voters
    from engage.ballots.models import Pot
    from helpers import Client
    from factories import make_pot
    from pb_helpers import counts

    pot = make_pot(app, codes=1)
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    impatient = app_factory(SQLITE_BUSY_TIMEOUT_MS=200)
    impatient.test_client_class = Client
    client = impatient.test_client()
    token = _ready_to_send(client, pot)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        response = client.post(f"/cy/pb/{pot.id}/vote/submit", data={"csrf_token": token})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503 and "nid yw’r gwasanaeth ar gael" in response.get_data(as_text=True)
    assert counts(app, pot.id) == (0, 0)
    with app.app_context():
        hashed = voters.code_hash(db.session.get(Pot, pot.id), pot.codes[0])
    assert "database is locked" in caplog.text  # what was logged, so the next line can fail
    assert hashed not in caplog.text and "choices" not in caplog.text and "parameters:" not in caplog.text
    again = client.post(f"/cy/pb/{pot.id}/vote/submit", data={"csrf_token": token})
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/cy/pb/{pot.id}/vote/done")
    assert counts(app, pot.id) == (1, 1)
    with impatient.app_context():
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_a_ballot_sent_to_a_read_only_database_gets_the_503(app, app_factory, two_orgs):
    from helpers import Client
    from factories import make_pot
    from pb_helpers import counts

    pot = make_pot(app, codes=1)
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    ro = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///file:{path}?mode=ro&uri=true")
    ro.test_client_class = Client
    client = ro.test_client()
    token = _ready_to_send(client, pot)
    response = client.post(f"/en/pb/{pot.id}/vote/submit", data={"csrf_token": token})
    assert response.status_code == 503 and "Sorry, the service is unavailable" in response.get_data(as_text=True)
    assert counts(app, pot.id) == (0, 0)
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with ro.app_context():
        db.engine.dispose()
