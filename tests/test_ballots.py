"""PB ballots: voting with a code, bad input, secrecy in the schema, lifecycle, results, open data, CLI."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from helpers import sign_in
from factories import make_pot
from pb_helpers import counts, csrf_of, publish_results, vote
from textcheck import untranslated

DATA = Path(__file__).parent / "data" / "pabulib"


@pytest.fixture
def pot(app, two_orgs):  # type: ignore[no-untyped-def]
    return make_pot(app)


def _publish(app, pot_id):  # type: ignore[no-untyped-def]
    from engage.ballots import lifecycle
    from engage.ballots.models import Pot
    from engage.extensions import db

    with app.app_context():
        p = db.session.get(Pot, pot_id)
        if p.status == "open":
            lifecycle.close_pot(p)
        return publish_results(p)


# --- voting --------------------------------------------------------------------------------------


def test_vote_with_a_code_gives_a_receipt_and_the_code_works_once(app, client, pot):
    p1, p2 = pot.projects[:2]
    response = vote(client, pot.id, pot.codes[0].lower(), [p1, p2], lang="cy")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cy/pb/{pot.id}/vote/done")
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mae eich pleidlais wedi’i chofnodi" in done
    assert counts(app, pot.id) == (1, 1)
    again = vote(app.test_client(), pot.id, pot.codes[0], [p1])
    assert again.status_code == 400 and "This code is not valid" in again.get_data(as_text=True)
    assert counts(app, pot.id) == (1, 1)


def test_choices_survive_a_language_switch_without_javascript(app, client, pot):
    p1, p3 = pot.projects[0], pot.projects[2]
    page = client.get(f"/en/pb/{pot.id}/vote")
    client.post(f"/en/pb/{pot.id}/vote", data={"code": pot.codes[1], "csrf_token": csrf_of(page.get_data(as_text=True))})
    html = client.get(f"/en/pb/{pot.id}/vote/choose").get_data(as_text=True)
    client.post(f"/en/pb/{pot.id}/vote/choose", data={"project": [str(p1), str(p3)], "action": "update",
                                                         "csrf_token": csrf_of(html)})
    welsh = client.get(f"/cy/pb/{pot.id}/vote/choose").get_data(as_text=True)
    ticked = set(re.findall(r'value="(\d+)"\s+data-cost="\d+" checked', welsh))
    assert ticked == {str(p1), str(p3)}
    assert "Wedi’u dewis: £6,000 allan o £10,000" in welsh
    assert counts(app, pot.id) == (0, 0)


BAD = [
    ("unknown code", "ABCD-EFGH-JKLM", None, "This code is not valid"),
    ("mistyped code", "ABC", None, "This code is not valid"),
    ("look-alike characters", "O0I1-L000-0000", None, "This code is not valid"),
]


@pytest.mark.parametrize("name, code, _unused, message", BAD)
def test_bad_codes_all_say_only_not_valid(app, client, pot, name, code, _unused, message):
    response = vote(client, pot.id, code, [pot.projects[0]])
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert counts(app, pot.id) == (0, 0)


def test_used_and_unknown_codes_give_the_same_page(app, client, pot):
    vote(client, pot.id, pot.codes[0], [pot.projects[0]])
    stranger = app.test_client()  # not the browser that voted: it learns nothing about the code
    used = vote(stranger, pot.id, pot.codes[0], [pot.projects[0]], lang="cy").get_data(as_text=True)
    unknown = vote(stranger, pot.id, "ZZZZ-ZZZZ-ZZZZ", [pot.projects[0]], lang="cy").get_data(as_text=True)
    def strip(html: str) -> str:  # the CSRF token and the echoed code are the only differences allowed
        return re.sub(r'value="[A-Z0-9-]{12,14}"', "", html.replace(csrf_of(html), ""))

    assert "Nid yw’r cod hwn yn ddilys" in used
    assert strip(used) == strip(unknown)


def test_over_budget_is_explained_and_nothing_is_stored(app, client, pot):
    response = vote(client, pot.id, pot.codes[0], pot.projects, lang="cy")  # £14,000 of £10,000
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Mae eich dewisiadau’n costio mwy na’r gyllideb" in html
    assert "Mae eich dewisiadau’n costio: £14,000" in html and "Cyllideb: £10,000" in html
    assert counts(app, pot.id) == (0, 0)
    # Correct it: drop the youth club; the same code still works.
    html = client.get(f"/en/pb/{pot.id}/vote/choose").get_data(as_text=True)
    ok = client.post(f"/en/pb/{pot.id}/vote/choose", data={
        "project": [str(p) for p in pot.projects if p != pot.projects[1]], "action": "continue",
        "csrf_token": csrf_of(html)})
    assert ok.status_code == 302
    assert client.post(f"/en/pb/{pot.id}/vote/submit", data={"csrf_token": csrf_of(html)}).status_code == 302
    assert counts(app, pot.id) == (1, 1)


def test_too_many_choices_on_k_approval(app, client, two_orgs):
    pot = make_pot(app, ballot_type="approval", max_choices=2)
    response = vote(client, pot.id, pot.codes[0], pot.projects[:3])
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "You have chosen too many projects" in html
    assert "Projects chosen: 3" in html and "Most you can choose: 2" in html
    assert counts(app, pot.id) == (0, 0)
    assert vote(client, pot.id, pot.codes[1], pot.projects[:2]).status_code == 302


@pytest.mark.parametrize("points, message", [
    ([3, 3, 0, 0], "Your points must add up to exactly"),
    ([12, -2, 0, 0], "Points cannot be less than zero"),
    (["x", 10, 0, 0], "Something in your choices was not right"),
])
def test_points_must_add_up_and_not_be_negative(app, client, two_orgs, points, message):
    pot = make_pot(app, ballot_type="points", points_total=10)
    response = vote(client, pot.id, pot.codes[0], dict(zip(pot.projects, points)))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert counts(app, pot.id) == (0, 0)
    assert vote(client, pot.id, pot.codes[1], dict(zip(pot.projects, [6, 4, 0, 0]))).status_code == 302


def test_tampered_form_with_a_project_of_another_pot(app, client, two_orgs):
    pot = make_pot(app)
    other = make_pot(app, "powys", codes=0)
    response = vote(client, pot.id, pot.codes[0], [pot.projects[0], other.projects[0]], lang="cy")
    assert response.status_code == 400 and "Nid oedd rhywbeth yn eich dewisiadau’n iawn" in response.get_data(as_text=True)
    assert counts(app, pot.id) == (0, 0) and counts(app, other.id) == (0, 0)


def test_tampered_session_cannot_smuggle_a_foreign_project_into_the_box(app, pot):
    from engage.ballots import box, pots

    with app.app_context():
        with pytest.raises(pots.BallotRefusal) as err:
            box.cast_ballot(pot.id, box.Voter("paper"), {999_999: 1})
        assert err.value.code == "tampered"
    assert counts(app, pot.id) == (0, 0)


def test_pot_not_open_refuses_votes(app, client, two_orgs):
    pot = make_pot(app, open_it=False)
    assert client.get(f"/en/pb/{pot.id}/vote").status_code == 404  # a draft is not public
    _open_and_close = make_pot(app)
    from engage.ballots import lifecycle
    from engage.ballots.models import Pot
    from engage.extensions import db

    page = client.get(f"/en/pb/{_open_and_close.id}/vote")
    client.post(f"/en/pb/{_open_and_close.id}/vote", data={"code": _open_and_close.codes[0],
                                                               "csrf_token": csrf_of(page.get_data(as_text=True))})
    with app.app_context():
        lifecycle.close_pot(db.session.get(Pot, _open_and_close.id))
    closed = client.post(f"/cy/pb/{_open_and_close.id}/vote/submit", data={"csrf_token": csrf_of(page.get_data(as_text=True))})
    assert closed.status_code == 409 and "Nid yw’r bleidlais ar agor" in closed.get_data(as_text=True)
    assert client.get(f"/en/pb/{_open_and_close.id}/vote").status_code == 409
    assert counts(app, _open_and_close.id) == (0, 0)


def test_cast_ballot_after_the_terms_are_cached_still_checks_code_and_status(app, two_orgs):
    """The pot's terms are read once per process; the code and the open status are checked on every
    ballot by the roll INSERT itself."""
    from engage.ballots import box, lifecycle, pots, voters
    from engage.ballots.models import Pot
    from engage.extensions import db

    pot, other = make_pot(app), make_pot(app, "powys")
    p1 = pot.projects[0]
    with app.app_context():
        hashed = {name: voters.code_hash(db.session.get(Pot, p.id), p.codes[0])
                  for name, p in (("pot", pot), ("other", other))}
        box.cast_ballot(pot.id, box.Voter("code", hashed["pot"]), {p1: 1})
        assert pot.id in app.extensions["pb_open_terms"]
        with pytest.raises(pots.BallotRefusal) as foreign:  # a real code, but another pot's
            box.cast_ballot(pot.id, box.Voter("code", hashed["other"]), {p1: 1})
        assert foreign.value.code == "code_not_valid"
        lifecycle.close_pot(db.session.get(Pot, pot.id))
        second = voters.code_hash(db.session.get(Pot, pot.id), pot.codes[1])
        with pytest.raises(pots.BallotRefusal) as closed:
            box.cast_ballot(pot.id, box.Voter("code", second), {p1: 1})
        assert closed.value.code == "not_open"
    assert counts(app, pot.id) == (1, 1) and counts(app, other.id) == (0, 0)


def test_code_entry_is_rate_limited(app, client, pot):
    page = client.get(f"/en/pb/{pot.id}/vote")
    token = csrf_of(page.get_data(as_text=True))
    statuses = [client.post(f"/en/pb/{pot.id}/vote", data={"code": "WRONG", "csrf_token": token}).status_code
                for _ in range(31)]
    assert statuses[:30] == [400] * 30 and statuses[30] == 429


def test_code_card_link_is_language_neutral(client, pot):
    first = client.get(f"/v/{pot.id}?code=ABCD")
    assert first.status_code == 200 and "Parhau yn Gymraeg" in first.get_data(as_text=True)
    client.get("/cy/pb/")
    again = client.get(f"/v/{pot.id}?code=ABCD")
    assert again.status_code == 302 and again.headers["Location"] == f"/cy/pb/{pot.id}/vote?code=ABCD"
    assert 'value="ABCD"' in client.get(again.headers["Location"]).get_data(as_text=True)


# --- open mode, kiosk, paper -------------------------------------------------------------------


def test_open_mode_one_ballot_per_browser_with_a_postcode(app, client, two_orgs):
    pot = make_pot(app, eligibility="open", postcode_prefixes="LL57, LL55", codes=0)
    wrong = vote(client, pot.id, None, [pot.projects[0]], postcode="CF10 1AA")
    assert wrong.status_code == 400 and "This postcode is not in the area" in wrong.get_data(as_text=True)
    assert vote(client, pot.id, None, [pot.projects[0]], postcode="ll57 2dg").status_code == 302
    again = vote(client, pot.id, None, [pot.projects[1]], postcode="LL57 2DG")
    assert again.status_code == 409 and "A ballot has already been sent from this browser" in again.get_data(as_text=True)
    assert counts(app, pot.id) == (1, 1)
    _publish(app, pot.id)
    assert "Lower assurance" in client.get(f"/en/pb/{pot.id}/results").get_data(as_text=True)


def test_paper_ballot_needs_a_second_person(app, client, pot):
    from engage.audit.models import AuditEntry
    from engage.extensions import db

    sign_in(client, "organiser-a@example.org")
    entered = client.submit(f"/en/manage/gwynedd/pb/{pot.id}/paper", {"project": [str(pot.projects[0])]})
    assert entered.status_code == 302
    page = client.get(f"/en/manage/gwynedd/pb/{pot.id}/paper").get_data(as_text=True)
    assert "You entered this one, so someone else must check it." in page
    with app.app_context():
        from engage.ballots.models import PaperEntry
        entry_id = db.session.scalar(select(PaperEntry.id))
    same = client.post(f"/en/manage/gwynedd/pb/{pot.id}/paper/{entry_id}/confirm", data={"csrf_token": csrf_of(page)})
    assert "A different member of staff must check" in client.get(same.headers["Location"]).get_data(as_text=True)
    assert counts(app, pot.id) == (0, 0)
    client.post("/en/sign-out", data={"csrf_token": csrf_of(page)})
    sign_in(client, "admin-a@example.org")
    page = client.get(f"/en/manage/gwynedd/pb/{pot.id}/paper").get_data(as_text=True)
    client.post(f"/en/manage/gwynedd/pb/{pot.id}/paper/{entry_id}/confirm", data={"csrf_token": csrf_of(page)})
    assert counts(app, pot.id) == (1, 1)
    with app.app_context():
        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.kind == "pb.paper_checked"))
        assert set(audit.data) == {"entered_by", "checked_by"} and audit.data["entered_by"] != audit.data["checked_by"]


def test_over_budget_paper_ballot_is_refused(app, client, pot):
    sign_in(client, "organiser-a@example.org")
    response = client.submit(f"/cy/manage/gwynedd/pb/{pot.id}/paper", {"project": [str(p) for p in pot.projects]})
    assert response.status_code == 400 and "Cyllideb: £10,000" in response.get_data(as_text=True)


# --- secrecy and invariants in the schema ------------------------------------------------------


def test_schema_has_no_column_that_links_roll_to_box(app, pot, client):
    from engage.ballots.models import BoxBallot, RollEntry
    from engage.extensions import db

    vote(client, pot.id, pot.codes[0], [pot.projects[0]])
    with app.app_context():
        insp = inspect(db.engine)
        roll_cols = {c["name"]: c for c in insp.get_columns("pb_roll")}
        box_cols = {c["name"]: c for c in insp.get_columns("pb_box")}
        # Only the pot and each table's own random key share a name; the box has no channel or date.
        assert set(roll_cols) & set(box_cols) == {"id", "pot_id"}
        assert set(box_cols) == {"id", "pot_id", "budget_pence", "ballot_type", "total_pence", "choices"}
        for table, other in (("pb_roll", "pb_box"), ("pb_box", "pb_roll")):
            assert all(fk["referred_table"] != other for fk in insp.get_foreign_keys(table))
        assert {fk["referred_table"] for fk in insp.get_foreign_keys("pb_box")} == {"pb_pots"}
        # Dates only: no column finer than a day in either table.
        for cols in (roll_cols, box_cols):
            assert not any("TIMESTAMP" in str(c["type"]).upper() or "DATETIME" in str(c["type"]).upper()
                           for c in cols.values())
        # Random keys, not sequences: nothing orders the rows by when they were written.
        for model in (RollEntry, BoxBallot):
            assert isinstance(model.__table__.c.id.type, db.String)
        roll_id = db.session.scalar(select(RollEntry.id))
        box_id = db.session.scalar(select(BoxBallot.id))
        assert roll_id != box_id and len(roll_id) == len(box_id) == 32
        if db.engine.dialect.name == "sqlite":
            sql = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'pb_box'"))
            assert "WITHOUT ROWID" in sql.upper()
            with pytest.raises(Exception):
                db.session.execute(text("SELECT rowid FROM pb_box")).all()
            db.session.rollback()
        else:
            defaults = [c["default"] for c in list(roll_cols.values()) + list(box_cols.values())]
            assert not any(d and "nextval" in d for d in defaults)


#: The attack sealing stops: on PostgreSQL a roll row and a box row written by one transaction share
#: its id (the xmin system column, readable by anyone who may SELECT), which pairs a code with choices.
_PAIRS = text("SELECT r.code_id, b.choices FROM pb_roll r JOIN pb_box b ON r.xmin::text = b.xmin::text "
              "WHERE r.pot_id = :pot_id")
_BOX_BY_PLACE = text("SELECT choices FROM pb_box WHERE pot_id = :pot_id ORDER BY ctid")


def _box(db, pot_id):  # type: ignore[no-untyped-def]
    return sorted(db.session.execute(text(
        "SELECT choices, total_pence FROM pb_box WHERE pot_id = :pot_id"),
        {"pot_id": pot_id}).all())


@pytest.mark.postgres_only
def test_sealing_leaves_no_transaction_id_or_order_that_pairs_a_voter_with_their_choices(app, two_orgs):
    from engage import scheduler
    from engage.ballots import box, lifecycle, seal, voters
    from engage.ballots.models import Pot
    from engage.extensions import db

    pot = make_pot(app, codes=12)
    with app.app_context():
        p = db.session.get(Pot, pot.id)
        receipts = [box.cast_ballot(p.id, box.Voter("code", voters.code_hash(p, code)),
                                         {pot.projects[n % 4]: 1}) for n, code in enumerate(pot.codes[:10])]
        cast_order = db.session.scalars(_BOX_BY_PLACE, {"pot_id": p.id}).all()
        # Unsealed, the attack works: every ballot pairs with its voter's code.
        assert len(db.session.execute(_PAIRS, {"pot_id": p.id}).all()) == 10
        assert seal.box_unsealed(p.id)
        before, ids_before = _box(db, p.id), set(db.session.scalars(text("SELECT id FROM pb_box")))
        db.session.remove()
    assert scheduler.run_job(app, "pb_lifecycle", tick="2026-11-24T10:00") == {"opened": 0, "closed": 0, "sealed": 1}
    with app.app_context():
        p = db.session.get(Pot, pot.id)
        assert db.session.execute(_PAIRS, {"pot_id": p.id}).all() == []
        assert not seal.box_unsealed(p.id)
        assert db.session.scalar(text("SELECT count(DISTINCT xmin::text) FROM pb_box")) == 1
        # The same ballots, under new keys, stored in an order that is not the order they were cast.
        assert _box(db, p.id) == before
        assert set(db.session.scalars(text("SELECT id FROM pb_box"))).isdisjoint(ids_before)
        assert db.session.scalars(_BOX_BY_PLACE, {"pot_id": p.id}).all() != cast_order
        assert all(box.receipt_counted(p, r) for r in receipts)
        # A ballot cast after the seal can be paired until the next seal; closing the pot seals it.
        box.cast_ballot(p.id, box.Voter("code", voters.code_hash(p, pot.codes[10])),
                             {pot.projects[0]: 1})
        assert len(db.session.execute(_PAIRS, {"pot_id": p.id}).all()) == 1
        lifecycle.close_pot(p)
        assert db.session.execute(_PAIRS, {"pot_id": p.id}).all() == []
        assert len(_box(db, p.id)) == 11
        db.session.remove()
    assert scheduler.run_job(app, "pb_lifecycle", tick="2026-11-24T10:01") == {"opened": 0, "closed": 0, "sealed": 0}


@pytest.mark.postgres_only
def test_sealing_while_people_vote_loses_and_doubles_nothing(app, two_orgs):
    import threading

    from engage.ballots import box, seal, voters
    from engage.ballots.models import Pot
    from engage.extensions import db

    pot = make_pot(app, codes=60)
    with app.app_context():
        hashes = [voters.code_hash(db.session.get(Pot, pot.id), c) for c in pot.codes]
    receipts: list[str] = []
    errors: list[BaseException] = []

    def voter(batch: list[str]) -> None:
        try:
            with app.app_context():
                for n, hashed in enumerate(batch):
                    receipts.append(box.cast_ballot(pot.id, box.Voter("code", hashed),
                                                         {pot.projects[n % 4]: 1}))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=voter, args=(hashes[n::4],)) for n in range(4)]
    for t in threads:
        t.start()
    seals = 0
    with app.app_context():
        while any(t.is_alive() for t in threads):
            seals += seal.seal_box(db.session.get(Pot, pot.id))
            db.session.remove()
        for t in threads:
            t.join(60)
        assert errors == [] and len(receipts) == 60 and seals >= 1
        p = db.session.get(Pot, pot.id)
        seal.seal_box(p)
        assert counts(app, p.id) == (60, 60)
        assert all(box.receipt_counted(p, r) for r in receipts)
        assert db.session.execute(_PAIRS, {"pot_id": p.id}).all() == []


@pytest.mark.postgres_only
def test_the_scheduler_seals_a_closed_pot_too(app, two_orgs):
    """An imported election lands closed, its roll and box written by one transaction in random key
    order: sealed as written (every row shares one transaction id, which pairs nothing). A closed box
    the scheduler finds unsealed all the same (here: one imported before an import counted as
    sealed) is rewritten, and then its rows no longer share a transaction id with the roll's."""
    from sqlalchemy import update

    from engage import scheduler
    from engage.accounts.services import get_org
    from engage.ballots import pabulib, seal
    from engage.ballots.models import Pot
    from engage.extensions import db

    with app.app_context():
        pot_id = pabulib.import_pabulib(get_org("gwynedd"), (DATA / "Netherlands_Amsterdam_179.pb").read_text()).id
        db.session.commit()
        assert not seal.box_unsealed(pot_id)
        db.session.execute(update(Pot).where(Pot.id == pot_id).values(sealed_ballots=0))
        db.session.commit()
        assert seal.box_unsealed(pot_id) and db.session.execute(_PAIRS, {"pot_id": pot_id}).first()
        db.session.remove()
    assert scheduler.run_job(app, "pb_lifecycle", tick="2026-11-24T10:00")["sealed"] == 1
    with app.app_context():
        assert db.session.execute(_PAIRS, {"pot_id": pot_id}).all() == []


