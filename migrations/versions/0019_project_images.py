"""project images: a PB project's picture is an uploaded image (images.id) instead of an address on
another site, and a project has a longer description for its own page.

Revision 0019_project_images, after 0018_group_tickets (2026-12-06).

``pb_projects.image_url`` is left in place, unused: dropping it (and the old check that names it) on
SQLite would mean rebuilding ``pb_projects``, which the ballot box and paper ballots refer to. Its
values are not migrated: an address on another site was blocked by the page's own ``img-src 'self'``
policy, so no resident ever saw one; staff upload the picture again.
"""
import sqlalchemy as sa
from alembic import op


revision = "0019_project_images"
down_revision = "0018_group_tickets"
branch_labels = depends_on = None

CHECK = "image_id IS NULL OR (image_alt_cy IS NOT NULL AND image_alt_en IS NOT NULL)"
OLD_CHECK = "image_url IS NULL OR (image_alt_cy IS NOT NULL AND image_alt_en IS NOT NULL)"


def upgrade():
    # Plain ADD COLUMN everywhere: never a rebuild of a table others refer to.
    op.add_column("pb_projects", sa.Column("description_cy", sa.Text(), nullable=True))
    op.add_column("pb_projects", sa.Column("description_en", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its foreign key and its own check in place (the old table check on
        # image_url stays, harmless: nothing writes image_url any more). SQLAlchemy reads a foreign key's
        # name and ON DELETE only from table-level syntax, which ADD COLUMN cannot take: the comment
        # repeats the constraint in that form, so reflection (and test_migrations_match_the_models) sees
        # what SQLite enforces.
        op.execute("ALTER TABLE pb_projects ADD COLUMN image_id INTEGER REFERENCES images (id) ON DELETE SET NULL "
                   f"CONSTRAINT ck_pb_projects_image_needs_alt_image CHECK ({CHECK}) "
                   "/* CONSTRAINT fk_pb_projects_image_id_images FOREIGN KEY(image_id) REFERENCES images (id) "
                   "ON DELETE SET NULL */")
    else:
        op.add_column("pb_projects", sa.Column("image_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_pb_projects_image_id_images"), "pb_projects", "images", ["image_id"], ["id"],
                              ondelete="SET NULL")
        op.drop_constraint(op.f("ck_pb_projects_image_needs_alt"), "pb_projects", type_="check")
        op.create_check_constraint(op.f("ck_pb_projects_image_needs_alt"), "pb_projects", CHECK)


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+), not batch mode: rebuilding pb_projects would cascade.
    if op.get_bind().dialect.name == "sqlite":
        op.drop_column("pb_projects", "image_id")  # its column check and foreign key go with it
    else:
        op.drop_constraint(op.f("ck_pb_projects_image_needs_alt"), "pb_projects", type_="check")
        op.create_check_constraint(op.f("ck_pb_projects_image_needs_alt"), "pb_projects", OLD_CHECK)
        op.drop_constraint(op.f("fk_pb_projects_image_id_images"), "pb_projects", type_="foreignkey")
        op.drop_column("pb_projects", "image_id")
    op.drop_column("pb_projects", "description_en")
    op.drop_column("pb_projects", "description_cy")
