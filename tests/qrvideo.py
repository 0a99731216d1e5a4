"""Test assets: decode QR codes from screenshots, and turn a picture into a fake camera video."""
from __future__ import annotations

import io
from pathlib import Path

import zxingcpp
from PIL import Image


def decode_png(png: bytes) -> list[str]:
    """Every QR code zxing-cpp finds in a PNG screenshot."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


def write_y4m(png: bytes, path: Path, frames: int = 30, size: tuple[int, int] = (640, 480)) -> Path:
    """A Y4M video (what Chromium's fake camera reads) showing ``png`` centred on white."""
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    picture.thumbnail((size[0] - 80, size[1] - 80))
    canvas = Image.new("RGB", size, "white")
    canvas.paste(picture, ((size[0] - picture.width) // 2, (size[1] - picture.height) // 2))
    y, cb, cr = canvas.convert("YCbCr").split()
    half = (size[0] // 2, size[1] // 2)
    frame = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()  # I420: 4:2:0
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{size[0]} H{size[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame)
    return path