@pytest.mark.postgres_only
def test_a_vote_sent_while_the_pot_is_closing_waits_and_is_refused(app, two_orgs):
    """A close in progress (another process's transaction, holding the pot) must not let a vote in
    after it: the vote would land in a closed, already sealed box and stay paired for good."""
    import threading

    import psycopg

    from pb_helpers import wait_for_lock_waiters

    from engage.ballots import box, pots, voters
    from engage.ballots.models import Pot
    from engage.extensions import db

    pot = make_pot(app, codes=2)
    with app.app_context():
        hashed = voters.code_hash(db.session.get(Pot, pot.id), pot.codes[0])
        db.session.remove()
    outcome: list[object] = []

    def vote_now() -> None:
        with app.app_context():
            try:
                outcome.append(box.cast_ballot(pot.id, box.Voter("code", hashed), {pot.projects[0]: 1}))
            except pots.BallotRefusal as err:
                outcome.append(err.code)

    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url) as closer:
        closer.execute("SELECT id FROM pb_pots WHERE id = %s FOR UPDATE", (pot.id,))
        closer.execute("UPDATE pb_pots SET status = 'closed' WHERE id = %s", (pot.id,))
        voter = threading.Thread(target=vote_now)
        voter.start()
        with psycopg.connect(url, autocommit=True) as watcher:
            wait_for_lock_waiters(watcher, 1)  # the vote has begun and must now wait for the close
        assert outcome == []
        closer.commit()
        voter.join(30)
    assert outcome == ["not_open"]
    assert counts(app, pot.id) == (0, 0)


