"""The Flask CLI for this app plus Engage's own commands (``engage.cli.main`` runs it)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup, with_appcontext

ROOT = Path(__file__).resolve().parent.parent
translate = AppGroup("translate", help="Extract, update and compile the message catalogues.")
users = AppGroup("users", help="Staff users.")
reports = AppGroup("reports", help="Monitoring reports.")
orgs = AppGroup("orgs", help="Organisations.")


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", *args])


def extract_messages(output: Path) -> None:
    """Extract every translatable message of the code and templates into ``output`` (.pot)."""
    _pybabel("extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
             "--no-location", "--sort-output", "--omit-header", "-o", str(output), str(ROOT))


@translate.command("extract")
def translate_extract() -> None:
    """Write translations/messages.pot from the code and templates."""
    extract_messages(ROOT / "translations" / "messages.pot")


@translate.command("update")
def translate_update() -> None:
    """Extract, then merge new messages into every catalogue (translate them, then compile)."""
    translate_extract.callback()  # type: ignore[misc]
    _pybabel("update", "-i", str(ROOT / "translations" / "messages.pot"), "-d", str(ROOT / "translations"),
             "--no-fuzzy-matching", "--ignore-obsolete", "--width", "100")  # keeps the header (plural rules)


@translate.command("compile")
def translate_compile() -> None:
    """Compile every catalogue to .mo."""
    from .i18n import compile_catalogues

    for path in compile_catalogues(ROOT / "translations", force=True):
        click.echo(f"compiled {path.relative_to(ROOT)}")


def _password_option(prompt: bool) -> str:
    password = os.environ.get("ENGAGE_PASSWORD")
    if password:
        return password
    if not prompt:
        raise click.UsageError("set ENGAGE_PASSWORD or run in a terminal to be asked for a password")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("create")
@click.argument("email")
@click.option("--org", "org_slug", required=True, help="Slug of the organisation.")
@click.option("--role", type=click.Choice(["admin", "organiser"]), required=True)
@click.option("--name", default="", help="The person's name, shown to colleagues.")
def users_create(email: str, org_slug: str, role: str, name: str) -> None:
    """Create a staff user (password from ENGAGE_PASSWORD or a prompt)."""
    from .accounts import services

    org = services.get_org(org_slug)
    if org is None:
        raise click.ClickException(f"no organisation with slug {org_slug!r}")
    existing = services.find_user(email)
    password = "" if existing else _password_option(sys.stdin.isatty())
    try:
        services.create_user(email, password, org, role, name=name)
    except services.AccountRefusal as err:
        raise click.ClickException(err.code.replace("_", " ")) from None
    click.echo(f"{email} is now {role} of {org_slug}")


@users.command("set-password")
@click.argument("email")
def users_set_password(email: str) -> None:
    """Set a user's password (from ENGAGE_PASSWORD or a prompt); ends their sessions."""
    from .accounts import services

    user = services.find_user(email)
    if user is None:
        raise click.ClickException(f"no user {email}")
    try:
        services.set_password(user, _password_option(sys.stdin.isatty()))
    except services.AccountRefusal as err:
        raise click.ClickException(err.code.replace("_", " ")) from None
    click.echo(f"password set for {email}")


@orgs.command("create")
@click.argument("slug")
@click.option("--name-en", required=True)
@click.option("--name-cy", required=True)
def orgs_create(slug: str, name_en: str, name_cy: str) -> None:
    """Create an organisation."""
    from .accounts import services

    try:
        services.create_org(slug, name_en, name_cy)
    except services.AccountRefusal as err:
        raise click.ClickException(err.code.replace("_", " ")) from None
    click.echo(f"created {slug}")


@orgs.command("list")
@click.option("--lang", type=click.Choice(["cy", "en"]), default="en", help="Sort and show names in this language.")
def orgs_list(lang: str) -> None:
    """List organisations (sorted by the Welsh alphabet with --lang cy)."""
    from sqlalchemy import select

    from .accounts.models import Organisation
    from .extensions import db
    from .welsh import sort_for_language

    rows = db.session.scalars(select(Organisation)).all()
    for org in sort_for_language(rows, lambda o: o.text("name", lang), lang):
        click.echo(f"{org.slug}\t{org.text('name', lang)}")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the bilingual demo data (safe to run again: nothing is duplicated)."""
    from flask import current_app

    from .demo import load_demo

    if current_app.config["ENV"] == "production":
        raise click.ClickException("demo data is for development; refusing with ENGAGE_ENV=production")
    for line in load_demo():
        click.echo(line)


@reports.command("monthly")
@click.option("--org", "org_slug", required=True)
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--format", "fmt", type=click.Choice(["csv", "html"]), default="csv")
@click.option("--lang", type=click.Choice(["cy", "en"]), default="cy", help="Language of the report.")
def reports_monthly(org_slug: str, month: str, fmt: str, lang: str) -> None:
    """Write a monthly monitoring report to standard output."""
    from .accounts.services import get_org
    from .dates import parse_month
    from .events import reports as event_reports
    from .events.services import EventRefusal

    org = get_org(org_slug)
    if org is None:
        raise click.ClickException(f"no organisation with slug {org_slug!r}")
    parsed = parse_month(month)
    if parsed is None:
        raise click.ClickException("--month must look like 2026-10")
    try:
        data = event_reports.build(org, *parsed)
    except EventRefusal:
        raise click.ClickException("that month is in the future") from None
    click.echo(event_reports.render(data, fmt, lang), nl=False)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduled jobs in this process (use one per deployment with several workers)."""
    from flask import current_app

    from . import scheduler

    click.echo("scheduler: running " + ", ".join(scheduler.JOBS))
    scheduler.build(current_app._get_current_object(), blocking=True).start()  # type: ignore[attr-defined]


@click.command("run-job")
@click.argument("name")
@click.option("--tick", default=None, help="Which occurrence (default: the current one, e.g. 2026-11).")
@with_appcontext
def run_job_command(name: str, tick: str | None) -> None:
    """Run one scheduled job now, unless its tick has already run or is running elsewhere."""
    from flask import current_app

    from . import scheduler

    if name not in scheduler.JOBS:
        raise click.ClickException(f"unknown job {name!r}; jobs: {', '.join(scheduler.JOBS)}")
    result = scheduler.run_job(current_app._get_current_object(), name, tick)  # type: ignore[attr-defined]
    click.echo(f"{name}: skipped (already run)" if result == scheduler.SKIPPED else f"{name}: ran")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(path: str) -> None:
    """Copy the database to PATH while the app keeps running (SQLite); PostgreSQL: use pg_dump."""
    from .backup import BackupError, backup
    from .ballots.seal import seal_all

    try:
        # A copy keeps pages as they are: seal first, so no ballot in it pairs with its voter.
        seal_all()
        pages = backup(Path(path))
    except BackupError as err:
        click.echo(str(err), err=True)
        raise SystemExit(2) from None
    click.echo(f"backed up {pages} pages to {path}")


def register(app: Flask) -> None:
    from .tally.cli import pb_cli

    for command in (pb_cli, translate, users, orgs, reports, demo_command, scheduler_command, run_job_command,
                    backup_command):
        app.cli.add_command(command)
    from .ballots.cli import register as register_pb

    register_pb(app)


def flask_main() -> None:
    """Run the Flask CLI with every command (reads ``sys.argv``)."""
    from . import create_app

    FlaskGroup(create_app=create_app, help="Engage: the Flask CLI for this app.")(prog_name="engage")
