"""Changes to organisations and users. Each function runs one write transaction and logs it."""
from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from functools import cache

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from ..audit.services import record
from ..codes import secret_hash
from ..hooks import ORG_CREATED
from ..refusals import Refusal
from ..db import write_transaction
from ..extensions import db
from ..types import utcnow
from .models import ROLES, Membership, Organisation, User, UserSession

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
MIN_PASSWORD = 12
#: zxcvbn's score, 0–4: 3 is "safely unguessable", hard even for an attacker with the hashes. It
#: knows the common and breached passwords, words, names, dates, keyboard runs and l33t spellings.
MIN_PASSWORD_SCORE = 3
#: zxcvbn refuses longer input; a long password is judged by its first 72 characters.
SCORED_LENGTH = 72
# Compared against when the email is unknown, so a failed login takes as long either way and the
# response time does not reveal which emails have accounts.
@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


class AccountRefusal(Refusal):
    """A request the accounts rules refuse (words in ``accounts/labels.py``)."""

    area = "accounts"

    def message(self) -> str:
        # A few refusals carry numbers (a colour's contrast, the ratio needed): put them in the words.
        text = super().message()
        return text % self.details if self.details else text


def hash_password(password: str) -> str:
    # Werkzeug's default is scrypt, a memory-hard KDF.
    return generate_password_hash(password)


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def get_org(slug: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def create_org(slug: str, name_en: str, name_cy: str) -> Organisation:
    """Create an organisation; names are required in both languages."""
    if not SLUG_RE.match(slug):
        raise AccountRefusal("bad_slug")
    if not name_en.strip() or not name_cy.strip():
        raise AccountRefusal("names_required")
    with write_transaction():
        if get_org(slug):
            raise AccountRefusal("slug_taken")
        org = Organisation(slug=slug, name_en=name_en.strip(), name_cy=name_cy.strip())
        db.session.add(org)
        record("accounts.org_created", obj=org, org_id=None, data={"slug": slug})
        ORG_CREATED(org)
    return org


def _folded(text: str) -> str:
    """Lower-case letters and digits only, accents dropped: "Ynys Môn" → "ynysmon"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.casefold() if ch.isalnum())


def check_new_password(password: str, email: str, orgs: Iterable[Organisation], field: str | None = None) -> None:
    """Refuse a password that is short, holds the person's email name or an organisation's name, or
    that zxcvbn finds easy to guess (common, breached-style, a pattern)."""
    if len(password) < MIN_PASSWORD:
        raise AccountRefusal("password_too_short", field)
    local = email.strip().lower().partition("@")[0]
    names = [local, *re.split(r"[._+-]", local)]
    for org in orgs:
        names += [org.slug, *org.slug.split("-"), org.name_cy or "", org.name_en or ""]
    # Four letters at least: a short name ("jo") would rule out far too much to say why.
    folded = {_folded(n) for n in names} - {""}
    if any(len(n) >= 4 and n in _folded(password) for n in folded):
        raise AccountRefusal("password_has_name", field)
    hints = [*names, *(word for name in names for word in re.split(r"\W+", name))]
    if zxcvbn(password[:SCORED_LENGTH], user_inputs=[h for h in hints if h])["score"] < MIN_PASSWORD_SCORE:
        raise AccountRefusal("password_too_guessable", field)


def create_user(email: str, password: str, org: Organisation, role: str, name: str = "") -> User:
    """Create a staff user with a role in ``org`` (or add the role if the user exists)."""
    if role not in ROLES:
        raise AccountRefusal("bad_role")
    email = email.strip().lower()
    with write_transaction():
        user = find_user(email)
        if user is None:
            check_new_password(password, email, [org])
            user = User(email=email, name=name.strip(), password_hash=hash_password(password))
            db.session.add(user)
            db.session.flush()
        if user.role_in(org):
            raise AccountRefusal("already_member")
        db.session.add(Membership(user=user, org_id=org.id, role=role))
        record("accounts.user_added", org_id=org.id, obj=user, data={"email": user.email, "role": role})
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None."""
    user = find_user(email)
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def start_session(user: User, user_agent: str | None = None) -> None:
    """Record a new signed-in session for ``user`` (its key goes in the cookie, via ``user.get_id()``);
    ``user_agent`` lets the person tell their sessions apart later."""
    key = secrets.token_urlsafe(32)
    with write_transaction():
        # Sessions past their lifetime are refused by load_user; clear them out here, where a write
        # happens anyway, so the table holds only live ones.
        db.session.execute(delete(UserSession).where(UserSession.created_at < _oldest_live_session()))
        db.session.add(UserSession(user_id=user.id, key_hash=secret_hash(key), user_agent=(user_agent or "")[:120] or None))
        user.last_login_at = utcnow()
        for m in user.memberships:
            record("accounts.login", org_id=m.org_id, obj=user, user_id=user.id, data={"email": user.email})
    user.session_key = key


def end_session(user: User) -> None:
    """Sign out: end this browser's session on the server (the user's other sessions carry on)."""
    with write_transaction():
        if user.session_key:
            db.session.execute(delete(UserSession).where(UserSession.key_hash == secret_hash(user.session_key)))
        for m in user.memberships:
            record("accounts.logout", org_id=m.org_id, obj=user, data={"email": user.email})


def _end_other_sessions(user: User) -> None:
    """End every session of ``user`` but the one it was loaded for (all of them from the command line)."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if user.session_key:
        query = query.where(UserSession.key_hash != secret_hash(user.session_key))
    db.session.execute(query)


def _oldest_live_session() -> datetime:
    # A session lasts PERMANENT_SESSION_LIFETIME from sign-in, however busy: a cookie re-signed on
    # every change would otherwise keep a stolen copy alive for ever.
    return utcnow() - current_app.permanent_session_lifetime


def change_password(user: User, current: str, new: str) -> None:
    """Change the password and end every other session of this user (this one carries on)."""
    if not check_password_hash(user.password_hash, current):
        raise AccountRefusal("wrong_password", "current")
    check_new_password(new, user.email, user.organisations, "new")
    with write_transaction():
        user.password_hash = hash_password(new)
        _end_other_sessions(user)
        for m in user.memberships:
            record("accounts.password_changed", org_id=m.org_id, obj=user, data={"email": user.email})


def set_password(user: User, new: str) -> None:
    """Set a password from the command line (no current password needed)."""
    check_new_password(new, user.email, user.organisations)
    with write_transaction():
        user.password_hash = hash_password(new)
        _end_other_sessions(user)
        record("accounts.password_set", obj=user, data={"email": user.email})


def load_user(session_key: str) -> User | None:
    """Flask-Login loader: the user whose live session has this key, or None (signed out, ended)."""
    if not session_key:
        return None
    # One statement for the session, the user, their memberships and organisations (every staff
    # request runs it).
    user = db.session.scalars(
        select(User).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.key_hash == secret_hash(session_key), UserSession.created_at >= _oldest_live_session())
        .options(joinedload(User.memberships))).unique().one_or_none()
    if user is not None:
        user.session_key = session_key
    return user

