"""PB tally engine: greedy and Method of Equal Shares, pabulib in and out. No Flask here.

Public API::

    election = read_pabulib("city.pb")            # or parse_pabulib(text or open_pabulib(path)), or Election.build(...)
    outcome = tally(election, "mes", min_votes=None)
    outcome.selected, outcome.total_cost, outcome.explanations, outcome.rounds
    text = write_pabulib(election)

Modules, from the data in to the outcome out:

* ``model``: projects, ballots and elections; ``Compiled``, an election as arrays (identical
  ballots grouped, supporters per project), which every rule reads.
* ``pabulib``: pabulib (.pb) files in and out.
* ``rules``: ``tally()``, the entry point: runs a rule and explains every project's result.
* ``explain``: what a tally returns: ``Outcome``, one ``ProjectExplanation`` per project, MES rounds.
* ``greedy``: greedy by votes (a rule of its own, and the completion after MES).
* ``shares``: what the MES modules share: per-project arrays (``prepare``), the float
  tolerance ``TOL``, and the limits on how far the per-voter share b may grow with the same choices.
* ``mes``: one exact MES run. The only source of a published MES result.
* ``mes_screen``: float MES runs for the add1 search, which reuse the rounds of the previous
  run that still hold; one too close to call is repeated exactly.
* ``certify``: a proof from two screening runs that every budget between them buys the same.
* ``add1``: MES add1, the search over budget steps, built on the three above.
* ``cli``: the ``engage pb`` commands.

A module's names without a leading underscore are what it offers the rest of the package; no
module imports another's private (``_``) names. The app needs little beyond the names below.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .explain import REASONS, MesRound, Outcome, ProjectExplanation
    from .model import Ballot, BallotType, Election, ElectionError, Project
    from .pabulib import PabulibError, meta_number, open_pabulib, parse_pabulib, read_pabulib, shown, write_pabulib
    from .rules import RULES, tally

#: Where each public name lives. They are imported on first use, so that ``engage pb tally --help``
#: does not wait for numpy.
_HOMES = {
    "MesRound": "explain", "Outcome": "explain", "ProjectExplanation": "explain", "REASONS": "explain",
    "RULES": "explain",
    "Ballot": "model", "BallotType": "model", "Election": "model", "ElectionError": "model", "Project": "model",
    "PabulibError": "pabulib", "meta_number": "pabulib", "open_pabulib": "pabulib", "parse_pabulib": "pabulib",
    "read_pabulib": "pabulib", "shown": "pabulib", "write_pabulib": "pabulib",
    "tally": "rules",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'engage.tally' has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "Ballot",
    "BallotType",
    "Election",
    "ElectionError",
    "MesRound",
    "Outcome",
    "PabulibError",
    "ProjectExplanation",
    "REASONS",
    "RULES",
    "Project",
    "meta_number",
    "open_pabulib",
    "parse_pabulib",
    "read_pabulib",
    "shown",
    "tally",
    "write_pabulib",
]
