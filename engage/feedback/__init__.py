"""“You said, we did”: feedback on how community input shaped decisions."""


def connect() -> None:
    """Wire the area into the app (a named step of the factory): its refusals' words."""
    from .. import refusals
    from .labels import REFUSALS

    refusals.register("feedback", REFUSALS)
