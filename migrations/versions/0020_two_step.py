"""accounts: two-step sign-in (an authenticator app's codes, one-time recovery codes), and an
organisation's rule that its administrators use it.

Revision 0020_two_step, after 0019_project_images (2026-12-06).
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_two_step"
down_revision = "0019_project_images"
branch_labels = depends_on = None


def upgrade():
    # Plain ADD COLUMN: never a rebuild of users or organisations (everything refers to them).
    op.add_column("users", sa.Column("totp_sealed", sa.String(length=120), nullable=True))
    op.add_column("users", sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.add_column("organisations", sa.Column("require_two_step", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_codes_code_hash")),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_recovery_codes_user_id"), table_name="recovery_codes")
    op.drop_table("recovery_codes")
    # Dropped in place (SQLite 3.35+ can): a batch rebuild of users or organisations would cascade.
    for table, column in (("organisations", "require_two_step"), ("users", "totp_last_step"), ("users", "totp_sealed")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
