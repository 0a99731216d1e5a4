"""Images a council uploads (project photos, its logo): checked, resized and stored in the database.

Why the database and not a folder: a council that outgrows one machine runs several web servers
against one PostgreSQL, and backups (``engage backup``) already copy the database; an image that
lives in one server's folder would be missing on the others and from the backup. Images are small
after resizing (tens of kilobytes), so the cost is low.

Modules: ``models`` (the table), ``services`` (read an upload: type, size and pixel checks, orientation,
metadata removed, resized; pure Pillow, no Flask), ``routes`` (served from the site itself, so the
page's ``img-src 'self'`` policy lets residents see them), ``labels`` (every word).
"""


def connect() -> None:
    """Wire the area into the app: its refusals' words."""
    from .. import refusals
    from .labels import REFUSALS

    refusals.register("images", REFUSALS)
