"""The engagement event log, public event pages and the monthly monitoring report."""


def connect() -> None:
    """Wire the area into the app (a named step of the factory): every new organisation gets the
    programme's themes and common audiences; its refusals' words."""
    from .. import refusals
    from ..hooks import ORG_CREATED
    from .labels import REFUSALS
    from .services import preload_taxonomy

    ORG_CREATED.connect(preload_taxonomy)
    refusals.register("events", REFUSALS)
