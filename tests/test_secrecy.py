"""Ballot secrecy against whoever holds the database files (docs/secrecy.md): the attacks, run for real.

Each attack is first shown to work on a box that has not been sealed (so the test can fail), then
shown to pair no more than chance once the box is sealed. Every ballot here is different, so a
pairing is either right or wrong: 30 ballots, and a random pairing gets 8 or more right less than
once in 20,000 runs.
"""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select, text

from factories import make_pot
from sqlite_forensics import replay, table_cells, wal_commits, written_order

BALLOTS = 30
#: Fewer than this many right pairings is what chance gives (see the module docstring).
CHANCE = 8


def _cast(app, pot) -> tuple[dict[int, str], list[str]]:  # type: ignore[no-untyped-def]
    """Cast ``BALLOTS`` ballots, each its own choices; returns {code id: choices as stored} and the receipts."""
    from engage.ballots import box, voters
    from engage.ballots.models import Pot, VoterCode
    from engage.extensions import db

    truth: dict[int, str] = {}
    receipts = []
    with app.app_context():
        p = db.session.get(Pot, pot.id)
        for n, code in enumerate(pot.codes[:BALLOTS]):
            choices = {pot.projects[0]: n + 1, pot.projects[1]: 2 * BALLOTS - n - 1}
            hashed = voters.code_hash(p, code)
            receipts.append(box.cast_ballot(p.id, box.Voter("code", hashed), choices))
            code_id = db.session.scalar(select(VoterCode.id).where(VoterCode.code_hash == hashed))
            truth[code_id] = json.dumps({str(k): v for k, v in sorted(choices.items())})
        db.session.remove()
    return truth, receipts


def _points_pot(app):  # type: ignore[no-untyped-def]
    return make_pot(app, codes=BALLOTS, ballot_type="points", points_total=2 * BALLOTS)


def _seal(app, pot_id: int) -> None:  # type: ignore[no-untyped-def]
    from engage.ballots import seal
    from engage.ballots.models import Pot
    from engage.extensions import db

    with app.app_context():
        assert seal.seal_box(db.session.get(Pot, pot_id))
        db.session.remove()


def _db_path(app) -> Path:  # type: ignore[no-untyped-def]
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def _pair_by_cell_order(copy: Path, pot_id: int) -> list[tuple[int, str]]:
    """The attack on a copy of the database file: the roll's and the box's rows, each in the order their
    cells say they were written, matched one to one."""
    roll = [row for row in written_order(table_cells(copy, "pb_roll")) if row[1] == pot_id]
    ballots = [row for row in written_order(table_cells(copy, "pb_box")) if row[1] == pot_id]
    assert len(roll) == len(ballots) == BALLOTS
    return [(r[2], b[5]) for r, b in zip(roll, ballots)]  # (code id, choices)


@pytest.mark.sqlite_only
def test_the_order_cells_are_stored_in_pairs_no_ballot_in_a_sealed_box(app, two_orgs, tmp_path):
    """A copy of the database file (a backup, say): within a page each new cell is stored below the
    last, so the roll and the box, each read in that order, would pair every voter with their choices."""
    from engage.backup import backup

    pot = _points_pot(app)
    truth, _receipts = _cast(app, pot)
    with app.app_context():
        backup(tmp_path / "unsealed.sqlite3")
    right = sum(truth[code] == choices for code, choices in _pair_by_cell_order(tmp_path / "unsealed.sqlite3", pot.id))
    assert right == BALLOTS  # the attack works on an unsealed box
    _seal(app, pot.id)
    with app.app_context():
        backup(tmp_path / "sealed.sqlite3")
    right = sum(truth[code] == choices for code, choices in _pair_by_cell_order(tmp_path / "sealed.sqlite3", pot.id))
    assert right < CHANCE


