"""A project's own page on a phone (390 × 844) in Chromium, in both languages, with and without JavaScript:
from the fund's page and back, and from the ballot and back with the ticks kept (issue #17).
Screenshots go to test-artifacts/project-pages/ for a person to look at."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw

from browser.conftest import ARTIFACTS
from browser.test_accessibility import violations
from factories import make_pot

PHONE_390 = {"width": 390, "height": 844}
SHOTS = ARTIFACTS / "project-pages"
PROJECTS = [("Gwella’r llwybr cerdded a beicio rhwng y parc a’r ysgol gynradd", "A better walking and cycling path",
             250_000), ("Meinciau newydd", "New benches", 120_000), ("Caffi trwsio", "Repair café", 80_000)]


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def phone(request, browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE_390, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  java_script_enabled=request.param)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.js = request.param
    yield page
    context.close()


def _picture() -> bytes:
    picture = Image.new("RGB", (1600, 1200), (168, 208, 230))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 700, 1600, 1200), fill=(96, 160, 72))
    draw.polygon([(700, 700), (900, 700), (1300, 1200), (300, 1200)], fill=(214, 196, 150))
    out = io.BytesIO()
    picture.save(out, "JPEG")
    return out.getvalue()


def _pot_with_a_picture(app):  # type: ignore[no-untyped-def]
    from engage.ballots import lifecycle, pots
    from engage.ballots.models import Pot
    from engage.extensions import db

    made = make_pot(app, open_it=False, projects=PROJECTS)
    with app.app_context():
        pot = db.session.get(Pot, made.id)
        project = next(p for p in pot.projects if p.id == made.projects[0])
        pots.save_project(pot, {"title": {"cy": PROJECTS[0][0], "en": PROJECTS[0][1]},
                                "summary": {"cy": "Llwybr llydan.", "en": "A wide path."},
                                "description": {"cy": "Llwybr un cilomedr o hyd.\n\nGyda goleuadau.",
                                                "en": "A path one kilometre long.\n\nWith lights."},
                                "category": {"cy": "Teithio", "en": "Travel"}, "location": {"cy": "Bangor", "en": "Bangor"},
                                "proposer": "Cyfeillion y Parc", "cost_pence": PROJECTS[0][2],
                                "image_alt": {"cy": "Llwybr yn croesi cae gwyrdd", "en": "A path across a green field"}},
                          project, image=_picture())
        lifecycle.open_pot(pot)
    return made


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{'js' if page.js else 'nojs'}.png"), full_page=True)


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_fund_to_project_page_and_back_then_the_ballot_keeps_its_ticks(app, two_orgs, live_server, phone, lang):
    page = phone
    made = _pot_with_a_picture(app)
    first, second, third = made.projects
    page.goto(f"{live_server.url}/{lang}/pb/{made.id}")
    _shot(page, f"pot-{lang}")
    _fits(page)
    small = page.locator("img.project-image-small")
    assert small.count() == 1 and small.evaluate("e => e.complete && e.naturalWidth") == 320
    assert small.bounding_box()["width"] <= PHONE_390["width"] - 30

    page.click(f"a[href$='/pb/{made.id}/projects/{first}']")
    page.wait_for_url(re.compile(rf".*/pb/{made.id}/projects/{first}$"))
    _shot(page, f"project-{lang}")
    _fits(page)
    full = page.locator("img.project-image-full")
    assert full.get_attribute("alt") == {"cy": "Llwybr yn croesi cae gwyrdd", "en": "A path across a green field"}[lang]
    box = full.bounding_box()
    assert box["width"] <= PHONE_390["width"] - 30 and abs(box["height"] - box["width"] * 0.75) < 2  # kept its shape
    assert page.locator("h1").inner_text() == PROJECTS[0][0 if lang == "cy" else 1]
    assert page.js is False or violations(page) == []
    page.go_back()
    page.wait_for_url(re.compile(rf".*/{lang}/pb/{made.id}$"))

    page.goto(f"{live_server.url}/{lang}/pb/{made.id}/vote")
    page.fill("#code", made.codes[0])
    page.click("button[name=submit]")
    page.wait_for_url(re.compile(r".*/vote/choose$"))
    page.locator(f"#title-{first}").click()
    page.locator(f"#title-{third}").click()
    about = page.locator(f"button[name=about][value='{second}']")
    assert about.bounding_box()["height"] >= 44  # a tap target of its own, outside the row's label
    _shot(page, f"choose-{lang}")
    _fits(page)
    about.click()
    page.wait_for_url(re.compile(rf".*/pb/{made.id}/projects/{second}$"))
    assert page.js is False or violations(page) == []
    _shot(page, f"project-from-ballot-{lang}")
    page.go_back()  # the browser's Back: the ballot page again, with the ticks
    page.wait_for_url(re.compile(r".*/vote/choose$"))
    assert page.locator(f"#project-{first}").is_checked() and page.locator(f"#project-{third}").is_checked()
    assert not page.locator(f"#project-{second}").is_checked()
    page.locator(f"button[name=about][value='{first}']").click()
    page.wait_for_url(re.compile(rf".*/pb/{made.id}/projects/{first}$"))
    page.click(f"a[href$='/pb/{made.id}/vote/choose']")  # the page's own way back
    page.wait_for_url(re.compile(r".*/vote/choose$"))
    assert page.locator(f"#project-{first}").is_checked() and page.locator(f"#project-{third}").is_checked()
    total = {"cy": "£3,300 allan o £10,000", "en": "£3,300 of £10,000"}[lang]
    assert total in page.locator("#budget-status").inner_text()
