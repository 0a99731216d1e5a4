"""ticket emails: files kept with outbox messages (a ticket's QR code, a calendar file), and when
each ticket's reminder was sent

Revision ID: 0013_ticket_emails
Revises: 0012_open_vote_caps
Create Date: 2026-12-06 10:09:27.512822

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_ticket_emails'
down_revision = '0012_open_vote_caps'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachments', sa.JSON(), server_default='[]', nullable=False))

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+), not batch mode: rebuilding `tickets` with foreign keys on would
    # cascade to its scans.
    op.drop_column('tickets', 'reminded_at')
    op.drop_column('outbox_messages', 'attachments')
