"""Open voting's caps: the most ballots from one postcode and from one internet address.

Open voting is one ballot per browser (a cookie), so a browser that clears its cookies can vote
again. A council may set two caps on an open pot (``Pot.max_per_postcode``, ``Pot.max_per_address``;
fixed once it opens). They do not stop anyone voting twice; they cap how many ballots one postcode
and one address can send, so that repeating costs a real postcode in the area or another connection.

The counts live in Flask-Limiter's store, the one the sign-in limits use: memory (one process) or
Redis, which every worker and host shares. A count is a fixed-window counter (one number per key,
never a list of hits) whose window, two years from the first ballot, outlives any vote. Keys hold
only hashes salted with the pot's secret salt, never a postcode or an address. The address is the
client's as the app sees it: behind ``PROXY_COUNT`` trusted proxies, what ProxyFix took from
``X-Forwarded-For``; otherwise the connection's own (a client's ``X-Forwarded-For`` is ignored).

A ballot is counted when it is cast (``box.cast_ballot``): each cap is one atomic increment that
refuses when it goes past the cap, and is given back if the ballot is not put in the box after all.
The postcode step only looks (``full``), so a voter learns early without using anything up.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItemPerYear
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from ..extensions import limiter
from .models import Pot
from .pots import BallotRefusal, clean_postcode, postcode_in_area
from .voters import salted_hash

#: Years a count is kept from a pot's first ballot: longer than any vote runs.
WINDOW_YEARS = 2


@dataclass(frozen=True)
class Cap:
    """One cap a ballot counts against: what it counts ("postcode" or "address"), the most allowed,
    and its key in the store."""

    kind: str
    most: int
    key: str

    def refusal(self) -> BallotRefusal:
        return BallotRefusal("postcode_cap" if self.kind == "postcode" else "address_cap")


def caps_for(pot_id: int, salt: str, max_per_postcode: int | None, max_per_address: int | None,
             postcode: str | None, address: str | None) -> list[Cap]:
    """The caps an open-vote ballot from ``postcode`` (cleaned) and ``address`` counts against."""
    wanted = (("postcode", max_per_postcode, postcode), ("address", max_per_address, address))
    return [Cap(kind, most, f"pb-cap/{pot_id}/{kind}/{salted_hash(salt, kind, value or '')}")
            for kind, most, value in wanted if most]


def open_vote_refusal(pot: Pot, postcode: str, address: str | None) -> str | None:
    """The postcode step of open voting: why this postcode (as typed) and address may not start a
    ballot (``postcode``: not in the area; a cap already reached), or None. Uses no count up."""
    if not postcode_in_area(pot, postcode):
        return "postcode"
    return full(caps_for(pot.id, pot.code_salt, pot.max_per_postcode, pot.max_per_address, clean_postcode(postcode),
                         address))


def _counter() -> FixedWindowRateLimiter:
    """Flask-Limiter's store (shared by every worker when it is Redis). With rate limits switched off
    (``RATELIMIT_ENABLED=False``) the limiter has no store, and the caps, a council's rule and no
    rate limit, still count in one made from the same ``RATELIMIT_STORAGE_URI``."""
    if limiter.enabled:
        return FixedWindowRateLimiter(limiter.storage)
    own = current_app.extensions.get("pb_caps_store")
    if own is None:
        own = current_app.extensions["pb_caps_store"] = storage_from_string(
            current_app.config["RATELIMIT_STORAGE_URI"])
    return FixedWindowRateLimiter(own)


def _item(cap: Cap) -> RateLimitItemPerYear:
    return RateLimitItemPerYear(cap.most, WINDOW_YEARS)


def full(caps: list[Cap]) -> str | None:
    """The refusal of the first cap already reached, or None; uses nothing up."""
    if not caps:
        return None
    counter = _counter()
    return next((c.refusal().code for c in caps if not counter.test(_item(c), c.key)), None)


@contextmanager
def counted(caps: list[Cap]) -> Iterator[None]:
    """Count one ballot against each cap for the block (the ballot's write). Refuses the first cap
    past its most; a refusal, or the block failing, gives back every count it took."""
    if not caps:
        yield
        return
    counter = _counter()
    taken: list[Cap] = []
    try:
        for cap in caps:
            within = counter.hit(_item(cap), cap.key)
            taken.append(cap)  # counted, even past its most: given back below
            if not within:
                raise cap.refusal()
        yield
    except BaseException:
        for cap in taken:
            counter.storage.incr(_item(cap).key_for(cap.key), _item(cap).get_expiry(), amount=-1)
        raise
