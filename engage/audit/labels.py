"""The words of the audit log, put together in the reader's language when an entry is shown.

An entry keeps its kind (``events.created``) and its data (ids, an email address, a title in both
languages, a count) as the record; the sentence is made from them here, so a Welsh page reads Welsh
and an English page English, for entries written long before. A kind this table does not know is
shown with its stored English summary, marked ``lang="en" data-english="record"``, and so is an entry
written before its kind kept in its data a name its sentence needs.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l, ngettext
from markupsafe import Markup, escape

from ..bilingual import page_language
from ..extensions import db

#: kind -> sentence; %(id)s is the changed object's id, the other names come from the entry's data.
WORDS: dict[str, Any] = {
    "accounts.org_created": _l("Organisation %(slug)s created"),
    "accounts.user_added": _l("%(email)s added as %(role)s"),
    "accounts.login": _l("%(email)s signed in"),
    "accounts.logout": _l("%(email)s signed out"),
    "accounts.password_changed": _l("%(email)s changed their password"),
    "accounts.password_set": _l("Password of %(email)s set from the command line"),
    "accounts.two_step_on": _l("%(email)s turned on two-step sign-in"),
    "accounts.two_step_off": _l("%(email)s turned off two-step sign-in"),
    "accounts.recovery_codes_renewed": _l("%(email)s made new recovery codes"),
    "accounts.recovery_code_used": _l("%(email)s signed in with a recovery code"),
    "accounts.two_step_required": _l("Two-step sign-in required of administrators"),
    "accounts.two_step_not_required": _l("Two-step sign-in no longer required of administrators"),
    "accounts.invited": _l("%(email)s invited as %(role)s"),
    "accounts.invitation_withdrawn": _l("Invitation to %(email)s withdrawn"),
    "accounts.user_removed": _l("%(email)s removed from the organisation"),
    "accounts.sessions_ended": _l("Every session of %(email)s ended"),
    "accounts.other_sessions_ended": _l("%(email)s signed out their other sessions"),
    "accounts.session_ended": _l("%(email)s ended one of their sessions"),
    "accounts.reset_requested": _l("Password reset link sent to %(email)s"),
    "accounts.password_reset": _l("%(email)s reset their password by email"),
    "accounts.org_renamed": _l("Organisation renamed"),
    "accounts.org_look_changed": _l("Look of the organisation changed"),
    "pb.pot_created": _l("Funding pot %(id)s created"),
    "pb.pot_changed": _l("Funding pot %(id)s changed"),
    "pb.project_saved": _l("Project %(id)s of funding pot %(pot)s saved"),
    "pb.project_deleted": _l("Project %(project)s of funding pot %(pot)s deleted"),
    "pb.preview_counted": _l("Results of funding pot %(id)s counted for a private preview"),
    "pb.published": _l("Results of funding pot %(id)s checked and published"),
    "pb.opened": _l("Funding pot %(id)s opened for voting"),
    "pb.closed": _l("Funding pot %(id)s closed"),
    "pb.paper_entered": _l("Paper ballot entered for funding pot %(id)s"),
    "pb.paper_checked": _l("Paper ballot for funding pot %(id)s checked and counted"),
    "pb.paper_rejected": _l("Paper ballot for funding pot %(id)s rejected at the check"),
    "pb.kiosk_started": _l("Kiosk %(kiosk)s started for funding pot %(id)s at event %(event)s"),
    "pb.kiosk_ended": _l("Kiosk %(kiosk)s of funding pot %(id)s ended"),
    "feedback.created": _l("Feedback entry created: %(title)s"),
    "feedback.updated": _l("Feedback entry changed: %(title)s"),
    "feedback.update_added": _l("Update added to feedback entry %(id)s"),
    "feedback.follow_confirmed": _l("Someone now follows feedback entry %(id)s"),
    "feedback.unfollowed": _l("Someone stopped following feedback entry %(id)s"),
    "checkin.ticket_cancelled": _l("Ticket %(ticket)s cancelled by its holder"),
    "checkin.settings": _l("Check-in settings of event %(id)s changed"),
    "checkin.undone": _l("Check-in %(id)s undone"),
    "events.theme_saved": _l("Theme saved: %(name)s"),
    "events.audience_saved": _l("Audience saved: %(name)s"),
    "events.created": _l("Event created: %(title)s"),
    "events.updated": _l("Event changed: %(title)s"),
    "events.duplicated": _l("Event %(from)s copied as event %(id)s"),
    "events.outcome_recorded": _l("Outcome recorded for event %(id)s"),
    "events.report_made": _l("Monthly report for %(month)s kept (HTML and CSV, Welsh and English)"),
}


#: A role changed from one to the other: whole sentences, because Welsh mutates the role's name
#: after "o" and "i" ("o Weinyddwr i Drefnydd").
ROLE_CHANGES = {
    ("admin", "organiser"): _l("Role of %(email)s changed from Administrator to Organiser"),
    ("organiser", "admin"): _l("Role of %(email)s changed from Organiser to Administrator"),
}


def _counted(kind: str, p: _Params) -> str | None:
    """Sentences with a number in them, which Welsh and English say with different plural forms."""
    if kind == "pb.codes_generated":
        return ngettext("%(num)d voter code made for funding pot %(id)s",
                        "%(num)d voter codes made for funding pot %(id)s", p.number("count"), id=p["id"])
    if kind == "checkin.retention":
        return ngettext("Personal details removed from %(num)d ticket", "Personal details removed from %(num)d tickets",
                        p.number("count"))
    if kind == "pb.imported":
        return ngettext("Funding pot %(id)s imported from a pabulib file, with %(num)d ballot",
                        "Funding pot %(id)s imported from a pabulib file, with %(num)d ballots",
                        p.number("ballots"), id=p["id"])
    return None


class _Params(dict):  # type: ignore[type-arg]
    """An entry's data for a sentence. A name the entry lacks (an entry written before its kind kept
    that name in its data) reads as a dash and is noted, so the stored summary is shown instead."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.missing: set[str] = set()

    def __missing__(self, key: str) -> str:
        self.missing.add(key)
        return "–"

    def number(self, key: str) -> int:
        value = self.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.missing.add(key)
        return 0


