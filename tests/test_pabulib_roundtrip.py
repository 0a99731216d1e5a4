"""Import then export gives the file back (issue #20): for every file in tests/data/pabulib and its
roundtrip/ folder, ``engage pb import`` then ``engage pb export`` has the same META (every key and
value, in order: the export writes the file's own; only ``budget`` is written as the whole number the
reader makes of it, "1000.0" as 1000, which reads back the same), the same projects (ids, costs,
names, extra columns) and the same multiset of ballots (projects and points). Voter ids are numbered
afresh and voters' own columns are left out (ballot secrecy: docs/secrecy.md)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from engage.tally import Election, parse_pabulib, read_pabulib

DATA = Path(__file__).parent / "data" / "pabulib"
FILES = sorted(DATA.glob("*.pb")) + sorted((DATA / "roundtrip").glob("*.pb"))


def ballots(election: Election) -> Counter:
    """Each ballot as its (project, points) pairs, order within a ballot aside."""
    return Counter(tuple(sorted(b.weights())) for b in election.ballots)


def _import(app, path: Path, *options: str) -> int:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["pb", "import", str(path), "--org", "gwynedd", *options])
    assert result.exit_code == 0, result.output
    return int(result.output.strip().splitlines()[-1])


def _export(app, pot_id: int, lang: str = "en") -> str:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["pb", "export", str(pot_id), "--lang", lang])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_import_then_export_gives_the_file_back(app, make_org, path):
    make_org("gwynedd")
    source = read_pabulib(path)
    pot_id = _import(app, path, "--title", "Teitl arall")  # a title of our own does not change the file
    for lang in ("cy", "en"):
        back = parse_pabulib(_export(app, pot_id, lang))
        assert list(back.meta.items()) == list(source.meta.items())  # every key and value, in order
        assert [(p.id, p.cost, p.name, dict(p.extra)) for p in back.projects] == \
               [(p.id, p.cost, p.name, dict(p.extra)) for p in source.projects]
        assert back.budget == source.budget and back.ballot_type == source.ballot_type
        assert ballots(back) == ballots(source)
        # Voters are numbered afresh and their own columns (age, sex, district...) are not kept.
        assert {b.voter_id for b in back.ballots} == {str(n) for n in range(1, len(source.ballots) + 1)}
        assert all(not b.extra for b in back.ballots)


def test_an_imported_pot_keeps_the_files_currency_and_whole_units(app, make_org):
    from engage.ballots.models import Pot
    from engage.extensions import db

    make_org("gwynedd")
    pot_id = _import(app, DATA / "Poland_Zabrze_2021_Guido.pb")
    with app.app_context():
        pot = db.session.get(Pot, pot_id)
        assert (pot.currency, pot.amount_scale, pot.budget_pence) == ("PLN", 1, 310000)
        assert sorted(p.source_id for p in pot.projects) == ["P0036", "P0041", "P0056"]


def test_a_pot_made_here_exports_its_own_ids_in_pence_and_comes_back_the_same(app, make_org, tmp_path):
    from engage.ballots.models import Pot
    from engage.extensions import db
    from factories import make_pot

    make_org("gwynedd")
    made = make_pot(app, codes=0, projects=[("Gardd", "Garden", 150_050), ("Caffi", "Café", 300_000)])
    with app.app_context():
        pot = db.session.get(Pot, made.id)
        pot.status = "published"  # an export of a pot made here waits for its results (the embargo)
        db.session.commit()
    text = _export(app, made.id)
    first = parse_pabulib(text)
    assert (first.meta["currency"], first.meta["country"], first.meta["money_unit"]) == ("GBP", "United Kingdom", "pence")
    assert [p.id for p in first.projects] == [str(p) for p in made.projects]
    assert [p.cost for p in first.projects] == [150_050, 300_000]
    path = tmp_path / "made.pb"
    path.write_text(text)
    again = _import(app, path)
    with app.app_context():
        pot = db.session.get(Pot, again)
        assert (pot.currency, pot.amount_scale, pot.budget_pence) == ("GBP", 100, made_budget(app, made.id))
    second = parse_pabulib(_export(app, again))
    assert list(second.meta.items()) == list(first.meta.items())
    assert [(p.id, p.cost, p.name, dict(p.extra)) for p in second.projects] == \
           [(p.id, p.cost, p.name, dict(p.extra)) for p in first.projects]


def made_budget(app, pot_id: int) -> int:  # type: ignore[no-untyped-def]
    from engage.ballots.models import Pot
    from engage.extensions import db

    with app.app_context():
        return db.session.get(Pot, pot_id).budget_pence


def _bench():  # type: ignore[no-untyped-def]
    """bench/pb_import.py, whose ``write_big_pb`` makes the large file (the same for the same arguments)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("pb_bench", Path(__file__).parent.parent / "bench" / "pb_import.py")
    bench = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(bench)  # type: ignore[union-attr]
    return bench


