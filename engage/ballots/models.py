"""Funding pots, their projects, voter codes, and the three tables of a secret ballot.

Secrecy is a property of the schema and of sealing (``box.py``; what holds against whom is in
``docs/secrecy.md``). The voter roll (``pb_roll``: who may no longer vote), the ballot box
(``pb_box``: what was chosen) and the receipts (``pb_receipts``: that a ballot was put in) share no
column that could join them: no foreign key between them, no common key, no time in the box, and
no insertion-ordered id (random keys; WITHOUT ROWID on SQLite). What still pairs rows written by
one transaction (the order of cells within a page, the write-ahead log, PostgreSQL's ``xmin`` and
``ctid``) is removed by *sealing*: the pot's box is rewritten in random order under new keys, every
minute while ballots arrive and when the pot closes, and on SQLite the log is then emptied.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (BigInteger, CheckConstraint, Date, ForeignKey, ForeignKeyConstraint, Index, Integer, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..bilingual import Bilingual, bilingual_columns
from ..extensions import db
from ..types import UTCDateTime, utcnow

BALLOT_TYPES = ("knapsack", "approval", "points")
RULES = ("greedy", "mes")
STATUSES = ("draft", "open", "closed", "published")
ELIGIBILITY = ("codes", "open")
CHANNELS = ("code", "kiosk", "paper", "open")
#: The most an open vote's per-postcode or per-address cap may be (more would limit nothing).
MAX_CAP = 10_000


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _cap(column: str) -> str:
    """An open vote's cap: empty, or from 1 to MAX_CAP, and only on an open vote (migration 0011 repeats it)."""
    return f"{column} IS NULL OR (eligibility = 'open' AND {column} BETWEEN 1 AND {MAX_CAP})"


class Pot(Bilingual, db.Model):
    """A funding pot put to a vote (a "ballot" in the issue)."""

    __tablename__ = "pb_pots"
    bilingual_fields = ("title", "description")

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title_cy, title_en = bilingual_columns(200)
    description_cy, description_en = bilingual_columns(None)
    area_cy, area_en = bilingual_columns(100)
    budget_pence: Mapped[int] = mapped_column(BigInteger)
    ballot_type: Mapped[str] = mapped_column(String(10), default="knapsack")
    #: k-approval: at most this many projects.
    max_choices: Mapped[int | None] = mapped_column(Integer)
    #: Points ballots: spread exactly this many points.
    points_total: Mapped[int | None] = mapped_column(Integer)
    #: The counting rule; fixed once the pot opens (pots.update_pot refuses to change it).
    rule: Mapped[str] = mapped_column(String(10), default="greedy")
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    eligibility: Mapped[str] = mapped_column(String(10), default="codes")
    #: Open mode: postcode prefixes in the area, comma-separated ("LL55, LL54").
    postcode_prefixes: Mapped[str | None] = mapped_column(String(500))
    #: Open mode, optional: most ballots cast from one full postcode, and from one internet address
    #: (counted in the shared limiter store, ``caps.py``). Fixed once the pot opens.
    max_per_postcode: Mapped[int | None] = mapped_column(Integer)
    max_per_address: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    #: Salt for voter-code and browser-token hashes (per pot, so a hash means nothing elsewhere).
    code_salt: Mapped[str] = mapped_column(String(32))
    #: The published count (JSON text): both rules' outcomes, turnout, receipts. Set on publishing.
    results_json: Mapped[str | None] = mapped_column(Text)
    #: How many ballots the box held when it was last sealed (fewer than now: it needs sealing).
    sealed_ballots: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: True for pots imported from a pabulib file (demo and training data, not a real vote).
    imported: Mapped[bool] = mapped_column(default=False)
    #: The currency of the budget and costs (ISO 4217): GBP for pots made here, the file's for imports.
    currency: Mapped[str] = mapped_column(String(3), default="GBP", server_default="GBP")
    #: Stored amounts (``budget_pence``, ``cost_pence``) per unit of ``currency``: 100 (pence) for pots
    #: made here; 1 for an imported file's whole units (1,070,000 PLN is stored as 1070000).
    amount_scale: Mapped[int] = mapped_column(Integer, default=100, server_default="100")
    #: An imported file's META, in its order (JSON list of [key, value]): exported unchanged.
    source_meta: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org = relationship("Organisation", lazy="joined")
    projects = relationship("Project", back_populates="pot", order_by="Project.id", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("budget_pence > 0", name="budget_positive"),
        CheckConstraint(_in("ballot_type", BALLOT_TYPES), name="ballot_type_known"),
        CheckConstraint(_in("rule", RULES), name="rule_known"),
        CheckConstraint(_in("status", STATUSES), name="status_known"),
        CheckConstraint(_in("eligibility", ELIGIBILITY), name="eligibility_known"),
        CheckConstraint("ballot_type <> 'approval' OR max_choices >= 1", name="approval_needs_k"),
        CheckConstraint("ballot_type <> 'points' OR points_total >= 1", name="points_need_total"),
        CheckConstraint("opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at", name="opens_before_closes"),
        CheckConstraint(_cap("max_per_postcode"), name="postcode_cap_open"),
        CheckConstraint(_cap("max_per_address"), name="address_cap_open"),
        # Target of the box's composite foreign key: a ballot's copy of the budget cannot lie.
        UniqueConstraint("id", "budget_pence", "ballot_type", name="uq_pb_pots_id_budget_type"),
    )