def test_database_refuses_over_budget_ballots_and_a_lying_budget_copy(app, pot):
    from engage.ballots.models import BoxBallot
    from engage.extensions import db

    def insert(**values):  # type: ignore[no-untyped-def]
        row = {"id": "a" * 32, "pot_id": pot.id, "budget_pence": 1_000_000, "ballot_type": "knapsack",
               "total_pence": 100, "choices": "{}"}
        row.update(values)
        with app.app_context():
            try:
                db.session.execute(BoxBallot.__table__.insert().values(**row))
                db.session.commit()
            finally:
                db.session.rollback()

    with pytest.raises(IntegrityError):
        insert(total_pence=1_000_001)
    with pytest.raises(IntegrityError):
        insert(total_pence=2_000_000, budget_pence=5_000_000)  # a bigger budget the pot does not have
    with pytest.raises(IntegrityError):
        insert(total_pence=2_000_000, ballot_type="approval")  # pretending it is not a knapsack ballot
    assert counts(app, pot.id) == (0, 0)


def test_one_ballot_per_code_is_a_database_constraint(app, pot):
    from datetime import date

    from engage.ballots.models import RollEntry, VoterCode
    from engage.extensions import db

    with app.app_context():
        code_id = db.session.scalar(select(VoterCode.id).where(VoterCode.pot_id == pot.id))
        db.session.execute(RollEntry.__table__.insert().values(id="1" * 32, pot_id=pot.id, code_id=code_id,
                                                               channel="code", voted_on=date.today()))
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(RollEntry.__table__.insert().values(id="2" * 32, pot_id=pot.id, code_id=code_id,
                                                                   channel="code", voted_on=date.today()))
            db.session.commit()
        db.session.rollback()


