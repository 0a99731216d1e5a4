"""Versions that published data name, so that a recount can say exactly what it reproduces.

No Flask imports. ``TALLY_ENGINE_VERSION`` changes whenever a change to ``engage.tally`` (a rule, its
tie-breaking, its arithmetic) could change any result; the results JSON and CSV carry it.
"""
from __future__ import annotations

#: The counting engine whose results Engage publishes (``engage.tally``).
TALLY_ENGINE = "engage.tally"
#: Its version: 1 is greedy and MES add1 with greedy completion, exact arithmetic, as pabutools 1.x counts.
TALLY_ENGINE_VERSION = "1.0"
