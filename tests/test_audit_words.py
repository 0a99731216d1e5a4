"""Issue #19 item 6: the audit log and each "You said, we did" history read in the reader's language.

An entry keeps its kind and data; the sentence is made when the page is shown, so the same entry
reads Welsh on /cy/ and English on /en/."""
from __future__ import annotations

import re

from helpers import Client, sign_in

from engage.extensions import db


def _rows(page: str) -> str:
    """The log's table body, where the sentences are."""
    return re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)


def test_the_audit_log_reads_welsh_on_welsh_pages_and_english_on_english(app, two_orgs, make_event):
    from factories import make_pot

    make_event(title={"cy": "Bore coffi", "en": "Coffee morning"})
    pot = make_pot(app, codes=3)
    client = Client(app, use_cookies=True)
    assert sign_in(client, "admin-a@example.org", lang="cy").status_code == 302
    cy = _rows(client.get("/cy/manage/gwynedd/audit").get_data(as_text=True))
    assert "Mewngofnododd admin-a@example.org" in cy
    assert "Crëwyd y digwyddiad: Bore coffi" in cy
    assert f"Gwnaed 3 o godau pleidleisio ar gyfer cronfa {pot.id}" in cy
    assert "signed in" not in cy and "Event created" not in cy and 'lang="en"' not in cy
    en = _rows(client.get("/en/manage/gwynedd/audit").get_data(as_text=True))
    assert "admin-a@example.org signed in" in en and "Event created: Coffee morning" in en
    assert f"3 voter codes made for funding pot {pot.id}" in en and "Mewngofnododd" not in en


def test_a_feedback_entrys_history_is_in_the_readers_language(app, two_orgs):
    from engage.accounts.services import get_org
    from engage.feedback import services

    with app.app_context():
        entry = services.create_entry(get_org("gwynedd"), {
            "title": {"cy": "Goleuadau stryd", "en": "Street lights"}, "asked": {"cy": "Beth?", "en": "What?"},
            "said": {"cy": "Tywyll.", "en": "Dark."}, "did": {"cy": "Goleuadau.", "en": "Lights."},
            "area": {"cy": "Bangor", "en": "Bangor"}, "status": "planned", "published": True})
        entry_id = entry.id
    client = Client(app, use_cookies=True)
    sign_in(client, "admin-a@example.org", lang="cy")
    cy = client.get(f"/cy/manage/gwynedd/you-said-we-did/{entry_id}").get_data(as_text=True)
    history = cy.split("<h2>Hanes y newidiadau</h2>")[1]
    assert "Crëwyd y cofnod adborth: Goleuadau stryd" in history and "Feedback entry" not in history
    en = client.get(f"/en/manage/gwynedd/you-said-we-did/{entry_id}").get_data(as_text=True)
    assert "Feedback entry created: Street lights" in en.split("<h2>History of changes</h2>")[1]


def test_the_record_is_the_kind_and_data_and_old_entries_still_read(app, two_orgs):
    """An entry written before its email was kept in the data finds the person by id; a kind the
    words do not know, or an old entry without a name its sentence needs, shows its stored English
    summary marked as such (never "Event created: –")."""
    from engage.accounts.models import User
    from engage.accounts.services import get_org
    from engage.audit.models import AuditEntry

    with app.app_context():
        org = get_org("gwynedd")
        user = db.session.scalar(db.select(User).where(User.email == "organiser-a@example.org"))
        db.session.add_all([
            AuditEntry(org_id=org.id, kind="accounts.logout", object_type="User", object_id=user.id,
                       summary="organiser-a@example.org signed out", data={}),
            AuditEntry(org_id=org.id, kind="legacy.something", summary="Something old happened", data={}),
            AuditEntry(org_id=org.id, kind="events.created", object_type="Event", object_id=7,
                       summary="Event created: Tom & Jerry", data={}),
            AuditEntry(org_id=org.id, kind="events.report_made", summary="Monthly report 2026-xx kept",
                       data={"month": "2026-xx"}),
        ])
        db.session.commit()
    client = Client(app, use_cookies=True)
    sign_in(client, "admin-a@example.org", lang="cy")
    cy = _rows(client.get("/cy/manage/gwynedd/audit").get_data(as_text=True))
    assert "Allgofnododd organiser-a@example.org" in cy
    assert '<span lang="en" data-english="record">Something old happened</span>' in cy
    assert '<span lang="en" data-english="record">Event created: Tom &amp; Jerry</span>' in cy and "–" not in cy
    assert '<span lang="en" data-english="record">Monthly report 2026-xx kept</span>' in cy
    with app.app_context():
        login = db.session.scalar(db.select(AuditEntry).where(AuditEntry.kind == "accounts.login"))
        # The record: kind and data; the English sentence is kept only as a convenience.
        assert login.data == {"email": "admin-a@example.org"}
        assert login.summary == "admin-a@example.org signed in"


def test_role_changes_read_as_whole_sentences_and_summaries_are_plain_text(app, two_orgs):
    """Welsh mutates a role's name after "o" and "i" (o Weinyddwr i Drefnydd); the stored English
    summary is plain text (a title with "&" is not escaped twice when shown)."""
    from engage.accounts.services import get_org
    from engage.audit.models import AuditEntry
    from engage.audit.services import record

    with app.app_context():
        org = get_org("gwynedd")
        record("accounts.role_changed", org_id=org.id, data={"email": "a@b.cymru", "before": "admin", "after": "organiser"})
        record("events.created", org_id=org.id, data={"title": {"cy": "Te & bara", "en": "Tea & bread"}})
        db.session.commit()
        created = db.session.scalar(db.select(AuditEntry).where(AuditEntry.kind == "events.created"))
        assert created.summary == "Event created: Tea & bread"
    client = Client(app, use_cookies=True)
    sign_in(client, "admin-a@example.org", lang="cy")
    cy = _rows(client.get("/cy/manage/gwynedd/audit").get_data(as_text=True))
    assert "Newidiwyd rôl a@b.cymru o Weinyddwr i Drefnydd" in cy and "Crëwyd y digwyddiad: Te &amp; bara" in cy
    en = _rows(client.get("/en/manage/gwynedd/audit").get_data(as_text=True))
    assert "Role of a@b.cymru changed from Administrator to Organiser" in en
