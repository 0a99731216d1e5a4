"""Two-step sign-in: a code from an authenticator app (TOTP, RFC 6238, by pyotp) after the password,
or a one-time recovery code when the phone is lost. An organisation may require it of its admins.

What holds:
- The authenticator's secret is kept sealed: XOR-ed with a pad drawn from HMAC-SHA256 of the app's
  secret key, a random salt and the user's id. A copy of the database alone cannot make codes; with
  the secret key too, it can (as it could forge sessions). Changing the secret key turns two-step
  sign-in off in effect: people then sign in with a recovery code and set it up again.
- A code is accepted once: the step it belongs to is recorded by one UPDATE that only succeeds if it
  is later than the last accepted step, so a code read over someone's shoulder, or raced twice, fails.
- Recovery codes: 10, shown once, kept as HMACs keyed by the app's secret key (a copy of the database
  alone cannot try them offline), each spent by one UPDATE (used once, however raced).
- Turning it on signs out every other browser: they were signed in with the password alone.
- Until the code is given, the person is not signed in: the session holds only who passed the
  password, for 5 minutes; wrong codes are limited like wrong passwords.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import pyotp
from flask import current_app
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash

from ..audit.services import record
from ..db import write_transaction
from ..extensions import db
from ..types import utcnow
from .models import Organisation, RecoveryCode, User
from .services import AccountRefusal, _end_other_sessions

ISSUER = "Engage"
RECOVERY_CODES = 10
STEP = 30


def _app_key(purpose: bytes) -> bytes:
    secret = current_app.secret_key
    return hmac.new(secret.encode() if isinstance(secret, str) else secret, purpose, hashlib.sha256).digest()


def _pad(salt: bytes, user_id: int, length: int) -> bytes:
    return hmac.new(_app_key(b"engage two-step seal"), salt + str(user_id).encode(), hashlib.sha256).digest()[:length]


def _code_hash(user_id: int, code: str) -> str:
    """What is kept of a recovery code: an HMAC keyed by the app's secret key and the person, so a copy
    of the database alone cannot try the 2^48 codes offline."""
    return hmac.new(_app_key(b"engage recovery codes"), f"{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def seal(secret: str, user_id: int) -> str:
    raw = base64.b32decode(secret)
    salt = secrets.token_bytes(16)
    sealed = bytes(a ^ b for a, b in zip(raw, _pad(salt, user_id, len(raw)), strict=True))
    return f"{salt.hex()}:{sealed.hex()}"


def unseal(sealed: str, user_id: int) -> str:
    salt_hex, body_hex = sealed.split(":", 1)
    body = bytes.fromhex(body_hex)
    raw = bytes(a ^ b for a, b in zip(body, _pad(bytes.fromhex(salt_hex), user_id, len(body)), strict=True))
    return base64.b32encode(raw).decode()


def is_on(user: User) -> bool:
    return bool(user.totp_sealed)


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _clean(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isascii() and ch.isalnum()).upper()


def _totp_step(secret: str, code: str) -> int | None:
    """The step (window of 30 s) whose code this is, allowing one step either side for clocks; or None."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    for drift in (0, -1, 1):
        at = now.timestamp() + drift * STEP
        if hmac.compare_digest(totp.at(at), code):
            return int(at // STEP)
    return None


def _recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["-".join(secrets.token_hex(2).upper() for _ in range(3)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_code_hash(user.id, _clean(code))) for code in codes)
    return codes


def turn_on(user: User, secret: str, code: str, password: str) -> list[str]:
    """Turn two-step sign-in on once the person proves their app has ``secret``, and proves with their
    password that they are the account's owner (a borrowed session must not tie the account to someone
    else's phone: a password reset would not undo it); returns the recovery codes (shown once)."""
    if not check_password_hash(user.password_hash, password or ""):
        raise AccountRefusal("wrong_password", "password")
    step = _totp_step(secret, _clean(code))
    if step is None:
        raise AccountRefusal("wrong_code", "code")
    with write_transaction():
        user.totp_sealed = seal(secret, user.id)
        user.totp_last_step = step
        codes = _recovery_codes(user)
        _end_other_sessions(user)  # a browser signed in before now was signed in with the password alone
        for m in user.memberships:
            record("accounts.two_step_on", org_id=m.org_id, obj=user, data={"email": user.email})
    return codes


def turn_off(user: User, password: str) -> None:
    if not check_password_hash(user.password_hash, password or ""):
        raise AccountRefusal("wrong_password", "password")
    if any(m.role == "admin" and m.org.require_two_step for m in user.memberships):
        raise AccountRefusal("two_step_required")
    with write_transaction():
        user.totp_sealed = None
        user.totp_last_step = None
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        for m in user.memberships:
            record("accounts.two_step_off", org_id=m.org_id, obj=user, data={"email": user.email})


def new_recovery_codes(user: User, password: str) -> list[str]:
    if not check_password_hash(user.password_hash, password or ""):
        raise AccountRefusal("wrong_password", "password")
    with write_transaction():
        codes = _recovery_codes(user)
        for m in user.memberships:
            record("accounts.recovery_codes_renewed", org_id=m.org_id, obj=user, data={"email": user.email})
    return codes


def check_code(user: User, code: str) -> bool:
    """The second step at sign-in: an authenticator code (once per step) or an unused recovery code."""
    code = _clean(code)
    if not is_on(user):
        return False
    step = _totp_step(unseal(user.totp_sealed or "", user.id), code)
    with write_transaction():
        if step is not None:
            taken = db.session.execute(update(User).where(
                User.id == user.id, (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
                .values(totp_last_step=step)).rowcount
            return taken == 1
        if len(code) != 12:
            return False
        spent = db.session.execute(update(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _code_hash(user.id, code),
            RecoveryCode.used_at.is_(None)).values(used_at=utcnow())).rowcount
        if spent == 1:
            for m in user.memberships:
                record("accounts.recovery_code_used", org_id=m.org_id, obj=user, user_id=user.id,
                       data={"email": user.email})
        return spent == 1


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def set_requirement(org: Organisation, required: bool, by: User) -> None:
    with write_transaction():
        org.require_two_step = required
        record("accounts.two_step_required" if required else "accounts.two_step_not_required",
               org_id=org.id, obj=org)


def needs_setting_up(user: User, org: Organisation, role: str) -> bool:
    """An admin of an organisation that requires two-step sign-in, without it: sent to set it up."""
    return role == "admin" and org.require_two_step and not is_on(user)
