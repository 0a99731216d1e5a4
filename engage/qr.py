"""QR codes as inline SVG (no images to fetch, sharp when printed), and as PNG for emails."""
from __future__ import annotations

import io

import qrcode
import qrcode.constants
from markupsafe import Markup
from qrcode.image.svg import SvgPathImage


def qr_svg(data: str, label: str) -> Markup:
    """An accessible SVG QR code for ``data``; ``label`` is read out by screen readers."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=10,
                       image_factory=SvgPathImage)
    qr.add_data(data)
    qr.make(fit=True)
    svg = qr.make_image().to_string(encoding="unicode")
    svg = svg[svg.index("<svg"):]  # drop the XML declaration: this goes inside an HTML page
    # Size comes from the stylesheet (.qr), so the same code fits a phone screen and an A4 poster.
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" class="qr" ', 1)
    return Markup(svg)


def qr_png(data: str) -> bytes:
    """A PNG QR code for ``data``, for an email attachment (mail clients do not show SVG)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=8)
    qr.add_data(data)
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image().save(out, format="PNG")
    return out.getvalue()
