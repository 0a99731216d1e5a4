"""An organisation's look (issue #17): name, logo and colours, checked for contrast, shown on its own
public pages and nobody else's."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from engage.accounts import contrast
from engage.accounts.services import get_org
from engage.audit.models import AuditEntry
from engage.extensions import db
from factories import make_pot
from helpers import sign_in

SETTINGS = "/{lang}/manage/gwynedd/settings"
NAMES = {"name-cy": "Cyngor Gwynedd", "name-en": "Gwynedd Council"}


def logo_png(width: int = 300, height: int = 120) -> bytes:
    picture = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    for x in range(20, width - 20):
        for y in range(30, height - 30):
            picture.putpixel((x, y), (200, 16, 46, 255))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def save(client, lang="en", **fields):  # type: ignore[no-untyped-def]
    data = {**NAMES, "brand_colour": "#00594f", "link_colour": "#0b4f9c", **fields}
    return client.submit(SETTINGS.format(lang=lang), data, content_type="multipart/form-data")


# --- the arithmetic ------------------------------------------------------------------------------


@pytest.mark.parametrize("one,other,expected", [
    ("#ffffff", "#000000", 21.0),
    ("#767676", "#ffffff", 4.54),
    ("#1d70b8", "#ffffff", 5.17),
    ("#ffffff", "#ffffff", 1.0),
    ("#777777", "#ffffff", 4.48),     # the grey that just fails
])
def test_contrast_ratios_match_known_values(one, other, expected):
    assert contrast.ratio(one, other) == pytest.approx(expected, abs=0.01 if expected < 10 else 0.1)
    assert contrast.ratio(other, one) == contrast.ratio(one, other)


def test_a_ratio_is_shown_rounded_down_so_a_near_miss_never_reads_as_a_pass():
    assert contrast.shown(4.499) == "4.4" and contrast.shown(2.96) == "2.9" and contrast.shown(21) == "21.0"


def test_darkening_keeps_the_hue_and_stops_at_the_first_shade_that_passes():
    suggested = contrast.darker_until("#4ca3dd", contrast.WHITE, 4.5)
    assert contrast.ratio(suggested, contrast.WHITE) >= 4.5
    assert contrast.ratio(suggested, contrast.WHITE) < 5.0  # the first that passes, not far past it
    red, green, blue = contrast.rgb(suggested)
    assert blue > green > red  # still a blue
    assert contrast.darker_until("#1d70b8", contrast.WHITE, 4.5) == "#1d70b8"  # passing already: itself
    assert contrast.darker_until("#ffffff", contrast.WHITE, 4.5) != "#ffffff"


@pytest.mark.parametrize("value", ["#1d70b8", "#ABCDEF"])
def test_hex_colours_are_recognised_strictly(value):
    assert contrast.is_hex(value)
    for bad in ("1d70b8", "#1d70b", "#1d70b8 ", "#1d70bg", "red", "", "#1d70b8;}", "rgb(1,2,3)"):
        assert not contrast.is_hex(bad)


# --- the settings page ---------------------------------------------------------------------------


def test_a_brand_colour_too_light_for_white_text_is_refused_in_welsh_and_nothing_is_saved(app, client, two_orgs):
    sign_in(client, "admin-a@example.org")
    response = save(client, "cy", brand_colour="#4ca3dd", **{"name-en": "Renamed Council"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    found = contrast.shown(contrast.ratio("#4ca3dd", "#ffffff"))
    assert f"Cyferbyniad {found}:1" in html and "4.5:1" in html
    suggested = contrast.darker_until("#4ca3dd", "#ffffff", 4.5)
    assert suggested in html
    with app.app_context():
        org = get_org("gwynedd")
        assert org.brand_colour is None and org.name_en == "Gwynedd Council"
    english = save(client, "en", brand_colour="#4CA3DD").get_data(as_text=True)
    assert f"Contrast {found}:1 with white text; it needs at least 4.5:1" in english


def test_a_link_colour_too_light_and_a_malformed_colour_are_refused(app, client, two_orgs):
    sign_in(client, "admin-a@example.org")
    html = save(client, link_colour="#7aa7d6").get_data(as_text=True)
    assert "links need at least 4.5:1" in html
    response = save(client, brand_colour="#12345")
    assert response.status_code == 400
    assert "six hexadecimal digits" in response.get_data(as_text=True)
    response = save(client, brand_colour="#1d70b8;} body{display:none")
    assert response.status_code == 400
    with app.app_context():
        assert get_org("gwynedd").brand_colour is None


def test_passing_colours_are_saved_audited_and_served_as_a_stylesheet(app, client, two_orgs):
    sign_in(client, "admin-a@example.org")
    response = save(client, brand_colour="#8A1538", link_colour="#1d70b8")
    assert response.status_code == 302
    with app.app_context():
        org = get_org("gwynedd")
        assert (org.brand_colour, org.link_colour) == ("#8a1538", "#1d70b8")
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.kind == "accounts.org_look_changed"))
        assert entry.data["after"]["brand_colour"] == "#8a1538" and entry.data["before"]["brand_colour"] is None
        assert entry.user.email == "admin-a@example.org"
    page = client.get("/en/manage/gwynedd/settings").get_data(as_text=True)
    href = re.search(r'<link rel="stylesheet" href="(/brand/gwynedd-[0-9a-f]{10}\.css)">', page).group(1)
    css = app.test_client().get(href)  # a resident's browser (staff responses are never cached)
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert "immutable" in css.headers["Cache-Control"]
    text = css.get_data(as_text=True)
    assert "--org-brand: #8a1538;" in text and "--org-link: #1d70b8;" in text
    # An old address (colours since changed) is sent on to the current one.
    assert client.get("/brand/gwynedd-0000000000.css").headers["Location"].endswith(href)
    # Back to Engage's own: no stylesheet at all.
    client.submit(SETTINGS.format(lang="en"), {**NAMES, "brand_colour": "#8a1538", "link_colour": "#1d70b8",
                                                "standard_colours": "1"}, content_type="multipart/form-data")
    with app.app_context():
        assert get_org("gwynedd").brand_colour is None
    assert client.get(href).status_code == 404


def test_the_database_refuses_a_colour_that_is_not_hex(app, two_orgs):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        org = get_org("gwynedd")
        org.brand_colour = "red;}{"
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_the_band_shows_the_logo_and_name_on_that_organisations_pages_only(app, client, two_orgs, make_event):
    event = make_event("gwynedd")
    other = make_event("powys", title={"cy": "Te prynhawn", "en": "Afternoon tea"})
    pot = make_pot(app, "gwynedd", codes=0)
    other_pot = make_pot(app, "powys", codes=0)
    sign_in(client, "admin-a@example.org")
    response = save(client, brand_colour="#8a1538", logo=(io.BytesIO(logo_png()), "logo.png"))
    assert response.status_code == 302
    client.post("/en/sign-out", data={"csrf_token": client.last_csrf})
    with app.app_context():
        logo = get_org("gwynedd").logo
        assert logo is not None and logo.content_type == "image/png" and logo.org_id == get_org("gwynedd").id
    for lang, name in (("cy", "Cyngor Gwynedd"), ("en", "Gwynedd Council")):
        for path in (f"/{lang}/events/{event.id}", f"/{lang}/pb/{pot.id}", f"/{lang}/pb/{pot.id}/projects/{pot.projects[0]}"):
            html = client.get(path).get_data(as_text=True)
            assert 'class="org-band"' in html, path
            assert f'alt="{name}"' in html and f"/img/{logo.key}.png" in html, path
            assert '<link rel="stylesheet" href="/brand/gwynedd-' in html
        for path in (f"/{lang}/events/{other.id}", f"/{lang}/pb/{other_pot.id}"):
            html = client.get(path).get_data(as_text=True)
            assert "Cyngor Sir Powys" in html or "Powys County Council" in html
            assert "/brand/gwynedd-" not in html and logo.key not in html, path
        html = client.get(f"/{lang}/events").get_data(as_text=True)  # every organisation's: Engage's look
        assert 'class="org-band"' not in html and "/brand/" not in html
    # Removing the logo leaves the name in the band.
    sign_in(client, "admin-a@example.org")
    save(client, brand_colour="#8a1538", remove_logo="y")
    html = client.get(f"/en/events/{event.id}").get_data(as_text=True)
    assert 'class="org-band"' in html and logo.key not in html and "Gwynedd Council" in html


def test_a_logo_that_is_not_a_picture_is_refused_and_nothing_is_saved(app, client, two_orgs):
    sign_in(client, "admin-a@example.org")
    response = save(client, "cy", brand_colour="#8a1538", logo=(io.BytesIO(b"<svg onload=alert(1)>"), "logo.png"))
    assert response.status_code == 400
    assert "JPEG, PNG neu WebP" in response.get_data(as_text=True)
    with app.app_context():
        org = get_org("gwynedd")
        assert org.logo is None and org.brand_colour is None


def test_only_an_admin_of_the_organisation_can_change_its_look(app, client, two_orgs):
    sign_in(client, "organiser-a@example.org")
    assert client.get("/en/manage/gwynedd/settings").status_code == 403
    response = client.post("/en/manage/gwynedd/settings", data={**NAMES, "brand_colour": "#000000",
                                                                 "csrf_token": client.last_csrf})
    assert response.status_code == 403
    client.post("/en/sign-out", data={"csrf_token": client.last_csrf})
    sign_in(client, "admin-b@example.org")
    assert client.get("/en/manage/gwynedd/settings").status_code == 404
    response = client.post("/en/manage/gwynedd/settings", data={**NAMES, "brand_colour": "#000000",
                                                                 "csrf_token": client.last_csrf})
    assert response.status_code == 404
    with app.app_context():
        assert get_org("gwynedd").brand_colour is None


def test_the_demo_organisation_has_a_drawn_logo_and_colours_that_pass(app):
    from engage.accounts import brand
    from engage.accounts.demo import DEMO_BRAND, DEMO_LINK

    brand.check_brand_colour(DEMO_BRAND)
    brand.check_link_colour(DEMO_LINK)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0  # again: nothing changes
    with app.app_context():
        org = get_org("demo")
        assert org.brand_colour == DEMO_BRAND and org.logo.content_type == "image/png"
        assert Image.open(io.BytesIO(org.logo.data)).mode == "RGBA"


def test_a_logo_over_the_sites_2_mb_form_limit_is_accepted(app, client, two_orgs):
    import os

    noise = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert len(out.getvalue()) > 2 * 1024 * 1024
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    sign_in(client, "admin-a@example.org")
    client.get(SETTINGS.format(lang="en"))
    # Encoded here in memory: the test client spools a body this big to a temporary file it never closes.
    boundary, body = encode_multipart({**NAMES, "brand_colour": "#00594f", "link_colour": "#0b4f9c",
                                       "csrf_token": client.last_csrf,
                                       "logo": FileStorage(io.BytesIO(out.getvalue()), "big.png", content_type="image/png")})
    response = client.post(SETTINGS.format(lang="en"), data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302
    with app.app_context():
        logo = get_org("gwynedd").logo
        assert logo.content_type == "image/png" and max(logo.width, logo.height) == 400
