"""pb_pots and pb_projects keep what an imported pabulib file said, so that exporting it gives the file
back (issue #20): the pot's currency and how many stored amounts make one unit of it, the file's META
in order, and each project's id and extra PROJECTS columns in the file.

- ``pb_pots.currency`` (ISO 4217, ``GBP`` for every existing pot) and ``pb_pots.amount_scale`` (100:
  the budget and costs are pence, as on every pot made in Engage; 1: whole units, as an imported
  file gives them).
- ``pb_pots.source_meta``: the file's META as a JSON list of [key, value] pairs (NULL: made in Engage).
- ``pb_projects.source_id`` and ``pb_projects.source_extra`` (JSON list of [column, value] pairs).

Plain ADD COLUMN on both databases (never a batch rebuild: the box and the roll refer to pb_pots).
Existing imported pots keep NULLs and export as before (their ids and GBP): their files were not kept.
Revision 0023_pb_source, after 0022_event_bilingual_fields (2026-12-06).
"""
import sqlalchemy as sa
from alembic import op

revision = "0023_pb_source"
down_revision = "0022_event_bilingual_fields"
branch_labels = depends_on = None


def upgrade():
    op.add_column("pb_pots", sa.Column("currency", sa.String(length=3), nullable=False, server_default="GBP"))
    op.add_column("pb_pots", sa.Column("amount_scale", sa.Integer(), nullable=False, server_default="100"))
    op.add_column("pb_pots", sa.Column("source_meta", sa.Text(), nullable=True))
    op.add_column("pb_projects", sa.Column("source_id", sa.Text(), nullable=True))
    op.add_column("pb_projects", sa.Column("source_extra", sa.Text(), nullable=True))


def downgrade():
    for name in ("source_extra", "source_id"):
        op.drop_column("pb_projects", name)
    for name in ("source_meta", "amount_scale", "currency"):
        op.drop_column("pb_pots", name)