class Project(Bilingual, db.Model):
    """A project residents can choose."""

    __tablename__ = "pb_projects"
    bilingual_fields = ("title", "summary")

    id: Mapped[int] = mapped_column(primary_key=True)
    pot_id: Mapped[int] = mapped_column(ForeignKey("pb_pots.id", ondelete="CASCADE"), index=True)
    title_cy, title_en = bilingual_columns(200)
    summary_cy, summary_en = bilingual_columns(None)
    #: The longer text on the project's own page (optional; both languages or neither, as the form asks).
    description_cy, description_en = bilingual_columns(None)
    cost_pence: Mapped[int] = mapped_column(BigInteger)
    proposer: Mapped[str | None] = mapped_column(String(200))
    category_cy, category_en = bilingual_columns(100)
    location_cy, location_en = bilingual_columns(200)
    #: A picture uploaded with the form (``images``), of the pot's own organisation (``pots.save_project``).
    image_id: Mapped[int | None] = mapped_column(ForeignKey("images.id", ondelete="SET NULL"))
    #: Unused since 0016: an address on another site, which the page's ``img-src 'self'`` never showed.
    #: Kept (not dropped) because dropping it on SQLite means rebuilding a table others refer to.
    image_url: Mapped[str | None] = mapped_column(String(500))
    image_alt_cy, image_alt_en = bilingual_columns(300)
    #: An imported project's id in its file (exported unchanged); None for projects made here.
    source_id: Mapped[str | None] = mapped_column(Text)
    #: An imported project's extra PROJECTS columns (JSON list of [column, value]), exported unchanged.
    source_extra: Mapped[str | None] = mapped_column(Text)

    pot = relationship("Pot", back_populates="projects")
    image = relationship("StoredImage", lazy="joined", innerjoin=False)

    __table_args__ = (
        CheckConstraint("cost_pence > 0", name="cost_positive"),
        # Migration 0016 repeats it (on SQLite as a check on the new column).
        CheckConstraint("image_id IS NULL OR (image_alt_cy IS NOT NULL AND image_alt_en IS NOT NULL)",
                        name="image_needs_alt"),
    )


class VoterCode(db.Model):
    """A single-use voter code, kept only as a salted hash (the plain code is shown once)."""

    __tablename__ = "pb_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    pot_id: Mapped[int] = mapped_column(ForeignKey("pb_pots.id", ondelete="CASCADE"), index=True)
    #: sha256(pot salt + normalised code), hex.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: "card" (printed) or "kiosk" (issued on a kiosk for one voter).
    kind: Mapped[str] = mapped_column(String(6), default="card")
    created_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (CheckConstraint("kind IN ('card', 'kiosk')", name="kind_known"),)


class RollEntry(db.Model):
    """The voter roll: that a code (or a browser, or a paper ballot) has voted. Never what."""

    __tablename__ = "pb_roll"

    #: Random (uuid4 hex): no insertion order.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    pot_id: Mapped[int] = mapped_column(ForeignKey("pb_pots.id", ondelete="CASCADE"), index=True)
    #: One ballot per code: the database refuses a second row for the same code.
    code_id: Mapped[int | None] = mapped_column(ForeignKey("pb_codes.id", ondelete="CASCADE"), unique=True)
    #: Open mode: sha256(pot salt + browser cookie token); one ballot per browser per pot.
    browser_hash: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(6))
    voted_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel_known"),
        CheckConstraint("(channel IN ('code', 'kiosk')) = (code_id IS NOT NULL)", name="code_channels_have_code"),
        CheckConstraint("(channel = 'open') = (browser_hash IS NOT NULL)", name="open_channel_has_browser"),
        UniqueConstraint("pot_id", "browser_hash", name="uq_pb_roll_pot_browser"),
        # On SQLite, no rowid: an insertion-ordered rowid would keep the order people voted in.
        {"sqlite_with_rowid": False},
    )


