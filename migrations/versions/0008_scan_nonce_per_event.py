"""checkin: a scan's nonce is unique per event, not across every organisation's events.

A nonce unique across all events let one organisation's door replay another's scan, and so read the
name on it. Revision 0008_scan_nonce_per_event, after 0007_ballot_secrecy (2026-11-25).
"""
from alembic import op

revision = "0008_scan_nonce_per_event"
down_revision = "0007_ballot_secrecy"
branch_labels = depends_on = None

# SQLite copies the table to change a constraint; reflecting it without the tables its foreign keys
# name spares reflecting users' expression index (a warning, and warnings are errors in the tests).
REFLECT = {"resolve_fks": False}


def upgrade():
    with op.batch_alter_table('scans', schema=None, reflect_kwargs=REFLECT) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_scans_nonce'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_scans_event_id_nonce'), ['event_id', 'nonce'])


def downgrade():
    # Fails if two events now hold the same nonce, as it should: that data cannot go back.
    with op.batch_alter_table('scans', schema=None, reflect_kwargs=REFLECT) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_scans_event_id_nonce'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_scans_nonce'), ['nonce'])
