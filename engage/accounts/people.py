"""Staff running their own accounts: invitations, roles, removing access, forgotten passwords and
sessions. Each function runs one write transaction and audits it; emails go out in the person's
language, or Welsh then English when it is not known.

The rules an attacker meets here:
- An emailed link holds 128 random bits; only their hash is kept (a copy of the database opens
  nothing). It works once — one UPDATE sets ``used_at`` only where it is not set, so two tabs racing
  the same link get one account — and only until it expires (an invitation 7 days, a reset 1 hour).
- Asking for a reset says the same thing, in the same time, whether or not the address has an
  account, and sends at most ``RESETS_PER_HOUR`` emails to one account an hour.
- An invitation to an address that already has an account asks for that account's password: a link
  forwarded to someone else cannot join them to an organisation as another person.
- An organisation always keeps one administrator: the last cannot be removed or made an organiser.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from .. import mail
from ..audit.services import record
from ..codes import random_token, secret_hash
from ..db import write_transaction
from ..extensions import db
from ..links import public_url
from ..types import utcnow
from .models import ROLES, AccountLink, Membership, Organisation, User, UserSession
from .services import AccountRefusal, _end_other_sessions, _oldest_live_session, check_new_password, find_user, hash_password

INVITE_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=1)
RESETS_PER_HOUR = 3
LANGS = ("cy", "en", "both")


# --- links -------------------------------------------------------------------------------------------

def _new_link(**fields: object) -> tuple[AccountLink, str]:
    token = random_token()
    link = AccountLink(token_hash=secret_hash(token), **fields)
    db.session.add(link)
    db.session.flush()
    return link, token


def usable_link(token: str, purpose: str) -> AccountLink | None:
    """The link with this secret if it can still be used (not used, withdrawn or expired), else None."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(select(AccountLink).where(AccountLink.token_hash == secret_hash(token),
                                                       AccountLink.purpose == purpose))
    if link is None or link.used_at or link.revoked_at or link.expires_at <= utcnow():
        return None
    return link


def _spend(link: AccountLink) -> None:
    """Mark the link used, in the caller's transaction; refused if another request used it first."""
    now = utcnow()
    spent = db.session.execute(update(AccountLink).where(
        AccountLink.id == link.id, AccountLink.used_at.is_(None), AccountLink.revoked_at.is_(None),
        AccountLink.expires_at > now).values(used_at=now))
    if spent.rowcount != 1:
        raise AccountRefusal("link_not_usable")


def _send(to: str, lang: str | None, org_id: int | None, compose: Callable[[str], tuple[str, str]], *,
          quietly: bool = False) -> None:
    (mail.send_quietly if quietly else mail.send)(to, *mail.in_languages(lang, compose), org_id=org_id)


# --- invitations -------------------------------------------------------------------------------------

def role_words(role: str) -> str:
    return _("Administrator") if role == "admin" else _("Organiser")


def invite(org: Organisation, email: str, role: str, lang: str, by: User) -> AccountLink:
    """Invite ``email`` to ``org`` in ``role``; an earlier open invitation to the same address is
    withdrawn (its link stops working)."""
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountRefusal("bad_role", "role")
    if lang not in LANGS:
        lang = "both"
    existing = find_user(email)
    if existing is not None and existing.role_in(org):
        raise AccountRefusal("already_member", "email")
    now = utcnow()
    with write_transaction():
        db.session.execute(update(AccountLink).where(
            AccountLink.purpose == "invite", AccountLink.org_id == org.id, func.lower(AccountLink.email) == email,
            AccountLink.used_at.is_(None), AccountLink.revoked_at.is_(None)).values(revoked_at=now))
        link, token = _new_link(purpose="invite", email=email, org_id=org.id, role=role, lang=lang,
                                created_by_id=by.id, expires_at=now + INVITE_LIFETIME)
        record("accounts.invited", org_id=org.id, obj=link,
               data={"email": email, "role": role})

        def compose(one: str) -> tuple[str, str]:
            name = org.text("name", one)
            url = public_url("people.accept_invitation", lang=one, token=token)
            return (_("Join %(org)s on Engage", org=name), "\n\n".join([
                _("%(person)s has invited you to join %(org)s on Engage as: %(role)s.",
                  person=by.name or by.email, org=name, role=role_words(role)),
                _("To accept, open this link and choose your password. It works once, for 7 days:"), url,
                _("If you did not expect this invitation, you can ignore this email.")]))

        _send(email, lang, org.id, compose)
    return link