@pytest.mark.sqlite_only
def test_engage_backup_seals_before_it_copies(app, two_orgs, tmp_path):
    pot = _points_pot(app)
    truth, _receipts = _cast(app, pot)
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
    assert result.exit_code == 0, result.output
    right = sum(truth[code] == choices for code, choices in _pair_by_cell_order(tmp_path / "copy.sqlite3", pot.id))
    assert right < CHANCE
    assert stat.S_IMODE(os.stat(tmp_path / "copy.sqlite3").st_mode) == 0o600


@pytest.mark.sqlite_only
def test_replaying_the_write_ahead_log_pairs_no_ballot_once_sealed(app, two_orgs, tmp_path):
    """The -wal file holds every page each commit wrote, commit by commit: one ballot, one commit, so
    replaying it pairs each new roll row with the box row that came with it. Sealing empties it."""
    db_path = _db_path(app)
    wal = Path(f"{db_path}-wal")
    pot = _points_pot(app)
    truth, _receipts = _cast(app, pot)
    query = "SELECT 'roll', code_id FROM pb_roll UNION ALL SELECT 'box', choices FROM pb_box"

    def attack() -> int:
        right, seen = 0, set()
        for rows in replay(db_path, wal, tmp_path / "replay", query):
            new = rows - seen
            seen |= rows
            codes = [value for kind, value in new if kind == "roll"]
            ballots = [value for kind, value in new if kind == "box"]
            if len(codes) == len(ballots) == 1:
                right += truth.get(codes[0]) == ballots[0]
        return right

    assert attack() == BALLOTS  # the attack works before the seal
    _seal(app, pot.id)
    assert wal.stat().st_size == 0 and wal_commits(wal) == []  # nothing left to replay, of any generation
    assert attack() == 0


def test_a_receipt_proves_a_ballot_was_counted_and_leads_to_no_choices(app, two_orgs, tmp_path):
    """Receipts live apart from the box: the hash of a voter's receipt finds that a ballot was put in,
    and nothing else. On PostgreSQL the receipt and the sealed box row share no transaction id; on
    SQLite their storage order pairs nothing."""
    from engage.ballots import box
    from engage.ballots.models import BoxBallot, Pot, Receipt
    from engage.extensions import db

    pot = _points_pot(app)
    truth, receipts = _cast(app, pot)
    _seal(app, pot.id)
    with app.app_context():
        dialect = db.engine.dialect.name
        p = db.session.get(Pot, pot.id)
        assert all(box.receipt_counted(p, r) for r in receipts)
        assert set(BoxBallot.__table__.columns.keys()).isdisjoint({"receipt_hash", "channel", "cast_on"})
        assert set(Receipt.__table__.columns.keys()) == {"receipt_hash", "pot_id"}
        if dialect == "postgresql":
            paired = db.session.execute(text(
                "SELECT count(*) FROM pb_receipts r JOIN pb_box b ON r.xmin::text = b.xmin::text "
                "WHERE r.pot_id = :p"), {"p": p.id}).scalar()
            assert paired == 0
    if dialect != "sqlite":
        return
    from engage.backup import backup

    with app.app_context():
        backup(tmp_path / "copy.sqlite3")
    by_receipt = {box.receipt_hash(r): truth_choices for r, truth_choices in zip(receipts, truth.values())}
    stored = [row for row in written_order(table_cells(tmp_path / "copy.sqlite3", "pb_receipts")) if row[1] == pot.id]
    ballots = [row for row in written_order(table_cells(tmp_path / "copy.sqlite3", "pb_box")) if row[1] == pot.id]
    right = sum(by_receipt[r[0]] == b[5] for r, b in zip(stored, ballots))
    assert right < CHANCE


@pytest.mark.sqlite_only
def test_the_database_files_and_instance_folder_are_private(app, two_orgs):
    pot = make_pot(app, codes=1)
    from engage.ballots import box, voters
    from engage.ballots.models import Pot
    from engage.extensions import db

    with app.app_context():
        p = db.session.get(Pot, pot.id)
        box.cast_ballot(p.id, box.Voter("code", voters.code_hash(p, pot.codes[0])), {pot.projects[0]: 1})
    db_path = _db_path(app)
    for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    assert stat.S_IMODE(os.stat(app.instance_path).st_mode) == 0o700
