"""accounts: invitations and password resets sent by email (links that work once), and what browser
each signed-in session is, so a person can tell their sessions apart.

Revision 0016_account_links, after 0015_images (2026-12-06).
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_account_links"
down_revision = "0015_images"
branch_labels = depends_on = None


def upgrade():
    op.create_table(
        "account_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("lang", sa.String(length=4), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("purpose IN ('invite', 'reset')", name=op.f("ck_account_links_purpose_known")),
        sa.CheckConstraint("purpose <> 'invite' OR (org_id IS NOT NULL AND role IN ('admin', 'organiser'))",
                           name=op.f("ck_account_links_invite_has_org_and_role")),
        sa.CheckConstraint("purpose <> 'reset' OR user_id IS NOT NULL", name=op.f("ck_account_links_reset_has_user")),
        sa.CheckConstraint("lang IS NULL OR lang IN ('cy', 'en', 'both')", name=op.f("ck_account_links_lang_known")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_account_links_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"], name=op.f("fk_account_links_org_id_organisations"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_account_links_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_links_token_hash")),
    )
    op.create_index(op.f("ix_account_links_org_id"), "account_links", ["org_id"], unique=False)
    op.create_index(op.f("ix_account_links_user_id"), "account_links", ["user_id"], unique=False)
    # A plain ADD COLUMN: never a rebuild of a table others refer to.
    op.add_column("user_sessions", sa.Column("user_agent", sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table("user_sessions", reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_column("user_agent")
    op.drop_index(op.f("ix_account_links_user_id"), table_name="account_links")
    op.drop_index(op.f("ix_account_links_org_id"), table_name="account_links")
    op.drop_table("account_links")
