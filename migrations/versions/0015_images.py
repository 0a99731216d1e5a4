"""images: pictures a council uploads (project photos, its logo), kept in the database.

Revision 0015_images, after 0014_scan_device_mark (2026-12-06).
"""
import sqlalchemy as sa
from alembic import op


revision = "0015_images"
down_revision = "0014_scan_device_mark"
branch_labels = depends_on = None


def upgrade():
    op.create_table(
        "images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("small", sa.LargeBinary(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("content_type IN ('image/jpeg', 'image/png')", name=op.f("ck_images_type_known")),
        sa.CheckConstraint("width BETWEEN 1 AND 4000 AND height BETWEEN 1 AND 4000", name=op.f("ck_images_size_range")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_images_created_by_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"], name=op.f("fk_images_org_id_organisations"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_images")),
        sa.UniqueConstraint("key", name=op.f("uq_images_key")),
    )
    op.create_index(op.f("ix_images_org_id"), "images", ["org_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_images_org_id"), table_name="images")
    op.drop_table("images")
