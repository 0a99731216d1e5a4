"""Staff run their own accounts (issue #18): invitations by email, roles, removing access, a
forgotten password, and sessions. Emails are read from the outbox; links are followed as sent."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

from sqlalchemy import select

from engage.extensions import db
from helpers import PASSWORD, Client, sign_in

NEW_PASSWORD = "gwylan-ar-y-to-yn-canu-7"
LINK_RE = re.compile(r"http://localhost(/(?:cy|en)/(?:invitation|reset)/[A-Za-z0-9_-]+)")


def outbox(app, to: str) -> list:  # type: ignore[no-untyped-def]
    from engage.mail import OutboxMessage

    with app.app_context():
        return [(m.subject, m.body, m.lang) for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_addr == to).order_by(OutboxMessage.id))]


def links_in(body: str) -> list[str]:
    return LINK_RE.findall(body)


def client_for(app, email: str | None = None, lang: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client(app, use_cookies=True)
    if email:
        assert sign_in(client, email, lang=lang).status_code == 302
    return client


def post_from(client: Client, page: str, action: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    """Open ``page`` (for its CSRF token) and post one of its forms to ``action``."""
    assert client.get(page).status_code == 200
    return client.post(action, data={"csrf_token": client.last_csrf, **(data or {})})


def membership_id(app, email: str, org: str = "gwynedd") -> int:
    from engage.accounts.models import Membership, Organisation, User

    with app.app_context():
        return db.session.scalar(select(Membership.id).join(User).join(Organisation).where(
            User.email == email, Organisation.slug == org))


def role_of(app, email: str, org: str = "gwynedd") -> str | None:
    from engage.accounts.models import Membership, Organisation, User

    with app.app_context():
        return db.session.scalar(select(Membership.role).join(User).join(Organisation).where(
            User.email == email, Organisation.slug == org))


def invite(app, email: str, role: str = "organiser", lang: str = "cy", by: str = "admin-a@example.org") -> str:  # type: ignore[no-untyped-def]
    admin = client_for(app, by)
    response = admin.submit("/en/manage/gwynedd/members/invite", {"email": email, "role": role, "lang": lang})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return outbox(app, email.lower())[-1][1]


def test_an_admin_invites_a_colleague_who_joins_from_the_emailed_link_once(app, two_orgs):
    body = invite(app, "Nia.Owen@Example.org", lang="cy")
    [(subject, body, lang)] = outbox(app, "nia.owen@example.org")
    assert lang == "cy" and subject == "Ymuno â Cyngor Gwynedd ar Engage" and "Trefnydd" in body
    [path] = links_in(body)
    assert path.startswith("/cy/invitation/")
    newcomer = Client(app, use_cookies=True)
    page = newcomer.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer" and "nia.owen@example.org" in page.get_data(as_text=True)
    joined = newcomer.submit(path, {"name": "Nia Owen", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert joined.status_code == 302 and joined.headers["Location"].endswith("/cy/manage/gwynedd/")
    assert newcomer.get("/cy/manage/gwynedd/events/").status_code == 200  # signed in, and an organiser
    assert role_of(app, "nia.owen@example.org") == "organiser"
    # The link works once: a second visit (or a copy of the email) opens nothing.
    again = Client(app, use_cookies=True).get(path)
    assert again.status_code == 404 and "Nid yw’r ddolen hon yn gweithio mwyach" in again.get_data(as_text=True)
    # And the new password signs in.
    assert sign_in(Client(app, use_cookies=True), "nia.owen@example.org", NEW_PASSWORD).status_code == 302
    from engage.audit.models import AuditEntry

    with app.app_context():
        kinds = set(db.session.scalars(select(AuditEntry.kind)))
    assert {"accounts.invited", "accounts.user_added"} <= kinds


def test_an_invitation_in_both_languages_when_asked_and_an_english_link_in_the_english_half(app, two_orgs):
    body = invite(app, "dafydd@example.org", role="admin", lang="both")
    [(subject, body, lang)] = outbox(app, "dafydd@example.org")
    assert lang == "both" and subject == "Ymuno â Cyngor Gwynedd ar Engage / Join Gwynedd Council on Engage"
    cy, en = links_in(body)
    assert cy.startswith("/cy/invitation/") and en == cy.replace("/cy/", "/en/", 1)
    assert body.index("Gweinyddwr") < body.index("Administrator")


def test_an_expired_or_withdrawn_or_replaced_invitation_opens_nothing(app, two_orgs):
    from engage.accounts.models import AccountLink

    first = links_in(invite(app, "a@example.org"))[0]
    second = links_in(invite(app, "a@example.org"))[0]  # invited again: the first link stops working
    assert Client(app).get(first).status_code == 404
    assert Client(app).get(second).status_code == 200
    with app.app_context():
        link = db.session.scalars(select(AccountLink).where(AccountLink.email == "a@example.org")
                                  .order_by(AccountLink.id.desc())).first()
        link.expires_at = link.expires_at - timedelta(days=8)
        db.session.commit()
    response = Client(app).post(second, data={"name": "A", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code in (400, 404) and role_of(app, "a@example.org") is None
    # Withdrawn from the members page.
    third = links_in(invite(app, "b@example.org"))[0]
    with app.app_context():
        link_id = db.session.scalar(select(AccountLink.id).where(AccountLink.email == "b@example.org"))
    admin = client_for(app, "admin-a@example.org")
    response = post_from(admin, "/en/manage/gwynedd/members", f"/en/manage/gwynedd/invitations/{link_id}/withdraw")
    assert response.status_code == 302 and Client(app).get(third).status_code == 404


def test_someone_with_an_account_joins_only_with_that_accounts_password(app, two_orgs):
    body = invite(app, "admin-b@example.org", lang="en")
    [path] = links_in(body)
    stranger = Client(app, use_cookies=True)
    page = stranger.get(path).get_data(as_text=True)
    assert "You already have an Engage account" in page and 'name="password"' not in page
    wrong = stranger.submit(path, {"current_password": "not-the-password-at-all"})
    assert wrong.status_code == 400 and role_of(app, "admin-b@example.org") is None
    right = stranger.submit(path, {"current_password": PASSWORD})
    assert right.status_code == 302 and role_of(app, "admin-b@example.org") == "organiser"
    assert role_of(app, "admin-b@example.org", "powys") == "admin"  # nothing changed in their own organisation


def test_only_an_admin_of_the_organisation_manages_its_people(app, two_orgs):
    organiser = client_for(app, "organiser-a@example.org")
    assert organiser.get("/en/manage/gwynedd/members").status_code == 403
    assert organiser.submit("/en/manage/gwynedd/members/invite", {"email": "x@example.org", "role": "admin",
                                                                  "lang": "en"}).status_code == 403
    other = client_for(app, "admin-b@example.org")
    mine = membership_id(app, "organiser-a@example.org")
    assert other.get("/en/manage/gwynedd/members").status_code == 404
    # Org B's admin names org A's membership through org B's own address: not found, nothing changes.
    assert other.get(f"/en/manage/powys/members/{mine}").status_code == 404
    response = post_from(other, "/en/manage/powys/members", f"/en/manage/powys/members/{mine}/remove")
    assert response.status_code == 404 and role_of(app, "organiser-a@example.org") == "organiser"
    assert outbox(app, "x@example.org") == []


def test_roles_change_and_access_is_removed_but_an_organisation_keeps_an_admin(app, two_orgs):
    admin = client_for(app, "admin-a@example.org", lang="cy")
    me = membership_id(app, "admin-a@example.org")
    refused = admin.submit(f"/cy/manage/gwynedd/members/{me}", {"role": "organiser"})
    assert refused.status_code == 400 and "Mae angen o leiaf un gweinyddwr" in refused.get_data(as_text=True)
    assert role_of(app, "admin-a@example.org") == "admin"
    them = membership_id(app, "organiser-a@example.org")
    colleague = client_for(app, "organiser-a@example.org")
    assert admin.submit(f"/cy/manage/gwynedd/members/{them}", {"role": "admin"}).status_code == 302
    assert role_of(app, "organiser-a@example.org") == "admin"
    assert colleague.get("/en/manage/gwynedd/members").status_code == 200  # the new role, at once
    # Now there are two admins, the first may step down; then remove the colleague's access.
    assert admin.submit(f"/cy/manage/gwynedd/members/{me}", {"role": "organiser"}).status_code == 302
    boss = client_for(app, "organiser-a@example.org")
    response = post_from(boss, f"/en/manage/gwynedd/members/{me}", f"/en/manage/gwynedd/members/{me}/remove")
    assert response.status_code == 302 and role_of(app, "admin-a@example.org") is None
    assert admin.get("/en/manage/gwynedd/").status_code in (302, 401)  # no organisation left: signed out
    last = membership_id(app, "organiser-a@example.org")
    response = post_from(boss, f"/en/manage/gwynedd/members/{last}", f"/en/manage/gwynedd/members/{last}/remove")
    assert response.status_code == 302 and role_of(app, "organiser-a@example.org") == "admin"


def test_an_admin_signs_a_colleague_out_everywhere(app, two_orgs):
    colleague = client_for(app, "organiser-a@example.org")
    assert colleague.get("/en/manage/gwynedd/").status_code == 200
    admin = client_for(app, "admin-a@example.org")
    them = membership_id(app, "organiser-a@example.org")
    response = post_from(admin, f"/en/manage/gwynedd/members/{them}", f"/en/manage/gwynedd/members/{them}/sign-out")
    assert response.status_code == 302
    assert colleague.get("/en/manage/gwynedd/").status_code == 302  # to the sign-in page
    assert admin.get("/en/manage/gwynedd/").status_code == 200


def test_a_forgotten_password_gives_nothing_away_and_resets_once(app, two_orgs):
    from engage.accounts.models import User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "organiser-a@example.org"))
        user.preferred_lang = "cy"
        db.session.commit()
    old_session = client_for(app, "organiser-a@example.org")
    asker = Client(app, use_cookies=True)
    unknown = asker.submit("/en/sign-in/forgotten", {"email": "nobody@example.org"})
    known = asker.submit("/en/sign-in/forgotten", {"email": "Organiser-A@example.org"})
    assert unknown.status_code == known.status_code == 302
    assert unknown.headers["Location"] == known.headers["Location"]
    said = [asker.get(r.headers["Location"]).get_data(as_text=True) for r in (unknown, known)]
    assert "If there is an account with that email address" in said[0] and said[0].count("If there is") == 1
    assert outbox(app, "nobody@example.org") == []
    [(subject, body, lang)] = outbox(app, "organiser-a@example.org")
    assert lang == "cy" and subject == "Ailosod eich cyfrinair Engage"
    [path] = links_in(body)
    weak = asker.submit(path, {"new": "password1234", "confirm": "password1234"})
    assert weak.status_code == 400
    done = asker.submit(path, {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/cy/sign-in")
    assert Client(app).get(path).status_code == 404  # once
    assert old_session.get("/en/manage/gwynedd/").status_code == 302  # every device signed out
    assert sign_in(Client(app), "organiser-a@example.org", PASSWORD).status_code == 400  # the old one is refused
    assert sign_in(Client(app), "organiser-a@example.org", NEW_PASSWORD).status_code == 302


def test_at_most_three_reset_emails_an_hour_to_one_account(app, two_orgs):
    for _n in range(5):
        Client(app).submit("/en/sign-in/forgotten", {"email": "admin-a@example.org"})
    assert len(outbox(app, "admin-a@example.org")) == 3


def test_two_requests_racing_one_reset_link_change_the_password_once(app, two_orgs):
    from engage.accounts import people
    from engage.accounts.services import AccountRefusal

    Client(app).submit("/en/sign-in/forgotten", {"email": "admin-a@example.org"})
    token = links_in(outbox(app, "admin-a@example.org")[0][1])[0].rsplit("/", 1)[1]
    results: list[str] = []
    start = threading.Barrier(2)

    def use(password: str) -> None:
        with app.app_context():
            start.wait()
            try:
                people.reset_password(token, password)
                results.append(password)
            except AccountRefusal as err:
                results.append(err.code)

    threads = [threading.Thread(target=use, args=(p,)) for p in (NEW_PASSWORD, NEW_PASSWORD + "-x")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results, key=len) == sorted(results, key=len) and results.count("link_not_usable") == 1
    [winner] = [r for r in results if r != "link_not_usable"]
    assert sign_in(Client(app), "admin-a@example.org", winner).status_code == 302


def test_a_person_sees_their_sessions_and_signs_the_others_out(app, two_orgs):
    phone = Client(app, use_cookies=True)
    phone.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Linux; Android 10) Phone"
    assert sign_in(phone, "admin-a@example.org").status_code == 302
    desk = Client(app, use_cookies=True)
    desk.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Windows NT 10.0) Desk"
    assert sign_in(desk, "admin-a@example.org", lang="cy").status_code == 302
    page = desk.get("/cy/manage/sessions").get_data(as_text=True)
    assert "Android 10" in page and "Windows NT" in page and "Y porwr hwn" in page
    assert desk.submit("/cy/manage/sessions", {"session": "others"}).status_code == 302
    assert phone.get("/en/manage/").status_code == 302 and desk.get("/cy/manage/").status_code == 200


def test_the_members_page_title_is_its_name_alone(app, two_orgs):
    """A template edit once put the two-step form into the page's <title> block too."""
    page = client_for(app, "admin-a@example.org", lang="cy").get("/cy/manage/gwynedd/members").get_data(as_text=True)
    assert re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip() == "Staff a rolau – Engage"
