"""accounts: an organisation's look on its public pages: its logo (from the image store), the colour of
its band and buttons, and of its links; each empty for Engage's own.

Revision 0017_org_brand, after 0016_account_links (2026-12-06).
"""
import sqlalchemy as sa
from alembic import op

revision = "0017_org_brand"
down_revision = "0016_account_links"
branch_labels = depends_on = None

#: (column, check name without the table prefix); the checks repeat ``accounts.models.colour_check``.
COLOURS = (("brand_colour", "brand_colour_hex"), ("link_colour", "link_colour_hex"))
LOGO_FK = "fk_organisations_logo_image_id_images"
# The reference has no ON DELETE (see the model): SQLite keeps a column's own reference in words whose
# options cannot be read back, and a logo in use is not to be deleted on its own anyway.


def _check(column):
    return (f"{column} IS NULL OR (length({column}) = 7 AND substr({column}, 1, 1) = '#' "
            f"AND ltrim(substr({column}, 2), '0123456789abcdef') = '')")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # Never batch mode here: rebuilding organisations drops it, and with foreign keys on that
        # deletes every member, event, pot and entry. SQLite adds each column (its reference, its
        # own named check) in place.
        op.execute("ALTER TABLE organisations ADD COLUMN logo_image_id INTEGER "
                   f"CONSTRAINT {LOGO_FK} REFERENCES images (id)")
        for column, name in COLOURS:
            op.execute(f"ALTER TABLE organisations ADD COLUMN {column} VARCHAR(7) "
                       f"CONSTRAINT ck_organisations_{name} CHECK ({_check(column)})")
        return
    op.add_column("organisations", sa.Column("logo_image_id", sa.Integer(), nullable=True))
    op.create_foreign_key(LOGO_FK, "organisations", "images", ["logo_image_id"], ["id"])
    for column, name in COLOURS:
        op.add_column("organisations", sa.Column(column, sa.String(length=7), nullable=True))
        op.create_check_constraint(op.f(f"ck_organisations_{name}"), "organisations", _check(column))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column with its own check and reference, again without a rebuild.
        for column in ("link_colour", "brand_colour", "logo_image_id"):
            op.execute(f"ALTER TABLE organisations DROP COLUMN {column}")
        return
    for column, name in COLOURS:
        op.drop_constraint(op.f(f"ck_organisations_{name}"), "organisations", type_="check")
        op.drop_column("organisations", column)
    op.drop_constraint(LOGO_FK, "organisations", type_="foreignkey")
    op.drop_column("organisations", "logo_image_id")
