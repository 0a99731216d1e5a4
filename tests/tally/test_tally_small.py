"""Hand-made elections whose outcomes are worked out here, rule by rule."""
from __future__ import annotations

import json
from fractions import Fraction

import pytest

from engage.tally import Election, Project, tally
from engage.tally.explain import BELOW_THRESHOLD, DID_NOT_FIT, NO_VOTES, SELECTED, SUPPORTERS_COULD_NOT_AFFORD


def test_greedy_tie_goes_to_the_smaller_id_and_what_does_not_fit_is_skipped() -> None:
    # a, b and c all have 2 votes. Ties go by id: a (6) fits, b (6) does not fit in the 4
    # left, c (4) fits exactly.
    e = Election.build(10, [("a", 6), ("b", 6), ("c", 4)], [["a", "c"], ["b"], ["a"], ["b", "c"]])
    out = tally(e, "greedy")
    assert out.selected == ["a", "c"]
    assert out.total_cost == 10
    b = out.explanations["b"]
    assert (b.selected, b.reason, b.money_left) == (False, DID_NOT_FIT, 4)
    assert out.explanations["c"].money_left == 0


def test_a_configured_tie_break_order_is_used() -> None:
    e = Election.build(
        10, [("a", 6), ("b", 6), ("c", 4)], [["a", "c"], ["b"], ["a"], ["b", "c"]], tie_break=["b", "c", "a"]
    )
    assert tally(e, "greedy").selected == ["b", "c"]


def test_ids_tie_break_as_strings_not_numbers() -> None:
    # "10" < "9" as strings, which is what pabutools does with pabulib ids.
    e = Election.build(5, [("9", 5), ("10", 5)], [["9", "10"], ["9", "10"]])
    assert tally(e, "greedy").selected == ["10"]
    # MES: both cost 2.5 a voter; "10" wins the tie and leaves nothing for "9".
    out = tally(e, "mes-plain")
    assert out.selected == ["10"]
    assert out.explanations["9"].supporters_budget_left == 0


def whole_budget_election() -> Election:
    # X costs the whole budget and has 3 voters; Y and Z cost half each and share 2 voters.
    return Election.build(
        100, [("X", 100), ("Y", 50), ("Z", 50)], [["X"], ["X"], ["X"], ["Y", "Z"], ["Y", "Z"]]
    )


def test_greedy_funds_the_project_that_costs_the_whole_budget() -> None:
    out = tally(whole_budget_election(), "greedy")
    assert out.selected == ["X"]
    assert out.explanations["Y"].reason == DID_NOT_FIT
    assert out.explanations["Y"].money_left == 0


def test_plain_mes_funds_nothing_when_no_group_can_pay() -> None:
    # Each voter has 100 / 5 = 20: X's three supporters hold 60 < 100, Y's two hold 40 < 50.
    out = tally(whole_budget_election(), "mes-plain")
    assert out.selected == []
    assert out.voter_budget == 20
    x = out.explanations["X"]
    assert (x.reason, x.supporters_budget_left) == (SUPPORTERS_COULD_NOT_AFFORD, 60)
    assert "could not cover" in x.describe("EUR")


def test_mes_add1_stops_before_overspending() -> None:
    # From a share of 25, Y is bought (its voters pay 25 each; Z is then out of reach). At 34,
    # X's supporters hold 102 >= 100 and X (1/3 per unit) beats Y (1/2): X + Y = 150 > 100.
    # So add1 keeps the outcome of share 33 = 20 + 13 increments: {Y}.
    out = tally(whole_budget_election(), "mes-add1")
    assert out.selected == ["Y"]
    assert out.budget_increments == 13
    assert out.voter_budget == 33
    assert out.rounds[0].price_per_vote == 25
    assert out.rounds[0].full_payers == 2
    assert out.rounds[0].paid == 50


def test_mes_with_completion_fills_the_rest_greedily() -> None:
    # Greedy completion after {Y}: X (3 votes) does not fit in the 50 left, Z (2 votes) does.
    out = tally(whole_budget_election(), "mes")
    assert out.selected == ["Y", "Z"]
    assert out.total_cost == 100
    assert out.explanations["Z"].stage == "completion"
    assert out.explanations["X"].reason == DID_NOT_FIT
    assert out.explanations["X"].money_left == 50


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes-add1", "mes-plain"])
def test_nobody_voting_funds_nothing(rule: str) -> None:
    for ballots in ([], [[], []]):
        out = tally(Election.build(100, [("a", 10), ("b", 0)], ballots), rule)
        assert out.selected == []
        assert out.total_cost == 0
        assert {e.reason for e in out.explanations.values()} == {NO_VOTES}


