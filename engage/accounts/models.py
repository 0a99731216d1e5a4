from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import false as sa_false
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..bilingual import Bilingual, bilingual_columns
from ..extensions import db
from ..types import UTCDateTime, utcnow

ROLES = ("admin", "organiser")


def colour_check(column: str) -> str:
    """Empty, or ``#`` and six lower-case hex digits: in words both SQLite and PostgreSQL know
    (``ltrim`` strips the hex digits; nothing may be left)."""
    return (f"{column} IS NULL OR (length({column}) = 7 AND substr({column}, 1, 1) = '#' "
            f"AND ltrim(substr({column}, 2), '0123456789abcdef') = '')")


class Organisation(Bilingual, db.Model):
    """A regional cohesion team, a council or a partner group; everything staff do is scoped to one."""

    __tablename__ = "organisations"
    bilingual_fields = ("name",)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short name used in staff URLs and on the command line, e.g. ``gwynedd``.
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name_cy, name_en = bilingual_columns(200)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Its look on its own public pages (see ``brand.py``): a logo from the image store, the colour of
    #: its band and buttons, and of links; each empty for Engage's own.
    #: No ON DELETE: SQLite adds a column's reference only in the column's own words, whose options
    #: SQLAlchemy cannot read back, so the schema check would always differ. A logo in use cannot be
    #: deleted on its own (the database refuses); deleting the organisation removes both.
    #: ``use_alter``: organisations and images refer to each other.
    logo_image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id", use_alter=True))
    brand_colour: Mapped[str | None] = mapped_column(String(7))
    link_colour: Mapped[str | None] = mapped_column(String(7))
    #: Its administrators must use two-step sign-in (an authenticator app) to reach its pages.
    require_two_step: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    memberships = relationship("Membership", back_populates="org", cascade="all, delete-orphan")
    logo = relationship("StoredImage", foreign_keys=[logo_image_id])

    __table_args__ = (
        CheckConstraint("slug <> ''", name="slug_not_empty"),
        CheckConstraint("name_cy IS NOT NULL AND name_en IS NOT NULL", name="name_both_languages"),
        CheckConstraint(colour_check("brand_colour"), name="brand_colour_hex"),
        CheckConstraint(colour_check("link_colour"), name="link_colour_hex"),
    )


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: "cy", "en" or None when unknown (then messages go out in both languages).
    preferred_lang: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Two-step sign-in: the authenticator's secret, sealed with a key made from the app's secret key
    #: (twostep.seal), so a copy of the database alone cannot make codes; None while it is off.
    totp_sealed: Mapped[str | None] = mapped_column(String(120))
    #: The 30-second step of the last code accepted: a code is accepted once, never replayed.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    memberships = relationship("Membership", back_populates="user", cascade="all, delete-orphan",
                               lazy="selectin")

    #: The key of the browser session this object was loaded for (not a column): set by
    #: ``services.start_session`` at sign-in and by ``services.load_user`` on every request.
    session_key = None

    __table_args__ = (
        # Emails are stored lower-cased by the services; the index makes "one account per email" a
        # database rule even if a caller forgets.
        db.Index("uq_users_email_lower", func.lower(email), unique=True),
        CheckConstraint("preferred_lang IN ('cy', 'en')", name="preferred_lang_known"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        # What Flask-Login keeps in the signed cookie: this browser's session key, never the user id,
        # so a session ends when its row in user_sessions goes.
        if not self.session_key:
            raise RuntimeError("sign users in with accounts.services.start_session")
        return self.session_key

    def role_in(self, org: Organisation) -> str | None:
        for m in self.memberships:
            if m.org_id == org.id:
                return m.role
        return None

    @property
    def organisations(self) -> list[Organisation]:
        return [m.org for m in self.memberships]


class Membership(db.Model):
    """A user's role in one organisation: ``admin`` manages users and publishing, ``organiser``
    runs events and ballots."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", back_populates="memberships")
    org = relationship("Organisation", back_populates="memberships", lazy="joined")

    __table_args__ = (
        UniqueConstraint("user_id", "org_id"),
        CheckConstraint("role IN ('admin', 'organiser')", name="role_known"),
    )


class UserSession(db.Model):
    """One signed-in browser, from sign-in until sign-out (or a password change, or the end of its
    lifetime): a copied cookie is worth nothing once its row is gone, which a signed cookie alone
    could not promise."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the random key in the cookie: a copy of the database cannot be turned into sessions.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: What the browser said it was at sign-in, shortened, so a person can tell their sessions apart.
    user_agent: Mapped[str | None] = mapped_column(String(120))

    user = relationship("User")


class AccountLink(db.Model):
    """A link sent by email that lets someone in once: an invitation to join an organisation, or a
    password reset. Only a hash of its secret is kept; it works once and only until it expires."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(10))
    #: SHA-256 of the secret in the emailed link (codes.secret_hash): a copy of the database opens nothing.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    #: An invitation: to which organisation, in which role, from whom, and the email's language.
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str | None] = mapped_column(String(20))
    lang: Mapped[str | None] = mapped_column(String(4))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: A reset: whose password.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Set once, by one UPDATE that also checks it was not set: a link raced twice works once.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Withdrawn by an admin (or replaced by a newer invitation to the same address).
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org = relationship("Organisation")
    created_by = relationship("User", foreign_keys=[created_by_id])

    __table_args__ = (
        CheckConstraint("purpose IN ('invite', 'reset')", name="purpose_known"),
        CheckConstraint("purpose <> 'invite' OR (org_id IS NOT NULL AND role IN ('admin', 'organiser'))",
                        name="invite_has_org_and_role"),
        CheckConstraint("purpose <> 'reset' OR user_id IS NOT NULL", name="reset_has_user"),
        CheckConstraint("lang IS NULL OR lang IN ('cy', 'en', 'both')", name="lang_known"),
    )


class RecoveryCode(db.Model):
    """A one-time code for signing in without the authenticator (a lost phone). Only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
