"""Participatory budgeting: funding pots, projects, voter codes, the roll and the ballot box, results.

Glossary (one thing, one name in the code):

- **pot** — a sum of money put to a vote (``Pot``, table ``pb_pots``). On screen it is a "fund"
  ("cronfa"); "PB" and the URL prefix ``/pb/`` name the whole area. The area's package is
  ``ballots`` because what it guards is the ballot.
- **project** — something residents can choose, with a cost.
- **voter code** — a single-use code on a printed card or issued at a kiosk; only its salted hash is kept.
- **roll** (``pb_roll``) — *that* someone voted; **box** (``pb_box``) — *what* was chosen. Nothing joins them.
- **receipt** — a code the voter keeps to see that their ballot was counted.
- **result** — what publishing stores (``results.PublishedResult``).

Modules, in the order a ballot travels: ``forms`` → ``routes`` (public) / ``manage`` (staff) →
``in_progress`` (the ballot in the session) → ``choices`` (the ballot's rules) → ``box`` (cast,
seal, read back) → ``results`` (tally, ``PublishedResult``) → templates. Around them: ``pots``
(finding and changing pots, the lock, ``transition``), ``lifecycle`` (open, close, the schedule),
``voters`` (codes), ``caps`` (open voting's caps per postcode and per address), ``paper`` (paper
ballots), ``pabulib`` (open data out, elections in), ``labels`` (every word), ``svg`` (the results
chart), ``demo``, ``cli``.
"""


def connect() -> None:
    """Wire the area into the app (a named step of the factory): its refusals' words."""
    from .. import refusals
    from .labels import REFUSALS

    refusals.register("ballots", REFUSALS)
