"""The door on a phone: typed code, walk-in, undo, the camera (Chromium's fake camera showing a real
ticket QR), no signal, and the printed poster's QR code."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser.conftest import ARGS, ARTIFACTS, CHROMIUM, PHONE, sign_in
from engage.extensions import db
from helpers import PASSWORD
from qrvideo import decode_png, write_y4m


def count(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.locator("#live-count").inner_text())


@pytest.mark.browser
def test_door_typed_code_walk_in_and_undo(app, door, live_server, page):
    sign_in(page, live_server, "organiser-a@example.org", PASSWORD, lang="cy")
    page.goto(f"{live_server.url}/cy/manage/gwynedd/events/{door.event.id}/door")
    page.fill("#code", door.ann.code)
    page.click("form[data-scan-form=typed_code] button")
    result = page.locator("#scan-result")
    result.wait_for()
    assert "Presenoldeb wedi’i gofrestru" in result.inner_text() and "scan-green" in result.get_attribute("class")
    assert page.url.endswith("/door")  # no page load: the API answered
    assert count(page) == 1
    page.fill("#code", door.ann.code)
    page.click("form[data-scan-form=typed_code] button")
    page.wait_for_selector("#scan-result.scan-amber")
    assert "Cofrestrwyd presenoldeb gyntaf am" in page.locator("#scan-result").inner_text()
    page.click("form[data-scan-form=walk_in] button")
    expect(page.locator("#live-count")).to_have_text("2")
    # Answers go into one live region that stays in the page, so a screen reader hears each one.
    area = page.locator("#result-area")
    assert area.get_attribute("role") == "status" and area.get_attribute("aria-live") == "assertive"
    assert page.locator("#result-area [role], #result-area [aria-live]").count() == 0
    page.click("[data-undo-form]")
    expect(page.locator("#live-count")).to_have_text("1")
    # Undo says so, and the focus it held is not dropped onto the page body.
    expect(area).to_contain_text("Mae’r cofrestru presenoldeb wedi’i ddadwneud.")
    assert page.evaluate("document.activeElement.id") == "result-area"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.browser
def test_door_explains_a_refused_scan_in_the_pages_language(app, door, live_server, context, page, page_errors):
    sign_in(page, live_server, "organiser-a@example.org", PASSWORD, lang="cy")
    page.goto(f"{live_server.url}/cy/manage/gwynedd/events/{door.event.id}/door")
    context.clear_cookies()  # signed out elsewhere, or the session ran out, while the page stayed open
    page.click("form[data-scan-form=walk_in] button")
    expect(page.locator("#result-area")).to_have_text(
        "Ni chofnodwyd y sgan: nid ydych wedi mewngofnodi mwyach. Ail-lwythwch y dudalen.")
    assert page.locator("#queue-status").inner_text() == ""  # refused, not kept for later
    assert page_errors == [f"400 {live_server.url}/api/orgs/gwynedd/events/{door.event.id}/scans"]
    page_errors.clear()  # the refusal this test asked for
    from engage.checkin.models import Scan
    with app.app_context():
        assert db.session.query(Scan).count() == 0


def scan_with_no_signal(page, context, live_server, door, code: str) -> None:  # type: ignore[no-untyped-def]
    """Open the English door page, lose the signal, then type ``code`` and add a walk-in: both wait."""
    page.goto(f"{live_server.url}/en/manage/gwynedd/events/{door.event.id}/door")
    context.set_offline(True)
    page.fill("#code", code)
    page.click("form[data-scan-form=typed_code] button")
    page.click("form[data-scan-form=walk_in] button")
    expect(page.locator("#queue-status")).to_have_text("Waiting to send: 2")


@pytest.mark.browser
def test_door_keeps_scans_with_no_signal_and_sends_them_later(app, door, live_server, context, page):
    sign_in(page, live_server, "organiser-a@example.org", PASSWORD)
    scan_with_no_signal(page, context, live_server, door, door.bob.code)
    assert "No signal" in page.locator("#result-area").inner_text()
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#queue-status")).to_have_text("", timeout=15_000)
    expect(page.locator("#live-count")).to_have_text("2")
    from engage.checkin.models import Scan
    with app.app_context():
        rows = db.session.query(Scan).order_by(Scan.id).all()
        assert [(r.method, r.result) for r in rows] == [("typed_code", "ok"), ("walk_in", "ok")]


@pytest.mark.browser
def test_door_sends_its_queue_marked_queued_and_drops_what_waited_too_long(app, door, live_server, context, page):
    """Scans queued with no signal during the event are sent after it ended, marked "queued", so the
    server believes when they happened; a scan older than the queue's life is dropped, and said so."""
    from engage.checkin.models import Scan
    from engage.checkin.services import QUEUE_LIFE
    from engage.events.models import Event

    now = datetime.now(timezone.utc)
    with app.app_context():
        event = db.session.get(Event, door.event.id)
        event.starts_at, event.ends_at = now - timedelta(hours=3), now - timedelta(hours=1)
        db.session.commit()
    sign_in(page, live_server, "organiser-a@example.org", PASSWORD)
    during = now - timedelta(hours=2)
    page.clock.set_fixed_time(during)  # the phone's clock, while the event was on
    scan_with_no_signal(page, context, live_server, door, door.ann.code)
    stale = {"method": "typed_code", "code": door.bob.code, "nonce": "stale-queued-1",
             "scanned_at": (now - QUEUE_LIFE - timedelta(minutes=5)).isoformat()}
    page.evaluate("""([key, item]) => localStorage.setItem(key,
        JSON.stringify(JSON.parse(localStorage.getItem(key)).concat([item])))""",
                  [f"engage:door:{door.event.id}:queue", stale])
    page.clock.set_fixed_time(datetime.now(timezone.utc))  # the signal comes back, now
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#queue-status")).to_have_text("", timeout=15_000)
    conflicts = page.locator("#queue-conflicts")
    expect(conflicts).to_contain_text("Not sent: it waited on this phone for more than 12 hours.")
    expect(conflicts).to_contain_text(door.bob.code)
    expect(page.locator("#live-count")).to_have_text("2")
    with app.app_context():
        rows = db.session.query(Scan).order_by(Scan.id).all()
        assert [(r.method, r.result) for r in rows] == [("typed_code", "ok"), ("walk_in", "ok")]
        assert all(abs((r.scanned_at - during).total_seconds()) < 5 for r in rows)


