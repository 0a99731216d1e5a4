"""The demo organisation's look: a logo drawn here with Pillow (no files to ship or fetch) and a
brand colour that passes the contrast checks."""
from __future__ import annotations

import io
from collections.abc import Iterator

from PIL import Image, ImageDraw

from . import brand
from .models import Organisation

#: A slate purple, unlike Engage's own green header: white text on it has a contrast of about 9.9:1.
DEMO_BRAND = "#6d2077"
DEMO_LINK = "#1d5a9c"


def demo_logo() -> bytes:
    """Mountains, the sun and the sea, on a transparent background (a PNG, 480 × 200)."""
    picture = Image.new("RGBA", (480, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((300, 18, 380, 98), fill=(242, 169, 0, 255))                        # the sun
    draw.polygon([(20, 160), (160, 30), (300, 160)], fill=(31, 81, 71, 255))          # Yr Wyddfa
    draw.polygon([(180, 160), (290, 70), (420, 160)], fill=(64, 128, 112, 255))       # a smaller peak
    for top, colour in ((150, (29, 90, 156, 255)), (172, (64, 138, 200, 255))):      # the sea, two waves
        draw.rounded_rectangle((10, top, 470, top + 18), radius=9, fill=colour)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def load_brand(org: Organisation) -> Iterator[str]:
    if org.logo is not None or org.brand_colour:
        return
    brand.save_look(org, brand.Look(names=org.texts("name"), brand_colour=DEMO_BRAND, link_colour=DEMO_LINK,
                                    logo=demo_logo()), by_id=None)
    yield f"gave {org.slug} a logo and its colours"
