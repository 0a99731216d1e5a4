"""PB tally engine: greedy and Method of Equal Shares, pabulib in and out. No Flask here.

Public API::

    election = read_pabulib("city.pb")            # or parse_pabulib(text), or Election.build(...)
    outcome = tally(election, "mes", min_votes=None)
    outcome.selected, outcome.total_cost, outcome.explanations, outcome.rounds
    text = write_pabulib(election)
"""

from .explain import MesRound, Outcome, ProjectExplanation, REASONS
from .model import Ballot, BallotType, Election, ElectionError, Project
from .pabulib import PabulibError, parse_pabulib, read_pabulib, write_pabulib
from .rules import RULES, tally

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
    "parse_pabulib",
    "read_pabulib",
    "tally",
    "write_pabulib",
]