class BoxBallot(db.Model):
    """The ballot box: one row per ballot cast, with what was chosen. Never who, when, how or a receipt.

    Nothing here may follow the order ballots were cast or single one out: no channel, no date, no
    receipt (those would pair a box row with its roll row or its voter's receipt).
    """

    __tablename__ = "pb_box"

    #: Random (uuid4 hex), new at every seal, so neither the key nor (on SQLite, WITHOUT ROWID) the
    #: storage order follows the order ballots were cast.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    pot_id: Mapped[int] = mapped_column(Integer)
    #: Copies of the pot's budget and ballot type, held true by the composite foreign key below,
    #: so the database itself refuses a knapsack ballot over budget.
    budget_pence: Mapped[int] = mapped_column(BigInteger)
    ballot_type: Mapped[str] = mapped_column(String(10))
    #: What the chosen projects cost together.
    total_pence: Mapped[int] = mapped_column(BigInteger)
    #: JSON object {project id: points}; 1 point each on knapsack and approval ballots.
    choices: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        ForeignKeyConstraint(["pot_id", "budget_pence", "ballot_type"],
                             ["pb_pots.id", "pb_pots.budget_pence", "pb_pots.ballot_type"],
                             name="fk_pb_box_pot_budget", ondelete="CASCADE"),
        CheckConstraint("total_pence >= 0", name="total_not_negative"),
        CheckConstraint("ballot_type <> 'knapsack' OR total_pence <= budget_pence", name="within_budget"),
        Index("ix_pb_box_pot_id", "pot_id"),
        {"sqlite_with_rowid": False},
    )


class Receipt(db.Model):
    """That a ballot with this receipt was put in the box: what a voter checks, and nothing more.

    Kept apart from the box, so a receipt (which a voter may be made to show) leads to no choices.
    Written in the ballot's transaction; keyed by the hash itself (random), WITHOUT ROWID on SQLite.
    """

    __tablename__ = "pb_receipts"

    #: sha256 of the receipt code given to the voter (the published list shows a fingerprint of it).
    receipt_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    pot_id: Mapped[int] = mapped_column(ForeignKey("pb_pots.id", ondelete="CASCADE"), index=True)

    __table_args__ = ({"sqlite_with_rowid": False},)


class PaperEntry(db.Model):
    """A paper ballot typed in by one member of staff, waiting for a second to check it.

    It has no voter identity (paper ballots are anonymous); who typed it is kept so that a
    different person must check it. Once checked it moves to the roll and the box and this row
    is deleted; the audit log keeps who entered and who checked, never the choices.
    """

    __tablename__ = "pb_paper_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    pot_id: Mapped[int] = mapped_column(ForeignKey("pb_pots.id", ondelete="CASCADE"), index=True)
    choices: Mapped[str] = mapped_column(Text)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    entered_on: Mapped[date] = mapped_column(Date)

    entered_by = relationship("User", lazy="joined")


class ResultCheck(db.Model):
    """Four eyes on a result: one member of staff counts a closed pot into a private preview, and a
    different one, an admin, signs it off, which publishes it. The database refuses one person as both.
    """

    __tablename__ = "pb_result_checks"

    pot_id: Mapped[int] = mapped_column(ForeignKey("pb_pots.id", ondelete="CASCADE"), primary_key=True)
    #: The counted result, as ``results.PublishedResult.to_json`` wrote it; what the signer saw.
    result_json: Mapped[str] = mapped_column(Text)
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    counted_by = relationship("User", foreign_keys=[counted_by_id], lazy="joined")
    signed_off_by = relationship("User", foreign_keys=[signed_off_by_id], lazy="joined")

    __table_args__ = (
        CheckConstraint("signed_off_by_id IS NULL OR counted_by_id IS NULL OR signed_off_by_id <> counted_by_id",
                        name="two_people"),
        CheckConstraint("(signed_off_by_id IS NULL) = (signed_off_at IS NULL)", name="signed_off_when"),
    )


class Kiosk(db.Model):
    """A kiosk session: a device at a named event where voters take a fresh code behind the scenes.

    An admin starts it on the device itself, which is then signed out of the staff area: the
    device holds only the kiosk's token (its hash is kept here). It issues codes between
    ``starts_at`` and ``ends_at`` until it is ended, by the PIN set when it started (on the device)
    or by staff (on the fund's page). Its running count is the ballots cast with its codes.
    """

    __tablename__ = "pb_kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    pot_id: Mapped[int] = mapped_column(ForeignKey("pb_pots.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: sha256 of the token in the device's session.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The PIN that ends the kiosk on the device (a password hash); refused after too many wrong tries.
    pin_hash: Mapped[str] = mapped_column(String(200))
    wrong_pins: Mapped[int] = mapped_column(Integer, default=0)
    #: When it last gave a voter a code: the next waits :data:`kiosk.BETWEEN_VOTERS` (a copied
    #: device cookie is not a fast remote ballot box).
    last_code_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    pot = relationship("Pot", lazy="joined")
    event = relationship("Event", lazy="joined")
    started_by = relationship("User", lazy="joined")

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("wrong_pins >= 0", name="wrong_pins_counted"),
    )


class KioskCode(db.Model):
    """Which kiosk issued a kiosk code: the running count is the roll rows of its codes. (The roll
    says only *that* a code voted, so this says nothing about any ballot's choices.)"""

    __tablename__ = "pb_kiosk_codes"

    code_id: Mapped[int] = mapped_column(ForeignKey("pb_codes.id", ondelete="CASCADE"), primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("pb_kiosks.id", ondelete="CASCADE"), index=True)
