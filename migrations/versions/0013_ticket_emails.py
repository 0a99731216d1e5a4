"""ticket emails and places: files kept with outbox messages (a ticket's QR code, a calendar file), and when
each ticket's reminder was sent; an event's capacity and its waiting list

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
    # Plain ADD COLUMN everywhere: never a rebuild of a table others refer to.
    op.add_column('outbox_messages', sa.Column('attachments', sa.JSON(), server_default='[]', nullable=False))
    op.add_column('tickets', sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('tickets', sa.Column('waiting', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Capacity, with its check. Not batch mode on SQLite: rebuilding event_checkins is not needed when
    # SQLite can add a column with its own (named) check in place.
    check = "capacity IS NULL OR capacity BETWEEN 1 AND 100000"
    if op.get_bind().dialect.name == "sqlite":  # a column check SQLite can drop with the column
        op.execute(f"ALTER TABLE event_checkins ADD COLUMN capacity INTEGER CHECK ({check})")
    else:
        op.add_column('event_checkins', sa.Column('capacity', sa.Integer(), nullable=True))
        op.create_check_constraint('ck_event_checkins_capacity_range', 'event_checkins', check)



def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+), not batch mode: rebuilding `tickets` with foreign keys on would
    # cascade to its scans.
    op.drop_column('tickets', 'reminded_at')
    op.drop_column('tickets', 'waiting')
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint('ck_event_checkins_capacity_range', 'event_checkins', type_='check')
    op.drop_column('event_checkins', 'capacity')
    op.drop_column('outbox_messages', 'attachments')
