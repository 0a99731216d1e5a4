"""`engage pb import` and `engage pb export`, added to the tally engine's `pb` group."""
from __future__ import annotations

import sys
from collections.abc import Callable

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from ..i18n import BABEL_LOCALES, LANGUAGES
from ..tally import PabulibError, open_pabulib
from ..tally.cli import pb_cli
from .pots import BallotRefusal


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--org", "org_slug", required=True, help="Slug of the organisation that gets the pot.")
@click.option("--title", default=None, help="Title of the pot (default: the file's description).")
@with_appcontext
def import_command(path: str, org_slug: str, title: str | None) -> None:
    """Make a closed pot from the pabulib file PATH; prints the new pot's id as the last line."""
    from ..accounts.services import get_org
    from .pabulib import import_pabulib

    org = get_org(org_slug)
    if org is None:
        raise click.ClickException(f"no organisation with slug {org_slug!r}")
    try:
        with open_pabulib(path) as fh:  # read a line at a time, not whole
            pot = import_pabulib(org, fh, title)
    except (PabulibError, BallotRefusal, OSError) as exc:
        click.echo(_not_imported(path, exc), err=True)
        sys.exit(2)
    click.echo(f"imported {len(pot.projects)} projects into closed pot {pot.id} of {org_slug}")
    click.echo(str(pot.id))


def _not_imported(path: str, exc: Exception) -> str:
    """Why the file was not imported, in Welsh and then in English (a person at a council reads it)."""
    from . import labels

    if isinstance(exc, PabulibError):
        reason, line, details = labels.PABULIB_ERRORS[exc.code], exc.line, exc.details
    elif isinstance(exc, BallotRefusal):
        reason, line, details = labels.REFUSALS[exc.code], None, exc.details
    else:
        reason, line, details = labels.PABULIB_ERRORS["unreadable"], None, {}
    return _in_both_languages(lambda: "\n".join(labels.import_failure(path, reason, line, details)))


@click.command("export")
@click.argument("pot_id", type=int)
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the description and the projects' names (both are kept in extra columns); "
                   "an imported pot's file comes back as it was.")
@with_appcontext
def export_command(pot_id: int, lang: str) -> None:
    """Write the anonymised ballots of pot POT_ID as pabulib to standard output, once its results are published."""
    from ..extensions import db
    from .models import Pot
    from .pabulib import export_pabulib

    pot = db.session.get(Pot, pot_id)
    # The embargo: a vote's ballots are out only with its results. An imported pot's came from a file
    # that is already public, and it is closed from the start.
    if pot is None or not (pot.status == "published" or (pot.imported and pot.status == "closed")):
        click.echo(_in_both_languages(lambda: _("No published results for fund %(id)s: its ballots are exported "
                                                "once its results are published.", id=pot_id)), err=True)
        sys.exit(2)
    click.echo(export_pabulib(pot, lang), nl=False)


def _in_both_languages(say: Callable[[], str]) -> str:
    """What ``say`` says in Welsh, then in English (a person at a council reads it)."""
    blocks = []
    for lang in LANGUAGES:
        with force_locale(BABEL_LOCALES[lang]):
            blocks.append(say())
    return "\n\n".join(blocks)


def register(app: Flask) -> None:
    pb_cli.add_command(import_command)
    pb_cli.add_command(export_command)
    app.cli.add_command(pb_cli)
