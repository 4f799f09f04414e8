"""Submitting proposals and the commissioners' feasibility review."""

from __future__ import annotations

from sqlalchemy import select

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Cycle, StageKind
from pb.db import session, utcnow
from pb.errors import InvalidInput, NotFound
from pb.mandates.authority import Action, require
from pb.proposals.models import Proposal, ProposalStatus

MAX_TITLE = 120
MAX_SUMMARY = 2000


def submit_proposal(cycle: Cycle, actor: User, *, title: str, summary: str, cost: int) -> Proposal:
    """A resident submits a proposal while the proposals stage is open.

    Raises StageNotOpen, NotAuthorised, OutsideMandate (over the cost cap) or InvalidInput.
    """
    stage = cycle.stage_of_kind(StageKind.PROPOSALS)
    if stage is None:
        raise NotFound("This cycle does not take proposals.")
    title, summary = title.strip(), summary.strip()
    if not title:
        raise InvalidInput("Enter a title for your proposal.", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"The title must be {MAX_TITLE} characters or fewer.", field="title")
    if not summary:
        raise InvalidInput("Describe your proposal.", field="summary")
    if len(summary) > MAX_SUMMARY:
        raise InvalidInput(f"The description must be {MAX_SUMMARY} characters or fewer.", field="summary")
    if cost <= 0:
        raise InvalidInput("The cost must be more than £0.", field="cost")
    verdict = require(actor, Action.SUBMIT_PROPOSAL, stage, cost=cost)
    proposal = Proposal(cycle_id=cycle.id, author_id=actor.id, title=title, summary=summary, cost=cost)
    session().add(proposal)
    session().flush()
    record(
        "proposal.submit",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"proposal {proposal.id}",
        detail={"cost": cost},
    )
    return proposal


def review_proposal(
    proposal: Proposal, actor: User, *, eligible: bool, ground: str | None = None, reason: str | None = None
) -> Proposal:
    """Mark a proposal eligible, or rule it out on a ground the review mandate allows.

    A ruling can be changed while the review stage is open; each change is audited.
    Raises StageNotOpen, NotAuthorised, OutsideMandate (ground not allowed) or InvalidInput.
    """
    stage = proposal.cycle.stage_of_kind(StageKind.REVIEW)
    if stage is None:
        raise NotFound("This cycle has no review stage.")
    if eligible:
        verdict = require(actor, Action.REVIEW_PROPOSAL, stage)
        proposal.status, proposal.ruling_ground, proposal.ruling_reason = ProposalStatus.ELIGIBLE, None, None
    else:
        if not ground:
            raise InvalidInput("Choose the ground for ruling this proposal out.", field="ground")
        if not reason or not reason.strip():
            raise InvalidInput("Explain, in public, why this proposal is ruled out.", field="reason")
        verdict = require(actor, Action.REVIEW_PROPOSAL, stage, ground=ground)
        proposal.status = ProposalStatus.RULED_OUT
        proposal.ruling_ground, proposal.ruling_reason = ground, reason.strip()
    proposal.reviewed_at = utcnow()
    proposal.reviewed_by_id = actor.id
    session().flush()
    record(
        "proposal.review",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"proposal {proposal.id}",
        detail={"status": proposal.status.value, "ground": proposal.ruling_ground, "clause": verdict.clause},
    )
    return proposal


def revise_cost(proposal: Proposal, actor: User, *, new_cost: int, reason: str) -> Proposal:
    """Commissioners revise a proposal's cost, within the percentage the review mandate allows.

    The limit is measured from the proposer's own estimate, however often the cost is revised.
    Raises StageNotOpen, NotAuthorised, OutsideMandate or InvalidInput.
    """
    stage = proposal.cycle.stage_of_kind(StageKind.REVIEW)
    if stage is None:
        raise NotFound("This cycle has no review stage.")
    if new_cost <= 0:
        raise InvalidInput("The revised cost must be more than £0.", field="new_cost")
    if not reason.strip():
        raise InvalidInput("Explain, in public, why the cost changes.", field="cost_reason")
    estimate = proposal.estimated_cost or proposal.cost
    verdict = require(actor, Action.REVISE_COST, stage, cost=estimate, new_cost=new_cost)
    proposal.estimated_cost, proposal.cost = estimate, new_cost
    proposal.cost_revision_reason = reason.strip()
    session().flush()
    record(
        "proposal.revise_cost",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"proposal {proposal.id}",
        detail={"estimate": estimate, "cost": new_cost, "reason": proposal.cost_revision_reason},
    )
    return proposal


def proposals_for(cycle: Cycle, status: ProposalStatus | None = None) -> list[Proposal]:
    query = select(Proposal).where(Proposal.cycle_id == cycle.id)
    if status is not None:
        query = query.where(Proposal.status == status)
    return list(session().scalars(query.order_by(Proposal.id)))


def get_proposal(cycle: Cycle, proposal_id: int) -> Proposal:
    """Raises NotFound, also for a proposal of another cycle."""
    proposal = session().get(Proposal, proposal_id)
    if proposal is None or proposal.cycle_id != cycle.id:
        raise NotFound("There is no proposal with that number in this cycle.")
    return proposal
