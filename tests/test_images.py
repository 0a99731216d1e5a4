"""Uploaded pictures: what a hostile or careless file cannot do, and how residents receive them."""
from __future__ import annotations

import io
import zlib
import struct

import pytest
from PIL import Image

from engage.extensions import db
from engage.images import services
from engage.images.picture import FULL, LOGO, SMALL, ImageRefusal, prepare


def photo(width=3000, height=2000, *, fmt="JPEG", mode="RGB", exif=None, **save) -> bytes:
    picture = Image.new(mode, (width, height), (30, 120, 60) if mode == "RGB" else (30, 120, 60, 0))
    for x in range(0, width, 50):  # something to compress
        picture.putpixel((x, x * height // width), (250, 250, 10) if mode == "RGB" else (250, 250, 10, 255))
    out = io.BytesIO()
    if exif is not None:
        save["exif"] = exif
    picture.save(out, fmt, **save)
    return out.getvalue()


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation            # Orientation
    exif[0x010F] = "PhoneMaker"           # Make
    exif[0x8825] = {1: "N", 2: (52.0, 54.0, 36.0), 3: "W", 4: (4.0, 25.0, 12.0)}  # GPS: Criccieth
    return exif


def reopened(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


def test_a_phone_photo_is_resized_upright_and_loses_its_location():
    raw = photo(4000, 3000, exif=gps_exif(orientation=6))  # taken with the phone on its side
    assert b"PhoneMaker" in raw
    prepared = prepare(raw)
    full = reopened(prepared.data)
    assert full.format == "JPEG" and prepared.content_type == "image/jpeg"
    # Orientation 6 means "turn 90° clockwise to show": the stored picture is portrait, as the phone showed it.
    assert (full.width, full.height) == (FULL * 3 // 4, FULL) == (prepared.width, prepared.height)
    assert not full.getexif() and "exif" not in full.info
    assert b"PhoneMaker" not in prepared.data and b"GPS" not in prepared.data
    small = reopened(prepared.small)
    assert max(small.size) == SMALL
    assert len(prepared.data) < len(raw) and len(prepared.small) < 40_000


def test_a_transparent_png_becomes_a_photo_on_white_and_a_logo_keeps_its_transparency():
    raw = photo(600, 300, fmt="PNG", mode="RGBA")
    as_photo = reopened(prepare(raw).data)
    assert as_photo.mode == "RGB" and as_photo.getpixel((1, 150)) == (255, 255, 255)
    as_logo = prepare(raw, logo=True)
    logo = reopened(as_logo.data)
    assert logo.format == "PNG" and logo.mode == "RGBA" and max(logo.size) == LOGO
    assert logo.getpixel((1, 150))[3] == 0


@pytest.mark.parametrize("raw, code", [
    (b"", "empty"),
    (b"<?php system($_GET['c']); ?>", "not_image"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "not_image"),
    (photo(800, 600)[:2000], "not_image"),                    # cut off mid-upload
    (photo(800, 600, fmt="GIF"), "not_image"),                # a format we do not take
    (photo(60, 40), "too_small"),
    (b"\xff\xd8" + b"\0" * (10 * 1024 * 1024), "too_big"),
])
def test_files_that_are_not_usable_photos_are_refused_with_a_reason(raw, code):
    with pytest.raises(ImageRefusal) as refused:
        prepare(raw)
    assert refused.value.code == code


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG file whose header claims width × height pixels (a decompression bomb's shape)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def test_a_small_file_claiming_a_huge_picture_is_refused_before_decoding():
    raw = png_claiming(30_000, 30_000)
    assert len(raw) < 200
    with pytest.raises(ImageRefusal) as refused:
        prepare(raw)
    assert refused.value.code == "too_many_pixels"


def test_reading_an_upload_stops_one_byte_past_the_limit():
    class Endless(io.RawIOBase):
        read_sizes: list[int] = []

        def read(self, n=-1):
            self.read_sizes.append(n)
            return b"\0" * n

    with pytest.raises(ImageRefusal) as refused:
        services.read_upload(Endless())
    assert refused.value.code == "too_big" and Endless.read_sizes == [10 * 1024 * 1024 + 1]


def test_a_stored_picture_is_served_from_the_site_with_a_lasting_address(app, client, make_org):
    org_id = make_org().id
    with app.app_context():
        image = services.add(org_id, photo(1200, 900), by_id=None)
        db.session.commit()
        key, name, small_name = image.key, image.filename, image.small_filename
        again = services.add(org_id, photo(1200, 900), by_id=None)
        assert again.key == key  # the same picture uploaded twice is one row
    response = client.get(f"/img/{name}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert reopened(response.data).size == (FULL, 750)
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert reopened(client.get(f"/img/{small_name}").data).size == (SMALL, 240)
    assert client.get(f"/img/{key}.png").status_code == 404
    assert client.get("/img/" + "0" * 32 + ".jpg").status_code == 404


def test_a_body_over_the_limit_gets_the_bilingual_error_page_not_the_frameworks(client):
    response = client.post("/cy/feedback/", data={"x": "a" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert 'lang="cy"' in page and "Request Entity Too Large" not in page
    english = client.post("/en/feedback/", data={"x": "a" * (3 * 1024 * 1024)})
    assert english.status_code == 413 and "too large" in english.get_data(as_text=True)
