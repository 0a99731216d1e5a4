"""The Atom feeds (one language each) and the JSON open data (both languages) of published entries."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from ..accounts.models import Organisation
from ..bilingual import LANGS
from ..links import public_url
from ..safetext import feed_text
from ..types import utcnow
from .labels import status_label
from .models import FeedbackEntry

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _stamp(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    # Every word of the feed passes here: ElementTree writes a control character as it is, and
    # one in a title would make the whole feed unreadable.
    node = ET.SubElement(parent, tag, {name: feed_text(value) for name, value in attrs.items()})
    if text is not None:
        node.text = feed_text(text)
    return node


def _content(entry: FeedbackEntry, lang: str) -> str:
    parts = [(_("We asked"), entry.text("asked", lang)), (_("You said"), entry.text("said", lang)),
             (_("We did"), entry.text("did", lang))]
    if entry.status == "not_possible":
        parts.append((_("Why it was not possible:"), entry.text("reason", lang)))
    return "\n\n".join(f"{heading}\n{text}" for heading, text in parts if text)


def atom(org: Organisation, entries: list[FeedbackEntry], lang: str, *, title: str, self_url: str,
         page_url: str) -> bytes:
    """An Atom 1.0 feed in ``lang``; ``xml:lang`` on the feed says which."""
    # The default namespace as a plain attribute keeps ElementTree's global prefix registry untouched.
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: lang})
    _sub(feed, "title", title)
    _sub(feed, "id", self_url)
    _sub(feed, "updated", _stamp(max((e.updated_at for e in entries), default=utcnow())))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    _sub(_sub(feed, "author"), "name", org.text("name", lang))
    _sub(feed, "generator", "Engage")
    for entry in entries:
        url = public_url("feedback.show", entry_id=entry.id, lang=lang)
        item = _sub(feed, "entry")
        _sub(item, "title", entry.text("title", lang))
        _sub(item, "id", url)
        _sub(item, "updated", _stamp(entry.updated_at))
        _sub(item, "published", _stamp(entry.published_at or entry.created_at))
        _sub(item, "link", rel="alternate", type="text/html", href=url)
        _sub(item, "category", term=entry.status, label=status_label(entry.status))
        _sub(item, "summary", f"{status_label(entry.status)}. {entry.text('did', lang)}", type="text")
        _sub(item, "content", _content(entry, lang), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _pair(entry: Any, name: str) -> dict[str, str | None]:
    return {lang: getattr(entry, f"{name}_{lang}") for lang in LANGS}


def open_data(entries: list[FeedbackEntry]) -> dict[str, Any]:
    """Every published entry with both languages side by side (no personal data: followers are left out)."""
    return {
        "generated_at": _stamp(utcnow()),
        "count": len(entries),
        "entries": [{
            "id": entry.id,
            "organisation": {"slug": entry.org.slug, "name": _pair(entry.org, "name")},
            "url": {lang: public_url("feedback.show", entry_id=entry.id, lang=lang) for lang in LANGS},
            "title": _pair(entry, "title"), "we_asked": _pair(entry, "asked"), "you_said": _pair(entry, "said"),
            "we_did": _pair(entry, "did"), "status": entry.status,
            "reason_not_possible": _pair(entry, "reason") if entry.status == "not_possible" else None,
            "progress_percent": entry.progress, "budget_pence": entry.budget_pence,
            "people_taking_part": entry.people_count,
            "decided_on": entry.decided_on.isoformat() if entry.decided_on else None,
            "area": {**_pair(entry, "area"), "slug": entry.area_slug} if entry.area_slug else None,
            "themes": [{"code": t.code, "name": _pair(t, "name")} for t in entry.themes],
            # Only public events: a staff-only event's title is not open data.
            "events": [{"id": e.id, "title": _pair(e, "title"), "date": e.starts_at.date().isoformat(),
                        "url": {lang: public_url("events.show", event_id=e.id, lang=lang) for lang in LANGS}}
                       for e in entry.events if e.public],
            "pb": {"pot_id": entry.pot_id, "project_ref": entry.project_ref} if entry.pot_id else None,
            "updates": [{"date": u.happened_on.isoformat(), "text": _pair(u, "body"), "status": u.status,
                         "progress_percent": u.progress} for u in entry.updates],
            "published_at": _stamp(entry.published_at) if entry.published_at else None,
            "updated_at": _stamp(entry.updated_at),
        } for entry in entries],
    }