def test_codes_are_stored_hashed_and_unguessable(app, pot):
    from engage.ballots.models import VoterCode
    from engage.codes import CODE_ALPHABET
    from engage.extensions import db

    assert all(len(c) == 12 and set(c) <= set(CODE_ALPHABET) for c in pot.codes)
    with app.app_context():
        hashes = set(db.session.scalars(select(VoterCode.code_hash)))
    assert not any(c in h for c in pot.codes for h in hashes) and len(hashes) == 5


# --- lifecycle ---------------------------------------------------------------------------------


def test_rule_and_budget_are_fixed_once_open(app, client, pot):
    from engage.ballots import pots
    from engage.ballots.models import Pot
    from engage.extensions import db

    with app.app_context():
        p = db.session.get(Pot, pot.id)
        data = {n: getattr(p, n) for n in pots.POT_FIELDS}
        data.update(title=p.texts("title"), description=p.texts("description"), area=p.texts("area"), rule="mes")
        with pytest.raises(pots.BallotRefusal):
            pots.update_pot(p, data)
        db.session.rollback()
        assert db.session.get(Pot, pot.id).rule == "greedy"
    sign_in(client, "admin-a@example.org")
    html = client.get(f"/en/manage/gwynedd/pb/{pot.id}/edit").get_data(as_text=True)
    response = client.post(f"/en/manage/gwynedd/pb/{pot.id}/edit", data={
        "title-cy": "Cronfa Bangor", "title-en": "Bangor Fund", "budget": "10000", "ballot_type": "knapsack",
        "rule": "mes", "eligibility": "codes", "csrf_token": csrf_of(html)})
    assert response.status_code == 400 and "cannot change once voting has opened" in response.get_data(as_text=True)


