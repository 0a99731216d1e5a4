"""Pictures and longer descriptions for a few demo projects, drawn with Pillow when the demo is made
(no files shipped, nothing fetched). Each is uploaded through ``pots.save_project`` as staff would."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from PIL import Image, ImageDraw

W, H = 1200, 800
SKY, GRASS, EARTH, WOOD, LEAF = (168, 208, 230), (96, 160, 72), (120, 84, 52), (150, 100, 60), (46, 120, 56)


def _canvas(sky: tuple[int, int, int] = SKY, ground: tuple[int, int, int] = GRASS) -> tuple[Image.Image, Any]:
    picture = Image.new("RGB", (W, H), sky)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, H * 0.6, W, H), fill=ground)
    return picture, draw


def _garden() -> Image.Image:
    picture, draw = _canvas()
    draw.ellipse((980, 60, 1120, 200), fill=(255, 214, 64))
    draw.rectangle((80, 300, 330, 520), fill=(170, 120, 80))                 # the shed
    draw.polygon([(60, 300), (205, 200), (350, 300)], fill=(110, 60, 40))
    draw.rectangle((180, 400, 240, 520), fill=(90, 60, 40))
    for n, x in enumerate(range(420, 1150, 250)):                             # raised beds with vegetables
        draw.rectangle((x, 560 + n % 2 * 60, x + 200, 660 + n % 2 * 60), fill=WOOD, outline=(90, 60, 35), width=6)
        for dx in range(20, 200, 45):
            draw.ellipse((x + dx - 22, 500 + n % 2 * 60, x + dx + 22, 575 + n % 2 * 60), fill=LEAF)
    return picture


def _shelter() -> Image.Image:
    picture, draw = _canvas(sky=(190, 200, 212), ground=(170, 170, 165))
    for x in range(0, W, 100):                                                # paving on the square
        draw.line((x, H * 0.6, x - 120, H), fill=(140, 140, 136), width=3)
    draw.rectangle((0, 140, 260, 480), fill=(120, 112, 104))                  # the town's stone wall
    draw.polygon([(300, 230), (1100, 230), (1040, 280), (360, 280)], fill=(150, 200, 220), outline=(60, 70, 80))
    for x in (380, 1020):
        draw.rectangle((x - 10, 280, x + 10, 620), fill=(60, 70, 80))        # the posts
    draw.rectangle((480, 500, 920, 530), fill=WOOD)                           # the bench: seat, back, legs
    draw.rectangle((480, 430, 920, 455), fill=WOOD)
    for x in (500, 890):
        draw.rectangle((x, 530, x + 16, 600), fill=(60, 50, 40))
    return picture


def _trail() -> Image.Image:
    picture, draw = _canvas()
    draw.polygon([(560, 480), (640, 480), (900, H), (260, H)], fill=(214, 196, 150))   # the path, wide and level
    for x, y, r in ((120, 360, 90), (330, 300, 110), (900, 320, 120), (1100, 380, 90), (760, 280, 70)):
        draw.rectangle((x - 14, y + r - 20, x + 14, y + r + 130), fill=EARTH)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=LEAF)
    draw.rectangle((985, 560, 1000, 720), fill=(80, 60, 40))                 # a sign beside the path
    draw.rectangle((900, 500, 1085, 590), fill=(30, 90, 60), outline=(240, 240, 230), width=5)
    draw.line((930, 530, 1055, 530), fill=(240, 240, 230), width=8)
    draw.line((930, 560, 1030, 560), fill=(240, 240, 230), width=8)
    return picture


#: By the project's English title: (drawing, alt text, longer description).
EXTRAS: dict[str, tuple[Callable[[], Image.Image] | None, dict[str, str], dict[str, str]]] = {
    "Community garden at Ysgol yr Hendre": (_garden, {
        "cy": "Darlun o ardd gymunedol: gwelyau plannu pren yn llawn llysiau, sied fach a’r haul yn tywynnu.",
        "en": "Drawing of a community garden: wooden raised beds full of vegetables, a small shed and the sun shining.",
    }, {
        "cy": "Byddai’r arian yn talu am chwe gwely plannu uchel, sied i gadw offer, a thap dŵr.\n\n"
              "Bydd y disgyblion yn tyfu llysiau yn ystod y tymor ysgol, a bydd yr ardd ar agor i bawb "
              "ar fore Sadwrn. Mae’r gwelyau yn ddigon uchel i rywun mewn cadair olwyn eu cyrraedd.",
        "en": "The money would pay for six raised planting beds, a shed for the tools, and a water tap.\n\n"
              "Pupils will grow vegetables during term time, and the garden will be open to everyone on "
              "Saturday mornings. The beds are high enough for someone in a wheelchair to reach.",
    }),
    "Benches and shelter on y Maes": (_shelter, {
        "cy": "Darlun o gysgodfan â tho gwydr ar sgwâr y dref, gyda mainc bren oddi tani a hen wal gerrig wrth ei hochr.",
        "en": "Drawing of a glass-roofed shelter on the town square, with a wooden bench beneath it and an old stone wall beside it.",
    }, {}),
    "Coed Helen nature trail": (_trail, {
        "cy": "Darlun o lwybr llydan, gwastad yn troelli rhwng coed, gydag arwydd ar ei ochr.",
        "en": "Drawing of a wide, level path winding between trees, with a sign beside it.",
    }, {
        "cy": "Llwybr un cilomedr, yn ddigon llydan a gwastad i gadeiriau olwyn a bygis, gyda meinciau bob "
              "200 metr.\n\nBydd yr arwyddion yn Gymraeg ac yn Saesneg, ac yn sôn am yr adar a’r coed "
              "sydd i’w gweld ar hyd afon Seiont.",
        "en": "A one-kilometre path, wide and level enough for wheelchairs and buggies, with benches every "
              "200 metres.\n\nThe signs will be in Welsh and English, and tell of the birds and trees to "
              "be seen along the river Seiont.",
    }),
    "Friday night youth club": (None, {}, {
        "cy": "Sesiwn bob nos Wener o fis Medi i fis Gorffennaf, gyda dau weithiwr ieuenctid, chwaraeon, "
              "coginio a lle tawel i sgwrsio.",
        "en": "A session every Friday night from September to July, with two youth workers, sport, "
              "cooking and a quiet space to talk.",
    }),
}


def extras(title_en: str) -> dict[str, Any]:
    """What ``pots.save_project`` takes for a demo project beyond its basics: ``image`` (bytes, for the
    ``image=`` argument), ``image_alt`` and ``description``."""
    found = EXTRAS.get(title_en)
    if found is None:
        return {}
    drawing, alt, description = found
    out: dict[str, Any] = {"image_alt": alt, "description": description}
    if drawing is not None:
        buffer = io.BytesIO()
        drawing().save(buffer, "PNG")
        out["image"] = buffer.getvalue()
    return out
