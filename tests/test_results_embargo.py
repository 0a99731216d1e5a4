"""Every output of a pot waits for its results (issue #20): until they are published, the results page,
JSON, CSV, the .pb download and the CLI's export, the project pages and the feeds carry no count, not
even once a count waits for sign-off; once published they all agree (winners, votes, costs), and the
JSON and CSV name the rule, its parameters and the engine version."""
from __future__ import annotations

import csv
import io
import json
import random
import re

from factories import make_pot
from pb_helpers import counter_and_signer

COSTS = [300_000, 250_000, 450_000, 150_000, 500_000, 120_000]
TITLES = [(f"Prosiect Cudd {i}", f"Hidden project {i}") for i in range(len(COSTS))]


def _closed_and_counted(app, rule: str):  # type: ignore[no-untyped-def]
    """A pot with 25 ballots, closed and counted into the private preview (not signed off)."""
    from engage.ballots import box, lifecycle, results, voters
    from engage.ballots.models import Pot
    from engage.extensions import db

    made = make_pot(app, codes=25, rule=rule, projects=[(cy, en, cost) for (cy, en), cost in zip(TITLES, COSTS)])
    rng = random.Random(20)
    with app.app_context():
        pot = db.session.get(Pot, made.id)
        for code in made.codes:
            chosen, total = [], 0
            for pid, cost in zip(made.projects, COSTS):
                if rng.random() < 0.45 and total + cost <= 1_000_000:
                    chosen.append(pid)
                    total += cost
            box.cast_ballot(pot.id, box.Voter("code", voters.code_hash(pot, code)), {p: 1 for p in chosen or made.projects[:1]})
        lifecycle.close_pot(pot)
        results.count_preview(pot, counter_and_signer(pot.org)[0])
    return made


def _leaks(text: str) -> list[str]:
    """Any project title in a text (a page or a file that names a project says something of the count)."""
    return [t for pair in TITLES for t in pair if t in text]


def test_nothing_is_out_before_publishing_and_everything_agrees_after(app, client, two_orgs):
    from engage.ballots import results
    from engage.ballots.models import Pot
    from engage.extensions import db
    from engage.feedback.models import FeedbackEntry
    from engage.tally import parse_pabulib, tally
    from engage.version import TALLY_ENGINE_VERSION

    made = _closed_and_counted(app, "mes")
    base = f"/{{lang}}/pb/{made.id}"
    runner = app.test_cli_runner()
    # --- embargo ---------------------------------------------------------------------------------
    for lang in ("cy", "en"):
        page = client.get(base.format(lang=lang) + "/results")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert not _leaks(text) and "votes-chart" not in text and "row-funded" not in text
        for suffix in ("results.json", "results.csv", "ballots.pb"):
            assert client.get(base.format(lang=lang) + "/" + suffix).status_code == 404, suffix
        project = client.get(base.format(lang=lang) + f"/projects/{made.projects[0]}").get_data(as_text=True)
        assert "/results" not in project.split("<main", 1)[-1]
        for feed in ("/gwynedd/feed.xml", "/gwynedd/areas/Bangor/feed.xml"):
            assert not _leaks(client.get(f"/{lang}/you-said-we-did{feed}").get_data(as_text=True))
    assert not _leaks(client.get("/api/you-said-we-did.json").get_data(as_text=True))
    refused = runner.invoke(args=["pb", "export", str(made.id)])
    assert refused.exit_code == 2 and "VOTES" not in refused.output
    cy_at, en_at = refused.output.find("Dim canlyniadau"), refused.output.find("No published results")
    assert 0 <= cy_at < en_at, refused.output
    with app.app_context():
        assert db.session.query(FeedbackEntry).count() == 0  # "you said, we did" drafts come with publishing
    # --- published: every output agrees -----------------------------------------------------------
    with app.app_context():
        pot = db.session.get(Pot, made.id)
        published = results.publish(pot, counter_and_signer(pot.org)[1])
        official = published.official
        winners = list(official["selected"])
        votes = {pid: e["votes"] for pid, e in official["explanations"].items()}
        costs = {pid: e["cost"] for pid, e in official["explanations"].items()}
        titles = {str(p.id): p.texts("title") for p in pot.projects}
    assert winners and votes and len(winners) < len(votes)
    body = json.loads(client.get(base.format(lang="en") + "/results.json").get_data(as_text=True))
    assert body["outcomes"]["mes"]["selected"] == winners
    assert {p["id"]: p["cost_pence"] for p in body["projects"]} == costs
    assert {pid: e["votes"] for pid, e in body["outcomes"]["mes"]["explanations"].items()} == votes
    terms = body["terms"]
    assert terms["rule"] == "mes" and terms["engine_version"] == TALLY_ENGINE_VERSION
    assert terms["parameters"]["mes"]["completion"] == "greedy_utilitarian_welfare"
    assert terms["parameters"]["mes"]["threshold"] is None and terms["parameters"]["greedy"]["completion"] is None
    assert sorted(terms["tie_break"]) == sorted(votes)
    for lang in ("cy", "en"):
        rows = list(csv.DictReader(io.StringIO(client.get(base.format(lang=lang) + "/results.csv")
                                               .get_data().decode("utf-8-sig"))))
        assert [r["project_id"] for r in rows if r["result_code"] == "funded"] == winners
        assert {r["project_id"]: int(r[next(k for k in r if k.startswith(("Votes", "Pleidleisiau")))]) for r in rows} == votes
        assert {r["project_id"]: int(r[list(r)[2]]) for r in rows} == costs
        assert {(r["rule"], r["threshold"], r["completion"], r["currency"], r["engine_version"]) for r in rows} == \
               {("mes", "", "greedy_utilitarian_welfare", "GBP", TALLY_ENGINE_VERSION)}
        assert sorted(int(r["tie_break_position"]) for r in rows) == list(range(1, len(rows) + 1))
        page = client.get(base.format(lang=lang) + "/results").get_data(as_text=True)
        shown = re.findall(r'<tr role="row" class="row-(funded|not-funded)">\s*<th[^>]*>(?:<a[^>]*>)?([^<]+)<', page)
        by_title = {titles[pid][lang]: pid for pid in titles}
        assert [by_title[t.strip()] for kind, t in shown if kind == "funded"] == winners
        pb = client.get(base.format(lang=lang) + "/ballots.pb").get_data(as_text=True)
        recount = tally(parse_pabulib(pb), "mes")
        assert recount.selected == winners
        assert {pid: e.votes for pid, e in recount.explanations.items()} == votes
    exported = runner.invoke(args=["pb", "export", str(made.id)])
    assert exported.exit_code == 0 and tally(parse_pabulib(exported.output), "mes").selected == winners
    # The feeds: the summary draft, once staff publish it, gives the same votes.
    with app.app_context():
        summary = db.session.query(FeedbackEntry).filter(FeedbackEntry.source_key.like(f"pb:{made.id}:summary%")).one()
        summary.published = True
        db.session.commit()
    for lang in ("cy", "en"):
        feed = client.get(f"/{lang}/you-said-we-did/gwynedd/feed.xml").get_data(as_text=True)
        for pid, count in votes.items():
            assert f"{titles[pid][lang]}”: {count}" in feed