@pytest.mark.browser
def test_camera_reads_a_real_ticket_qr(app, door, live_server, browser, tmp_path):
    # 1. The resident's ticket page, as a picture: its QR code is what the camera will see.
    plain = browser.new_context(viewport={"width": 420, "height": 900})
    ticket_page = plain.new_page()
    ticket_page.goto(f"{live_server.url}/en/tickets/{door.ann.token}")
    qr_png = ticket_page.locator(".ticket-qr").screenshot()
    plain.close()
    decoded = decode_png(qr_png)
    assert decoded == [f"{live_server.url}/t/{door.ann.token}"]  # a real decoder reads our QR code
    video = write_y4m(qr_png, tmp_path / "ticket.y4m")
    # 2. A phone whose camera shows that picture: a second browser from the same Playwright.
    phone = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=ARGS + [
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    context = phone.new_context(viewport=PHONE, permissions=["camera"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server, "organiser-a@example.org", PASSWORD)
    page.goto(f"{live_server.url}/en/manage/gwynedd/events/{door.event.id}/door")
    page.click("#camera-toggle")
    page.wait_for_selector("#scan-result.scan-green", timeout=20_000)
    assert "Ann Jones" in page.locator("#scan-result").inner_text()
    assert count(page) == 1
    has_detector, has_library = page.evaluate("[('BarcodeDetector' in window), !!window.ZXingWASM]")
    phone.close()
    assert errors == []
    # Linux Chromium has no BarcodeDetector, so this exercised the vendored zxing-wasm decoder.
    assert has_library or has_detector


@pytest.mark.browser
def test_poster_prints_on_a4_and_its_qr_leads_to_check_in(app, door, live_server, page, client):
    from engage.checkin.models import EventCheckin

    sign_in(page, live_server, "organiser-a@example.org", PASSWORD)
    page.goto(f"{live_server.url}/cy/manage/gwynedd/events/{door.event.id}/poster")
    text = page.locator("main").inner_text()
    assert text.index("Cofrestrwch eich presenoldeb yma") < text.index("Check in here")
    sizes = page.evaluate("""[...document.querySelectorAll('.poster-top .poster-title')]
        .map(e => getComputedStyle(e).fontSize + ' ' + getComputedStyle(e).fontWeight)""")
    assert len(sizes) == 2 and sizes[0] == sizes[1]  # equal prominence
    ARTIFACTS.mkdir(exist_ok=True)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / "poster.pdf").write_bytes(pdf)
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1  # one A4 sheet
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    png = page.screenshot(full_page=True)
    (ARTIFACTS / "poster.png").write_bytes(png)
    with app.app_context():
        token = db.session.get(EventCheckin, door.event.id).poster_token
    assert decode_png(png) == [f"{live_server.url}/c/{token}"]
    # The decoded address is language-neutral and leads to the check-in page.
    path = f"/c/{token}"
    assert "/cy/" not in path and "/en/" not in path
    choice = client.get(path).get_data(as_text=True)
    assert f"/cy/checkin/{token}" in choice


@pytest.mark.browser
def test_check_in_pages_have_no_axe_violations(app, door, live_server, page):
    from browser.test_accessibility import violations
    from engage.checkin.models import EventCheckin

    with app.app_context():
        settings = db.session.get(EventCheckin, door.event.id)
        settings.registration_open = settings.ask_contact = True
        token = settings.poster_token
        db.session.commit()
    found = {}

    def check(path: str) -> None:
        page.goto(live_server.url + path)
        if problems := violations(page):
            found[path] = problems

    for lang in ("cy", "en"):
        for path in (f"/checkin/{token}", "/checkin", f"/events/{door.event.id}/register", f"/tickets/{door.ann.token}"):
            check(f"/{lang}{path}")
    sign_in(page, live_server, "organiser-a@example.org", PASSWORD)
    for lang in ("cy", "en"):
        base = f"/{lang}/manage/gwynedd/events/{door.event.id}"
        for path in ("/door", "/door?q=ann", "/poster", "/screen", "/checkin-settings", "/tickets"):
            check(base + path)
    assert found == {}
