"""What a pabulib file may hold: its values, its META limits and each ballot, checked.

Every refusal is a :class:`PabulibError` naming the line. Shared by the line-at-a-time reader
(``pabulib``) and the block reader of the VOTES section (``votes``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from .model import Ballot, BallotType, min_votes_of

VOTE_TYPES: dict[str, BallotType] = {"approval": "approval", "choose-1": "choose-1", "cumulative": "cumulative"}
#: The longest line read (csv's own limit on a field); real files' lines are a few hundred.
MAX_LINE = 128 * 1024
#: The largest number read: the tally counts in 64 bits (numpy int64), and so do databases.
MAX_NUMBER = 2**63 - 1
#: The largest budget or cost read: a trillion units (£10 billion in pence; the staff form's limit
#: too). Far beyond any real fund, and within what MES's add1 search counts in floats without losing
#: whole units: at 2**50 a file of three voters ran for ever (found by an attack on issue #20).
MAX_AMOUNT = 10**12
#: META limits that, when given, must be at least 1 (0 would allow only an empty ballot).
AT_LEAST_ONE = ("max_length", "max_sum_cost", "max_points", "max_sum_points")

class PabulibError(ValueError):
    """A pabulib file that cannot be read; the message names the line.

    ``message`` is English (for the ``pb tally`` command); ``code`` names the problem and
    ``details`` (keys: what, value, project, section, limit, found) give what an app needs to say
    it in its own words.
    """

    def __init__(self, line: int, code: str, message: str, **details: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.code = code
        self.message = message
        self.details = details


def shown(text: str, most: int = 40) -> str:
    """A value from a file as it is safe to print: short, and without control characters."""
    text = "".join(c if c.isprintable() else "?" for c in text[: most + 1].strip())
    return text if len(text) <= most else text[:most] + "…"


def whole(text: str, line: int, what: str, most: int = MAX_NUMBER) -> int:
    """Parse a number that must be whole, at least 0 and at most ``most`` ("4000.0" is fine, "12.5" is not)."""
    value_shown = shown(text)
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise PabulibError(line, "not_number", f"{what} {value_shown!r} is not a number",
                           what=what, value=value_shown) from None
    if value.is_finite() and value < 0:
        raise PabulibError(line, "negative", f"{what} {value_shown!r} is negative", what=what, value=value_shown)
    # Compare the exponent first: "1e999999999" is a short text but a billion digits as an int.
    if value.is_finite() and (value.adjusted() > 18 or value > most):
        raise PabulibError(line, "too_large", f"{what} {value_shown!r} is larger than {most}",
                           what=what, value=value_shown, limit=str(most))
    if not value.is_finite() or value != value.to_integral_value():
        raise PabulibError(line, "not_whole", f"{what} {value_shown!r} is not a whole number",
                           what=what, value=value_shown)
    return int(value)


def row_record(header: list[str], cells: list[str], line: int) -> dict[str, str]:
    if len(cells) < len(header):
        raise PabulibError(line, "too_few_columns",
                           f"expected {len(header)} columns ({shown(';'.join(header))}), found {len(cells)}",
                           limit=str(len(header)), found=str(len(cells)))
    # Trailing empty cells (a row ending in ';') are harmless; data past the header is not.
    if any(cells[len(header):]):
        raise PabulibError(line, "too_many_columns", f"more columns than the header has ({len(header)})",
                           limit=str(len(header)), found=str(len(cells)))
    return dict(zip(header, cells))


def meta_number(meta: Mapping[str, str], key: str, line: int = 1) -> int | None:
    """A whole-number META entry (max_length, max_sum_points, ...); None when absent or "None"."""
    raw = meta.get(key, "").strip()
    return None if not raw or raw.lower() == "none" else whole(raw, line, key)


class Limits:
    """What META declares: the budget, the kind of ballot and its limits (lengths, cost, points)."""

    def __init__(self, meta: dict[str, str], lines: dict[str, int], line: int) -> None:
        for key in ("budget", "vote_type"):
            if key not in meta:
                raise PabulibError(line, "meta_missing", f"META has no {key!r} entry", what=key)
        if meta["vote_type"] not in VOTE_TYPES:
            value = shown(meta["vote_type"])
            raise PabulibError(lines["vote_type"], "vote_type",
                               f"vote_type {value!r} is not supported (approval, choose-1, cumulative)",
                               what="vote_type", value=value)
        self.budget = whole(meta["budget"], lines["budget"], "budget", MAX_AMOUNT)

        def num(key: str) -> int | None:
            value = meta_number(meta, key, lines.get(key, 1))
            if value == 0 and key in AT_LEAST_ONE:
                raise PabulibError(lines[key], "limit_zero", f"{key} is 0: it must be at least 1", what=key, value="0")
            return value

        self.min_len, self.max_len, self.max_cost = num("min_length"), num("max_length"), num("max_sum_cost")
        self.max_pts, self.max_sum_pts = num("max_points"), num("max_sum_points")
        self.min_sum_pts = num("min_sum_points")
        try:  # read at every count: one that cannot be read is refused now, not then
            min_votes_of(meta)
        except (ValueError, OverflowError):
            value = shown(meta["min_project_score_threshold"])
            raise PabulibError(lines.get("min_project_score_threshold", 1), "not_number",
                               f"min_project_score_threshold {value!r} is not a number",
                               what="min_project_score_threshold", value=value) from None
        self.cumulative = meta["vote_type"] == "cumulative"

    def approval_fits(self, projects: tuple[str, ...], costs: dict[str, int]) -> bool:
        """Whether a ballot without points keeps the limits (a quick test; :meth:`check` says why not)."""
        n = len(projects)
        return not ((self.max_len is not None and n > self.max_len)
                    or (self.min_len is not None and 0 < n < self.min_len)
                    or (self.max_cost is not None and sum(map(costs.__getitem__, projects)) > self.max_cost))

    def check(self, b: Ballot, costs: dict[str, int], line: int) -> None:
        """Raise PabulibError if the ballot breaks a declared limit."""
        n = len(b.projects)
        if self.max_len is not None and n > self.max_len:
            raise _broken(line, "vote_over", "max_length", self.max_len, n,
                          f"vote has {n} projects, more than max_length {self.max_len}")
        # Empty ballots are kept (a voter who chose nothing) even when min_length is set.
        if self.min_len is not None and 0 < n < self.min_len:
            raise _broken(line, "vote_under", "min_length", self.min_len, n,
                          f"vote has {n} projects, fewer than min_length {self.min_len}")
        if self.max_cost is not None and (cost := sum(costs[p] for p in b.projects)) > self.max_cost:
            raise _broken(line, "vote_over", "max_sum_cost", self.max_cost, cost,
                          f"vote is over budget: its projects cost more than max_sum_cost {self.max_cost}")
        if b.points is not None:
            total = sum(b.points)
            if self.max_pts is not None and (most := max(b.points, default=0)) > self.max_pts:
                raise _broken(line, "vote_over", "max_points", self.max_pts, most,
                              f"vote gives a project more than max_points {self.max_pts}")
            if self.max_sum_pts is not None and total > self.max_sum_pts:
                raise _broken(line, "vote_over", "max_sum_points", self.max_sum_pts, total,
                              f"vote gives {total} points, more than max_sum_points {self.max_sum_pts}")
            if self.min_sum_pts is not None and 0 < total < self.min_sum_pts:
                raise _broken(line, "vote_under", "min_sum_points", self.min_sum_pts, total,
                              f"vote gives {total} points, fewer than min_sum_points {self.min_sum_pts}")


def _broken(line: int, code: str, key: str, limit: int, found: int, message: str) -> PabulibError:
    """A ballot over (or under) the META limit ``key``."""
    return PabulibError(line, code, message, what=key, limit=str(limit), found=str(found))


def ballot_of(record: dict[str, str], line: int, costs: dict[str, int], limits: Limits) -> Ballot:
    """The ballot of one VOTES row (``record``: column -> cell), checked; raises PabulibError."""
    raw = record.pop("vote")
    voter = record.pop("voter_id", "")
    chosen = tuple(v.strip() for v in raw.split(",") if v.strip())
    for pid in chosen:
        if pid not in costs:
            raise PabulibError(line, "unknown_project", f"vote for unknown project {shown(pid)!r}", project=shown(pid))
    if len(set(chosen)) != len(chosen):
        raise PabulibError(line, "project_twice", "the same project appears twice in one vote")
    points: tuple[int, ...] | None = None
    if limits.cumulative:
        parts = [x.strip() for x in record.pop("points").split(",") if x.strip()]
        if len(parts) != len(chosen):
            raise PabulibError(line, "points_count", f"{len(chosen)} projects but {len(parts)} points",
                               limit=str(len(chosen)), found=str(len(parts)))
        points = tuple(whole(x, line, "points") for x in parts)
    ballot = Ballot(chosen, points, voter, record if record else {})
    limits.check(ballot, costs, line)
    return ballot
