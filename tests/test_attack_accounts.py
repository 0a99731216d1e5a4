"""Attacks on staff accounts, two-step sign-in and invitations: each test is a hole that was found
open, and stays shut."""
from __future__ import annotations

import re
import threading

import pyotp
import pytest
from sqlalchemy import func, select

from engage.extensions import db
from helpers import PASSWORD, Client, sign_in
from test_people import client_for, invite, links_in, membership_id, outbox, post_from, role_of
from test_two_step import fresh_code, turn_on


def test_accepting_an_invitation_does_not_skip_the_second_step(app, two_orgs):
    # admin-b has two-step sign-in on; someone with their password (and the emailed link) must not be
    # signed in by joining an organisation with the password alone.
    _client, secret, _codes = turn_on(app, "admin-b@example.org")
    [path] = links_in(invite(app, "admin-b@example.org", lang="en"))
    holder = Client(app, use_cookies=True)
    joined = holder.submit(path, {"current_password": PASSWORD})
    assert joined.status_code == 302 and joined.headers["Location"].endswith("/en/sign-in/code")
    assert role_of(app, "admin-b@example.org") == "organiser"  # they did join
    assert holder.get("/en/manage/").status_code == 302  # but nobody is signed in yet
    assert holder.get("/en/manage/gwynedd/").status_code == 302
    done = holder.submit("/en/sign-in/code", {"code": fresh_code(secret, app, "admin-b@example.org")})
    assert done.status_code == 302 and done.headers["Location"].endswith("/en/manage/gwynedd/")
    assert holder.get("/en/manage/gwynedd/").status_code == 200


def test_a_mail_server_that_is_down_does_not_tell_which_addresses_have_accounts(app, two_orgs):
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=9, SMTP_STARTTLS=False)
    answers = []
    for email in ("nobody-here@example.org", "admin-a@example.org"):
        response = Client(app, use_cookies=True).submit("/en/sign-in/forgotten", {"email": email})
        answers.append((response.status_code, response.headers.get("Location")))
    assert answers[0] == answers[1] and answers[0][0] == 302


@pytest.mark.parametrize("which", ["²", "٣" * 30, "9" * 30])
def test_a_garbage_session_number_is_not_a_500(app, two_orgs, which):
    client = client_for(app, "admin-a@example.org")
    response = post_from(client, "/en/manage/sessions", "/en/manage/sessions", {"session": which})
    assert response.status_code == 302
    assert client.get("/en/manage/").status_code == 200  # still signed in


def test_a_huge_invitation_number_is_not_a_500(app, two_orgs):
    admin = client_for(app, "admin-a@example.org")
    response = post_from(admin, "/en/manage/gwynedd/members", "/en/manage/gwynedd/invitations/" + "9" * 30 + "/withdraw")
    assert response.status_code in (302, 404)


def test_a_password_reset_ends_every_other_reset_link(app, two_orgs):
    from test_people import outbox

    for _ in range(2):
        assert Client(app, use_cookies=True).submit("/en/sign-in/forgotten",
                                                     {"email": "admin-a@example.org"}).status_code == 302
    first, second = (links_in(body)[0] for _s, body, _l in outbox(app, "admin-a@example.org")[-2:])
    new = "gwylan-ar-y-to-yn-canu-7"
    assert Client(app, use_cookies=True).submit(first, {"new": new, "confirm": new}).status_code == 302
    # The other link, still in the mailbox (or in whoever read it), opens nothing now.
    assert Client(app).get(second).status_code == 404


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, two_orgs, make_user):
    from engage.accounts.models import Membership, Organisation, User
    from engage.accounts import people
    from engage.accounts.services import get_org

    make_user("admin-c@example.org", "gwynedd", "admin")
    ids = {e: membership_id(app, e) for e in ("admin-a@example.org", "admin-c@example.org")}
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(by: str, whom: str) -> None:
        with app.app_context():
            org = get_org("gwynedd")
            actor = db.session.scalar(select(User).where(User.email == by))
            barrier.wait()
            try:
                people.change_role(org, ids[whom], "organiser", actor)
                outcomes.append("done")
            except people.AccountRefusal as err:
                outcomes.append(err.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=demote, args=("admin-a@example.org", "admin-c@example.org")),
               threading.Thread(target=demote, args=("admin-c@example.org", "admin-a@example.org"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["done", "last_admin"]
    with app.app_context():
        admins = db.session.scalar(select(db.func.count()).select_from(Membership).join(Organisation).where(
            Organisation.slug == "gwynedd", Membership.role == "admin"))
    assert admins == 1


@pytest.mark.parametrize("how", ["removed", "demoted"])
def test_an_admin_who_loses_the_role_cannot_come_back_through_their_own_invitation(app, two_orgs, make_user, how):
    # Before being removed, an admin invites themselves (another address of theirs) as an admin.
    make_user("admin-c@example.org", "gwynedd", "admin")
    [path] = links_in(invite(app, "spare-c@example.org", role="admin", by="admin-c@example.org"))
    [other] = links_in(invite(app, "colleague@example.org", role="organiser", by="admin-a@example.org"))
    admin = client_for(app, "admin-a@example.org")
    page = f"/en/manage/gwynedd/members/{membership_id(app, 'admin-c@example.org')}"
    if how == "removed":
        assert post_from(admin, page, page + "/remove").status_code == 302
    else:
        assert admin.submit(page, {"role": "organiser"}).status_code == 302
    assert Client(app).get(path).status_code == 404  # their invitation no longer works
    assert Client(app).get(other).status_code == 200  # another admin's still does


def test_a_borrowed_session_cannot_tie_the_account_to_another_phone(app, two_orgs):
    from engage.accounts.models import User
    from test_two_step import KEY_RE

    # Someone at an unlocked computer (the owner's session, not their password) sets up two-step
    # sign-in with their own phone: the owner would be locked out, and a reset would not undo it.
    borrowed = client_for(app, "admin-a@example.org")
    page = borrowed.get("/en/manage/two-step").get_data(as_text=True)
    secret = KEY_RE.search(page).group(1).replace(" ", "")
    refused = borrowed.submit("/en/manage/two-step", {"code": pyotp.TOTP(secret).now()})
    assert refused.status_code == 400
    wrong = borrowed.submit("/en/manage/two-step", {"code": pyotp.TOTP(secret).now(), "password": "not-the-password-at-all"})
    assert wrong.status_code == 400 and "Your current password is not correct" in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.totp_sealed).where(User.email == "admin-a@example.org")) is None
    welsh = borrowed.submit("/cy/manage/two-step", {"code": "123456", "password": ""})
    assert welsh.status_code == 400 and "Rhowch eich cyfrinair" in welsh.get_data(as_text=True)


