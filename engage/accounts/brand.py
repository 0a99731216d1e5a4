"""An organisation's look on its own public pages: name, logo and two colours, checked for contrast.

Where it shows: a band under the site header (logo and name, in the brand colour) on every public page
that belongs to one organisation, and that organisation's colour on the page's primary buttons and
links. The page's policy allows no inline style (``style-src 'self'``), so the colours come as a
tiny stylesheet of CSS custom properties from the site itself (:func:`stylesheet`), at an address
that names the colours (:func:`stylesheet_path`), so browsers may keep it for ever.

Which contrast rules apply (WCAG 2.2 AA), and why these are enough:
- brand colour: white text on it (the band's name, the buttons' words) needs 4.5:1. The band against
  the white page is the same pair of colours, so its 3:1 for a non-text part follows.
- link colour: text on the white page, and on the pale grey of boxes and the footer: 4.5:1 on both.
A failing colour is refused with the ratio found, the ratio needed and a darker shade that passes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from markupsafe import Markup

from ..audit.services import record
from ..db import write_transaction
from ..images import services as images
from . import contrast
from .models import Organisation
from .services import AccountRefusal

#: What an organisation without its own colours looks like (engage.css: --brand and --link); a
#: colour chosen equal to these is kept as "Engage's own", so the form need not ask twice.
STANDARD = {"brand_colour": "#00594f", "link_colour": "#0b4f9c"}
#: The pale grey of boxes and the footer (engage.css --panel): links sit on it too.
PANEL = "#f3f2f1"


@dataclass(frozen=True)
class Look:
    """What the settings form asks for, as the route read it."""

    names: dict[str, str | None]
    brand_colour: str | None = None
    link_colour: str | None = None
    logo: bytes | None = None          # a new logo's bytes, or None to keep the one there is
    remove_logo: bool = False


def clean_colour(value: str | None, field: str) -> str | None:
    """A typed or picked colour, lower-cased; None for empty or Engage's own. Raises ``bad_colour``."""
    value = (value or "").strip()
    if not value:
        return None
    if not contrast.is_hex(value):
        raise AccountRefusal("bad_colour", field)
    value = value.lower()
    return None if value == STANDARD[field] else value


def check_brand_colour(colour: str) -> None:
    found = contrast.ratio(colour, contrast.WHITE)
    if found < contrast.TEXT_RATIO:
        raise AccountRefusal("brand_contrast", "brand_colour", found=contrast.shown(found),
                             needed=contrast.shown(contrast.TEXT_RATIO),
                             suggested=contrast.darker_until(colour, contrast.WHITE, contrast.TEXT_RATIO))


def check_link_colour(colour: str) -> None:
    on_white = contrast.ratio(colour, contrast.WHITE)
    if on_white < contrast.TEXT_RATIO:
        raise AccountRefusal("link_contrast", "link_colour", found=contrast.shown(on_white),
                             needed=contrast.shown(contrast.TEXT_RATIO),
                             suggested=contrast.darker_until(colour, PANEL, contrast.TEXT_RATIO))
    on_panel = contrast.ratio(colour, PANEL)
    if on_panel < contrast.TEXT_RATIO:
        raise AccountRefusal("link_contrast_panel", "link_colour", found=contrast.shown(on_panel),
                             needed=contrast.shown(contrast.TEXT_RATIO),
                             suggested=contrast.darker_until(colour, PANEL, contrast.TEXT_RATIO))


def save_look(org: Organisation, look: Look, *, by_id: int | None) -> None:
    """Save the names, logo and colours in one transaction, audited; nothing is saved if any is refused
    (``AccountRefusal`` for names and colours, ``ImageRefusal`` for the logo)."""
    names = {lang: (text or "").strip() for lang, text in look.names.items()}
    if not names.get("cy") or not names.get("en"):
        raise AccountRefusal("names_required", "name")
    brand = clean_colour(look.brand_colour, "brand_colour")
    link = clean_colour(look.link_colour, "link_colour")
    if brand:
        check_brand_colour(brand)
    if link:
        check_link_colour(link)
    with write_transaction():
        before = _described(org)
        org.set_text("name", names)
        org.brand_colour, org.link_colour = brand, link
        if look.logo is not None:
            org.logo = images.add(org.id, look.logo, by_id=by_id, logo=True)
        elif look.remove_logo:
            org.logo = None
        after = _described(org)
        if before["name"] != after["name"]:
            record("accounts.org_renamed", org_id=org.id, obj=org,
                   data={"before": before["name"], "after": after["name"]})
        if {k: v for k, v in before.items() if k != "name"} != {k: v for k, v in after.items() if k != "name"}:
            record("accounts.org_look_changed", org_id=org.id, obj=org, data={"before": before, "after": after})


def _described(org: Organisation) -> dict[str, object]:
    return {"name": org.texts("name"), "logo": org.logo.key if org.logo else None,
            "brand_colour": org.brand_colour, "link_colour": org.link_colour}


# --- what a page needs ---------------------------------------------------------------------------


def digest(org: Organisation) -> str:
    """Names the colours in the stylesheet's address: a new colour, a new address."""
    return hashlib.sha256(f"{org.brand_colour}|{org.link_colour}".encode()).hexdigest()[:10]


def stylesheet_path(org: Organisation) -> str | None:
    """Where this organisation's colours are (None when it uses Engage's own)."""
    if not (org.brand_colour or org.link_colour):
        return None
    return f"/brand/{org.slug}-{digest(org)}.css"


def stylesheet(org: Organisation) -> str:
    """The colours as custom properties, read by the "Organisation brand" section of engage.css.
    Only colours the database's checks allow (``#`` and six hex digits) reach this text."""
    lines = []
    if org.brand_colour:
        lines += [f"  --org-brand: {org.brand_colour};",
                  # Darker still keeps white text readable: hover and the button's shadow.
                  f"  --org-brand-dark: {contrast.darken(org.brand_colour, 0.8)};",
                  f"  --org-brand-shadow: {contrast.darken(org.brand_colour, 0.45)};"]
    if org.link_colour:
        lines.append(f"  --org-link: {org.link_colour};")
    return "/* Organisation brand: " + org.slug + " */\n:root {\n" + "\n".join(lines) + "\n}\n"


def stylesheet_link(org: Organisation | None) -> Markup:
    """The ``<link>`` for a page of ``org`` (nothing for Engage's own colours); used in base.html."""
    path = stylesheet_path(org) if org is not None else None
    return Markup('<link rel="stylesheet" href="{}">').format(path) if path else Markup("")
