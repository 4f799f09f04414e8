from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from pb.cycles.services import close_stage
from pb.db import db
from pb.errors import InvalidBallot, InvalidInput, OutsideMandate, StageNotOpen
from pb.mandates.boundaries import VoteBoundaries
from pb.proposals.models import ProposalStatus
from pb.results.services import latest_tally
from pb.voting.counts import active_ballots, turnout
from pb.voting.services import (
    ballot_lines,
    ballot_options,
    cast_ballot,
    check_receipt,
    choices_from_form,
    current_choices,
)
from tests.voting.conftest import vote_stage


def test_a_resident_casts_an_approval_ballot_and_gets_a_receipt(ballot, resident) -> None:
    cycle, (a, _b, c) = ballot()
    receipt = cast_ballot(vote_stage(cycle), resident, [a.id, c.id])
    assert len(receipt) == 11 and receipt[5] == "-"
    assert current_choices(vote_stage(cycle), resident) == {a.id: 1, c.id: 1}
    assert check_receipt(vote_stage(cycle), receipt.lower().replace("-", "")).counted


def test_a_new_ballot_replaces_the_old_one_and_the_old_receipt_says_so(ballot, resident) -> None:
    cycle, (a, b, _c) = ballot()
    first = cast_ballot(vote_stage(cycle), resident, [a.id])
    second = cast_ballot(vote_stage(cycle), resident, [b.id])
    assert active_ballots(vote_stage(cycle)) == [[b.id]]
    assert turnout(vote_stage(cycle)) == 1
    old, new = check_receipt(vote_stage(cycle), first), check_receipt(vote_stage(cycle), second)
    assert (old.found, old.counted, new.counted) == (True, False, True)


def test_the_same_submission_sent_twice_casts_once_and_gives_the_same_receipt(ballot, resident) -> None:
    cycle, (a, b, _c) = ballot()
    first = cast_ballot(vote_stage(cycle), resident, [a.id], submission="tap")
    again = cast_ballot(vote_stage(cycle), resident, [a.id, b.id], submission="tap")
    assert first == again
    assert active_ballots(vote_stage(cycle)) == [[a.id]]
    assert db.session.execute(text("SELECT count(*) FROM ballots")).scalar() == 1


def test_the_ballots_lines_are_its_eligible_projects_in_the_ballots_order(ballot) -> None:
    cycle, (a, _b, c) = ballot()
    c.status, c.ruling_ground, c.ruling_reason = ProposalStatus.RULED_OUT, "Unlawful", "Not council land"
    stage = vote_stage(cycle)
    lines = ballot_lines(stage)
    assert [(p.id, p.title, p.cost) for p in ballot_options(stage)] == [tuple(line) for line in lines]
    assert a.id in {line.id for line in lines} and c.id not in {line.id for line in lines}


@pytest.mark.parametrize("case", ["over_limit", "unknown", "ruled_out", "twice"])
def test_bad_ballots_are_refused_and_nothing_is_written(ballot, resident, case) -> None:
    cycle, (a, b, c) = ballot(max_choices=2)
    choices = {"over_limit": [a.id, b.id, c.id], "unknown": [a.id, 99_999], "ruled_out": [c.id], "twice": [a.id, a.id]}[
        case
    ]
    if case == "ruled_out":
        c.status, c.ruling_ground, c.ruling_reason = ProposalStatus.RULED_OUT, "Unlawful", "Not council land"
    with pytest.raises(InvalidBallot):
        cast_ballot(vote_stage(cycle), resident, choices)
    assert active_ballots(vote_stage(cycle)) == []
    assert turnout(vote_stage(cycle)) == 0


def test_nobody_votes_outside_the_vote_stage(ballot, resident, commissioner) -> None:
    cycle, (a, *_rest) = ballot()
    close_stage(vote_stage(cycle), commissioner)
    with pytest.raises(StageNotOpen):
        cast_ballot(vote_stage(cycle), resident, [a.id])


def test_a_cost_limited_ballot_must_fit_its_limit(ballot, resident) -> None:
    cycle, (a, b, c) = ballot(ballot_format="knapsack", cost_limit=800_000)
    with pytest.raises(InvalidBallot) as refused:
        cast_ballot(vote_stage(cycle), resident, [a.id, c.id])  # £4,000 + £5,000 > £8,000
    assert refused.value.clause == "vote.cost_limit" and "£8,000" in refused.value.message
    cast_ballot(vote_stage(cycle), resident, [a.id, b.id])
    assert current_choices(vote_stage(cycle), resident) == {a.id: 1, b.id: 1}


def test_a_cost_limited_ballot_without_a_limit_is_limited_by_the_budget(ballot, resident) -> None:
    cycle, (a, _b, c) = ballot(ballot_format="knapsack", budget=800_000)
    with pytest.raises(InvalidBallot):
        cast_ballot(vote_stage(cycle), resident, [a.id, c.id])


def test_a_ranked_ballot_keeps_its_order_and_refuses_shared_ranks(ballot, resident) -> None:
    cycle, (a, b, c) = ballot(ballot_format="ranked", max_choices=2)
    for bad in ({a.id: 1, b.id: 1}, {a.id: 1, b.id: 3}, {a.id: 1, b.id: 2, c.id: 3}):
        with pytest.raises(InvalidBallot):
            cast_ballot(vote_stage(cycle), resident, bad)
    cast_ballot(vote_stage(cycle), resident, {c.id: 1, a.id: 2})
    assert active_ballots(vote_stage(cycle)) == [[c.id, a.id]]