def test_scheduler_opens_and_closes_pots_on_time_and_catches_up(app, two_orgs):
    from datetime import timedelta

    from engage import scheduler
    from engage.ballots.models import Pot
    from engage.extensions import db
    from engage.types import utcnow

    now = utcnow()
    due = make_pot(app, open_it=False, opens_at=now - timedelta(hours=3), closes_at=now + timedelta(hours=1))
    ended = make_pot(app, open_it=True, closes_at=now - timedelta(minutes=5))
    later = make_pot(app, open_it=False, opens_at=now + timedelta(days=1))
    assert "pb_lifecycle" in scheduler.JOBS
    assert scheduler.run_job(app, "pb_lifecycle", tick="2026-11-24T10:00") == {"opened": 1, "closed": 1, "sealed": 0}
    assert scheduler.run_job(app, "pb_lifecycle", tick="2026-11-24T10:00") == scheduler.SKIPPED  # once per tick
    assert scheduler.run_job(app, "pb_lifecycle", tick="2026-11-24T10:01") == {"opened": 0, "closed": 0, "sealed": 0}
    with app.app_context():
        assert [db.session.get(Pot, p.id).status for p in (due, ended, later)] == ["open", "closed", "draft"]


def test_staff_lifecycle_buttons_and_publishing_makes_feedback_drafts(app, client, pot):
    from engage.feedback.models import FeedbackEntry
    from engage.extensions import db

    for code, projects in zip(pot.codes[:3], ([pot.projects[0]], [pot.projects[0], pot.projects[2]],
                                                 [pot.projects[1]])):
        assert vote(client, pot.id, code, projects).status_code == 302
    sign_in(client, "organiser-a@example.org")
    detail = client.get(f"/cy/manage/gwynedd/pb/{pot.id}").get_data(as_text=True)
    assert "Pobl a bleidleisiodd" in detail
    assert client.post(f"/en/manage/gwynedd/pb/{pot.id}/count", data={"csrf_token": csrf_of(detail)}).status_code == 409
    client.post(f"/en/manage/gwynedd/pb/{pot.id}/close", data={"csrf_token": csrf_of(detail)})
    assert client.post(f"/en/manage/gwynedd/pb/{pot.id}/count", data={"csrf_token": csrf_of(detail)}).status_code == 302
    sign_in(client, "admin-a@example.org")  # a different person, an admin, signs off the preview
    preview = client.get(f"/en/manage/gwynedd/pb/{pot.id}/preview").get_data(as_text=True)
    client.post(f"/en/manage/gwynedd/pb/{pot.id}/publish", data={"csrf_token": csrf_of(preview)})
    with app.app_context():
        keys = set(db.session.scalars(select(FeedbackEntry.source_key)))
    assert f"pb:{pot.id}:summary" in keys and f"pb:{pot.id}:project:{pot.projects[0]}" in keys
    results = client.get(f"/en/pb/{pot.id}/results").get_data(as_text=True)
    assert 'role="img"' in results and "<title id=\"votes-chart-title\">" in results
    assert "Funded: it had the most votes of the projects that fitted in the money left." in results
    assert "(official)" in results and "Method of Equal Shares" in results


