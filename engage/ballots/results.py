"""Counting: the tally engine on a pot's box, and the published result every output reads.

Four eyes: a member of staff counts a closed pot into a private preview (:func:`count_preview`); a
different member of staff, an admin, checks it and signs it off (:func:`publish`), which counts
again, refuses if the count differs from what was previewed, and stores the result on the pot. The
database refuses one person as both (``ResultCheck``); the audit log keeps both names.

The result is stored once, as JSON on the pot, and read back as a :class:`PublishedResult`: the
results page, its chart, the JSON and CSV downloads all take their rows from
:meth:`PublishedResult.rows`, so they cannot disagree about order or figures.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


from ..accounts.models import User
from ..audit.services import record
from ..extensions import db
from ..feedback.drafts import drafts_from_pb_results
from ..tally import Election, Project as TallyProject, tally
from ..tally.model import BALLOT_TYPES as TALLY_TYPES
from ..types import utcnow
from ..version import TALLY_ENGINE, TALLY_ENGINE_VERSION
from .box import box_choices, receipt_fingerprints, turnout
from .models import Pot, Project, ResultCheck
from .pots import BallotRefusal, locked, require_admin, transition

#: Our ballot types in the tally engine's (and pabulib's) words.
TALLY_TYPE = {"knapsack": "knapsack", "approval": "approval", "points": "cumulative"}
#: The rule not chosen, counted too and shown beside the official one for learning.
OTHER_RULE = {"greedy": "mes", "mes": "greedy"}
#: Tally reasons → the feedback drafts' reasons for a project not funded.
FEEDBACK_REASON = {"did_not_fit": "over_budget", "supporters_could_not_afford": "not_enough_votes",
                   "below_threshold": "not_enough_votes", "no_votes": "not_enough_votes"}
assert set(TALLY_TYPE.values()) <= set(TALLY_TYPES)


@dataclass(frozen=True)
class ResultRow:
    """One project's line in every output: figures from the official rule, and the other rule's verdict."""

    id: str
    project: Project | None
    cost: int
    votes: int
    score: int
    funded: bool
    other_funded: bool
    #: The tally's explanation of the official verdict (reason code, stage, amounts).
    explanation: dict[str, Any]

    @property
    def reason_code(self) -> str:
        return str(self.explanation["reason"])


@dataclass(frozen=True)
class PublishedResult:
    """What publishing stored: both rules' outcomes (as the tally engine wrote them), turnout, receipts."""

    official_rule: str
    budget_pence: int
    ballot_type: str
    turnout: dict[str, int]
    ballots: int
    outcomes: dict[str, dict[str, Any]]
    receipts: list[str] = field(default_factory=list)
    lower_assurance: bool = False
    #: How it was counted, so that a recount can name what it reproduces (``count_terms``); empty in
    #: results published before it was kept.
    terms: dict[str, Any] = field(default_factory=dict)

    @property
    def other_rule(self) -> str:
        return OTHER_RULE[self.official_rule]

    @property
    def official(self) -> dict[str, Any]:
        return self.outcomes[self.official_rule]

    @property
    def other(self) -> dict[str, Any]:
        return self.outcomes[self.other_rule]

    def rows(self, pot: Pot) -> list[ResultRow]:
        """Every project: the funded ones in the order the official rule chose them, then the rest by
        votes (most first; ties by project id)."""
        projects = {str(p.id): p for p in pot.projects}
        explanations = self.official["explanations"]
        chosen = list(self.official["selected"])
        rest = sorted(set(explanations) - set(chosen),
                      key=lambda pid: (-explanations[pid]["score"], int(pid) if pid.isdigit() else 0, pid))
        return [ResultRow(pid, projects.get(pid), explanations[pid]["cost"], explanations[pid]["votes"],
                          explanations[pid]["score"], bool(explanations[pid]["selected"]),
                          bool(self.other["explanations"][pid]["selected"]), explanations[pid])
                for pid in chosen + rest]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PublishedResult:
        return cls(**json.loads(text))


def election_of(pot: Pot) -> Election:
    """The pot as the tally engine sees it: ids are our project ids as text, money as stored.

    An imported pot is counted as its file would be: ties broken by the file's project ids (as text,
    as pabutools does) and its META (so its ``min_project_score_threshold``) kept."""
    meta = {"description": pot.title_en or pot.title_cy or "", "country": "United Kingdom", "unit": pot.text("area", "en"),
            "currency": "GBP", "rule": pot.rule}
    if pot.ballot_type == "approval":
        meta["max_length"] = str(pot.max_choices)
    if pot.ballot_type == "points":
        meta.update(max_sum_points=str(pot.points_total), min_sum_points=str(pot.points_total))
    tie_break = None
    if pot.source_meta is not None:
        meta = dict(json.loads(pot.source_meta))
        tie_break = [str(p.id) for p in sorted(pot.projects, key=lambda p: p.source_id or str(p.id))]
    projects = tuple(TallyProject(str(p.id), p.cost_pence, p.title_en or p.title_cy or "") for p in pot.projects)
    ballots = []
    for choices in box_choices(pot):
        ballots.append({str(k): v for k, v in choices.items()} if pot.ballot_type == "points"
                       else [str(k) for k in choices])
    election = Election.build(pot.budget_pence, projects, ballots, TALLY_TYPE[pot.ballot_type], tie_break)
    return Election(election.budget, election.projects, election.ballots, election.ballot_type,
                    {k: v for k, v in meta.items() if v}, election.tie_break)