def _in_language(value: Any, lang: str) -> Any:
    """A {"cy": ..., "en": ...} text in the reader's language (falling back to the other); a number or a
    text as it is; anything else (None, a list) is not a value a sentence can show."""
    if isinstance(value, dict) and ("cy" in value or "en" in value):
        return value.get(lang) or value.get("en" if lang == "cy" else "cy") or None
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def params(entry: Any, lang: str, emails: dict[int, str]) -> _Params:
    from ..accounts.people import role_words  # the accounts area's words for its roles

    data = entry.data if isinstance(entry.data, dict) else {}
    p = _Params({"id": entry.object_id} if entry.object_id is not None else {})
    for key, value in data.items():
        shown = _in_language(value, lang)
        if shown is not None and key not in ("before", "after"):
            p[key] = shown
    after = data.get("after") if isinstance(data.get("after"), dict) else {}
    if "title" not in p and _in_language(after.get("title"), lang) is not None:
        p["title"] = _in_language(after["title"], lang)  # a feedback entry's snapshot after the change
    if "email" not in p and entry.object_type == "User" and entry.object_id in emails:
        p["email"] = emails[entry.object_id]
    if entry.kind in ("accounts.user_added", "accounts.invited") and p.get("role") in ("admin", "organiser"):
        p["role"] = role_words(p["role"])
    if entry.kind == "events.report_made" and isinstance(p.get("month"), str):
        from ..formatting import month_name

        try:
            p["month"] = month_name(p["month"])
        except ValueError:
            del p["month"]
    return p


def user_emails(entries: list[Any]) -> dict[int, str]:
    """The email addresses of the people entries are about, read in one query (for entries written
    before the address was kept in their data)."""
    from ..accounts.models import User

    ids = {e.object_id for e in entries if e.object_type == "User" and e.object_id is not None}
    if not ids:
        return {}
    return {uid: email for uid, email in db.session.execute(db.select(User.id, User.email).where(User.id.in_(ids)))}


def sentence(entry: Any, emails: dict[int, str]) -> str | None:
    """The entry's sentence in the current language, or None when this table has no words for its
    kind or the entry lacks a name its sentence needs."""
    p = params(entry, page_language(), emails)
    text = _counted(entry.kind, p)
    if text is None:
        data = entry.data if isinstance(entry.data, dict) else {}
        words = (ROLE_CHANGES.get((data.get("before"), data.get("after"))) if entry.kind == "accounts.role_changed"
                 else None) or WORDS.get(entry.kind)
        if words is None:
            return None
        text = str(words) % p
    return None if p.missing else text


def describe(entry: Any, emails: dict[int, str] | None = None) -> Markup:
    """The entry's sentence in the page's language (escaped); for a kind this table does not know, or
    an old entry without what its sentence needs, the English summary stored with it, marked as such."""
    text = sentence(entry, emails if emails is not None else user_emails([entry]))
    if text is None:
        return Markup('<span lang="en" data-english="record">{}</span>').format(entry.summary)
    return escape(text)


def english(kind: str, data: dict[str, Any], object_id: int | None, object_type: str | None) -> str | None:
    """The sentence in English (plain text), stored as the entry's summary for anyone reading the
    database; None if the kind has no words here."""
    from types import SimpleNamespace

    from flask_babel import force_locale

    entry = SimpleNamespace(kind=kind, data=data, object_id=object_id, object_type=object_type, summary="")
    with force_locale("en"):
        return sentence(entry, {})
