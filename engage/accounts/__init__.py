"""Organisations, staff users and their roles."""


def connect() -> None:
    """Wire the area into the app (a named step of the factory): its refusals' words."""
    from .. import refusals
    from .labels import REFUSALS

    refusals.register("accounts", REFUSALS)