def open_invitations(org: Organisation) -> list[AccountLink]:
    return list(db.session.scalars(select(AccountLink).where(
        AccountLink.purpose == "invite", AccountLink.org_id == org.id, AccountLink.used_at.is_(None),
        AccountLink.revoked_at.is_(None), AccountLink.expires_at > utcnow()).order_by(AccountLink.created_at)))


def withdraw_invitation(org: Organisation, link_id: int, by: User) -> None:
    with write_transaction():
        link = db.session.scalar(select(AccountLink).where(
            AccountLink.id == link_id, AccountLink.org_id == org.id, AccountLink.purpose == "invite"))
        if link is None or link.used_at or link.revoked_at:
            raise AccountRefusal("link_not_usable")
        link.revoked_at = utcnow()
        record("accounts.invitation_withdrawn", org_id=org.id, obj=link, data={"email": link.email})


def accept_invitation(token: str, *, name: str, password: str | None, current_password: str | None,
                      lang: str) -> User:
    """Join the invitation's organisation: a new account with ``password``, or an existing one proved
    with ``current_password``."""
    link = usable_link(token, "invite")
    if link is None:
        raise AccountRefusal("link_not_usable")
    org = link.org
    user = find_user(link.email)
    if user is None:
        check_new_password(password or "", link.email, [org], "password")
    elif not (user.active and check_password_hash(user.password_hash, current_password or "")):
        raise AccountRefusal("wrong_password", "current_password")
    try:
        with write_transaction():
            _spend(link)
            if user is None:
                user = User(email=link.email, name=name.strip()[:120], password_hash=hash_password(password or ""),
                            preferred_lang=lang if lang in ("cy", "en") else None)
                db.session.add(user)
                db.session.flush()
            if user.role_in(org):
                raise AccountRefusal("already_member")
            db.session.add(Membership(user=user, org_id=org.id, role=link.role))
            record("accounts.user_added", org_id=org.id, obj=user, user_id=user.id,
                   data={"email": user.email, "role": link.role, "invitation": link.id})
    except IntegrityError:
        # Two invitations to one new address accepted at the same moment: the other made the account
        # first. Nothing of this one was kept (its link works again, now asking for that password).
        raise AccountRefusal("link_not_usable") from None
    return user


# --- roles and access --------------------------------------------------------------------------------

def _membership(org: Organisation, membership_id: int) -> Membership:
    found = db.session.scalar(select(Membership).where(Membership.id == membership_id, Membership.org_id == org.id))
    if found is None:
        raise AccountRefusal("not_a_member")
    return found


def _admins(org: Organisation) -> int:
    """How many admins ``org`` has, with its row locked (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    serialises writers) until the transaction ends: two admins demoting or removing each other at once
    are taken one after the other, so the second sees one admin left and is refused."""
    db.session.execute(select(Organisation.id).where(Organisation.id == org.id).with_for_update())
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.org_id == org.id, Membership.role == "admin")) or 0


def _withdraw_invitations_from(org: Organisation, user_id: int) -> int:
    """An admin who is removed or made an organiser can invite nobody any more: the invitations they
    sent and nobody has accepted stop working too (else one sent to themselves at another address
    would let them back in as an admin)."""
    return db.session.execute(update(AccountLink).where(
        AccountLink.purpose == "invite", AccountLink.org_id == org.id, AccountLink.created_by_id == user_id,
        AccountLink.used_at.is_(None), AccountLink.revoked_at.is_(None)).values(revoked_at=utcnow())).rowcount


def change_role(org: Organisation, membership_id: int, role: str, by: User) -> None:
    if role not in ROLES:
        raise AccountRefusal("bad_role", "role")
    with write_transaction():
        member = _membership(org, membership_id)
        if member.role == role:
            return
        if member.role == "admin" and _admins(org) <= 1:
            raise AccountRefusal("last_admin")
        before, member.role = member.role, role
        withdrawn = _withdraw_invitations_from(org, member.user_id) if before == "admin" else 0
        record("accounts.role_changed", org_id=org.id, obj=member.user,
               data={"email": member.user.email, "before": before, "after": role, "invitations_withdrawn": withdrawn})


