"""The words of the audit log, put together in the reader's language when an entry is shown.

An entry keeps its kind (``events.created``) and its data (ids, an email address, a title in both
languages, a count) as the record; the sentence is made from them here, so a Welsh page reads Welsh
and an English page English, for entries written long before. A kind this table does not know is
shown with its stored English summary, marked ``lang="en"``.
"""
from __future__ import annotations

from typing import Any

from flask_babel import get_locale, lazy_gettext as _l, ngettext
from markupsafe import Markup, escape

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
    "accounts.role_changed": _l("Role of %(email)s changed from %(before)s to %(after)s"),
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


def _counted(kind: str, p: dict[str, Any]) -> str | None:
    """Sentences with a number in them, which Welsh and English say with different plural forms."""
    if kind == "pb.codes_generated":
        return ngettext("%(num)d voter code made for funding pot %(id)s",
                        "%(num)d voter codes made for funding pot %(id)s", _number(p, "count"), id=p["id"])
    if kind == "checkin.retention":
        return ngettext("Personal details removed from %(num)d ticket", "Personal details removed from %(num)d tickets",
                        _number(p, "count"))
    if kind == "pb.imported":
        return ngettext("Funding pot %(id)s imported from a pabulib file, with %(num)d ballot",
                        "Funding pot %(id)s imported from a pabulib file, with %(num)d ballots",
                        _number(p, "ballots"), id=p["id"])
    return None


def _number(p: dict[str, Any], key: str) -> int:
    value = p.get(key)
    return value if isinstance(value, int) else 0


class _Params(dict):  # type: ignore[type-arg]
    """An entry's data for a sentence; a name an old entry lacks reads as a dash, never an error."""

    def __missing__(self, key: str) -> str:
        return "–"


def _in_language(value: Any, lang: str) -> Any:
    """A {"cy": ..., "en": ...} text in the reader's language, falling back to the other."""
    if isinstance(value, dict) and ("cy" in value or "en" in value):
        return value.get(lang) or value.get("en" if lang == "cy" else "cy") or "–"
    return value


def params(entry: Any, lang: str, emails: dict[int, str]) -> _Params:
    from ..accounts.people import role_words  # the accounts area's words for its roles

    data = entry.data or {}
    p = _Params({"id": entry.object_id if entry.object_id is not None else "–"})
    for key, value in data.items():
        if key in ("before", "after") and isinstance(value, dict):
            continue
        p[key] = _in_language(value, lang)
    after = data.get("after") if isinstance(data.get("after"), dict) else {}
    before = data.get("before") if isinstance(data.get("before"), dict) else {}
    if "title" not in p:
        p["title"] = _in_language(after.get("title") or before.get("title") or "–", lang)
    if "email" not in p and entry.object_type == "User" and entry.object_id in emails:
        p["email"] = emails[entry.object_id]
    if entry.kind in ("accounts.user_added", "accounts.invited") and p.get("role") in ("admin", "organiser"):
        p["role"] = role_words(p["role"])
    if entry.kind == "accounts.role_changed":
        for key in ("before", "after"):
            if data.get(key) in ("admin", "organiser"):
                p[key] = role_words(data[key])
    if entry.kind == "events.report_made" and isinstance(p.get("month"), str):
        from ..formatting import month_name

        p["month"] = month_name(p["month"])
    return p


def user_emails(entries: list[Any]) -> dict[int, str]:
    """The email addresses of the people entries are about, read in one query."""
    from ..accounts.models import User

    ids = {e.object_id for e in entries if e.object_type == "User" and e.object_id is not None}
    if not ids:
        return {}
    return {uid: email for uid, email in db.session.execute(db.select(User.id, User.email).where(User.id.in_(ids)))}


def describe(entry: Any, emails: dict[int, str] | None = None) -> Markup:
    """The entry's sentence in the page's language (escaped), or its stored English summary marked
    as English for a kind this table does not know."""
    lang = str(get_locale() or "cy")[:2]
    p = params(entry, lang, emails if emails is not None else user_emails([entry]))
    counted = _counted(entry.kind, p)
    if counted is not None:
        return escape(counted)
    words = WORDS.get(entry.kind)
    if words is None:
        return Markup('<span lang="en">{}</span>').format(entry.summary)
    return escape(str(words) % p)


def english(kind: str, data: dict[str, Any], object_id: int | None, object_type: str | None) -> str | None:
    """The sentence in English, stored as the entry's summary for anyone reading the database."""
    from types import SimpleNamespace

    from flask_babel import force_locale

    entry = SimpleNamespace(kind=kind, data=data, object_id=object_id, object_type=object_type, summary="")
    if kind not in WORDS and _counted(kind, _Params(id=object_id)) is None:
        return None
    with force_locale("en"):
        return str(describe(entry, {}))

