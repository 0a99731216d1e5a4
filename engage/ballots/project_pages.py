"""A project's own page: its picture at full size, the full description, and the way back.

Public wherever the pot's page is (any pot but a draft). A voter who came from their ballot (the
"More about this project" button saves the ticks first) is offered the way back to it.
"""
from __future__ import annotations

from flask import abort, render_template

from .in_progress import state
from .routes import _pot_or_404, public


@public.route("/<int:pot_id>/projects/<int:project_id>")
def project_page(pot_id: int, project_id: int):  # type: ignore[no-untyped-def]
    pot = _pot_or_404(pot_id)
    project = next((p for p in pot.projects if p.id == project_id), None)
    if project is None:
        abort(404)
    in_ballot = pot.status == "open" and state(pot.id) is not None
    return render_template("ballots/project.html", pot=pot, project=project, in_ballot=in_ballot)
