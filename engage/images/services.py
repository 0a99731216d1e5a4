"""Keeping an uploaded picture: called by another area's service inside its own transaction."""
from __future__ import annotations

from typing import IO

from sqlalchemy import select

from ..extensions import db
from .models import StoredImage
from .picture import MAX_UPLOAD, ImageRefusal, Prepared, prepare


def read_upload(stream: IO[bytes]) -> bytes:
    """The upload's bytes, reading at most one byte past the limit (a refusal, not a memory spike)."""
    raw = stream.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        raise ImageRefusal("too_big", field="image")
    return raw


def add(org_id: int, raw: bytes | Prepared, *, by_id: int | None, logo: bool = False) -> StoredImage:
    """Check and resize ``raw`` and add it to the current transaction (the caller commits and audits).
    The same picture uploaded again is the same row. ``raw`` may be already prepared (``picture.prepare``),
    so a caller can do the slow part before it takes a lock."""
    prepared = raw if isinstance(raw, Prepared) else prepare(raw, logo=logo)
    found = db.session.scalar(select(StoredImage).where(StoredImage.key == prepared.key))
    if found is not None and found.org_id == org_id:
        return found
    key = prepared.key if found is None else _other_key(prepared.key, org_id)
    image = StoredImage(org_id=org_id, key=key, content_type=prepared.content_type, width=prepared.width,
                        height=prepared.height, data=prepared.data, small=prepared.small, created_by_id=by_id)
    db.session.add(image)
    db.session.flush()
    return image


def _other_key(key: str, org_id: int) -> str:
    """Another organisation uploaded the same picture: its own row, so deleting one keeps the other."""
    import hashlib

    return hashlib.sha256(f"{key}:{org_id}".encode()).hexdigest()[:32]


def find(key: str) -> StoredImage | None:
    return db.session.scalar(select(StoredImage).where(StoredImage.key == key))