def test_results_reasons_receipts_and_open_data(app, client, pot):
    receipts = []
    for code, projects in zip(pot.codes, ([pot.projects[0], pot.projects[1]], [pot.projects[1]],
                                             [pot.projects[1], pot.projects[2]], [pot.projects[3]])):
        done = vote(client, pot.id, code, projects)
        html = client.get(done.headers["Location"]).get_data(as_text=True)
        receipts.append(html.split('id="receipt">')[1].split("<")[0])
    data = _publish(app, pot.id)
    assert data.outcomes["greedy"]["selected"] == [str(pot.projects[1]), str(pot.projects[0])]
    assert data.turnout == {"code": 4, "kiosk": 0, "paper": 0, "open": 0, "total": 4}
    cy = client.get(f"/cy/pb/{pot.id}/results?receipt={receipts[2]}").get_data(as_text=True)
    assert "Cafodd eich pleidlais ei chyfrif." in cy
    assert "Heb ei ariannu: roedd yn costio mwy na’r arian oedd ar ôl pan ddaeth ei dro." in cy
    assert "Arian ar ôl: £1,000" in cy  # Benches (£2,000) did not fit in the £1,000 left
    assert "receipt-mine" in cy
    assert "Ni allem ddod o hyd" in client.get(f"/cy/pb/{pot.id}/results?receipt=NOPE-NOPE").get_data(as_text=True)
    body = json.loads(client.get(f"/en/pb/{pot.id}/results.json").get_data(as_text=True))
    assert body["outcomes"]["greedy"]["selected"] == data.outcomes["greedy"]["selected"]
    assert len(body["receipts"]) == 4 and body["receipts"] == sorted(body["receipts"])
    assert not any(r in json.dumps(body) for r in receipts)  # fingerprints only, never the codes
    csv_text = client.get(f"/en/pb/{pot.id}/results.csv").get_data().decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("project_id,Project,Cost in pence,Votes,Points")
    pb = client.get(f"/en/pb/{pot.id}/ballots.pb").get_data(as_text=True)
    assert "VOTES" in pb and not any(r.replace("-", "") in pb for r in receipts)


def test_results_csv_shows_formulas_as_text(app, client, two_orgs):
    hyperlink = '=HYPERLINK("http://evil.example","{}")'
    made = make_pot(app, codes=0, projects=[(hyperlink.format("Cliciwch"), hyperlink.format("Click"), 100_000),
                                            ("+44 1248", "@SUM(A1:A9)", 200_000), ("-Meinciau", "Benches", 300_000)])
    _publish(app, made.id)
    titles = {}
    for lang in ("cy", "en"):
        rows = list(csv.reader(io.StringIO(client.get(f"/{lang}/pb/{made.id}/results.csv").get_data()
                                           .decode("utf-8-sig"))))
        titles[lang] = sorted(row[1] for row in rows[1:])
        assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert titles == {"cy": ["'+44 1248", "'-Meinciau", "'" + hyperlink.format("Cliciwch")],
                      "en": ["'" + hyperlink.format("Click"), "'@SUM(A1:A9)", "Benches"]}


def _pabutools_winners(pb_text: str, rule: str) -> set[str]:
    from pabutools.election import Cost_Sat
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import completion_by_rule_combination, greedy_utilitarian_welfare, method_of_equal_shares

    instance, profile = parse_pabulib_from_string(pb_text)
    if rule == "greedy":
        out = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    else:
        out = completion_by_rule_combination(
            instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}])
    voted = {p.name for ballot in profile for p in ballot}
    return {p.name for p in out if p.name in voted}  # Engage never funds a project nobody chose


@pytest.mark.parametrize("rule", ["greedy", "mes"])
def test_exported_pb_recounts_to_the_published_winners(app, client, two_orgs, tmp_path, rule):
    import random

    pot = make_pot(app, codes=25, rule=rule, projects=[
        (f"Prosiect {i}", f"Project {i}", cost) for i, cost in enumerate([300_000, 250_000, 450_000, 150_000, 500_000, 120_000])])
    from engage.ballots import box, voters

    rng = random.Random(7)
    with app.app_context():
        for code in pot.codes:
            chosen, total = [], 0
            for pid, cost in zip(pot.projects, [300_000, 250_000, 450_000, 150_000, 500_000, 120_000]):
                if rng.random() < 0.45 and total + cost <= 1_000_000:
                    chosen.append(pid)
                    total += cost
            from engage.ballots.models import Pot
            from engage.extensions import db
            box.cast_ballot(pot.id, box.Voter("code", voters.code_hash(db.session.get(Pot, pot.id), code)),
                                 {p: 1 for p in chosen or pot.projects[:1]})
    published = _publish(app, pot.id).outcomes[rule]["selected"]
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["pb", "export", str(pot.id)])
    assert exported.exit_code == 0, exported.output
    path = tmp_path / "pot.pb"
    path.write_text(exported.output)
    recount = runner.invoke(args=["pb", "tally", str(path), "--rule", rule, "--json"])
    assert json.loads(recount.output)["selected"] == published
    assert _pabutools_winners(exported.output, rule) == set(published)


