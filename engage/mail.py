"""Sending email: ``send(to, subject, body_text, lang)``.

``MAIL_BACKEND`` chooses where mail goes: ``"outbox"`` (the default, for development and tests)
keeps each message as a row of ``outbox_messages``, which admins read on a staff page and tests
read directly; ``"smtp"`` sends it through the server in ``SMTP_*`` (set by ``ENGAGE_SMTP_*``).
Nothing is ever sent for real unless someone configures SMTP.
"""
from __future__ import annotations

import base64
import logging
import smtplib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from collections.abc import Callable

from flask import Blueprint, current_app, g, render_template
from flask_babel import force_locale
from sqlalchemy import JSON, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from .accounts.access import org_required
from .db import write_transaction
from .extensions import db
from .i18n import BABEL_LOCALES, LANGUAGES
from .types import UTCDateTime, utcnow

log = logging.getLogger(__name__)


class OutboxMessage(db.Model):
    """A message the "outbox" backend kept instead of sending."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organisation it was sent for, so its admins can read it (None: system mail).
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: "cy", "en" or "both".
    lang: Mapped[str] = mapped_column(String(4))
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: Files sent with it: [{"filename", "mimetype", "data" (base64)}] (a ticket's QR code, a calendar file).
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def files(self) -> list[Attachment]:
        return [Attachment(a["filename"], a["mimetype"], base64.b64decode(a["data"])) for a in self.attachments or []]


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message."""

    filename: str
    mimetype: str
    data: bytes


def header_safe(value: str) -> str:
    """A header value made from data, on one line: control characters (CR, LF, tab…) and Unicode
    line separators become spaces, and runs of spaces one. A CR/LF from a title could otherwise
    start a header of its own; the email library refuses one, which made sending a 500 after the
    caller had saved its work. Long values are folded by the library, as the standard allows."""
    spaced = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in value)
    return " ".join(spaced.split())


def build_message(to: str, subject: str, body_text: str, lang: str,
                  headers: dict[str, str] | None = None, attachments: tuple[Attachment, ...] = ()) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="engage")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body_text)
    # After set_content, which drops every Content-* header. Mail clients and screen readers pick
    # the right spelling and voice from it.
    msg["Content-Language"] = "cy, en" if lang == "both" else lang
    for item in attachments:
        main, sub = item.mimetype.split("/", 1)
        msg.add_attachment(item.data, maintype=main, subtype=sub, filename=header_safe(item.filename))
    return msg


def in_languages(lang: str | None, compose: Callable[[str], tuple[str, str]]) -> tuple[str, str, str]:
    """A message in the person's language, or Welsh then English when it is not known: ``(subject,
    body, lang)`` for :func:`send`. ``compose(lang)`` runs in that language's locale."""
    langs = (lang,) if lang in LANGUAGES else LANGUAGES
    parts = []
    for one in langs:
        with force_locale(BABEL_LOCALES[one]):
            parts.append(compose(one))
    return (" / ".join(s for s, _b in parts), "\n\n----------\n\n".join(b for _s, b in parts),
            lang if lang in LANGUAGES else "both")


def send(to: str, subject: str, body_text: str, lang: str, *, org_id: int | None = None,
         headers: dict[str, str] | None = None, attachments: tuple[Attachment, ...] = ()) -> None:
    """Send one plain-text message (``lang`` is "cy", "en" or "both"), with any files, with the
    configured backend."""
    # Every header from data made safe here, for both backends: the outbox shows what would be sent.
    to, subject = header_safe(to), header_safe(subject)
    headers = {name: header_safe(value) for name, value in (headers or {}).items()}
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "outbox":
        with write_transaction():
            db.session.add(OutboxMessage(org_id=org_id, to_addr=to, subject=subject[:300], body=body_text,
                                         lang=lang, headers=headers, attachments=[
                                             {"filename": a.filename, "mimetype": a.mimetype,
                                              "data": base64.b64encode(a.data).decode()} for a in attachments]))
        return
    if backend != "smtp":
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}: use 'outbox' or 'smtp'")
    cfg = current_app.config
    msg = build_message(to, subject, body_text, lang, headers, attachments)
    with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=30) as smtp:
        if cfg["SMTP_STARTTLS"]:
            smtp.starttls()
        if cfg["SMTP_USERNAME"]:
            smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"] or "")
        smtp.send_message(msg)


def send_quietly(*args: object, **kwargs: object) -> bool:
    """``send``, but a mail server that is down is logged rather than failing the caller's request."""
    try:
        send(*args, **kwargs)  # type: ignore[arg-type]
    except (OSError, smtplib.SMTPException) as exc:
        log.error("mail to %s not sent: %s", args[0] if args else "?", exc)
        return False
    return True


# --- the outbox, for admins ------------------------------------------------------------------------

bp = Blueprint("outbox", __name__, url_prefix="/<lang:lang>/manage/<org>")


@bp.route("/outbox")
@org_required("admin")
def outbox():  # type: ignore[no-untyped-def]
    messages = list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.org_id == g.org.id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(100)))
    return render_template("mail/outbox.html", org=g.org, messages=messages,
                           backend=current_app.config["MAIL_BACKEND"])
