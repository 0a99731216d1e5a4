"""ballot secrecy: receipts apart from choices, nothing in the box that pairs it with the roll

The box loses its receipt hash, channel and date: receipts move to their own table (pb_receipts), so
a receipt proves that a ballot was counted but leads to no choices; channel and date could single
out a ballot (the only kiosk vote of a day). On SQLite the roll becomes WITHOUT ROWID (no insertion-
ordered rowid). Pots record how many ballots their box held when last sealed.

Revision ID: 0007_ballot_secrecy
Revises: 0006_ballots
Create Date: 2026-12-06 07:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_ballot_secrecy'
down_revision = '0006_ballots'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pb_receipts',
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.Column('pot_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pot_id'], ['pb_pots.id'], name=op.f('fk_pb_receipts_pot_id_pb_pots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('receipt_hash', name=op.f('pk_pb_receipts')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('pb_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pb_receipts_pot_id'), ['pot_id'], unique=False)
    # Receipts already in boxes move to their own table (a sealed box is rewritten anyway).
    op.execute("INSERT INTO pb_receipts (receipt_hash, pot_id) SELECT receipt_hash, pot_id FROM pb_box")
    with op.batch_alter_table('pb_box', schema=None, table_kwargs={"sqlite_with_rowid": False}) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_pb_box_receipt_hash'), type_='unique')
        batch_op.drop_constraint(batch_op.f('ck_pb_box_channel_known'), type_='check')
        batch_op.drop_column('receipt_hash')
        batch_op.drop_column('channel')
        batch_op.drop_column('cast_on')
    if op.get_bind().dialect.name == "sqlite":
        # Rebuilt as WITHOUT ROWID (its rowids numbered voters in the order they voted).
        with op.batch_alter_table('pb_roll', schema=None, recreate='always',
                                  table_kwargs={"sqlite_with_rowid": False}) as batch_op:
            pass
    with op.batch_alter_table('pb_pots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_ballots', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('pb_pots', schema=None) as batch_op:
        batch_op.drop_column('sealed_ballots')
    with op.batch_alter_table('pb_box', schema=None, table_kwargs={"sqlite_with_rowid": False}) as batch_op:
        batch_op.add_column(sa.Column('receipt_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('channel', sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column('cast_on', sa.Date(), nullable=True))
        # Receipts cannot go back beside the choices they were kept apart from: they stay empty.
        batch_op.create_unique_constraint(batch_op.f('uq_pb_box_receipt_hash'), ['receipt_hash'])
        batch_op.create_check_constraint(batch_op.f('ck_pb_box_channel_known'),
                                         "channel IN ('code', 'kiosk', 'paper', 'open')")
    with op.batch_alter_table('pb_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pb_receipts_pot_id'))
    op.drop_table('pb_receipts')