#: Each rule as the tally engine runs it, in pabutools' terms (what a recount must run to reproduce it).
RULE_TERMS: dict[str, dict[str, Any]] = {
    "greedy": {"method": "greedy_utilitarian_welfare", "satisfaction": "cost", "completion": None},
    "mes": {"method": "method_of_equal_shares", "satisfaction": "cost", "voter_budget_increment": 1,
            "completion": "greedy_utilitarian_welfare"},
}


def count_terms(pot: Pot, election: Election, outcomes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The rule, its parameters and the engine: what the results JSON and CSV say of how they were counted.

    ``threshold``: the fewest votes (points on a points ballot) a project needed to be considered (None:
    any vote). ``tie_break``: project ids, the first winning a tie (by votes, or between equal shares'
    equal offers). Amounts are in the pot's ``currency``, ``amount_scale`` of them to one unit."""
    return {"rule": pot.rule, "other_rule": OTHER_RULE[pot.rule],
            "parameters": {rule: {**RULE_TERMS[rule], "threshold": outcomes[rule].get("min_votes")} for rule in outcomes},
            "tie_break": election.tie_order(), "engine": TALLY_ENGINE, "engine_version": TALLY_ENGINE_VERSION,
            "currency": pot.currency, "amount_scale": pot.amount_scale}


def count(pot: Pot) -> PublishedResult:
    """Tally by both rules and gather what the results page and open data show."""
    election = election_of(pot)
    outcomes = {rule: tally(election, rule).to_dict() for rule in (pot.rule, OTHER_RULE[pot.rule])}
    return PublishedResult(official_rule=pot.rule, budget_pence=pot.budget_pence, ballot_type=pot.ballot_type,
                           turnout=turnout(pot), ballots=len(election.ballots), outcomes=outcomes,
                           receipts=receipt_fingerprints(pot), lower_assurance=pot.eligibility == "open",
                           terms=count_terms(pot, election, outcomes))


def count_preview(pot: Pot, user: User) -> PublishedResult:
    """Count a closed pot into a private preview for a colleague to sign off (again: a new count
    replaces the old one, and whoever counted last is the one who may not sign it off)."""
    with locked(pot):
        if pot.status != "closed":
            raise BallotRefusal("wrong_status")
        result = count(pot)
        check = db.session.get(ResultCheck, pot.id) or ResultCheck(pot_id=pot.id)
        check.result_json, check.counted_by_id, check.counted_at = result.to_json(), user.id, utcnow()
        db.session.add(check)
        record("pb.preview_counted", org_id=pot.org_id, obj=pot, user_id=user.id, data={"selected": result.official["selected"]})
    return result


def preview(pot: Pot) -> ResultCheck | None:
    """The counted, not yet published result of a closed pot (staff only)."""
    return db.session.get(ResultCheck, pot.id) if pot.status == "closed" else None


def publish(pot: Pot, user: User) -> PublishedResult:
    """Sign off the preview and publish it, with "you said, we did" drafts; once only.

    ``user`` must be an admin of the pot's organisation and not the person who counted the preview.
    The pot is counted again and must agree with the preview: what is published is what was checked.
    """
    with transition(pot, "closed", "published"):
        require_admin(pot, user)
        check = db.session.get(ResultCheck, pot.id)
        if check is None:
            raise BallotRefusal("no_preview")
        if check.counted_by_id == user.id:
            raise BallotRefusal("same_person_preview")
        result = count(pot)
        if result.to_json() != check.result_json:
            raise BallotRefusal("preview_changed")
        check.signed_off_by_id, check.signed_off_at = user.id, utcnow()
        pot.results_json = check.result_json
        record("pb.published", org_id=pot.org_id,
               obj=pot, user_id=user.id, data={"selected": result.official["selected"],
                                                "counted_by": check.counted_by_id, "signed_off_by": user.id})
        _feedback_drafts(pot, result)
    return result


def _feedback_drafts(pot: Pot, result: PublishedResult) -> None:
    funded, not_funded = [], []
    for row in result.rows(pot):
        if row.project is None:
            continue
        item = {"ref": row.project.id, "title": row.project.texts("title"), "cost_pence": row.project.cost_pence,
                "votes": row.votes}
        if row.funded:
            funded.append(item)
        else:
            not_funded.append({**item, "reason": FEEDBACK_REASON.get(row.reason_code, "not_enough_votes")})
    drafts_from_pb_results(pot.org, pot.id, pot.texts("title"), funded, not_funded,
                           voters=result.turnout["total"], area=pot.texts("area"), currency=pot.currency,
                           amount_scale=pot.amount_scale)


def published(pot: Pot) -> PublishedResult | None:
    return PublishedResult.from_json(pot.results_json) if pot.results_json else None