def remove_member(org: Organisation, membership_id: int, by: User) -> None:
    """Take away someone's access to ``org``; with no organisation left, every session of theirs ends."""
    with write_transaction():
        member = _membership(org, membership_id)
        if member.role == "admin" and _admins(org) <= 1:
            raise AccountRefusal("last_admin")
        user = member.user
        withdrawn = _withdraw_invitations_from(org, user.id) if member.role == "admin" else 0
        db.session.delete(member)
        db.session.flush()
        if not db.session.scalar(select(func.count()).select_from(Membership).where(Membership.user_id == user.id)):
            db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        record("accounts.user_removed", org_id=org.id, obj=user,
               data={"email": user.email, "role": member.role, "invitations_withdrawn": withdrawn})


def end_sessions_of(org: Organisation, membership_id: int, by: User) -> int:
    """An admin signs a colleague out everywhere (a lost phone, a shared computer)."""
    with write_transaction():
        member = _membership(org, membership_id)
        ended = db.session.execute(delete(UserSession).where(UserSession.user_id == member.user_id)).rowcount
        record("accounts.sessions_ended", org_id=org.id, obj=member.user,
               data={"email": member.user.email, "sessions": ended})
    return ended


# --- one's own sessions ------------------------------------------------------------------------------

def sessions_of(user: User) -> list[UserSession]:
    return list(db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.created_at >= _oldest_live_session())
        .order_by(UserSession.created_at.desc())))


def end_my_other_sessions(user: User) -> None:
    with write_transaction():
        _end_other_sessions(user)
        for m in user.memberships:
            record("accounts.other_sessions_ended", org_id=m.org_id, obj=user, data={"email": user.email})


def end_my_session(user: User, session_id: int) -> None:
    with write_transaction():
        db.session.execute(delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id))
        for m in user.memberships:
            record("accounts.session_ended", org_id=m.org_id, obj=user, data={"email": user.email})


# --- forgotten passwords -----------------------------------------------------------------------------

def request_reset(email: str) -> None:
    """Email a reset link if ``email`` has an active account (and fewer than RESETS_PER_HOUR were sent
    this hour); otherwise nothing. The caller says the same either way."""
    user = find_user(email.strip().lower())
    if user is None or not user.active:
        return
    now = utcnow()
    with write_transaction():
        recent = db.session.scalar(select(func.count()).select_from(AccountLink).where(
            AccountLink.purpose == "reset", AccountLink.user_id == user.id,
            AccountLink.created_at > now - timedelta(hours=1))) or 0
        if recent >= RESETS_PER_HOUR:
            return
        link, token = _new_link(purpose="reset", email=user.email, user_id=user.id, lang=user.preferred_lang,
                                expires_at=now + RESET_LIFETIME)
        for m in user.memberships:
            record("accounts.reset_requested", org_id=m.org_id, obj=user, data={"email": user.email})

        def compose(one: str) -> tuple[str, str]:
            url = public_url("people.reset_password", lang=one, token=token)
            return (_("Reset your Engage password"), "\n\n".join([
                _("Someone asked to reset the password of the Engage account for this email address."),
                _("To choose a new password, open this link. It works once, for one hour:"), url,
                _("If it was not you, ignore this email: your password has not changed.")]))

        # Quietly: a mail server that is down must not make this answer differ from an unknown address's.
        _send(user.email, user.preferred_lang, None, compose, quietly=True)


def reset_password(token: str, new: str) -> User:
    """Set a new password from a reset link; every session of the account ends."""
    link = usable_link(token, "reset")
    if link is None:
        raise AccountRefusal("link_not_usable")
    user = db.session.get(User, link.user_id)
    if user is None or not user.active:
        raise AccountRefusal("link_not_usable")
    check_new_password(new, user.email, user.organisations, "new")
    with write_transaction():
        _spend(link)
        # Any other reset link still in the mailbox (or with whoever read it) stops working too.
        db.session.execute(update(AccountLink).where(
            AccountLink.purpose == "reset", AccountLink.user_id == user.id, AccountLink.used_at.is_(None),
            AccountLink.revoked_at.is_(None)).values(revoked_at=utcnow()))
        user.password_hash = hash_password(new)
        db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        for m in user.memberships:
            record("accounts.password_reset", org_id=m.org_id, obj=user, user_id=user.id,
                   data={"email": user.email})
    return user
