"""events: a monthly report kept as it was sent, with the officer's narrative for the month.

A kept report is now four files (HTML and CSV, each in Welsh and in English), rendered once when it is
kept; ``narrative_cy``/``narrative_en`` hold the month's overall narrative the officer wrote for it.
Older CSV rows (``lang = 'both'``) stay as they were.
Revision 0021_report_snapshot, after 0020_two_step (2026-12-06).
"""
import sqlalchemy as sa
from alembic import op

revision = "0021_report_snapshot"
down_revision = "0020_two_step"
branch_labels = depends_on = None
COLUMNS = ("narrative_cy", "narrative_en")


def upgrade():
    # Plain ADD COLUMN (never batch mode): nullable text, which SQLite adds in place.
    for column in COLUMNS:
        op.add_column("monthly_reports", sa.Column(column, sa.Text(), nullable=True))


def downgrade():
    for column in reversed(COLUMNS):
        op.drop_column("monthly_reports", column)
