"""The door page's JSON API: record a scan, undo one, the live count (documented in the README)."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify, request
from flask_login import current_user

from ..accounts.access import org_required
from ..extensions import limiter
from . import presenter, services
from .access import per_staff_member, staff_event
from .forms import ScanRequest
from .services import CheckinRefusal

api = Blueprint("checkin_api", __name__, url_prefix="/api/orgs/<org>/events/<int:event_id>")


def _json_error(status: int, code: str):  # type: ignore[no-untyped-def]
    return jsonify(error={"status": status, "code": code}), status


@api.errorhandler(CheckinRefusal)
def _refused(refusal: CheckinRefusal):  # type: ignore[no-untyped-def]
    return _json_error(400, refusal.code)


@api.route("/scans", methods=["POST"])
@org_required()
@limiter.limit("240 per minute", key_func=per_staff_member)
def scan(event_id: int):  # type: ignore[no-untyped-def]
    """Record a scan: ``{"method", "nonce", "token"|"code"|"ticket_id", "scanned_at", "device", "audience_id"}``."""
    event = staff_event(event_id)
    wanted = ScanRequest.from_json(request.get_json(silent=True))  # or a 400 "bad_request" (above)
    outcome = services.record_scan(event, user=current_user, **asdict(wanted))
    return jsonify(presenter.as_json(outcome))


@api.route("/scans/<int:scan_id>/undo", methods=["POST"])
@org_required()
def undo(event_id: int, scan_id: int):  # type: ignore[no-untyped-def]
    event = staff_event(event_id)
    if services.undo(event, scan_id, current_user) is None:
        return _json_error(404, "not_found")
    return jsonify(undone=scan_id, count=services.live_count(event.id))


@api.route("/counts")
@org_required()
def counts(event_id: int):  # type: ignore[no-untyped-def]
    event = staff_event(event_id)
    return jsonify(event_id=event.id, checked_in=services.live_count(event.id),
                   open=services.is_open(event, services.settings_for(event)))
