"""Counting: the tally engine on a pot's box, the published result, pabulib out and in."""
from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from sqlalchemy import select

from ..accounts.models import Organisation
from ..audit.services import record
from ..db import write_transaction
from ..extensions import db
from ..feedback.drafts import drafts_from_pb_results
from ..tally import Election, Project as TallyProject, parse_pabulib, tally, write_pabulib
from ..tally.model import BALLOT_TYPES as TALLY_TYPES
from ..types import utcnow
from . import services
from .models import BoxBallot, Pot, Project, RollEntry
from .services import BallotError

#: Our ballot types in the tally engine's (and pabulib's) words.
TALLY_TYPE = {"knapsack": "knapsack", "approval": "approval", "points": "cumulative"}
FROM_TALLY_TYPE = {"knapsack": "knapsack", "approval": "approval", "cumulative": "points", "choose-1": "approval"}
OTHER_RULE = {"greedy": "mes", "mes": "greedy"}
#: Tally reasons → the feedback drafts' reasons for a project not funded.
FEEDBACK_REASON = {"did_not_fit": "over_budget", "supporters_could_not_afford": "not_enough_votes",
                   "below_threshold": "not_enough_votes", "no_votes": "not_enough_votes"}
assert set(TALLY_TYPE.values()) <= set(TALLY_TYPES)


def election_of(pot: Pot) -> Election:
    """The pot as the tally engine sees it: ids are our project ids as text, money in pence."""
    meta = {"description": pot.title_en or pot.title_cy or "", "country": "United Kingdom", "unit": pot.text("area", "en"),
            "currency": "GBP", "rule": pot.rule}
    if pot.ballot_type == "approval":
        meta["max_length"] = str(pot.max_choices)
    if pot.ballot_type == "points":
        meta.update(max_sum_points=str(pot.points_total), min_sum_points=str(pot.points_total))
    projects = tuple(TallyProject(str(p.id), p.cost_pence, p.title_en or p.title_cy or "") for p in pot.projects)
    ballots = []
    for choices in services.box_choices(pot):
        ballots.append({str(k): v for k, v in choices.items()} if pot.ballot_type == "points"
                       else [str(k) for k in choices])
    election = Election.build(pot.budget_pence, projects, ballots, TALLY_TYPE[pot.ballot_type])
    return Election(election.budget, election.projects, election.ballots, election.ballot_type,
                    {k: v for k, v in meta.items() if v})


def count(pot: Pot) -> dict[str, Any]:
    """Tally by both rules and gather what the results page and open data show."""
    election = election_of(pot)
    outcomes = {rule: tally(election, rule).to_dict() for rule in (pot.rule, OTHER_RULE[pot.rule])}
    receipts = sorted(services.fingerprint(h) for h in db.session.scalars(
        select(BoxBallot.receipt_hash).where(BoxBallot.pot_id == pot.id)))
    return {"official_rule": pot.rule, "budget_pence": pot.budget_pence, "ballot_type": pot.ballot_type,
            "turnout": services.turnout(pot), "ballots": len(election.ballots), "outcomes": outcomes,
            "receipts": receipts, "lower_assurance": pot.eligibility == "open"}


def publish(pot: Pot, user_id: int | None = None) -> dict[str, Any]:
    """Count a closed pot, store the result, and prepare "you said, we did" drafts."""
    with write_transaction():
        if pot.status != "closed":
            raise BallotError("wrong_status")
        data = count(pot)
        pot.results_json = json.dumps(data, ensure_ascii=False, sort_keys=True)
        pot.status, pot.published_at = "published", utcnow()
        record("pb.published", f"Results of funding pot {pot.id} published", org_id=pot.org_id, obj=pot,
               user_id=user_id, data={"selected": data["outcomes"][pot.rule]["selected"]})
        _feedback_drafts(pot, data)
    return data


def _feedback_drafts(pot: Pot, data: dict[str, Any]) -> None:
    official = data["outcomes"][pot.rule]
    funded, not_funded = [], []
    for project in pot.projects:
        expl = official["explanations"][str(project.id)]
        item = {"ref": project.id, "title": project.texts("title"), "cost_pence": project.cost_pence,
                "votes": expl["votes"]}
        if expl["selected"]:
            funded.append(item)
        else:
            not_funded.append({**item, "reason": FEEDBACK_REASON.get(expl["reason"], "not_enough_votes")})
    order = {int(pid): n for n, pid in enumerate(official["selected"])}
    funded.sort(key=lambda p: order[p["ref"]])
    drafts_from_pb_results(pot.org, pot.id, pot.texts("title"), funded, not_funded,
                           voters=data["turnout"]["total"], area=pot.texts("area"))


def published(pot: Pot) -> dict[str, Any] | None:
    return json.loads(pot.results_json) if pot.results_json else None


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
        today = utcnow().date()
        rows_roll, rows_box = [], []
        for b in election.ballots:
            choices = {str(ids[pid]): pts for pid, pts in b.weights()}
            total = sum(election.project(pid).cost for pid in b.projects)
            rows_roll.append({"id": uuid.uuid4().hex, "pot_id": pot.id, "code_id": None, "browser_hash": None,
                              "channel": "paper", "voted_on": today})
            rows_box.append({"id": uuid.uuid4().hex, "pot_id": pot.id, "budget_pence": pot.budget_pence,
                             "ballot_type": ballot_type, "total_pence": total, "choices": json.dumps(choices),
                             "receipt_hash": uuid.uuid4().hex + uuid.uuid4().hex, "channel": "paper",
                             "cast_on": today})
        if rows_roll:
            db.session.execute(RollEntry.__table__.insert(), rows_roll)
            db.session.execute(BoxBallot.__table__.insert(), rows_box)
        record("pb.imported", f"Funding pot {pot.id} imported from a pabulib file", org_id=org.id, obj=pot,
               data={"projects": len(election.projects), "ballots": len(election.ballots)})
    return pot
