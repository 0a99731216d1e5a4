from __future__ import annotations

from flask import Blueprint, g, render_template
from sqlalchemy import select

from ..accounts.access import org_required
from ..extensions import db
from ..params import query_int
from .labels import describe, user_emails
from .models import AuditEntry

bp = Blueprint("audit", __name__, url_prefix="/<lang:lang>/manage/<org>")
#: An audit entry's sentence in the reader's language (the log and each feedback entry's history).
bp.add_app_template_global(describe, "audit_words")
PAGE_SIZE = 50


@bp.route("/audit")
@org_required("admin")
def log():  # type: ignore[no-untyped-def]
    page = query_int("page", 1)
    query = (select(AuditEntry).where(AuditEntry.org_id == g.org.id)
             .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()))
    entries = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
    return render_template("audit/log.html", org=g.org, entries=entries, emails=user_emails(entries.items))
