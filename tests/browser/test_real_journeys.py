"""Issue #17, done when: each resident and door journey walked end to end on a phone (390 × 844) in
Chromium, in both languages, with the ticket read from the real outbox and every QR code decoded by a
real decoder (zxing-cpp) from what the resident or the printer would have: the email's picture, the
printed poster, the printed voter card. Screenshots of each step go to test-artifacts/journeys/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from browser.conftest import ARGS, ARTIFACTS, CHROMIUM, sign_in
from browser.test_accessibility import violations
from engage.extensions import db
from factories import make_pot
from helpers import PASSWORD
from pb_helpers import publish_results
from qrvideo import decode_png, write_y4m

PHONE_390 = {"width": 390, "height": 844}
SHOTS = ARTIFACTS / "journeys"
WORDS = {
    "cy": {"register": "Cofrestru ar gyfer y digwyddiad hwn", "ticket": "Eich tocyn", "subject": "Eich tocyn: Noson gymunedol",
           "checked_in": "Presenoldeb wedi’i gofrestru", "counted": "Cafodd eich pleidlais ei chyfrif."},
    "en": {"register": "Register for this event", "ticket": "Your ticket", "subject": "Your ticket: Community night",
           "checked_in": "Checked in", "counted": "Your vote was counted."},
}


def _phone(browser, **extra):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE_390, device_scale_factor=2, is_mobile=True, has_touch=True, **extra)
    context.set_default_timeout(15_000)
    return context


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _outbox(app, to: str) -> list:  # type: ignore[no-untyped-def]
    from engage.mail import OutboxMessage

    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == to).order_by(OutboxMessage.id))
        return [(m.subject, m.body, m.lang, m.files()) for m in rows]


def _door_count(app, event_id: int) -> int:
    from engage.checkin import services

    with app.app_context():
        return services.counts_by_event([event_id]).get(event_id, 0)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_register_on_a_phone_get_the_ticket_by_email_and_the_door_camera_reads_it(app, door, live_server, browser,
                                                                                 tmp_path, lang):
    from engage.checkin import services

    with app.app_context():
        services.settings_for(db.session.merge(door.event)).registration_open = True
        db.session.commit()
    words, email = WORDS[lang], f"gwen.{lang}@example.org"
    # 1. The resident, on their phone: the event's page, then its registration form.
    resident = _phone(browser)
    page = resident.new_page()
    page.goto(f"{live_server.url}/{lang}/events/{door.event.id}")
    page.click(f"a:text-is('{words['register']}')")
    _shot(page, f"register-{lang}-1-form")
    page.fill("#name", "Gwen Pritchard")
    page.fill("#email", email)
    page.check(f"input[name=preferred_lang][value={lang}]")
    page.check("#consent")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/[^/]+$"))
    assert page.locator("h1").inner_text() == words["ticket"]
    assert violations(page) == []
    _shot(page, f"register-{lang}-2-ticket")
    resident.close()
    # 2. The email, read from the outbox: in the resident's language, the QR code a picture in it.
    [(subject, body, mail_lang, files)] = _outbox(app, email)
    assert (subject, mail_lang) == (words["subject"], lang)
    png = next(f for f in files if f.mimetype == "image/png")
    [link] = decode_png(png.data)
    token = link.rsplit("/t/", 1)[1]
    assert link == f"{live_server.url}/t/{token}" and f"/{lang}/tickets/{token}" in body
    # 3. The email's QR code opens the ticket again (a closed tab no longer loses it).
    again = _phone(browser)
    ticket_page = again.new_page()
    ticket_page.goto(link)
    ticket_page.click(f"main a[hreflang={lang}]")  # a new browser: the address has no language, so it asks
    code = ticket_page.locator(".ticket-code").inner_text().replace(" ", "").replace("-", "")
    assert len(code) == 8 and code in body.replace(" ", "")
    again.close()
    # 4. At the door: the organiser's phone camera sees the email's QR code on the resident's screen.
    video = write_y4m(png.data, tmp_path / "ticket.y4m")
    camera = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=ARGS + [
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"])
    try:
        staff = camera.new_context(viewport=PHONE_390, permissions=["camera"])
        door_page = staff.new_page()
        sign_in(door_page, live_server, "organiser-a@example.org", PASSWORD, lang=lang)
        door_page.goto(f"{live_server.url}/{lang}/manage/gwynedd/events/{door.event.id}/door")
        door_page.click("#camera-toggle")
        door_page.wait_for_selector("#scan-result.scan-green", timeout=20_000)
        assert "Gwen Pritchard" in door_page.locator("#scan-result").inner_text()
        expect(door_page.locator("#live-count")).to_have_text("1")
        _shot(door_page, f"register-{lang}-3-door")
    finally:
        camera.close()
    assert _door_count(app, door.event.id) == 1


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_the_printed_poster_checks_a_phone_in_once_and_its_typed_code_works_without_a_camera(app, door, live_server,
                                                                                            browser, lang):
    # 1. The organiser prints the poster; a real decoder reads its QR code from the printed page.
    staff = browser.new_context(viewport={"width": 900, "height": 1200})
    poster = staff.new_page()
    sign_in(poster, live_server, "organiser-a@example.org", PASSWORD, lang=lang)
    poster.goto(f"{live_server.url}/{lang}/manage/gwynedd/events/{door.event.id}/poster")
    [link] = decode_png(poster.locator("svg").first.screenshot())
    typed_code = poster.locator(".poster-code").first.inner_text().strip()
    address = re.search(r"127\.0\.0\.1:\d+/c\b", poster.locator("main").inner_text()).group(0)
    staff.close()
    # 2. A resident's phone opens what the camera read, and checks in.
    resident = _phone(browser)
    page = resident.new_page()
    page.goto(link)
    page.click(f"main a[hreflang={lang}]")
    _shot(page, f"poster-{lang}-1-phone")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("h1").text_content() == WORDS[lang]["checked_in"]
    assert violations(page) == []
    _shot(page, f"poster-{lang}-2-done")
    # The same phone again: told it is already checked in, and not counted twice.
    page.goto(link)
    assert _door_count(app, door.event.id) == 1
    resident.close()
    # 3. Another resident, no camera: types the poster's short address and its code.
    nocamera = _phone(browser, java_script_enabled=False)
    page = nocamera.new_page()
    page.goto(f"http://{address}")
    page.click(f"main a[hreflang={lang}]")
    page.fill("input[name=code]", typed_code)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")
    _shot(page, f"poster-{lang}-3-typed")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")
    _shot(page, f"poster-{lang}-4-typed-done")
    nocamera.close()
    assert _door_count(app, door.event.id) == 2


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_a_printed_voter_card_to_a_vote_on_a_phone_to_the_published_result(app, two_orgs, live_server, browser, lang):
    made = make_pot(app, codes=0)
    # 1. An admin makes cards; the printer's sheet has each code and a QR code for it.
    staff = browser.new_context(viewport={"width": 900, "height": 1200})
    admin = staff.new_page()
    sign_in(admin, live_server, "admin-a@example.org", PASSWORD, lang=lang)
    admin.goto(f"{live_server.url}/{lang}/manage/gwynedd/pb/{made.id}")
    admin.fill("input[name=count]", "2")
    admin.click("form[action$='/codes'] button[type=submit]")
    admin.wait_for_load_state("load")
    card = admin.locator(".code-card").first
    printed_code = card.locator(".code-card-code").inner_text().strip()
    [link] = decode_png(card.locator(".code-card-qr").screenshot())
    staff.close()
    assert link.startswith(f"{live_server.url}/v/{made.id}")
    # 2. The resident's phone opens the card's QR code: the code is filled in; they choose and send.
    resident = _phone(browser)
    page = resident.new_page()
    page.goto(link)
    page.click(f"main a[hreflang={lang}]")
    assert page.locator("#code").input_value().replace("-", "") == printed_code.replace("-", "")
    _shot(page, f"vote-{lang}-1-code")
    page.click("button[name=submit]")
    page.wait_for_url(re.compile(r".*/vote/choose$"))
    page.locator(f"#title-{made.projects[0]}").click()
    page.locator(f"#title-{made.projects[2]}").click()
    _shot(page, f"vote-{lang}-2-choose")
    page.click("button[value=continue]")
    page.wait_for_url(re.compile(r".*/vote/check$"))
    page.click("form[action$='/vote/submit'] button")
    page.wait_for_url(re.compile(r".*/vote/done$"))
    receipt = page.locator("#receipt").inner_text().strip()
    _shot(page, f"vote-{lang}-3-receipt")
    # 3. Staff close the vote; one counts, another admin signs the count off.
    from engage.ballots import lifecycle
    from engage.ballots.models import Pot

    with app.app_context():
        pot = db.session.get(Pot, made.id)
        lifecycle.close_pot(pot)
        publish_results(pot)
    # 4. The resident checks the receipt on the published results.
    page.goto(f"{live_server.url}/{lang}/pb/{made.id}/results")
    page.fill("input[name=receipt]", receipt)
    page.locator("form[action*='/results'] button").click()
    page.wait_for_load_state("load")
    assert WORDS[lang]["counted"] in page.locator("#receipt-result").inner_text()
    assert violations(page) == []
    _shot(page, f"vote-{lang}-4-results")
    resident.close()
