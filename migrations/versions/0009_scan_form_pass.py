"""checkin: the rotating screen's form pass a check-in spent, one check-in per pass.

One pass posted again and again, each time with a new nonce, counted a person each time. Revision
0009_scan_form_pass, after 0008_scan_nonce_per_event (2026-11-25).
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_scan_form_pass"
down_revision = "0008_scan_nonce_per_event"
branch_labels = depends_on = None
ONE_USE = {"unique": True, "sqlite_where": sa.text("form_pass IS NOT NULL"),
           "postgresql_where": sa.text("form_pass IS NOT NULL")}


def upgrade():
    # Adding a column and an index needs no copy of the table, even on SQLite: no batch mode.
    op.add_column("scans", sa.Column("form_pass", sa.String(length=16), nullable=True))
    op.create_index("uq_scans_one_use_per_form_pass", "scans", ["event_id", "form_pass"], **ONE_USE)


def downgrade():
    op.drop_index("uq_scans_one_use_per_form_pass", table_name="scans", **ONE_USE)
    with op.batch_alter_table("scans", schema=None, reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_column("form_pass")
