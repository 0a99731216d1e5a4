"""A pot's ballots as a pabulib file, out (open data) and in (real elections for demos and training)."""
from __future__ import annotations

import json
import secrets
import uuid

from ..accounts.models import Organisation
from ..audit.services import record
from ..dates import today_local
from ..db import write_transaction
from ..extensions import db
from ..tally import parse_pabulib, write_pabulib
from ..types import utcnow
from .models import BoxBallot, Pot, Project, RollEntry
from .results import election_of

#: pabulib's ballot types in ours.
FROM_TALLY_TYPE = {"knapsack": "knapsack", "approval": "approval", "cumulative": "points", "choose-1": "approval"}


def export_pabulib(pot: Pot) -> str:
    """The anonymised ballots as a pabulib file (no receipts, channels or dates)."""
    return write_pabulib(election_of(pot))


def import_pabulib(org: Organisation, text: str, title: str | None = None) -> Pot:
    """A closed pot made from a pabulib file, for demos and training. Raises PabulibError."""
    election = parse_pabulib(text)
    ballot_type = FROM_TALLY_TYPE[election.ballot_type]
    name = title or election.meta.get("description") or "Imported vote"
    with write_transaction():
        pot = Pot(org_id=org.id, title_cy=name, title_en=name, budget_pence=max(election.budget, 1),
                  ballot_type=ballot_type, rule="mes" if "equal" in election.meta.get("rule", "").lower()
                  or election.meta.get("rule") == "mes" else "greedy", eligibility="codes", status="closed",
                  code_salt=secrets.token_hex(16), imported=True, closed_at=utcnow())
        if ballot_type == "approval":
            pot.max_choices = int(election.meta.get("max_length") or len(election.projects) or 1)
        if ballot_type == "points":
            pot.points_total = int(election.meta.get("max_sum_points") or max(
                (sum(b.points or ()) for b in election.ballots), default=1))
        db.session.add(pot)
        db.session.flush()
        ids = {}
        for p in election.projects:
            project = Project(pot_id=pot.id, title_cy=p.name or p.id, title_en=p.name or p.id,
                              cost_pence=max(p.cost, 1))
            db.session.add(project)
            db.session.flush()
            ids[p.id] = project.id
        today = today_local()
        rows_roll, rows_box = [], []
        for b in election.ballots:
            choices = {str(ids[pid]): pts for pid, pts in b.weights()}
            total = sum(election.project(pid).cost for pid in b.projects)
            rows_roll.append({"id": uuid.uuid4().hex, "pot_id": pot.id, "code_id": None, "browser_hash": None,
                              "channel": "paper", "voted_on": today})
            rows_box.append({"id": uuid.uuid4().hex, "pot_id": pot.id, "budget_pence": pot.budget_pence,
                             "ballot_type": ballot_type, "total_pence": total, "choices": json.dumps(choices)})
        if rows_roll:
            db.session.execute(RollEntry.__table__.insert(), rows_roll)
            db.session.execute(BoxBallot.__table__.insert(), rows_box)
        record("pb.imported", f"Funding pot {pot.id} imported from a pabulib file", org_id=org.id, obj=pot,
               data={"projects": len(election.projects), "ballots": len(election.ballots)})
    return pot