def test_one_voter() -> None:
    # The lone voter has the whole budget: a and c cost 1 per unit of utility each (a tie,
    # a wins by id); after a, 40 is left and c (30) is affordable. b has no votes.
    e = Election.build(100, [("a", 60), ("b", 50), ("c", 30)], [["a", "c"]])
    for rule in ("greedy", "mes-plain", "mes-add1", "mes"):
        out = tally(e, rule)
        assert out.selected == ["a", "c"], rule
        assert out.explanations["b"].reason == NO_VOTES
    mes = tally(e, "mes-plain")
    assert [r.price_per_vote for r in mes.rounds] == [60, 30]


def test_min_votes_threshold_makes_projects_ineligible() -> None:
    e = Election.build(100, [("a", 10), ("b", 10)], [["a", "b"], ["a"], ["a"]])
    out = tally(e, "greedy", min_votes=2)
    assert out.selected == ["a"]
    b = out.explanations["b"]
    assert (b.reason, b.threshold, b.votes) == (BELOW_THRESHOLD, 2, 1)
    assert tally(e, "greedy").selected == ["a", "b"]
    assert tally(e, "mes", min_votes=2).selected == ["a"]


def test_threshold_from_pabulib_meta_applies_by_default() -> None:
    e = Election(
        100,
        (Project("a", 10), Project("b", 10)),
        Election.build(0, [("a", 1), ("b", 1)], [["a", "b"], ["a"]]).ballots,
        meta={"min_project_score_threshold": "2"},
    )
    assert tally(e, "greedy").selected == ["a"]
    assert tally(e, "greedy", min_votes=0).selected == ["a", "b"]


def test_free_projects_with_votes_come_first() -> None:
    e = Election.build(10, [("a", 10), ("z", 0)], [["a"], ["a"], ["z"]])
    assert tally(e, "greedy").selected == ["z", "a"]
    assert tally(e, "mes-plain").selected == ["z"]  # a: two shares of 10/3 < 10
    assert tally(e, "mes").selected == ["z", "a"]


def test_cumulative_ballots_rank_by_points() -> None:
    # a has 2 voters with 1 point each; b has one voter with 5 points: b first by points.
    e = Election.build(10, [("a", 10), ("b", 10)], [{"a": 1}, {"a": 1}, {"b": 5}], ballot_type="cumulative")
    out = tally(e, "greedy")
    assert out.selected == ["b"]
    assert (out.explanations["a"].votes, out.explanations["a"].score) == (2, 2)
    assert out.explanations["b"].score == 5


def test_mes_on_points_pays_in_proportion_to_points() -> None:
    # Two voters with 5 each; a gets 3 and 1 points: price per point 2.5 would charge 7.5 to
    # the first voter, more than 5, so they pay 5 and the other pays the remaining 3.
    e = Election.build(10, [("a", 8)], [{"a": 3}, {"a": 1}], ballot_type="cumulative")
    out = tally(e, "mes-plain")
    assert out.selected == ["a"]
    r = out.rounds[0]
    assert (r.price_per_vote, r.capped_payers, r.capped_total, r.paid) == (3, 1, 5, 8)


def test_explanations_are_json_with_exact_amounts() -> None:
    # Shares of 10/3; a's two voters pay 5/2 each; b's one voter holds 10/3 < 7.
    e = Election.build(10, [("a", 5), ("b", 7)], [["a"], ["a"], ["b"]])
    out = tally(e, "mes-plain")
    data = json.loads(json.dumps(out.to_dict()))
    assert data["selected"] == ["a"]
    assert data["voter_budget"] == "10/3"
    assert data["explanations"]["a"]["reason"] == SELECTED
    assert data["explanations"]["a"]["price_per_vote"] == "5/2"
    assert data["explanations"]["b"]["supporters_budget_left"] == "10/3"
    assert data["rounds"][0]["paid"] == 5
    assert out.explanations["b"].supporters_budget_left == Fraction(10, 3)
