"""Attacks on issue #20 (import, export, embargo, currency): each test shows a problem found in review."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "pabulib"


def _file(meta_extra: str = "", currency: str = "PLN", budget: str = "1000",
          projects: str = "a;600;Parc\nb;400;Llyfrgell\n") -> str:
    return ("META\nkey;value\ndescription;Hostile\nnum_projects;2\nnum_votes;2\nbudget;" + budget +
            "\nvote_type;approval\ncurrency;" + currency + "\n" + meta_extra +
            "PROJECTS\nproject_id;cost;name\n" + projects + "VOTES\nvoter_id;vote\n1;a,b\n2;b\n")


def _import(app, tmp_path, text: str) -> int:  # type: ignore[no-untyped-def]
    path = tmp_path / "hostile.pb"
    path.write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["pb", "import", str(path), "--org", "gwynedd"])
    assert result.exit_code == 0, result.output
    return int(result.output.strip().splitlines()[-1])


@pytest.mark.parametrize("threshold", ["abc", "1e400", "nan"])
def test_a_bad_threshold_in_meta_is_refused_at_import_not_a_500_when_staff_count(app, client, two_orgs, tmp_path,
                                                                                 threshold):
    """min_project_score_threshold is not checked at import; the tally's int(float(raw)) then raises
    at the staff count (POST /count answers 500)."""
    from helpers import sign_in
    from pb_helpers import csrf_of

    path = tmp_path / "t.pb"
    path.write_text(_file(f"min_project_score_threshold;{threshold}\n"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["pb", "import", str(path), "--org", "gwynedd"])
    if result.exit_code == 2:  # refused, in words: fine
        return
    pot_id = int(result.output.strip().splitlines()[-1])
    sign_in(client, "organiser-a@example.org")
    page = client.get(f"/en/manage/gwynedd/pb/{pot_id}")
    counted = client.post(f"/en/manage/gwynedd/pb/{pot_id}/count",
                          data={"csrf_token": csrf_of(page.get_data(as_text=True))})
    assert counted.status_code < 500


def test_feedback_drafts_of_an_imported_pot_do_not_show_its_costs_as_pounds(app, client, two_orgs):
    """A funded project of Zabrze 2021 costs 310,000 PLN; its 'you said, we did' draft kept
    budget_pence = 310000, which the entry's page shows as £3,100."""
    from engage.ballots.models import Pot
    from engage.extensions import db
    from engage.feedback.models import FeedbackEntry
    from pb_helpers import publish_results

    result = app.test_cli_runner().invoke(args=["pb", "import", str(DATA / "Poland_Zabrze_2021_Guido.pb"),
                                                "--org", "gwynedd"])
    pot_id = int(result.output.strip().splitlines()[-1])
    with app.app_context():
        publish_results(db.session.get(Pot, pot_id))
        entries = list(db.session.query(FeedbackEntry))
        for entry in entries:
            entry.published = True
        db.session.commit()
        ids = [e.id for e in entries]
    assert ids
    for entry_id in ids:
        for lang in ("cy", "en"):
            text = client.get(f"/{lang}/you-said-we-did/{entry_id}").get_data(as_text=True)
            assert "£3,100" not in text and "£" not in text.split("<main", 1)[1], (lang, entry_id)


def test_results_json_of_an_imported_pot_names_the_files_project_ids(app, client, two_orgs):
    """The .pb download of an imported pot uses the file's ids (P0056); results.json used only
    Engage's own row ids, so a researcher could not match the two open-data files."""
    import json

    from engage.ballots.models import Pot
    from engage.extensions import db
    from pb_helpers import publish_results

    result = app.test_cli_runner().invoke(args=["pb", "import", str(DATA / "Poland_Zabrze_2021_Guido.pb"),
                                                "--org", "gwynedd"])
    pot_id = int(result.output.strip().splitlines()[-1])
    with app.app_context():
        publish_results(db.session.get(Pot, pot_id))
    body = json.loads(client.get(f"/en/pb/{pot_id}/results.json").get_data(as_text=True))
    assert sorted(p.get("source_id") for p in body["projects"]) == ["P0036", "P0041", "P0056"]
    # The CSV names them too, in both languages, beside Engage's own ids.
    import csv
    import io

    for lang in ("en", "cy"):
        text = client.get(f"/{lang}/pb/{pot_id}/results.csv").get_data().decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert sorted(r["source_id"] for r in rows) == ["P0036", "P0041", "P0056"]
        assert {r["project_id"]: r["source_id"] for r in rows} == \
            {str(p["id"]): p["source_id"] for p in body["projects"]}


