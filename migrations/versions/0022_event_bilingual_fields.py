"""events: the venue's name and the partners in both languages, like every text the council writes
for the public (issue #19): ``venue_name_cy``/``_en`` and ``partners_cy``/``_en`` replace the
single ``venue_name`` and ``partners``.

Old values are copied into the language the event is delivered in: a Welsh-language event's into
the Welsh column, an English-language event's into the English column, and a bilingual (or other
language) event's into both, since nothing tells which language they were written in. So an event
that now lacks one language is flagged by the rule that a public event needs every text in both:
its next save as public asks for the missing one, and until then its public page shows the other
language marked with its own ``lang``. Staff should check the events whose name was copied into
both (a venue typed in English only, say "Criccieth Memorial Hall", now stands as its Welsh name
too) and enter the Welsh name.

The old columns are dropped: neither has an index, a check or a reference, so SQLite (3.35+) drops
them in place, like PostgreSQL. Never batch mode here: rebuilding ``events`` drops it, and with
foreign keys on that deletes every ticket, check-in and answer that refers to it. Downgrading puts
them back from the English text, else the Welsh.
The address stays one column: a postal address is a proper noun written once.
Revision 0022_event_bilingual_fields, after 0021_report_snapshot (2026-12-06).
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_event_bilingual_fields"
down_revision = "0021_report_snapshot"
branch_labels = depends_on = None

#: (old column, its length)
FIELDS = (("venue_name", 200), ("partners", 500))


def upgrade():
    for name, length in FIELDS:
        for lang in ("cy", "en"):
            op.add_column("events", sa.Column(f"{name}_{lang}", sa.String(length=length), nullable=True))
        op.execute(f"UPDATE events SET {name}_cy = {name} WHERE delivery_language <> 'en'")
        op.execute(f"UPDATE events SET {name}_en = {name} WHERE delivery_language <> 'cy'")
        # A blank old value is no text at all (the forms saved None, but be sure).
        for lang in ("cy", "en"):
            op.execute(f"UPDATE events SET {name}_{lang} = NULL WHERE trim({name}_{lang}) = ''")
        op.drop_column("events", name)


def downgrade():
    for name, length in reversed(FIELDS):
        op.add_column("events", sa.Column(name, sa.String(length=length), nullable=True))
        op.execute(f"UPDATE events SET {name} = COALESCE({name}_en, {name}_cy)")
        for lang in ("en", "cy"):
            op.drop_column("events", f"{name}_{lang}")
