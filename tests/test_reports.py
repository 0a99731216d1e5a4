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
                                "audience_counts": {aud["refugees"]: 12}})
        services.record_outcome(db.session.get(Event, ids["training"]), {**outcome, "headcount": 15, "audience_counts": {}})
        # No total headcount: attendance is the sum of the audience counts.
        services.record_outcome(db.session.get(Event, ids["school"]), {**outcome, "headcount": None,
                                "audience_counts": {aud["schools"]: 40, aud["young_people"]: 5}})
    return ids


def summary_rows(text: str) -> dict[tuple[str, str], tuple[int, int]]:
    table = re.split(r"\r?\n\r?\n", text)[0]
    rows = list(csv.reader(io.StringIO(table)))[1:]
    return {(r[0], r[1]): (int(r[4]), int(r[5]) if r[5] else 0) for r in rows}


def test_report_numbers_match_the_events(app, october):
    from engage.accounts.services import get_org
    from engage.events import reports

    with app.app_context():
        data = reports.build(get_org("gwynedd"), 2026, 10, today=date(2026, 11, 24))
        assert sorted(e.title_en for e in data.events) == ["Coffee morning", "School", "Training"]
        assert data.cancelled == 1
        assert data.total_attendance == 30 + 15 + 45
        text = reports.render_csv(data)
    rows = summary_rows(text)
    assert rows[("total", "2026-10")] == (3, 90)
    assert rows[("kind", "engagement")] == (2, 75) and rows[("kind", "training")] == (1, 15)
    assert rows[("objective", "2.1")] == (1, 30)  # the cancelled event is not counted
    assert rows[("objective", "2.3")] == (1, 30) and rows[("objective", "1.1")] == (1, 15)
    assert rows[("objective", "2.2")] == (1, 45) and rows[("objective", "3.3")] == (0, 0)
    assert rows[("audience", "refugees")] == (1, 12) and rows[("audience", "schools")] == (1, 40)
    assert rows[("audience", "young_people")] == (1, 5)  # counted though not tagged beforehand
    assert rows[("cancelled", "")][0] == 1
    events = list(csv.DictReader(io.StringIO(text.split("\r\n\r\n", 1)[1])))
    assert [e["Teitl (Saesneg) / Title (English)"] for e in events] == ["Coffee morning", "Training", "School"]
    assert events[0]["Naratif (Cymraeg) / Narrative (Welsh)"] == "Naratif"


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
        text = reports.render_csv(reports.build(get_org("gwynedd"), 2026, 10, today=date(2026, 11, 24)))
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'=2+1" in cells and "'@Cyngor" in cells and "'=HYPERLINK(\"http://evil.example\",\"Council\")" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_report_for_a_future_month_is_refused(app, client, october):
    sign_in(client, "organiser-a@example.org")
    response = client.submit("/cy/manage/gwynedd/reports", {"month": "2099-01"})
    assert response.status_code == 400 and "Rhaid i’r mis fod y mis hwn neu’n gynharach" in response.get_data(as_text=True)
    response = client.submit("/en/manage/gwynedd/reports", {"month": "Oct 2026"})
    assert response.status_code == 400 and "like 2026-10" in response.get_data(as_text=True)
    assert client.get("/en/manage/gwynedd/reports/2099-01").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(MonthlyReport)) is None


def test_report_page_keep_and_download(app, client, october):
    sign_in(client, "organiser-a@example.org")
    response = client.submit("/cy/manage/gwynedd/reports", {"month": "2026-10"})
    assert response.headers["Location"] == "/cy/manage/gwynedd/reports/2026-10"
    page = client.get("/cy/manage/gwynedd/reports/2026-10").get_data(as_text=True)
    assert "Adroddiad monitro misol" in page and "Bore coffi" in page and "Naratif" in page
    assert client.get("/cy/manage/gwynedd/reports/2026-10.csv").status_code == 404  # not kept yet
    response = client.post("/cy/manage/gwynedd/reports/2026-10/make", data={"csrf_token": client.last_csrf})
    assert response.status_code == 302
    download = client.get("/cy/manage/gwynedd/reports/2026-10.csv")
    assert download.mimetype == "text/csv" and "attachment" in download.headers["Content-Disposition"]
    assert summary_rows(download.get_data(as_text=True))[("total", "2026-10")] == (3, 90)
    html = client.get("/cy/manage/gwynedd/reports/2026-10.html").get_data(as_text=True)
    assert '<html lang="cy">' in html and "Fesul amcan" in html and "@page" in html
    # Powys cannot see Gwynedd's report.
    client.post("/cy/sign-out", data={"csrf_token": client.last_csrf})
    sign_in(client, "admin-b@example.org")
    assert client.get("/en/manage/gwynedd/reports/2026-10.csv").status_code == 404


def test_scheduled_job_makes_last_months_reports(app, october):
    from apscheduler.triggers.cron import CronTrigger

    from engage import scheduler
    from engage.events import reports

    func, trigger = scheduler.JOBS["monthly_reports"]
    assert isinstance(trigger, CronTrigger) and str(trigger.fields[2]) == "1"  # day of month
    with app.app_context():
        made = reports.make_last_month_reports(today=date(2026, 11, 1))
        assert {(r.month, r.format, r.lang) for r in made} == {("2026-10", "csv", "both"), ("2026-10", "html", "cy"),
                                                               ("2026-10", "html", "en")}
        assert len(made) == 6  # both organisations
        kept = db.session.scalars(select(MonthlyReport)).all()
        assert all(r.generated_by_id is None for r in kept)
        # Running again replaces rather than piling up.
        reports.make_last_month_reports(today=date(2026, 11, 1))
        assert len(db.session.scalars(select(MonthlyReport)).all()) == 6
    # The job as the scheduler runs it (this month's "last month" is whatever it is: no events, still made).
    scheduler.run_job(app, "monthly_reports")


def test_cli_writes_the_report(app, october):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "monthly", "--org", "gwynedd", "--month", "2026-10", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert summary_rows(result.output)[("total", "2026-10")] == (3, 90)
    html = runner.invoke(args=["reports", "monthly", "--org", "gwynedd", "--month", "2026-10", "--format", "html", "--lang", "en"])
    assert html.exit_code == 0 and "<h2>By objective</h2>" in html.output and "Coffee morning" in html.output
    assert "Friday, 2 October 2026" in html.output
    future = runner.invoke(args=["reports", "monthly", "--org", "gwynedd", "--month", "2099-01"])
    assert future.exit_code != 0 and "future" in future.output