def test_import_pabulib_makes_a_closed_pot_and_prints_its_id_last(app, two_orgs, tmp_path):
    path = tmp_path / "small.pb"
    path.write_text("META\nkey;value\ndescription;Trefynwy 2024\nnum_projects;3\nnum_votes;4\nbudget;1000\n"
                    "vote_type;approval\nrule;greedy\nPROJECTS\nproject_id;cost;name\n1;600;Parc\n2;500;Llyfrgell\n"
                    "3;300;Meinciau\nVOTES\nvoter_id;vote\n1;1,2\n2;1\n3;2,3\n4;1,3\n")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["pb", "import", str(path), "--org", "gwynedd"])
    assert result.exit_code == 0, result.output
    pot_id = int(result.output.strip().splitlines()[-1])
    from engage.ballots.models import Pot
    from engage.extensions import db

    with app.app_context():
        assert db.session.get(Pot, pot_id).status == "closed"
    data = _publish(app, pot_id)
    assert len(data.outcomes["greedy"]["selected"]) == 2 and data.turnout["total"] == 4
    bad = tmp_path / "bad.pb"
    bad.write_text("nonsense")
    assert runner.invoke(args=["pb", "import", str(bad), "--org", "gwynedd"]).exit_code == 2


# --- pages: access, both languages ------------------------------------------------------------


def test_staff_pages_belong_to_their_organisation(app, client, pot):
    sign_in(client, "admin-b@example.org")
    assert client.get(f"/en/manage/powys/pb/{pot.id}").status_code == 404
    assert client.get(f"/en/manage/gwynedd/pb/{pot.id}").status_code == 404
    client.get("/en/manage/powys/pb/")
    assert client.get("/en/manage/powys/pb/").status_code == 200


def test_staff_make_a_pot_projects_and_printable_codes(app, client, two_orgs):
    sign_in(client, "organiser-a@example.org")
    made = client.submit("/en/manage/gwynedd/pb/new", {
        "title-cy": "Cronfa Nefyn", "title-en": "Nefyn Fund", "budget": "5000", "ballot_type": "knapsack",
        "rule": "mes", "eligibility": "codes"})
    assert made.status_code == 302
    detail_url = made.headers["Location"]
    pot_id = int(detail_url.rstrip("/").split("/")[-1])
    for cy, en, cost in (("Parc", "Park", "3000"), ("Llwybr", "Path", "2500.50")):
        assert client.submit(f"/en/manage/gwynedd/pb/{pot_id}/projects/new", {
            "title-cy": cy, "title-en": en, "cost": cost}).status_code == 302
    html = client.get(detail_url).get_data(as_text=True)
    cards = client.post(f"/cy/manage/gwynedd/pb/{pot_id}/codes", data={"count": "3", "csrf_token": csrf_of(html)})
    page = cards.get_data(as_text=True)
    assert page.count('class="code-card"') == 3 and page.count('<svg role="img"') == 3
    assert page.index('lang="cy"', page.index("code-cards")) < page.index('lang="en"', page.index("code-cards"))
    assert "Dim ond unwaith y dangosir y codau" in page  # shown only once
    assert f"http://localhost/v/{pot_id}<" in page  # the language-neutral address (the QR adds the code)
    opened = client.post(f"/en/manage/gwynedd/pb/{pot_id}/open", data={"csrf_token": csrf_of(html)})
    assert opened.status_code == 302
    assert "Codes made" not in client.get(detail_url).get_data(as_text=True)


def test_no_english_on_welsh_ballot_pages(app, client, pot):
    client.get(f"/cy/pb/{pot.id}/vote")
    started = vote(client, pot.id, pot.codes[0], [pot.projects[0]], lang="cy")
    done_cy = client.get(started.headers["Location"]).get_data(as_text=True)
    done_en = client.get(started.headers["Location"].replace("/cy/", "/en/")).get_data(as_text=True)
    # The receipt and the project names are content; the interface text must all be Welsh.
    receipt = done_cy.split('id="receipt">')[1].split("<")[0]
    allow = {"Cost", "Bangor", receipt}  # "Cost" is the same word in Welsh; the rest is content
    problems = {"done": untranslated(done_cy, done_en, allow)}
    pages = [f"/cy/pb/", f"/cy/pb/{pot.id}", f"/cy/pb/{pot.id}/vote"]
    _publish(app, pot.id)
    pages.append(f"/cy/pb/{pot.id}/results")
    for path in pages:
        problems[path] = untranslated(client.get(path).get_data(as_text=True),
                                      client.get("/en" + path[3:]).get_data(as_text=True), allow)
    # Mid-ballot pages, in a second ballot.
    other = make_pot(app)
    page = client.get(f"/cy/pb/{other.id}/vote")
    client.post(f"/cy/pb/{other.id}/vote", data={"code": other.codes[0], "csrf_token": csrf_of(page.get_data(as_text=True))})
    html = client.get(f"/cy/pb/{other.id}/vote/choose").get_data(as_text=True)
    client.post(f"/cy/pb/{other.id}/vote/choose", data={"project": [str(other.projects[0])], "action": "update",
                                                           "csrf_token": csrf_of(html)})
    for step in ("choose", "check"):
        path = f"/cy/pb/{other.id}/vote/{step}"
        problems[path] = untranslated(client.get(path).get_data(as_text=True),
                                      client.get("/en" + path[3:]).get_data(as_text=True), allow)
    sign_in(client, "admin-a@example.org")
    for suffix in ("", "/edit", "/kiosk", "/paper", "/projects/new"):
        path = f"/cy/manage/gwynedd/pb/{other.id}{suffix}"
        problems[path] = untranslated(client.get(path).get_data(as_text=True),
                                      client.get("/en" + path[3:]).get_data(as_text=True),
                                      allow | {"admin-a@example.org"})
    assert {k: v for k, v in problems.items() if v} == {}


