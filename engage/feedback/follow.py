"""Following an entry by email: double opt-in, one-click unsubscribe, a message when the status changes.

The confirmation token is 256 random bits, sent only in the email; the database keeps its SHA-256,
so a copy of the database cannot confirm anyone. The unsubscribe token is an HMAC (with the secret
key) of the subscription's id and that hash: nothing more to store, every email's link keeps
working, and a new subscription after an unsubscribe gets new links. It is checked with
``hmac.compare_digest``. Messages are in the person's language, or both (Welsh first).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import mail
from ..audit.services import record
from ..codes import secret_hash
from ..db import write_transaction
from ..extensions import db
from ..links import public_url
from ..params import MAX_ID
from ..types import utcnow
from .labels import status_label
from .models import FeedbackEntry, FeedbackSubscription, FeedbackUpdate
from .services import FeedbackRefusal

Compose = Callable[[str], tuple[str, str]]


def unsubscribe_token(sub: FeedbackSubscription) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    mac = hmac.new(key, f"feedback-unsubscribe:{sub.id}:{sub.confirm_hash}".encode(), hashlib.sha256).digest()
    return f"{sub.id}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def subscribe(entry: FeedbackEntry, email: str, lang: str | None) -> None:
    """Ask ``email`` to confirm following ``entry``; a second request for the same pair is refused."""
    email = email.strip().lower()
    token = secrets.token_urlsafe(32)
    try:
        with write_transaction():
            exists = db.session.scalar(select(FeedbackSubscription.id).where(
                FeedbackSubscription.entry_id == entry.id, FeedbackSubscription.email == email))
            if exists is not None:
                raise FeedbackRefusal("already_following", "email")
            sub = FeedbackSubscription(entry_id=entry.id, email=email, lang=lang, confirm_hash=secret_hash(token))
            db.session.add(sub)
            db.session.flush()  # the unique constraint decides a race between two requests
    except IntegrityError:
        raise FeedbackRefusal("already_following", "email") from None

    def compose(lang: str) -> tuple[str, str]:
        title = entry.text("title", lang)
        return (_("Confirm that you want to follow “%(title)s”", title=title),
                _("You asked to be told by email when “%(title)s” changes.", title=title) + "\n\n"
                + _("To confirm, open this link and press the button:") + "\n"
                + public_url("feedback.confirm", lang=lang, token=token) + "\n\n"
                + _("If you did not ask for this, ignore this email and you will not hear from us again."))

    _send(sub, entry, compose, with_unsubscribe=False)


def find_by_confirm(token: str) -> FeedbackSubscription | None:
    return db.session.scalar(select(FeedbackSubscription).where(FeedbackSubscription.confirm_hash == secret_hash(token)))


def confirm(token: str) -> FeedbackSubscription | None:
    """Confirm the subscription this token belongs to (again is fine); None for an unknown token."""
    with write_transaction():
        sub = find_by_confirm(token)
        if sub is not None and sub.confirmed_at is None:
            sub.confirmed_at = utcnow()
            record("feedback.follow_confirmed", org_id=sub.entry.org_id, obj=sub.entry)
    return sub


def find_by_unsubscribe(token: str) -> FeedbackSubscription | None:
    sub_id, _dot, _mac = token.partition(".")
    # ASCII digits only ("²" is a digit to Python but not to int()), and an id the database can hold.
    if not (sub_id.isascii() and sub_id.isdigit()) or not 1 <= int(sub_id) <= MAX_ID:
        return None
    sub = db.session.get(FeedbackSubscription, int(sub_id))
    if sub is None or not hmac.compare_digest(unsubscribe_token(sub), token):
        return None
    return sub


def unsubscribe(token: str) -> FeedbackEntry | None:
    """Remove the subscription (so the address can follow again later); None for an unknown token."""
    with write_transaction():
        sub = find_by_unsubscribe(token)
        if sub is None:
            return None
        entry = sub.entry
        db.session.delete(sub)
        record("feedback.unfollowed", org_id=entry.org_id, obj=entry)
    return entry


def followers(entry: FeedbackEntry) -> list[FeedbackSubscription]:
    """Confirmed followers only: nobody is mailed an update before they confirmed."""
    return list(db.session.scalars(select(FeedbackSubscription).where(
        FeedbackSubscription.entry_id == entry.id, FeedbackSubscription.confirmed_at.is_not(None))
        .order_by(FeedbackSubscription.id)))


def notify_status_change(entry: FeedbackEntry, old_status: str, update: FeedbackUpdate | None) -> int:
    """Tell each confirmed follower that the status changed; returns how many were told."""
    def compose(lang: str) -> tuple[str, str]:
        title = entry.text("title", lang)
        lines = [_("The status of “%(title)s” has changed from “%(old)s” to “%(new)s”.", title=title,
                   old=status_label(old_status), new=status_label(entry.status))]
        if entry.progress is not None:
            lines.append(_("Progress: %(percent)s%%", percent=entry.progress))
        if entry.status == "not_possible" and entry.text("reason", lang):
            lines.append(_("Why it was not possible:") + " " + entry.text("reason", lang))
        if update is not None:
            lines.append(update.text("body", lang))
        lines.append(_("Read more:") + " " + public_url("feedback.show", lang=lang, entry_id=entry.id))
        return _("Update: %(title)s", title=title), "\n\n".join(lines)

    people = followers(entry)
    for sub in people:
        _send(sub, entry, compose, with_unsubscribe=True)
    return len(people)


def _send(sub: FeedbackSubscription, entry: FeedbackEntry, compose: Compose, *, with_unsubscribe: bool) -> None:
    """Render ``compose`` in the person's language, or in Welsh then English, and send it."""
    headers: dict[str, str] = {}

    def with_footer(lang: str) -> tuple[str, str]:
        subject, body = compose(lang)
        if with_unsubscribe:
            link = public_url("feedback.unsubscribe", lang=lang, token=unsubscribe_token(sub))
            body += "\n\n" + _("Stop these emails:") + " " + link
            headers.setdefault("List-Unsubscribe", f"<{link}>")
        return subject, body

    message = mail.in_languages(sub.lang, with_footer)
    if with_unsubscribe:
        # RFC 8058: a mail client may unsubscribe with one POST to the link, without a page.
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.send_quietly(sub.email, *message, org_id=entry.org_id, headers=headers)
