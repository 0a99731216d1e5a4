"""Downloads in the language of the page (issue #19, item 3): a PB pot's results.csv and .pb file and
the staff events.csv from /cy/ are in Welsh, from /en/ in English, with stable codes beside the words."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from factories import make_pot
from helpers import sign_in
from pb_helpers import publish_results, vote

CODES = ("project_id", "result_code", "other_result_code", "rule", "threshold", "tie_break_position", "completion",
         "currency", "engine_version", "source_id")


def _published_pot(app, client):  # type: ignore[no-untyped-def]
    from engage.ballots import lifecycle
    from engage.ballots.models import Pot
    from engage.extensions import db

    made = make_pot(app)
    garden, youth, benches, cafe = made.projects
    for code, chosen in zip(made.codes, ([garden, youth], [youth], [youth, benches], [cafe])):
        assert vote(client, made.id, code, chosen).status_code == 302
    with app.app_context():
        pot = db.session.get(Pot, made.id)
        lifecycle.close_pot(pot)
        publish_results(pot)
    return made


def _csv(client, url: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    body = client.get(url).get_data()
    text = body.decode("utf-8-sig")
    assert body.decode("utf-8").startswith("\ufeff")  # a byte-order mark, for Excel
    return list(csv.DictReader(io.StringIO(text)))


def test_results_csv_is_in_the_language_of_the_page_with_the_same_codes(app, client, two_orgs):
    made = _published_pot(app, client)
    cy = _csv(client, f"/cy/pb/{made.id}/results.csv")
    en = _csv(client, f"/en/pb/{made.id}/results.csv")
    assert list(cy[0]) == ["project_id", "Prosiect", "Cost mewn ceiniogau", "Pleidleisiau", "Pwyntiau",
                           "A gafodd ei ariannu? (Y mwyaf o bleidleisiau yn gyntaf)", "Pam", "Ffigurau",
                           "A fyddai’n cael ei ariannu dan y rheol arall? (Dull Cyfrannau Cyfartal)",
                           *CODES[1:]]
    assert list(en[0]) == ["project_id", "Project", "Cost in pence", "Votes", "Points", "Funded (Most votes first)",
                           "Why", "Figures", "Would be funded by the other rule (Method of Equal Shares)",
                           *CODES[1:]]
    assert [[r[c] for c in CODES] for r in cy] == [[r[c] for c in CODES] for r in en]
    by_code = {r["result_code"] for r in en}
    assert "funded" in by_code and by_code <= {"funded", "did_not_fit", "supporters_could_not_afford",
                                              "below_threshold", "no_votes"}
    youth = next(r for r in cy if r["project_id"] == str(made.projects[1]))
    assert youth["Prosiect"] == "Clwb ieuenctid" and youth["result_code"] == "funded"
    assert youth["A gafodd ei ariannu? (Y mwyaf o bleidleisiau yn gyntaf)"] == "Do"
    assert youth["Pam"].startswith("Wedi’i ariannu: cafodd y nifer fwyaf o bleidleisiau")
    assert youth["Ffigurau"] == "Arian ar ôl wedyn: £5,000"
    assert {r["A gafodd ei ariannu? (Y mwyaf o bleidleisiau yn gyntaf)"] for r in cy} == {"Do", "Naddo"}
    assert {r["Funded (Most votes first)"] for r in en} == {"Yes", "No"}
    assert next(r for r in en if r["project_id"] == str(made.projects[1]))["Project"] == "Youth club"
    for row in cy:
        other = row["A fyddai’n cael ei ariannu dan y rheol arall? (Dull Cyfrannau Cyfartal)"]
        assert other in ("Byddai", "Na fyddai")
        assert not {"yes", "no", "Yes", "No"} & set(row.values())


def test_pb_file_names_projects_in_the_pages_language_keeps_both_and_pabutools_reads_it(app, client, two_orgs):
    from pabutools.election.pabulib import parse_pabulib_from_string
    from test_ballots import _pabutools_winners

    made = _published_pot(app, client)
    files = {lang: client.get(f"/{lang}/pb/{made.id}/ballots.pb").get_data(as_text=True) for lang in ("cy", "en")}
    names = {}
    for lang, text in files.items():
        instance, profile = parse_pabulib_from_string(text)
        assert len(profile) == 4
        meta = {p.name: instance.project_meta[p] for p in instance}
        names[lang] = {pid: m["name"] for pid, m in meta.items()}
        garden = meta[str(made.projects[0])]
        assert (garden["name_cy"], garden["name_en"]) == ("Gardd gymunedol", "Community garden")
        assert (instance.meta["description_cy"], instance.meta["description_en"]) == ("Cronfa Bangor", "Bangor Fund")
    assert names["cy"][str(made.projects[0])] == "Gardd gymunedol"
    assert names["en"][str(made.projects[0])] == "Community garden"
    assert parse_pabulib_from_string(files["cy"])[0].meta["description"] == "Cronfa Bangor"
    for rule in ("greedy", "mes"):
        assert _pabutools_winners(files["cy"], rule) == _pabutools_winners(files["en"], rule)
    published = json.loads(client.get(f"/en/pb/{made.id}/results.json").get_data(as_text=True))
    assert _pabutools_winners(files["cy"], "greedy") == set(published["outcomes"]["greedy"]["selected"])


def test_importing_an_exported_pb_file_keeps_both_languages(app, client, two_orgs, tmp_path):
    from engage.ballots.models import Pot
    from engage.extensions import db

    made = _published_pot(app, client)
    path = tmp_path / "pot.pb"
    path.write_text(client.get(f"/cy/pb/{made.id}/ballots.pb").get_data(as_text=True))
    result = app.test_cli_runner().invoke(args=["pb", "import", str(path), "--org", "gwynedd"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        pot = db.session.get(Pot, int(result.output.strip().splitlines()[-1]))
        assert (pot.title_cy, pot.title_en) == ("Cronfa Bangor", "Bangor Fund")
        assert sorted((p.title_cy, p.title_en) for p in pot.projects)[0] == ("Caffi trwsio", "Repair café")
    english = app.test_cli_runner().invoke(args=["pb", "export", str(made.id), "--lang", "en"])
    assert english.exit_code == 0 and "Community garden;Gardd gymunedol;Community garden" in english.output


def test_unpublished_downloads_stay_404_in_both_languages(app, client, two_orgs):
    made = make_pot(app)
    for lang in ("cy", "en"):
        for suffix in ("results.csv", "ballots.pb"):
            assert client.get(f"/{lang}/pb/{made.id}/{suffix}").status_code == 404


def test_events_csv_from_welsh_pages_is_in_welsh_with_codes(app, client, two_orgs, make_event):
    make_event(title={"cy": "Bore coffi", "en": "Coffee morning"}, start=datetime(2026, 10, 3, 10),
               theme_codes=["2.3"], audience_keys=["refugees"], status="held", kind="engagement")
    sign_in(client, "organiser-a@example.org")
    cy = _csv(client, "/cy/manage/gwynedd/events.csv")
    en = _csv(client, "/en/manage/gwynedd/events.csv")
    row = next(r for r in cy if r["Teitl (Cymraeg)"] == "Bore coffi")
    assert row["Math"] == "Digwyddiad ymgysylltu" and row["kind_code"] == "engagement"
    assert row["Statws"] == "Wedi’i gynnal" and row["status_code"] == "held"
    assert row["Cyhoeddus"] == "Ydy" and row["Ar-lein"] == "Nac ydy"
    assert row["Cynulleidfaoedd"] == "Ffoaduriaid a cheiswyr lloches" and row["audience_codes"] == "refugees"
    assert row["Amcanion"] == "2.3 Cynnwys cymunedau sydd ar y cyrion" and row["objective_codes"] == "2.3"
    assert row["Iaith y ddarpariaeth"] == "Dwyieithog (Cymraeg a Saesneg)" and row["language_code"] == "bilingual"
    english = next(r for r in en if r["Title (English)"] == "Coffee morning")
    assert english["Kind"] == "Engagement event" and english["Status"] == "Held" and english["Public"] == "Yes"
    assert english["Audiences"] == "Refugees and asylum seekers"
    assert [{k: r[k] for k in ("event_id", "kind_code", "status_code", "audience_codes")} for r in cy] == \
        [{k: r[k] for k in ("event_id", "kind_code", "status_code", "audience_codes")} for r in en]
    assert not any(value in ("yes", "no", "engagement") for value in row.values() if value != row["kind_code"])
