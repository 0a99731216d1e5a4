"""Draft entries written for staff to edit and publish: from a held event, and from PB results.

The text is written here in both languages from the catalogue, so a draft never starts in one
language only. Drafts are never published by these functions.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import Organisation
from ..db import write_transaction
from ..events.models import Event
from ..extensions import db
from ..formatting import long_date, money
from ..i18n import BABEL_LOCALES
from .labels import NOT_FUNDED_REASONS
from .models import FeedbackEntry
from .services import FeedbackRefusal, create_entry


def _both(write: Callable[[str], str | None]) -> dict[str, str | None]:
    """{"cy": write("cy"), "en": write("en")}, each written with that language's catalogue."""
    out = {}
    for lang in ("cy", "en"):
        with force_locale(BABEL_LOCALES[lang]):
            out[lang] = write(lang)
    return out


def _join(*parts: str | None) -> str | None:
    text = "\n\n".join(p.strip() for p in parts if p and p.strip())
    return text or None


def draft_from_event(event: Event) -> FeedbackEntry:
    """A draft prefilled with what was raised at a held event (its narrative and outcomes)."""
    if event.status != "held" or not (event.narrative_cy or event.narrative_en):
        raise FeedbackRefusal("event_not_held")
    return create_entry(event.org, {
        "title": event.texts("title"),
        "asked": _both(lambda lang: _join(
            _("Event: %(event)s (%(date)s)", event=event.text("title", lang), date=long_date(event.starts_at)),
            event.text("description", lang))),
        "said": _both(lambda lang: _join(event.text("narrative", lang), event.text("outcomes", lang))),
        "did": event.texts("follow_up"),
        "people_count": event.headcount,
        "status": "considering",
        "published": False,
        "events": [event.id],
        "themes": [t.id for t in event.themes],
    })


def _check_projects(projects: list[dict[str, Any]], funded: bool) -> None:
    for p in projects:
        cost = p.get("cost_pence")
        if not isinstance(p.get("ref"), int) or not isinstance(cost, int) or cost < 0:
            raise FeedbackRefusal("bad_pb_result")
        if not (p.get("title") or {}).get("cy") and not (p.get("title") or {}).get("en"):
            raise FeedbackRefusal("bad_pb_result")
        if not funded and p.get("reason") not in NOT_FUNDED_REASONS:
            raise FeedbackRefusal("bad_pb_result")


def drafts_from_pb_results(org: Organisation, pot_id: int, pot_title: dict[str, str],
                           funded: list[dict[str, Any]], not_funded: list[dict[str, Any]], *,
                           voters: int | None = None, area: dict[str, str] | None = None,
                           currency: str = "GBP", amount_scale: int = 100) -> list[FeedbackEntry]:
    """One draft per funded project and one summary draft, when a pot's results are published.

    Plain data, so the ballots work can call it without this module knowing its tables: each
    project is ``{"ref": int, "title": {"cy", "en"}, "cost_pence": int, "votes": int}``, and a
    project not funded also has ``"reason"``, one of ``labels.NOT_FUNDED_REASONS``. Calling it
    again for the same pot changes nothing (drafts are found by their ``source_key``), so staff
    edits are never overwritten.
    """
    _check_projects(funded, True)
    _check_projects(not_funded, False)

    def pot(lang: str) -> str:
        return pot_title.get(lang) or pot_title.get("cy" if lang == "en" else "en") or ""

    def asked(lang: str) -> str:
        return _("We asked you to vote on how to spend the fund “%(pot)s”.", pot=pot(lang))

    def title(p: dict[str, Any], lang: str) -> str:
        return p["title"].get(lang) or p["title"].get("cy" if lang == "en" else "en")

    def summary_said(lang: str) -> str:
        lines = [_("You voted.")]
        if voters is not None:
            lines.append(_("People who voted: %(count)s", count=voters))
        lines += [_("Votes for “%(project)s”: %(votes)s", project=title(p, lang), votes=p.get("votes", 0))
                  for p in funded + not_funded]
        return "\n".join(lines)

    def summary_did(lang: str) -> str:
        lines = [_("Projects funded: %(count)s", count=len(funded))]
        lines += [f"– {title(p, lang)} ({money(p['cost_pence'], currency, amount_scale)})" for p in funded]
        lines += ["", _("Projects not funded: %(count)s", count=len(not_funded))]
        lines += [f"– {title(p, lang)}: {NOT_FUNDED_REASONS[p['reason']]}" for p in not_funded]
        return "\n".join(lines)

    def pence(amount: int) -> int | None:
        # An entry's budget is pence and shown as pounds: an imported pot's zloty or euros are not
        # (its words above name them in its own currency); whole pounds are made pence.
        return amount * 100 // amount_scale if currency == "GBP" and amount_scale in (1, 100) else None

    made: list[FeedbackEntry] = []
    with write_transaction():
        existing = set(db.session.scalars(select(FeedbackEntry.source_key).where(
            FeedbackEntry.org_id == org.id, FeedbackEntry.source_key.like(f"pb:{pot_id}:%"))))
        common = {"asked": _both(asked), "area": area or {}, "published": False}
        for p in funded:
            key = f"pb:{pot_id}:project:{p['ref']}"
            if key in existing:
                continue
            made.append(create_entry(org, {
                **common, "title": p["title"], "status": "planned", "progress": 0, "budget_pence": pence(p["cost_pence"]),
                "said": _both(lambda lang, p=p: _("Votes for this project: %(votes)s", votes=p.get("votes", 0))),
                "did": _both(lambda lang, p=p: _("This project is funded: %(cost)s. We will post updates here as it "
                                                 "goes ahead.", cost=money(p["cost_pence"], currency, amount_scale))),
            }, pot_id=pot_id, project_ref=p["ref"], source_key=key))
        key = f"pb:{pot_id}:summary"
        if key not in existing:
            made.append(create_entry(org, {
                **common, "title": _both(lambda lang: _("Results: %(pot)s", pot=pot(lang))), "status": "done",
                "budget_pence": pence(sum(p["cost_pence"] for p in funded)), "people_count": voters,
                "said": _both(summary_said), "did": _both(summary_did),
            }, pot_id=pot_id, source_key=key))
    return made
