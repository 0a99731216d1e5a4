"""ballots: open voting's optional caps, most ballots from one postcode and from one internet address.

Two nullable integers on pb_pots, each with a check: empty, or 1 to 10,000 on an open vote only.
Revision 0012_open_vote_caps, after 0011_four_eyes_kiosks (2026-12-06).
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_open_vote_caps"
down_revision = "0011_four_eyes_kiosks"
branch_labels = depends_on = None

#: (column, check name without the table prefix); the checks repeat ``models._cap`` as it is today.
CAPS = (("max_per_postcode", "postcode_cap_open"), ("max_per_address", "address_cap_open"))


def _check(column):
    return f"{column} IS NULL OR (eligibility = 'open' AND {column} BETWEEN 1 AND 10000)"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # Not batch mode: rebuilding pb_pots drops it, and with foreign keys on that deletes every
        # project, code, roll row and ballot. SQLite adds a column with its own (named) check in place.
        for column, name in CAPS:
            op.execute(f"ALTER TABLE pb_pots ADD COLUMN {column} INTEGER "
                       f"CONSTRAINT ck_pb_pots_{name} CHECK ({_check(column)})")
        return
    for column, name in CAPS:
        op.add_column("pb_pots", sa.Column(column, sa.Integer(), nullable=True))
        op.create_check_constraint(op.f(f"ck_pb_pots_{name}"), "pb_pots", _check(column))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column together with its own column check, again without a rebuild.
        for column, _name in CAPS:
            op.execute(f"ALTER TABLE pb_pots DROP COLUMN {column}")
        return
    for column, name in CAPS:
        op.drop_constraint(op.f(f"ck_pb_pots_{name}"), "pb_pots", type_="check")
        op.drop_column("pb_pots", column)
