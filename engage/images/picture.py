"""Reading an uploaded picture safely and making what a phone needs. Pure Pillow: no Flask, no database.

What a hostile or careless upload cannot do here: pass a non-image as an image (Pillow must decode
every pixel), exhaust memory with a small file that claims huge dimensions (the header is checked
before any pixel is decoded), or leak where a photo was taken (the picture is re-encoded from its
pixels; EXIF, GPS, XMP and comments are not copied). A phone photo on its side is turned upright
first (its EXIF orientation), as the phone showed it.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from ..refusals import Refusal

MAX_UPLOAD = 10 * 1024 * 1024       # bytes: a phone's full-size photo fits
MAX_PIXELS = 40_000_000             # width × height read from the header, before decoding
MIN_SIDE = 100
FULL = 1000                         # longer side of the picture on a project's page (2× a phone's width)
SMALL = 320                         # longer side of the copy in lists
LOGO = 400                          # a logo's longer side
FORMATS = {"JPEG", "PNG", "WEBP"}


class ImageRefusal(Refusal):
    area = "images"


@dataclass(frozen=True)
class Prepared:
    key: str
    content_type: str
    width: int
    height: int
    data: bytes
    small: bytes


def prepare(raw: bytes, *, logo: bool = False) -> Prepared:
    """Check an upload and make the stored picture. Photos become JPEG (no transparency needed,
    smallest for a photo); a logo stays PNG with its transparency. Raises ``ImageRefusal``."""
    if not raw:
        raise ImageRefusal("empty", field="image")
    if len(raw) > MAX_UPLOAD:
        raise ImageRefusal("too_big", field="image")
    picture = _open(raw)
    if max(picture.size) < MIN_SIDE:
        raise ImageRefusal("too_small", field="image")
    if logo:
        picture = picture.convert("RGBA")
        full = _fit(picture, LOGO)
        data = _png(full)
        small = _png(_fit(picture, SMALL // 2))
        kind = "image/png"
    else:
        picture = _flatten(picture)
        full = _fit(picture, FULL)
        data = _jpeg(full, quality=80)
        small = _jpeg(_fit(picture, SMALL), quality=72)
        kind = "image/jpeg"
    return Prepared(key=hashlib.sha256(data).hexdigest()[:32], content_type=kind,
                    width=full.width, height=full.height, data=data, small=small)


def _open(raw: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(raw), formats=sorted(FORMATS))
            if picture.width * picture.height > MAX_PIXELS:
                raise ImageRefusal("too_many_pixels", field="image")
            picture.load()  # decodes every pixel: a truncated or forged file fails here
            if getattr(picture, "n_frames", 1) > 1:
                picture.seek(0)  # an animated WebP: its first frame
            return ImageOps.exif_transpose(picture)
    except ImageRefusal:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefusal("too_many_pixels", field="image") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError):
        raise ImageRefusal("not_image", field="image") from None


def _flatten(picture: Image.Image) -> Image.Image:
    """A picture with transparency on white (JPEG has none); other modes to RGB."""
    if picture.mode in ("RGBA", "LA", "P", "PA"):
        picture = picture.convert("RGBA")
        background = Image.new("RGB", picture.size, (255, 255, 255))
        background.paste(picture, mask=picture.getchannel("A"))
        return background
    return picture.convert("RGB")


def _fit(picture: Image.Image, side: int) -> Image.Image:
    copy = picture.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    return copy


def _jpeg(picture: Image.Image, *, quality: int) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _png(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=True)
    return out.getvalue()
