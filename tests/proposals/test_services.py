from __future__ import annotations

import pytest

from pb.cycles.models import StageKind
from pb.cycles.services import close_stage, open_stage
from pb.errors import InvalidInput, OutsideMandate, StageNotOpen
from pb.mandates.services import update_mandate
from pb.proposals.models import ProposalStatus
from pb.proposals.review import review_proposal
from pb.proposals.services import ProposalFields, proposals_for, submit_proposal


@pytest.fixture
def proposals_open(make_cycle, agree, commissioner):  # type: ignore[no-untyped-def]
    cycle = make_cycle()
    for stage in cycle.stages:
        agree(stage)
    open_stage(cycle.stages[0], commissioner)
    return cycle


def test_a_resident_submits_a_proposal_with_a_cost(proposals_open, resident) -> None:
    proposal = submit_proposal(
        proposals_open, resident, ProposalFields(title=" Benches ", summary="Ten benches", cost=80_000)
    )
    assert (proposal.title, proposal.cost, proposal.status) == ("Benches", 80_000, ProposalStatus.SUBMITTED)


@pytest.mark.parametrize("cost", [0, -100])
def test_a_proposal_with_no_positive_cost_is_refused_and_nothing_is_written(proposals_open, resident, cost) -> None:
    with pytest.raises(InvalidInput) as refused:
        submit_proposal(proposals_open, resident, ProposalFields(title="Benches", summary="Ten benches", cost=cost))
    assert refused.value.field == "cost"
    assert proposals_for(proposals_open) == []


def test_a_proposal_over_the_cost_cap_is_refused_with_the_clause(make_cycle, agree, commissioner, resident) -> None:
    cycle = make_cycle()
    stage = cycle.stages[0]
    update_mandate(stage, commissioner, purpose="p", roles="r", boundaries={"max_cost": 50_000})
    agree(stage)
    open_stage(stage, commissioner)
    with pytest.raises(OutsideMandate) as refused:
        submit_proposal(cycle, resident, ProposalFields(title="Big", summary="Too big", cost=50_001))
    assert refused.value.clause == "proposals.max_cost"
    assert (
        submit_proposal(cycle, resident, ProposalFields(title="Fits", summary="Just fits", cost=50_000)).cost == 50_000
    )


def test_no_proposal_is_taken_once_the_stage_closes(proposals_open, commissioner, resident) -> None:
    close_stage(proposals_open.stages[0], commissioner)
    with pytest.raises(StageNotOpen):
        submit_proposal(proposals_open, resident, ProposalFields(title="Late", summary="Too late", cost=100))


def test_review_marks_eligible_or_rules_out_with_an_allowed_ground_and_a_public_reason(
    proposals_open, commissioner, resident
) -> None:
    good = submit_proposal(proposals_open, resident, ProposalFields(title="Good", summary="s", cost=100))
    bad = submit_proposal(proposals_open, resident, ProposalFields(title="Bad", summary="s", cost=100))
    close_stage(proposals_open.stages[0], commissioner)
    open_stage(proposals_open.stage_of_kind(StageKind.REVIEW), commissioner)

    review_proposal(good, commissioner, eligible=True)
    with pytest.raises(InvalidInput) as no_reason:
        review_proposal(bad, commissioner, eligible=False, ground="Unlawful", reason="  ")
    assert no_reason.value.field == "reason"
    with pytest.raises(OutsideMandate):
        review_proposal(bad, commissioner, eligible=False, ground="Too ambitious", reason="We think so")
    review_proposal(bad, commissioner, eligible=False, ground="Unlawful", reason="The land is not the council's.")
    assert good.status == ProposalStatus.ELIGIBLE
    assert (bad.status, bad.ruling_ground) == (ProposalStatus.RULED_OUT, "Unlawful")


def test_a_resident_cannot_review(proposals_open, commissioner, resident) -> None:
    from pb.errors import NotAuthorised

    proposal = submit_proposal(proposals_open, resident, ProposalFields(title="Mine", summary="s", cost=100))
    close_stage(proposals_open.stages[0], commissioner)
    open_stage(proposals_open.stage_of_kind(StageKind.REVIEW), commissioner)
    with pytest.raises(NotAuthorised):
        review_proposal(proposal, resident, eligible=True)


def test_commissioners_revise_a_cost_only_as_far_as_the_mandate_allows(
    make_cycle, agree, commissioner, resident
) -> None:
    from pb.proposals.review import revise_cost

    cycle = make_cycle()
    review = cycle.stage_of_kind(StageKind.REVIEW)
    update_mandate(
        review,
        commissioner,
        purpose="p",
        roles="r",
        boundaries={**review.mandate.boundaries_data, "may_revise_costs": True, "max_cost_change_percent": 10},
    )
    for stage in cycle.stages:
        agree(stage)
    open_stage(cycle.stages[0], commissioner)
    proposal = submit_proposal(cycle, resident, ProposalFields(title="Benches", summary="s", cost=100_000))
    close_stage(cycle.stages[0], commissioner)
    open_stage(review, commissioner)

    with pytest.raises(OutsideMandate) as too_far:
        revise_cost(proposal, commissioner, new_cost=110_001, reason="Steel prices")
    assert too_far.value.clause == "review.max_cost_change_percent"
    revise_cost(proposal, commissioner, new_cost=110_000, reason="Steel prices")
    # Measured from the proposer's estimate, so small steps cannot add up past the limit.
    with pytest.raises(OutsideMandate):
        revise_cost(proposal, commissioner, new_cost=111_000, reason="Again")
    assert (proposal.cost, proposal.estimated_cost, proposal.cost_revision_reason) == (110_000, 100_000, "Steel prices")


def test_costs_stay_as_proposed_when_the_mandate_says_so(proposals_open, commissioner, resident) -> None:
    from pb.proposals.review import revise_cost

    proposal = submit_proposal(proposals_open, resident, ProposalFields(title="Benches", summary="s", cost=100_000))
    close_stage(proposals_open.stages[0], commissioner)
    open_stage(proposals_open.stage_of_kind(StageKind.REVIEW), commissioner)
    with pytest.raises(OutsideMandate) as refused:
        revise_cost(proposal, commissioner, new_cost=90_000, reason="Cheaper supplier")
    assert refused.value.clause == "review.may_revise_costs"
    assert proposal.cost == 100_000
