"""Stored images: one row per upload, the picture at two sizes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow

TYPES = {"image/jpeg": "jpg", "image/png": "png"}


class StoredImage(db.Model):
    """A picture as residents receive it: re-encoded (no camera metadata, no location), at most
    ``services.FULL`` pixels on its longer side, with a small copy for lists."""

    __tablename__ = "images"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    #: Names the picture in its address (/img/<key>.jpg): a hash of the stored bytes, so the address
    #: changes when the picture does and browsers may keep a copy for ever.
    key: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    #: The bytes are loaded only when served (deferred): a page listing projects reads the sizes alone.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    small: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("key"),
        CheckConstraint("content_type IN ('image/jpeg', 'image/png')", name="type_known"),
        CheckConstraint("width BETWEEN 1 AND 4000 AND height BETWEEN 1 AND 4000", name="size_range"),
    )

    @property
    def extension(self) -> str:
        return TYPES[self.content_type]

    @property
    def filename(self) -> str:
        return f"{self.key}.{self.extension}"

    @property
    def small_filename(self) -> str:
        return f"{self.key}-s.{self.extension}"

    @property
    def small_size(self) -> tuple[int, int]:
        """The small copy's width and height, as ``picture.prepare`` made it (for ``<img>`` attributes;
        within a pixel of Pillow's rounding, which is all the browser needs to keep the space)."""
        from .picture import SMALL

        side = SMALL // 2 if self.content_type == "image/png" else SMALL  # PNG: a logo (picture.prepare)
        scale = min(1.0, side / max(self.width, self.height))
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))
