"""checkin: one self check-in per phone per event, the phone's mark kept with its check-ins.

The same phone scanning the poster again was counted again (3 → 4 → 5): each visit drew a form with
a new nonce. A check-in from the poster now carries a hash of a random mark the phone keeps in a
cookie for that event, and the database takes one successful check-in per mark and event.
Revision 0014_scan_device_mark, after 0013_ticket_emails (2026-12-06).
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_scan_device_mark"
down_revision = "0013_ticket_emails"
branch_labels = depends_on = None
WHERE = "result = 'ok' AND undone_at IS NULL AND device_mark IS NOT NULL"
ONE_EACH = {"unique": True, "sqlite_where": sa.text(WHERE), "postgresql_where": sa.text(WHERE)}


def upgrade():
    # A column and an index need no copy of the table, even on SQLite: no batch mode.
    op.add_column("scans", sa.Column("device_mark", sa.String(length=32), nullable=True))
    op.create_index("uq_scans_one_entry_per_device", "scans", ["event_id", "device_mark"], **ONE_EACH)


def downgrade():
    op.drop_index("uq_scans_one_entry_per_device", table_name="scans", **ONE_EACH)
    with op.batch_alter_table("scans", schema=None, reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_column("device_mark")
