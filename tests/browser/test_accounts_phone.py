"""Staff run their own accounts on a phone (issue #18, done when): an admin invites a colleague, who
signs in from the emailed link; a forgotten password is reset from the email; two-step sign-in is
turned on by scanning its QR code (decoded here with zxing-cpp, as a phone's app would) and then
asked for at sign-in. Both languages, emails read from the outbox, axe on every new page."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from sqlalchemy import select

from browser.conftest import ARTIFACTS, sign_in
from browser.test_accessibility import violations
from engage.extensions import db
from helpers import PASSWORD
from qrvideo import decode_png

PHONE_390 = {"width": 390, "height": 844}
SHOTS = ARTIFACTS / "accounts"
NEW_PASSWORD = "cwch-gwenyn-ar-y-mynydd-5"
LINK_RE = re.compile(r"(http://127\.0\.0\.1:\d+/(?:cy|en)/(?:invitation|reset)/[A-Za-z0-9_-]+)")


def _phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE_390, device_scale_factor=2, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    return context


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _clean(page) -> None:  # type: ignore[no-untyped-def]
    # After a click that navigates, the new page may have committed before its stylesheet loaded
    # (an unstyled skip link is a small target): measure the page as a person sees it.
    page.wait_for_load_state("load")
    assert violations(page) == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"], page.url


def _mail(app, to: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    from engage.mail import OutboxMessage

    with app.app_context():
        return [(m.subject, m.body) for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_addr == to).order_by(OutboxMessage.id))]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_invite_a_colleague_who_signs_in_from_the_email(app, two_orgs, live_server, browser, lang):
    words = {"cy": ("Gwahodd cydweithiwr", "Anfon gwahoddiad", "Creu fy nghyfrif"),
             "en": ("Invite a colleague", "Send invitation", "Create my account")}[lang]
    admin = _phone(browser)
    page = admin.new_page()
    sign_in(page, live_server, "admin-a@example.org", PASSWORD, lang=lang)
    page.goto(f"{live_server.url}/{lang}/manage/gwynedd/members")
    _clean(page)
    page.click(f"a:text-is('{words[0]}')")
    _clean(page)
    page.fill("#email", f"mari.{lang}@example.org")
    page.check("input[name=role][value=organiser]")
    page.check(f"input[name=lang][value={lang}]")
    page.click(f"button:text-is('{words[1]}')")
    page.wait_for_load_state("load")
    assert f"mari.{lang}@example.org" in page.locator("main").inner_text()  # under invitations waiting
    _shot(page, f"invite-{lang}-1-members")
    admin.close()
    [(subject, body)] = _mail(app, f"mari.{lang}@example.org")
    [link] = LINK_RE.findall(body)
    assert f"/{lang}/invitation/" in link
    newcomer = _phone(browser)
    page = newcomer.new_page()
    page.goto(link)
    _clean(page)
    _shot(page, f"invite-{lang}-2-accept")
    page.fill("#name", "Mari Jones")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click(f"button:text-is('{words[2]}')")
    page.wait_for_url(f"**/{lang}/manage/gwynedd/")
    _clean(page)
    _shot(page, f"invite-{lang}-3-home")
    newcomer.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_reset_a_forgotten_password_from_the_email(app, two_orgs, live_server, browser, lang):
    from engage.accounts.models import User

    with app.app_context():
        db.session.scalar(select(User).where(User.email == "organiser-a@example.org")).preferred_lang = lang
        db.session.commit()
    words = {"cy": ("Wedi anghofio eich cyfrinair?", "Anfonwch ddolen ataf", "Gosod fy nghyfrinair newydd"),
             "en": ("Forgotten your password?", "Send me a link", "Set my new password")}[lang]
    context = _phone(browser)
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/sign-in")
    page.click(f"a:text-is('{words[0]}')")
    _clean(page)
    page.fill("#email", "organiser-a@example.org")
    page.click(f"button:text-is('{words[1]}')")
    page.wait_for_url(f"**/{lang}/sign-in")
    _shot(page, f"reset-{lang}-1-sent")
    [(_subject, body)] = _mail(app, "organiser-a@example.org")
    [link] = LINK_RE.findall(body)
    page.goto(link)
    _clean(page)
    page.fill("#new", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click(f"button:text-is('{words[2]}')")
    page.wait_for_url(f"**/{lang}/sign-in")
    sign_in(page, live_server, "organiser-a@example.org", NEW_PASSWORD, lang=lang)
    assert page.url.endswith(f"/{lang}/manage/")
    _shot(page, f"reset-{lang}-2-signed-in")
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["cy", "en"])
def test_turn_on_two_step_sign_in_by_scanning_its_qr_code(app, two_orgs, live_server, browser, lang):
    words = {"cy": ("Parhau", "Rwyf wedi cadw fy nghodau adfer"), "en": ("Continue", "I have kept my recovery codes")}[lang]
    context = _phone(browser)
    page = context.new_page()
    sign_in(page, live_server, "admin-a@example.org", PASSWORD, lang=lang)
    page.goto(f"{live_server.url}/{lang}/manage/two-step")
    _clean(page)
    _shot(page, f"two-step-{lang}-1-setup")
    [uri] = decode_png(page.locator(".two-step-qr svg").screenshot())
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    assert uri.startswith("otpauth://totp/Engage:admin-a%40example.org")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.fill("#password", PASSWORD)  # turning it on asks for the password (a borrowed session cannot)
    page.click(f"main button:text-is('{words[0]}')")
    page.wait_for_load_state("load")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    _clean(page)
    _shot(page, f"two-step-{lang}-2-codes")
    context.close()
    # Signing in again: the password, then a code (here a recovery code: the app's code that turned
    # it on is spent, and a test does not wait 30 s for the next).
    context = _phone(browser)
    page = context.new_page()
    sign_in(page, live_server, "admin-a@example.org", PASSWORD, lang=lang)
    assert page.url.endswith(f"/{lang}/sign-in/code")
    _clean(page)
    _shot(page, f"two-step-{lang}-3-code")
    page.fill("#code", codes[0])
    page.click(f"main button:text-is('{words[0]}')")
    page.wait_for_url(f"**/{lang}/manage/")
    context.close()