def test_an_invitation_is_no_way_round_the_limit_on_guessing_a_password(app, two_orgs):
    # An admin who reads their own invitations (the outbox) invites someone else's address again and
    # again, from many addresses, and guesses that account's password on the page that joins it.
    refused = []
    for attempt in range(12):
        [path] = links_in(invite(app, "admin-b@example.org", lang="en"))
        guesser = Client(app, use_cookies=True)
        guesser.environ_base["REMOTE_ADDR"] = f"198.51.100.{attempt + 1}"
        refused.append(guesser.submit(path, {"current_password": f"guess-number-{attempt}"}).status_code)
    assert refused[:10] == [400] * 10 and refused[10:] == [429, 429]
    assert role_of(app, "admin-b@example.org") is None


def test_two_invitations_to_one_new_address_accepted_at_once_make_one_account_and_no_500(app, two_orgs):
    """Both see no account, both hash a password, the second INSERT meets the unique email index: it
    was an IntegrityError (a 500); now a refusal, and the link works again."""
    from engage.accounts import people
    from engage.accounts.models import AccountLink, User
    from engage.accounts.services import AccountRefusal, get_org

    with app.app_context():
        admin_a = db.session.scalar(select(User).where(User.email == "admin-a@example.org"))
        admin_b = db.session.scalar(select(User).where(User.email == "admin-b@example.org"))
        people.invite(get_org("gwynedd"), "twin@example.org", "organiser", "en", admin_a)
        people.invite(get_org("powys"), "twin@example.org", "organiser", "en", admin_b)
    tokens = [re.search(r"/invitation/([A-Za-z0-9_-]+)", body).group(1)
              for _subject, body, _lang in outbox(app, "twin@example.org")]
    start = threading.Barrier(2)
    results: list[str] = []

    def accept(token: str) -> None:
        with app.app_context():
            start.wait()
            try:
                people.accept_invitation(token, name="Twin", password="gwylan-ar-y-to-yn-canu-7", current_password=None,
                                         lang="en")
                results.append("joined")
            except AccountRefusal as err:
                results.append(err.code)

    threads = [threading.Thread(target=accept, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["joined", "link_not_usable"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "twin@example.org")) == 1
        assert db.session.scalar(select(func.count()).select_from(AccountLink).where(
            AccountLink.email == "twin@example.org", AccountLink.used_at.is_not(None))) == 1


def test_turning_two_step_on_signs_out_every_other_browser(app, two_orgs):
    other = Client(app, use_cookies=True)
    assert sign_in(other, "admin-a@example.org").status_code == 302
    client, _secret, _codes = turn_on(app)
    assert other.get("/en/manage/").status_code == 302
    assert client.get("/en/manage/").status_code == 200


def test_recovery_codes_are_kept_keyed_by_the_apps_secret(app, two_orgs):
    from engage.accounts.models import RecoveryCode
    from engage.codes import secret_hash

    _client, _secret, codes = turn_on(app)
    with app.app_context():
        kept = set(db.session.scalars(select(RecoveryCode.code_hash)))
    plain = {secret_hash(code.replace("-", "")) for code in codes}
    assert kept and not kept & plain  # an unkeyed hash of 48 bits could be tried offline