def test_bar_chart_is_pure_and_escapes(app):
    from engage.ballots.svg import bar_chart

    svg = str(bar_chart([{"title": "<b>Parc</b> " + "hir " * 30, "value": 3, "funded": True},
                         {"title": "Llwybr", "value": 0, "funded": False}],
                        title="Siart", chart_id="c", value_label="Pleidleisiau", funded_word="Wedi’i ariannu",
                        not_funded_word="Heb ei ariannu"))
    assert svg.startswith('<svg role="img" aria-labelledby="c-title"') and "<title id=\"c-title\">Siart</title>" in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg and svg.count("chart-label") >= 3  # a long title wraps


def test_a_pot_opened_meanwhile_refuses_an_edit_made_from_an_older_copy(app, two_orgs):
    """Status checks read the pot inside the write, not the copy the request loaded earlier."""
    from engage.ballots import lifecycle, pots
    from engage.ballots.models import Pot
    from engage.extensions import db

    pot = make_pot(app, open_it=False)
    with app.app_context():
        stale = db.session.get(Pot, pot.id)
        assert stale.status == "draft"
        with app.app_context():  # another request opens it
            lifecycle.open_pot(db.session.get(Pot, pot.id))
        with pytest.raises(pots.BallotRefusal) as err:
            pots.save_project(stale, {"title": {"cy": "Hwyr", "en": "Late"}, "cost_pence": 100})
        assert err.value.code == "fixed_once_open"
        db.session.rollback()
        assert len(db.session.get(Pot, pot.id).projects) == 4


def test_box_statements_write_every_column_of_the_box_and_the_roll(app):
    """The cast and seal statements are built from the table models: a column added to the box or the
    roll is written by every statement, or this fails (no SQL strings to keep in step by hand)."""
    from sqlalchemy.dialects import postgresql, sqlite

    from engage.ballots import box, seal
    from engage.ballots.models import BoxBallot, Receipt, RollEntry

    box_columns = [c.name for c in BoxBallot.__table__.columns]
    roll_columns = [c.name for c in RollEntry.__table__.columns]
    receipt_columns = [c.name for c in Receipt.__table__.columns]
    assert box.BOX_COLUMNS == tuple(box_columns) and box.RECEIPT_COLUMNS == tuple(receipt_columns)
    assert set(box.ROLL_COLUMNS) == set(roll_columns)
    for name, dialect in (("sqlite", sqlite.dialect()), ("postgresql", postgresql.psycopg.dialect())):
        for by_code in (True, False):
            statements = box.cast_statements(name, by_code)
            inserts = [s for s in statements]
            written = {}
            for statement in inserts:
                sql = str(statement.compile(dialect=dialect))
                for table, columns in (("pb_box", box_columns), ("pb_roll", roll_columns),
                                       ("pb_receipts", receipt_columns)):
                    marker = f"INSERT INTO {table} ("
                    if marker in sql:
                        listed = sql.split(marker, 1)[1].split(")", 1)[0].split(", ")
                        written[table] = listed
            assert written == {"pb_box": box_columns, "pb_roll": list(box.ROLL_COLUMNS),
                               "pb_receipts": receipt_columns}, (name, by_code)
    sealed = str(seal.seal_statement().compile(dialect=postgresql.psycopg.dialect()))
    assert f"INSERT INTO pb_box ({', '.join(box_columns)})" in sealed
    assert "RETURNING " + ", ".join(f"pb_box.{c}" for c in box_columns) in sealed


def test_a_ballot_the_box_refuses_leaves_no_voter_on_the_roll(app, pot):
    """All or nothing across the two tables: should the cached terms ever be wrong (here: a budget
    larger than the pot's), the box's own constraint refuses the ballot, and the roll row written
    before it goes too, so the code can still vote."""
    from engage.ballots import box, voters
    from engage.ballots.models import Pot
    from engage.extensions import db

    from pb_helpers import counts

    with app.app_context():
        p = db.session.get(Pot, pot.id)
        code = pot.codes[0]
        terms = box._open_terms(p.id)
        app.extensions["pb_open_terms"][p.id] = box.OpenTerms(10 * terms.budget_pence, terms.ballot_type, None, None,
                                                              terms.eligibility, terms.costs)
        all_projects = {pid: 1 for pid in pot.projects}  # £14,000 of a £10,000 budget
        with pytest.raises(box.BallotRefusal):
            box.cast_ballot(p.id, box.Voter("code", voters.code_hash(p, code)), all_projects)
    assert counts(app, pot.id) == (0, 0)
    with app.app_context():
        p = db.session.get(Pot, pot.id)
        assert voters.usable_code(p, code) is not None  # the wrong terms were dropped; the code still votes
        box.cast_ballot(p.id, box.Voter("code", voters.code_hash(p, code)), {pot.projects[0]: 1})
    assert counts(app, pot.id) == (1, 1)
