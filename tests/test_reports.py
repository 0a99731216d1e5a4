"""The monthly monitoring report: numbers checked against the events that made them."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from helpers import sign_in
from engage.events.models import Event, MonthlyReport
from engage.extensions import db


@pytest.fixture
def october(app, two_orgs, make_event):  # type: ignore[no-untyped-def]
    """Four Gwynedd events in October 2026 (one cancelled), one in November, one in Powys."""
    from engage.accounts.services import get_org
    from engage.events import services

    ids = {
        "coffee": make_event(start=datetime(2026, 10, 2, 10), theme_codes=["2.1", "2.3"], audience_keys=["refugees"],
                             partners={"cy": "Oxfam Cymru, Age Cymru; Cyngor Gwynedd",
                                       "en": "Oxfam Cymru, Age Cymru; Gwynedd Council"},
                             title={"cy": "Bore coffi", "en": "Coffee morning"}).id,
        "training": make_event(start=datetime(2026, 10, 14, 18), kind="training", theme_codes=["1.1"],
                               title={"cy": "Hyfforddiant", "en": "Training"}).id,
        "school": make_event(start=datetime(2026, 10, 31, 23, 30), hours=1, theme_codes=["2.2"], audience_keys=["schools"],
                             title={"cy": "Ysgol", "en": "School"}).id,  # 23:30 BST on the 31st is still October in Wales
        "cancelled": make_event(start=datetime(2026, 10, 20, 10), status="cancelled", theme_codes=["2.1"]).id,
        "november": make_event(start=datetime(2026, 11, 1, 0, 30), theme_codes=["2.1"]).id,
        "powys": make_event("powys", start=datetime(2026, 10, 5, 10), theme_codes=["2.1"]).id,
    }
    with app.app_context():
        org = get_org("gwynedd")
        aud = {a.key: a.id for a in services.audiences_of(org)}
        outcome = {"narrative": {"cy": "Naratif", "en": "Narrative"}, "outcomes": {"cy": "", "en": ""},
                   "follow_up": {"cy": "", "en": ""}, "status": "held", "outcomes_public": False}
        services.record_outcome(db.session.get(Event, ids["coffee"]), {**outcome, "headcount": 30,
                                "audience_counts": {aud["refugees"]: 12, aud["older_people"]: 7}})
        services.record_outcome(db.session.get(Event, ids["training"]), {**outcome, "headcount": 15, "audience_counts": {}})
        # No total headcount: attendance is the sum of the audience counts.
        services.record_outcome(db.session.get(Event, ids["school"]), {**outcome, "headcount": None,
                                "audience_counts": {aud["schools"]: 40, aud["young_people"]: 5}})
    return ids


def read_csv(body: bytes) -> list[list[str]]:
    """A CSV read back as Excel reads it: UTF-8 only because of the byte-order mark."""
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def summary_rows(text: str) -> dict[tuple[str, str], tuple[int, int]]:
    table = re.split(r"\r?\n\r?\n", text.lstrip("\ufeff"))[0]
    rows = list(csv.reader(io.StringIO(table)))[1:]
    return {(r[0], r[1]): (int(r[3]) if r[3] else 0, int(r[4]) if r[4] else 0) for r in rows}


def event_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(re.split(r"\r?\n\r?\n", text)[1])))


def test_report_numbers_match_the_events(app, october):
    from engage.accounts.services import get_org
    from engage.events import reports

    with app.app_context():
        data = reports.build(get_org("gwynedd"), 2026, 10, today=date(2026, 11, 24))
        assert sorted(e.title_en for e in data.events) == ["Coffee morning", "School", "Training"]
        assert data.cancelled == 1 and not data.so_far
        assert data.total_attendance == 30 + 15 + 45
        text = reports.render_csv(data, "en")
    rows = summary_rows(text)
    assert rows[("total", "2026-10")] == (3, 90)
    assert rows[("kind", "engagement")] == (2, 75) and rows[("kind", "training")] == (1, 15)
    assert rows[("objective", "2.1")] == (1, 30)  # the cancelled event is not counted
    assert rows[("objective", "2.3")] == (1, 30) and rows[("objective", "1.1")] == (1, 15)
    assert rows[("objective", "2.2")] == (1, 45) and rows[("objective", "3.3")] == (0, 0)
    assert rows[("audience", "refugees")] == (1, 12) and rows[("audience", "schools")] == (1, 40)
    assert rows[("audience", "young_people")] == (1, 5)  # counted though not tagged beforehand
    assert rows[("cancelled", "")][0] == 1
    events = event_rows(text)
    assert [e["Title"] for e in events] == ["Coffee morning", "Training", "School"]
    assert events[0]["What happened, and what people raised"] == "Narrative"


def test_report_csv_shows_formulas_as_text(app, october):
    # Every cell goes through the one CSV writer: before, the organisation's names and the objective
    # codes were written as they were, so "=..." ran as a formula in a spreadsheet.
    from engage.accounts.services import get_org
    from engage.events import reports
    from engage.events.models import Theme

    with app.app_context():
        org = get_org("gwynedd")
        org.name_en, org.name_cy = '=HYPERLINK("http://evil.example","Council")', "@Cyngor"
        db.session.scalar(select(Theme).where(Theme.org_id == org.id, Theme.code == "2.1")).code = "=2+1"
        db.session.commit()
        data = reports.build(get_org("gwynedd"), 2026, 10, today=date(2026, 11, 24))
        cells = [cell for lang in ("cy", "en") for row in csv.reader(io.StringIO(reports.render_csv(data, lang)[1:]))
                 for cell in row]
    assert "'=2+1" in cells and any(c.startswith("'@Cyngor") for c in cells)
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_only_events_that_happened_are_counted(app, two_orgs, make_event):
    # December: before, three events still to come made "Engagement event 4" of one held event.
    from engage.accounts.services import get_org
    from engage.dates import local_to_utc
    from engage.events import reports, services

    held = make_event(start=datetime(2026, 12, 3, 10), theme_codes=["2.1"]).id
    not_recorded = make_event(start=datetime(2026, 12, 8, 10), theme_codes=["2.1"]).id
    for day in (15, 20, 29):
        make_event(start=datetime(2026, 12, day, 18), theme_codes=["2.1"], title={"cy": f"Noson {day}", "en": f"Evening {day}"})
    with app.app_context():
        services.record_outcome(db.session.get(Event, held), {
            "narrative": {"cy": "", "en": ""}, "outcomes": {"cy": "", "en": ""}, "follow_up": {"cy": "", "en": ""},
            "status": "held", "outcomes_public": False, "headcount": 20, "audience_counts": {}})
        data = reports.build(get_org("gwynedd"), 2026, 12, now=local_to_utc(datetime(2026, 12, 10, 12)))
        assert [e.id for e in data.events] == [held] and data.by_kind[0].events == 1
        assert data.total_attendance == 20 and data.by_theme[3].code == "2.1" and data.by_theme[3].events == 1
        assert [e.id for e in data.not_recorded] == [not_recorded]
        assert [e.title_en for e in data.planned_later] == ["Evening 15", "Evening 20", "Evening 29"]
        assert data.so_far
        text = reports.render_csv(data, "en")
        assert summary_rows(text)[("kind", "engagement")] == (1, 20)
        assert summary_rows(text)[("planned", "")][0] == 3
        assert [e["Event ID"] for e in event_rows(text)] == [str(held)]


def test_this_month_is_a_draft_so_far_and_cannot_be_kept(app, client, october):
    from helpers import wales_today

    today = wales_today()
    this_month = f"{today.year:04d}-{today.month:02d}"
    sign_in(client, "organiser-a@example.org")
    page = client.get(f"/en/manage/gwynedd/reports/{this_month}").get_data(as_text=True)
    assert "so far, up to" in page and "Draft: the month is not over" in page
    assert "Keep this report" not in page
    response = client.post(f"/en/manage/gwynedd/reports/{this_month}",
                           data={"csrf_token": client.last_csrf, "narrative-cy": "x", "narrative-en": "x", "submit": "1"})
    assert response.status_code == 400 and "This month is not over yet" in response.get_data(as_text=True)
    cy = client.get(f"/cy/manage/gwynedd/reports/{this_month}").get_data(as_text=True)
    assert "hyd yma, hyd at" in cy
    with app.app_context():
        assert db.session.scalar(select(MonthlyReport)) is None
    # A future month is refused, in the page's language.
    future = {"month": "1", "year": str(today.year + 1)}
    response = client.submit("/cy/manage/gwynedd/reports", future)
    assert response.status_code == 400 and "Dewiswch y flwyddyn" in response.get_data(as_text=True)  # not offered
    nxt = (today.year + (today.month == 12), today.month % 12 + 1)
    response = client.submit("/cy/manage/gwynedd/reports", {"month": str(nxt[1]), "year": str(nxt[0])})
    if nxt[0] == today.year:  # the year list ends at this year
        assert response.status_code == 400 and "Rhaid i’r mis fod y mis hwn neu’n gynharach" in response.get_data(as_text=True)
    response = client.submit("/en/manage/gwynedd/reports", {"month": "13", "year": str(today.year)})
    assert response.status_code == 400 and "Select the month" in response.get_data(as_text=True)
    assert client.get("/en/manage/gwynedd/reports/2099-01").status_code == 404
    assert client.get("/en/manage/gwynedd/reports/2099-01/report.csv").status_code == 404


def test_month_picker_works_without_javascript(app, client, october):
    sign_in(client, "organiser-a@example.org")
    page = client.get("/cy/manage/gwynedd/reports").get_data(as_text=True)
    assert 'type="month"' not in page
    assert re.search(r'<select[^>]*name="month"', page) and re.search(r'<select[^>]*name="year"', page)
    assert '<option value="11">Tachwedd</option>' in page or 'value="11">Tachwedd' in page
    assert "Tachwedd 2026" in page  # the list of recent months, by name
    response = client.submit("/cy/manage/gwynedd/reports", {"month": "10", "year": "2026"})
    assert response.status_code == 302 and response.headers["Location"] == "/cy/manage/gwynedd/reports/2026-10"
    page = client.get("/cy/manage/gwynedd/reports/2026-10").get_data(as_text=True)
    assert "Adroddiad monitro misol: Hydref 2026" in page and "2026-10</h1>" not in page
    assert "October 2026" in client.get("/en/manage/gwynedd/reports/2026-10").get_data(as_text=True)


def test_report_csv_has_a_bom_and_the_pages_language(app, client, october):
    sign_in(client, "organiser-a@example.org")
    cy = client.get("/cy/manage/gwynedd/reports/2026-10/report.csv")
    assert cy.mimetype == "text/csv" and "attachment" in cy.headers["Content-Disposition"]
    rows = read_csv(cy.get_data())
    assert rows[0] == ["Cod yr adran", "Cod", "Enw", "Digwyddiadau", "Pobl"]
    names = {(r[0], r[1]): r[2] for r in rows if len(r) > 2}
    assert names[("audience", "older_people")] == "Pobl hŷn" and names[("kind", "engagement")] == "Digwyddiad ymgysylltu"
    text = cy.get_data().decode("utf-8-sig")
    coffee = next(r for r in event_rows(text) if r["Teitl"] == "Bore coffi")
    assert coffee["Cynulleidfaoedd"] == "Ffoaduriaid a cheiswyr lloches"
    assert "Pobl hŷn: 7" in coffee["Pobl fesul cynulleidfa"] and coffee["Math"] == "Digwyddiad ymgysylltu"
    en = read_csv(client.get("/en/manage/gwynedd/reports/2026-10/report.csv").get_data())
    assert en[0] == ["Section code", "Code", "Name", "Events", "People"]
    assert {(r[0], r[1]): r[2] for r in en if len(r) > 2}[("audience", "older_people")] == "Older people"


def test_print_and_csv_are_offered_before_keeping(app, client, october):
    sign_in(client, "organiser-a@example.org")
    page = client.get("/en/manage/gwynedd/reports/2026-10").get_data(as_text=True)
    assert re.search(r"<button[^>]*data-print[^>]*hidden", page)
    assert "use your browser’s print" in page
    assert 'href="/en/manage/gwynedd/reports/2026-10/report.csv"' in page
    assert client.get("/en/manage/gwynedd/reports/2026-10.csv").status_code == 404  # nothing kept yet


def test_report_by_objective(app, client, october):
    from engage.events import services

    with app.app_context():
        coffee = db.session.get(Event, october["coffee"])
        for n in range(5):
            services.answer_pulse(coffee, {"belong": 5, "get_on": 4, "respect": 2 if n else 0})
        school = db.session.get(Event, october["school"])
        services.answer_pulse(school, {"belong": 5, "get_on": 5, "respect": 5})  # one: never shown alone
    sign_in(client, "organiser-a@example.org")
    page = client.get("/cy/manage/gwynedd/reports/2026-10").get_data(as_text=True)
    section = page.split("Amcan 2.1:")[1].split("</section>")[0]
    assert "Allgymorth hygyrch a chynhwysol" in page.split("Amcan 2.1:")[1][:80]
    assert re.search(r"Digwyddiadau ymgysylltu</dt><dd>1<", section)
    assert re.search(r"Sesiynau hyfforddi</dt><dd>0<", section)
    assert "Ffoaduriaid a cheiswyr lloches: 12" in section and "Pobl hŷn: 7" in section
    assert "Age Cymru, Cyngor Gwynedd, Oxfam Cymru" in section  # Welsh order
    assert "Naratif" in section and "100%" in section
    school_section = page.split("Amcan 2.2:")[1].split("</section>")[0]
    assert "Heb ei ddangos: llai na 5 ateb" in school_section and "100%" not in school_section


def test_kept_report_is_kept_as_sent_in_both_languages(app, client, october):
    sign_in(client, "organiser-a@example.org", lang="cy")
    client.get("/cy/manage/gwynedd/reports/2026-10")
    response = client.post("/cy/manage/gwynedd/reports/2026-10", data={
        "csrf_token": client.last_csrf, "narrative-cy": "Mis prysur yn Nhywyn.", "narrative-en": "A busy month in Tywyn.",
        "submit": "1"})
    assert response.status_code == 302
    files = {}
    for lang in ("cy", "en"):
        for fmt in ("html", "csv"):
            download = client.get(f"/{lang}/manage/gwynedd/reports/2026-10.{fmt}")
            assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
            files[(lang, fmt)] = download.get_data()
    assert b'<html lang="cy">' in files[("cy", "html")] and "Mis prysur yn Nhywyn.".encode() in files[("cy", "html")]
    assert b'<html lang="en">' in files[("en", "html")] and b"A busy month in Tywyn." in files[("en", "html")]
    assert b"Fesul amcan" in files[("cy", "html")] and b"By objective" in files[("en", "html")]
    assert summary_rows(files[("en", "csv")].decode("utf-8-sig"))[("total", "2026-10")] == (3, 90)
    assert read_csv(files[("cy", "csv")])[0][0] == "Cod yr adran"
    # The list offers both languages from the Welsh page.
    listing = client.get("/cy/manage/gwynedd/reports").get_data(as_text=True)
    assert 'href="/en/manage/gwynedd/reports/2026-10.html"' in listing and "HTML (Saesneg)" in listing
    assert 'href="/cy/manage/gwynedd/reports/2026-10.html"' in listing and "CSV (Cymraeg)" in listing
    # An event edited after the report was sent: the kept files stay as they were sent.
    with app.app_context():
        event = db.session.get(Event, october["coffee"])
        event.title_en, event.title_cy, event.headcount = "Renamed", "Ailenwyd", 300
        db.session.commit()
    for (lang, fmt), body in files.items():
        assert client.get(f"/{lang}/manage/gwynedd/reports/2026-10.{fmt}").get_data() == body
    page = client.get("/en/manage/gwynedd/reports/2026-10").get_data(as_text=True)
    assert "Renamed" in page and "A busy month in Tywyn." in page  # the live page, the narrative kept
    with app.app_context():
        assert len(db.session.scalars(select(MonthlyReport)).all()) == 4
        from engage.audit.models import AuditEntry
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.kind == "events.report_made")) is not None


def test_reports_belong_to_their_organisation(app, client, october):
    from engage.accounts.services import get_org
    from engage.events import reports

    with app.app_context():
        reports.keep(get_org("gwynedd"), 2026, 10, {"cy": "Cyfrinachol", "en": "Secret"}, None)
    sign_in(client, "admin-b@example.org")
    for url in ("/en/manage/gwynedd/reports", "/en/manage/gwynedd/reports/2026-10",
                "/en/manage/gwynedd/reports/2026-10/report.csv", "/en/manage/gwynedd/reports/2026-10.csv",
                "/en/manage/gwynedd/reports/2026-10.html", "/cy/manage/gwynedd/reports/2026-10.html"):
        assert client.get(url).status_code == 404, url
    response = client.post("/en/manage/gwynedd/reports/2026-10", data={"csrf_token": client.last_csrf,
                                                                        "narrative-cy": "x", "narrative-en": "x"})
    assert response.status_code == 404
    # Their own organisation's report knows nothing of Gwynedd's events.
    page = client.get("/en/manage/powys/reports/2026-10").get_data(as_text=True)
    assert "<h3>Training</h3>" not in page and "<h3>School</h3>" not in page and "Secret" not in page
    assert "Past events not yet recorded as held" in page  # Powys's own (planned) event
    client.post("/en/sign-out", data={"csrf_token": client.last_csrf})
    # Any member of the organisation (organisers too) may make and keep its reports: the rule as before.
    sign_in(client, "organiser-a@example.org")
    assert client.get("/en/manage/gwynedd/reports/2026-10.html").status_code == 200
    client.get("/en/manage/gwynedd/reports/2026-10")
    assert client.post("/en/manage/gwynedd/reports/2026-10", data={"csrf_token": client.last_csrf, "submit": "1",
                                                                    "narrative-cy": "", "narrative-en": ""}).status_code == 302


def test_scheduled_job_makes_last_months_reports(app, october):
    from apscheduler.triggers.cron import CronTrigger

    from engage import scheduler
    from engage.accounts.services import get_org
    from engage.events import reports

    func, trigger = scheduler.JOBS["monthly_reports"]
    assert isinstance(trigger, CronTrigger) and str(trigger.fields[2]) == "1"  # day of month
    with app.app_context():
        made = reports.make_last_month_reports(today=date(2026, 11, 1))
        assert {(r.month, r.format, r.lang) for r in made} == {("2026-10", fmt, lang) for fmt, lang in reports.FILES}
        assert len(made) == 8  # both organisations
        kept = db.session.scalars(select(MonthlyReport)).all()
        assert all(r.generated_by_id is None for r in kept)
        # Running again neither piles up nor replaces a report already kept (perhaps sent).
        reports.keep(get_org("gwynedd"), 2026, 10, {"cy": "Wedi’i anfon", "en": "Sent"}, None)
        assert reports.make_last_month_reports(today=date(2026, 11, 1)) == []
        assert len(db.session.scalars(select(MonthlyReport)).all()) == 8
        assert {r.narrative_en for r in db.session.scalars(select(MonthlyReport).where(MonthlyReport.org_id == get_org("gwynedd").id))} == {"Sent"}
    # The job as the scheduler runs it (this month's "last month" is whatever it is: no events, still made).
    scheduler.run_job(app, "monthly_reports")


def test_cli_writes_the_report(app, october):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "monthly", "--org", "gwynedd", "--month", "2026-10", "--format", "csv",
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert summary_rows(result.output)[("total", "2026-10")] == (3, 90)
    html = runner.invoke(args=["reports", "monthly", "--org", "gwynedd", "--month", "2026-10", "--format", "html", "--lang", "en"])
    assert html.exit_code == 0 and "<h2>By objective</h2>" in html.output and "Coffee morning" in html.output
    assert "Friday, 2 October 2026" in html.output and "October 2026" in html.output
    future = runner.invoke(args=["reports", "monthly", "--org", "gwynedd", "--month", "2099-01"])
    assert future.exit_code != 0 and "future" in future.output
