"""user sessions: one row per signed-in browser, in place of a token per user

Revision ID: 0010_user_sessions
Revises: 0009_scan_form_pass
Create Date: 2026-12-06 07:33:48.056651

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_user_sessions'
down_revision = '0009_scan_form_pass'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_user_sessions_key_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not batch mode: rebuilding `users` on SQLite
    # would drop it with foreign keys on, which cascades to every membership, and would lose the
    # expression index uq_users_email_lower, which SQLite cannot reflect. Signs everybody out once.
    op.drop_column('users', 'session_token')


def downgrade():
    op.add_column('users', sa.Column('session_token', sa.String(length=43), nullable=False, server_default=''))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.text("SELECT id FROM users")).all():
        conn.execute(sa.text("UPDATE users SET session_token = :token WHERE id = :id"),
                     {"token": secrets.token_urlsafe(32), "id": user_id})

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_sessions_created_at'))

    op.drop_table('user_sessions')