def test_a_cumulative_ballot_shares_at_most_its_points(ballot, resident) -> None:
    cycle, (a, b, _c) = ballot(ballot_format="cumulative", points=5, max_points_per_project=3)
    with pytest.raises(InvalidBallot) as too_many:
        cast_ballot(vote_stage(cycle), resident, {a.id: 3, b.id: 3})
    assert too_many.value.clause == "vote.points"
    with pytest.raises(InvalidBallot) as over_cap:
        cast_ballot(vote_stage(cycle), resident, {a.id: 4})
    assert over_cap.value.clause == "vote.max_points_per_project"
    cast_ballot(vote_stage(cycle), resident, {a.id: 3, b.id: 2})
    assert current_choices(vote_stage(cycle), resident) == {a.id: 3, b.id: 2}


def test_form_values_that_are_not_whole_numbers_are_refused_not_ignored() -> None:
    with pytest.raises(InvalidBallot):
        choices_from_form("ranked", {"rank-1": "first"})
    with pytest.raises(InvalidBallot):
        choices_from_form("cumulative", {"points-x": "2"})
    assert choices_from_form("cumulative", {"points-4": "2", "points-5": "", "points-6": "0", "q": "x"}) == {4: 2}


def test_each_format_is_counted_by_the_mandates_rule(ballot, make_user, commissioner) -> None:
    # Ranked, greedy with Borda scores (2 for a first place, 1 for a second of up to 2 ranks):
    # a = 2 + 2 + 1 = 5, b = 1 + 1 = 2, c = 2 = 2; budget £10,000: a (£4,000), then b (£3,000) before c by cost.
    cycle, (a, b, c) = ballot(ballot_format="ranked", max_choices=2)
    voters = [make_user() for _ in range(3)]
    for voter, ranking in zip(voters, ({a.id: 1, b.id: 2}, {a.id: 1, b.id: 2}, {c.id: 1, a.id: 2}), strict=True):
        cast_ballot(vote_stage(cycle), voter, ranking)
    close_stage(vote_stage(cycle), commissioner)
    tally = latest_tally(cycle)
    assert tally is not None and tally.ballots_counted == 3
    scores = {p["id"]: p["score"] for p in tally.outcome["projects"]}
    assert scores == {str(a.id): 5, str(b.id): 2, str(c.id): 2}
    assert tally.outcome["selected"] == [str(a.id), str(b.id)]


def test_cumulative_points_count_as_utilities_under_equal_shares(ballot, make_user, commissioner) -> None:
    # Amounts of a few pounds: the add1 completion raises each voter's share a penny a round.
    cycle, (a, b, c) = ballot(
        ballot_format="cumulative", points=10, counting_rule="equalshares/add1", costs=(400, 300, 500), budget=1000
    )
    for voter, points in zip(
        [make_user() for _ in range(3)], ({a.id: 9, b.id: 1}, {a.id: 8, c.id: 2}, {c.id: 10}), strict=True
    ):
        cast_ballot(vote_stage(cycle), voter, points)
    close_stage(vote_stage(cycle), commissioner)
    tally = latest_tally(cycle)
    assert tally is not None and tally.outcome["options"]["utility"] == "score"
    assert str(a.id) in tally.outcome["selected"]
    assert {p["id"]: p["score"] for p in tally.outcome["projects"]}[str(a.id)] == 17


@pytest.mark.parametrize(
    ("fmt", "rule"), [("ranked", "phragmen"), ("ranked", "equalshares/add1"), ("cumulative", "phragmen")]
)
def test_a_mandate_cannot_pair_a_ballot_with_a_rule_that_cannot_count_it(fmt, rule) -> None:
    with pytest.raises(InvalidInput) as refused:
        VoteBoundaries(budget=100, ballot_format=fmt, counting_rule=rule).validate()
    assert refused.value.field == "counting_rule"


def test_accounts_must_meet_the_mandates_postcode_and_age(ballot, resident) -> None:
    cycle, (a, *_rest) = ballot(postcodes=["CF11", "CF10 5"], minimum_age=16)
    with pytest.raises(OutsideMandate) as no_postcode:
        cast_ballot(vote_stage(cycle), resident, [a.id])
    assert no_postcode.value.clause == "vote.postcodes"
    resident.postcode, resident.date_of_birth = "CF24 1AA", date(1990, 1, 1)
    with pytest.raises(OutsideMandate):
        cast_ballot(vote_stage(cycle), resident, [a.id])
    resident.postcode, resident.date_of_birth = "CF10 5AB", date.today().replace(year=date.today().year - 15)
    with pytest.raises(OutsideMandate) as too_young:
        cast_ballot(vote_stage(cycle), resident, [a.id])
    assert too_young.value.clause == "vote.minimum_age"
    resident.date_of_birth = date(1990, 1, 1)
    assert cast_ballot(vote_stage(cycle), resident, [a.id])


def test_a_vote_by_codes_only_refuses_accounts(ballot, resident) -> None:
    cycle, (a, *_rest) = ballot(eligibility="codes")
    with pytest.raises(OutsideMandate) as refused:
        cast_ballot(vote_stage(cycle), resident, [a.id])
    assert refused.value.clause == "vote.eligibility"