def test_equal_shares_on_the_largest_budget_an_import_accepts_finishes():
    """The import accepted a budget and costs up to 2**63 - 1, and equal shares on such a file never
    ended (its add1 search counts in floats), so a staff count of such an imported pot hung its worker
    while holding the pot's write lock. Budgets and costs now stop at a trillion units (MAX_AMOUNT, the
    staff form's own limit), where every rule finishes; larger ones are refused as too large."""
    import subprocess
    import sys

    from engage.tally import PabulibError, parse_pabulib
    from engage.tally.checks import MAX_AMOUNT

    def text(budget: int, a: int, b: int) -> str:
        return (f"META\nkey;value\nbudget;{budget}\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
                f"a;{a}\nb;{b}\nc;{b // 2}\nVOTES\nvoter_id;vote\n1;a,b\n2;b\n3;c,a\n")

    for big in (text(2**63 - 1, 2**62, 2**62 - 1), text(2**50, 2**49, 2**49 - 1), text(MAX_AMOUNT, MAX_AMOUNT + 1, 1)):
        with pytest.raises(PabulibError) as refused:
            parse_pabulib(big)
        assert refused.value.code == "too_large" and refused.value.details["limit"] == str(MAX_AMOUNT)
    code = ("from engage.tally import parse_pabulib, tally\n"
            f"t = {text(MAX_AMOUNT, MAX_AMOUNT // 2, MAX_AMOUNT // 2 - 1)!r}\n"
            "print([tally(parse_pabulib(t), r).selected for r in ('mes', 'mes-add1', 'mes-plain', 'greedy')])\n")
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20,
                              cwd=Path(__file__).parent.parent)
    except subprocess.TimeoutExpired:
        pytest.fail("equal shares did not finish in 20 s on the largest budget a file may have")
    assert done.returncode == 0, done.stderr


def test_an_imported_pots_form_shows_its_budget_in_its_currency_and_keeps_it(app, client, two_orgs, tmp_path):
    """The pot form offered an imported pot's 310,000 złoty as "Budget in pounds: 3100"; it now shows the
    fixed budget in the pot's currency, and saving a new title keeps the budget as it was."""
    from helpers import Client, sign_in

    from engage.ballots.models import Pot
    from engage.extensions import db

    pot_id = _import(app, tmp_path, _file(budget="310000", projects="a;200000;Parc\nb;110000;Llyfrgell\n"))
    staff = Client(app, use_cookies=True)
    sign_in(staff, "admin-a@example.org", lang="cy")
    page = staff.get(f"/cy/manage/gwynedd/pb/{pot_id}/edit").get_data(as_text=True)
    assert "310,000 PLN" in page.replace("\xa0", " ") and "Cyllideb mewn punnoedd" not in page
    # What the browser sends back: every field as the page gave it, with a new Welsh title.
    form = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if "name" in attrs and (attrs.get("type") not in ("radio", "checkbox") or " checked" in tag):
            form[attrs["name"]] = attrs.get("value", "")
    form.update(re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page))
    form.update({"title-cy": "Cronfa newydd"})
    saved = staff.submit(f"/cy/manage/gwynedd/pb/{pot_id}/edit", form)
    assert saved.status_code == 302, re.findall(r"<li><a href=\"#[^>]*>[^<]*", saved.get_data(as_text=True))
    with app.app_context():
        pot = db.session.get(Pot, pot_id)
        assert (pot.budget_pence, pot.currency, pot.text("title", "cy")) == (310000, "PLN", "Cronfa newydd")
