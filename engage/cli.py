"""The ``engage`` command (the console script). A recount starts without the web application.

``engage pb tally ...`` goes straight to the tally engine's own command, which needs click and numpy
but not Flask, SQLAlchemy or Alembic; every other command (and ``engage --help``) runs the Flask
CLI of :mod:`engage.commands`, as before. ``flask pb tally`` still works too: the Flask CLI has the
same command.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence

#: The words that start a command the tally engine runs alone.
LIGHT_COMMAND = ("pb", "tally")


def is_light(args: Sequence[str]) -> bool:
    """Whether these arguments (without the program name) are a recount, which needs no web app."""
    return tuple(args[: len(LIGHT_COMMAND)]) == LIGHT_COMMAND


def main() -> None:
    """Run ``engage`` with the arguments in ``sys.argv``."""
    args = sys.argv[1:]
    if is_light(args):
        from .tally.cli import pb_cli

        pb_cli(args=args[len(LIGHT_COMMAND) - 1:], prog_name="engage pb")
        return
    from .commands import flask_main

    flask_main()

