"""checkin: group tickets (issue #17) — one registration for several people, checked in in parts.

A ticket holds ``places`` people (1–50) and counts how many have ``arrived``; a scan records how many
``people`` it let in. The unique index that allowed one successful scan per ticket gives way to the
ticket's own counter: every check-in adds to ``arrived`` in one conditional UPDATE, and a check keeps
``arrived`` between 0 and ``places``, so no race at two doors can let in more than the places.
Each event's check-in settings say how many people one registration may bring (``max_party``).
Revision 0018_group_tickets, after 0017_org_brand (2026-12-06).
"""
import sqlalchemy as sa
from alembic import op

revision = "0018_group_tickets"
down_revision = "0017_org_brand"
branch_labels = depends_on = None
OLD_WHERE = "result = 'ok' AND undone_at IS NULL AND ticket_id IS NOT NULL"
OLD_INDEX = {"unique": True, "sqlite_where": sa.text(OLD_WHERE), "postgresql_where": sa.text(OLD_WHERE)}
#: (table, column, its default, its check, the check's name): each a plain ADD COLUMN with its check.
COLUMNS = [
    ("event_checkins", "max_party", 6, "max_party BETWEEN 1 AND 20", "ck_event_checkins_max_party_range"),
    ("tickets", "places", 1, "places BETWEEN 1 AND 50", "ck_tickets_places_range"),
    ("tickets", "arrived", 0, "arrived BETWEEN 0 AND places", "ck_tickets_arrived_range"),
    ("scans", "people", 1, "people BETWEEN 1 AND 50", "ck_scans_people_range"),
]


def upgrade():
    # Never batch mode: rebuilding tickets or scans with foreign keys on would cascade to their rows.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, default, check, name in COLUMNS:
        if sqlite:  # a column check, which SQLite adds in place (and drops with the column)
            op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER NOT NULL DEFAULT {default} "
                       f"CONSTRAINT {name} CHECK ({check})")
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), server_default=sa.text(str(default)), nullable=False))
            op.create_check_constraint(name, table, check)
    # Tickets already checked in: one place each, and (by the old index) at most one live entry.
    op.execute(f"UPDATE tickets SET arrived = (SELECT COUNT(*) FROM scans WHERE scans.ticket_id = tickets.id "
               f"AND scans.event_id = tickets.event_id AND {OLD_WHERE.replace('ticket_id', 'scans.ticket_id')})")
    op.drop_index("uq_scans_one_entry_per_ticket", table_name="scans", **OLD_INDEX)


def downgrade():
    # Fails if a group ticket has several live check-ins: the old index cannot hold them.
    op.create_index("uq_scans_one_entry_per_ticket", "scans", ["event_id", "ticket_id"], **OLD_INDEX)
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, _default, _check, name in reversed(COLUMNS):
        if not sqlite:
            op.drop_constraint(name, table, type_="check")
        op.drop_column(table, column)