def test_a_large_import_is_streamed_not_held_in_memory(app, make_org, tmp_path, monkeypatch):
    """Five times the votes, the same memory: the Python memory an import holds at its peak does not
    grow with the file (ballots go to the database a chunk at a time; the cache of distinct ballots is
    bounded, here at 2,000). The 2-million-vote figures are in the README (bench/pb_import.py);
    nothing here is timed."""
    import tracemalloc

    from sqlalchemy import func, select

    from engage.accounts.services import get_org
    from engage.ballots import pabulib
    from engage.ballots.models import BoxBallot
    from engage.extensions import db
    from engage.tally import open_pabulib

    monkeypatch.setattr(pabulib, "DISTINCT_KEPT", 2000)
    make_org("gwynedd")
    peaks, sizes = [], []
    for votes in (12_000, 60_000):
        path = tmp_path / f"big-{votes}.pb"
        with path.open("w", encoding="utf-8", newline="") as fh:
            _bench().write_big_pb(fh, votes)
        sizes.append(path.stat().st_size)
        with app.app_context():
            org = get_org("gwynedd")
            tracemalloc.start()
            try:
                with open_pabulib(path) as fh:
                    pot_id = pabulib.import_pabulib(org, fh).id
                peaks.append(tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
            box = db.session.scalar(select(func.count()).select_from(BoxBallot).where(BoxBallot.pot_id == pot_id))
            assert box == votes
    assert sizes[1] > 4.5 * sizes[0]
    assert peaks[1] < 1.2 * peaks[0], f"peaks {peaks} for files of {sizes} bytes"


def test_an_imported_pot_shows_its_amounts_in_its_own_currency_in_both_languages(app, client, two_orgs):
    """Zabrze's budget is 310,000 PLN: not £3,100 (pence) nor £310,000."""
    import csv
    import io

    from engage.ballots.models import Pot
    from engage.extensions import db
    from pb_helpers import publish_results

    pot_id = _import(app, DATA / "Poland_Zabrze_2021_Guido.pb")
    with app.app_context():
        publish_results(db.session.get(Pot, pot_id))
    for lang in ("cy", "en"):
        for page in ("", "/results"):
            text = client.get(f"/{lang}/pb/{pot_id}{page}").get_data(as_text=True)
            assert "310,000\u00a0PLN" in text and "£" not in text.split("<main", 1)[1], (lang, page)
        rows = list(csv.reader(io.StringIO(client.get(f"/{lang}/pb/{pot_id}/results.csv").get_data().decode("utf-8-sig"))))
        at = rows[0].index("currency")
        assert rows[0][2] == "Cost (PLN)" and {r[at] for r in rows[1:]} == {"PLN"}
    body = __import__("json").loads(client.get(f"/en/pb/{pot_id}/results.json").get_data(as_text=True))
    assert (body["pot"]["budget_pence"], body["pot"]["currency"], body["pot"]["amount_scale"]) == (310000, "PLN", 1)
    assert (body["terms"]["currency"], body["terms"]["amount_scale"]) == ("PLN", 1)
    with app.app_context():
        from engage.feedback.models import FeedbackEntry

        said = " ".join(e.did_en or "" for e in db.session.query(FeedbackEntry))
        assert "310,000\u00a0PLN" in said and "£" not in said


def test_amounts_in_other_currencies_read_as_people_write_them(app):
    from flask_babel import force_locale

    from engage.formatting import money

    with app.test_request_context():
        for locale in ("cy", "en_GB"):
            with force_locale(locale):
                assert money(1_070_000, "PLN", 1) == "1,070,000\u00a0PLN"
                assert money(250_000, "EUR", 1) == "€250,000"
                assert money(12_345, "GBP", 100) == "£123.45"
                assert money(10, "", 1) == "10"
                assert money(__import__("fractions").Fraction(10, 3), "EUR", 1) == "€3.33"


def test_an_imported_pot_is_counted_as_its_file_would_be(app, make_org, tmp_path):
    """Ties go by the file's project ids (a1 before z1, as pabutools and `engage pb tally` break them),
    not by the order our rows were made in; the file's min_project_score_threshold holds."""
    from engage.ballots.models import Pot
    from engage.extensions import db
    from engage.tally import tally
    from pb_helpers import publish_results

    make_org("gwynedd")
    path = tmp_path / "tie.pb"
    path.write_text("META\nkey;value\ndescription;Tie\nnum_projects;3\nnum_votes;3\nbudget;700\nvote_type;approval\n"
                    "rule;greedy\nmin_project_score_threshold;2\nPROJECTS\nproject_id;cost;name\nz1;600;Zed\na1;600;Ay\n"
                    "m1;100;Em\nVOTES\nvoter_id;vote\n1;z1,a1\n2;z1,a1\n3;m1\n")
    pot_id = _import(app, path)
    with app.app_context():
        pot = db.session.get(Pot, pot_id)
        ids = {p.source_id: str(p.id) for p in pot.projects}
        result = publish_results(pot)
    assert [pid for pid in result.official["selected"]] == [ids["a1"]]
    assert result.official["explanations"][ids["m1"]]["reason"] == "below_threshold"
    assert result.terms["parameters"]["greedy"]["threshold"] == 2
    assert result.terms["tie_break"] == [ids["a1"], ids["m1"], ids["z1"]]
    assert tally(read_pabulib(path), "greedy").selected == ["a1"]
