"""`engage pb ...` commands: tally a pabulib file without a database."""

from __future__ import annotations

import json
import sys
import time

import click

from .explain import RULES


@click.group("pb")
def pb_cli() -> None:
    """Participatory budgeting: tally, import and export pabulib files."""


@pb_cli.command("tally")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--rule", type=click.Choice(RULES), default="mes", show_default=True,
              help="greedy; mes = MES add1 + greedy completion; mes-add1; mes-plain.")
@click.option("--min-votes", type=click.IntRange(min=0), default=None,
              help="Projects with fewer votes (points) are not eligible. Default: the file's threshold.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def tally_command(path: str, rule: str, min_votes: int | None, as_json: bool) -> None:
    """Tally the pabulib file PATH and print the winners in selection order."""
    if not as_json:
        # At once, before numpy is even imported: the person running a recount sees it has started.
        click.echo(f"file: {path}")
    # Imported here, not at the top: --help and a mistyped option answer without numpy.
    from .pabulib import PabulibError, read_pabulib
    from .rules import tally

    t0 = time.perf_counter()
    try:
        election = read_pabulib(path)
    except (PabulibError, OSError, UnicodeDecodeError) as exc:
        # One line and exit code 2, so scripts can tell a bad file from a crash.
        click.echo(f"error: {path}: {exc}".replace("\n", " "), err=True)
        sys.exit(2)
    t1 = time.perf_counter()
    outcome = tally(election, rule, min_votes=min_votes)
    t2 = time.perf_counter()
    if as_json:
        data = outcome.to_dict()
        data["timings"] = {"read_s": round(t1 - t0, 4), "tally_s": round(t2 - t1, 4)}
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    currency = election.meta.get("currency", "")
    click.echo(f"rule: {rule}" + (f" (min votes {outcome.min_votes})" if outcome.min_votes else ""))
    click.echo(f"winners: {' '.join(outcome.selected) if outcome.selected else '(none)'}")
    click.echo(f"total cost: {outcome.total_cost} of {outcome.budget} {currency}".rstrip())
    for pid, expl in outcome.explanations.items():
        click.echo(f"  {pid}: {expl.describe(currency)}")
    click.echo(f"time: read {t1 - t0:.3f}s, tally {t2 - t1:.3f}s")
