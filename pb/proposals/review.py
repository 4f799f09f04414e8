"""The feasibility review: eligible, ruled out on an allowed ground, or cost revised; and the proposer's answer."""

from __future__ import annotations

from flask_babel import gettext as _

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Cycle, Stage, StageKind
from pb.db import session, utcnow
from pb.errors import Conflict, InvalidInput, NotFound
from pb.mandates.authority import Action, require
from pb.proposals.models import Proposal, ProposalStatus
from pb.proposals.services import ProposalFields, apply_fields, check_fields, snapshot


def _review_stage(cycle: Cycle) -> Stage:
    stage = cycle.stage_of_kind(StageKind.REVIEW)
    if stage is None:
        raise NotFound(_("This cycle has no review stage."))
    return stage


def check_can_review(cycle: Cycle, actor: User | None) -> None:
    """Whether `actor` may review proposals now. Raises NotFound, StageNotOpen or NotAuthorised."""
    require(actor, Action.REVIEW_PROPOSAL, _review_stage(cycle))


def review_proposal(
    proposal: Proposal, actor: User, *, eligible: bool, ground: str | None = None, reason: str | None = None
) -> Proposal:
    """Mark a proposal eligible, or rule it out on a ground the review mandate allows.

    A ruling can be changed while the review stage is open; each change is audited.
    Raises StageNotOpen, NotAuthorised, OutsideMandate (ground not allowed) or InvalidInput.
    """
    stage = _review_stage(proposal.cycle)
    if eligible:
        verdict = require(actor, Action.REVIEW_PROPOSAL, stage)
        proposal.status, proposal.ruling_ground, proposal.ruling_reason = ProposalStatus.ELIGIBLE, None, None
    else:
        if not ground:
            raise InvalidInput(_("Choose the ground for ruling this proposal out."), field="ground")
        if not reason or not reason.strip():
            raise InvalidInput(_("Explain, in public, why this proposal is ruled out."), field="reason")
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
    stage = _review_stage(proposal.cycle)
    if new_cost <= 0:
        raise InvalidInput(_("The revised cost must be more than £0."), field="new_cost")
    if not reason.strip():
        raise InvalidInput(_("Explain, in public, why the cost changes."), field="cost_reason")
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


def respond_to_review(
    proposal: Proposal, actor: User, *, response: str, revision: ProposalFields | None = None
) -> Proposal:
    """The proposer answers the review once, where the review mandate allows it.

    With a `revision`, the proposal changes (a new visible revision) and goes back for review.
    Raises StageNotOpen, NotAuthorised (not the proposer), OutsideMandate (the mandate does not
    allow answers), Conflict (already answered) or InvalidInput.
    """
    stage = _review_stage(proposal.cycle)
    verdict = require(actor, Action.RESPOND_TO_REVIEW, stage, author_id=proposal.author_id)
    if proposal.reviewed_at is None:
        raise Conflict(_("Commissioners have not reviewed this proposal yet."))
    if proposal.responded_at is not None:
        raise Conflict(_("You have already responded to the review of this proposal."))
    if not response.strip():
        raise InvalidInput(_("Write your response to the review."), field="response")
    if revision is not None:
        check_fields(proposal.cycle, revision)
        apply_fields(proposal, revision)
        proposal.status, proposal.ruling_ground, proposal.ruling_reason = ProposalStatus.SUBMITTED, None, None
        snapshot(proposal, actor, "Revised by the proposer after the review")
    proposal.response, proposal.responded_at = response.strip(), utcnow()
    session().flush()
    record(
        "proposal.respond",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"proposal {proposal.id}",
        detail={"revised": revision is not None},
    )
    return proposal
