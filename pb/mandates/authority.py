"""The one place that decides what a person may do in a stage.

Every service asks `require(user, action, stage, ...)` before it changes anything. The
answer comes from the person's roles in the cycle, the stage's state, and the structured
boundaries of the stage's agreed mandate; a refusal names the clause that decided it, so
the person is told *why*, not just *no*.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pb.accounts.models import Role
from pb.accounts.services import has_role
from pb.cycles.models import StageKind, StageState
from pb.errors import InvalidBallot, MandateNotAgreed, NotAuthorised, OutsideMandate, StageNotOpen
from pb.mandates.boundaries import ProposalsBoundaries, ReviewBoundaries, VoteBoundaries
from pb.mandates.models import Side

if TYPE_CHECKING:
    from pb.accounts.models import User
    from pb.cycles.models import Cycle, Stage
    from pb.mandates.models import Mandate


class Action(enum.StrEnum):
    CREATE_CYCLE = "create_cycle"
    APPOINT_REPRESENTATIVE = "appoint_representative"
    EDIT_MANDATE = "edit_mandate"
    SIGN_MANDATE = "sign_mandate"
    OPEN_STAGE = "open_stage"
    CLOSE_STAGE = "close_stage"
    SUBMIT_PROPOSAL = "submit_proposal"
    REVIEW_PROPOSAL = "review_proposal"
    CAST_BALLOT = "cast_ballot"
    RECORD_DECISION = "record_decision"


# Which stage each stage-bound action happens in.
_STAGE_OF_ACTION = {
    Action.SUBMIT_PROPOSAL: StageKind.PROPOSALS,
    Action.REVIEW_PROPOSAL: StageKind.REVIEW,
    Action.CAST_BALLOT: StageKind.VOTE,
    Action.RECORD_DECISION: StageKind.DECISION,
}


@dataclass(frozen=True)
class Verdict:
    """Allowed, under `clause`, acting as `role`."""

    clause: str
    role: str


def is_commissioner(user: User | None, cycle: Cycle | None = None) -> bool:
    return has_role(user, Role.COMMISSIONER, cycle.id if cycle else None)


def is_representative(user: User | None, cycle: Cycle) -> bool:
    return has_role(user, Role.REPRESENTATIVE, cycle.id)


def require_cycle_action(user: User | None, action: Action, cycle: Cycle | None = None) -> Verdict:
    """Actions on a whole cycle (creating it, appointing people): commissioners only.

    Raises NotAuthorised.
    """
    if not is_commissioner(user, cycle):
        raise NotAuthorised("Only the cycle's commissioners can do this.", clause="roles.commissioner")
    return Verdict(clause="roles.commissioner", role=Role.COMMISSIONER.value)


def require(
    user: User | None,
    action: Action,
    stage: Stage,
    *,
    side: Side | None = None,
    cost: int | None = None,
    ground: str | None = None,
    choices: Collection[int] | None = None,
) -> Verdict:
    """Decide whether `user` may do `action` in `stage`; return the clause that allows it.

    Raises NotAuthorised (wrong role), StageNotOpen, MandateNotAgreed, OutsideMandate (a
    boundary forbids it) or InvalidBallot (a ballot outside the vote's limits); each
    names the deciding clause.
    """
    cycle = stage.cycle
    if action in (Action.EDIT_MANDATE, Action.SIGN_MANDATE):
        return _require_mandate_action(user, action, stage, side)
    if action in (Action.OPEN_STAGE, Action.CLOSE_STAGE):
        verdict = require_cycle_action(user, action, cycle)
        _require_stage_transition(action, stage)
        return verdict

    expected_kind = _STAGE_OF_ACTION[action]
    if stage.kind != expected_kind:
        raise StageNotOpen(f"This can only be done in the {expected_kind.value} stage.", clause="stage.kind")
    if not stage.is_open:
        raise StageNotOpen(f"The {stage.kind.value} stage is not open.", clause="stage.state")
    mandate = _agreed(stage)

    if action == Action.SUBMIT_PROPOSAL:
        return _require_proposal(user, cycle, mandate, cost)
    if action in (Action.REVIEW_PROPOSAL, Action.RECORD_DECISION):
        verdict = require_cycle_action(user, action, cycle)
        if action == Action.REVIEW_PROPOSAL and ground is not None:
            return _require_ground(mandate, ground)
        return verdict
    return _require_ballot(user, mandate, choices)


def _agreed(stage: Stage) -> Mandate:
    mandate = stage.agreed_mandate
    if mandate is None:
        raise MandateNotAgreed("This stage's mandate has not been agreed.", clause="mandate.agreed")
    return mandate


def _require_mandate_action(user: User | None, action: Action, stage: Stage, side: Side | None) -> Verdict:
    cycle = stage.cycle
    if stage.state in (StageState.OPEN, StageState.CLOSED):
        raise OutsideMandate(
            "The mandate of a stage that has opened cannot be changed or re-signed.", clause="mandate.locked"
        )
    if action == Action.EDIT_MANDATE or side == Side.COMMISSIONERS:
        if is_commissioner(user, cycle):
            return Verdict("roles.commissioner", Role.COMMISSIONER.value)
        if action == Action.EDIT_MANDATE and is_representative(user, cycle):
            return Verdict("roles.representative", Role.REPRESENTATIVE.value)
        raise NotAuthorised(
            "Only the cycle's commissioners and resident representatives can change a mandate."
            if action == Action.EDIT_MANDATE
            else "Only a commissioner can sign for the commissioners.",
            clause="roles.commissioner",
        )
    if is_representative(user, cycle):
        return Verdict("roles.representative", Role.REPRESENTATIVE.value)
    raise NotAuthorised("Only a resident representative can sign for residents.", clause="roles.representative")


def _require_stage_transition(action: Action, stage: Stage) -> None:
    if action == Action.CLOSE_STAGE:
        if not stage.is_open:
            raise StageNotOpen(f"The {stage.kind.value} stage is not open.", clause="stage.state")
        return
    if stage.state == StageState.DRAFT:
        raise MandateNotAgreed(
            "This stage cannot open until its mandate is signed by a commissioner and the resident representatives.",
            clause="mandate.agreed",
        )
    if stage.state != StageState.AGREED:
        raise StageNotOpen(f"The {stage.kind.value} stage has already opened.", clause="stage.state")
    earlier = [s for s in stage.cycle.stages if s.position < stage.position and s.state != StageState.CLOSED]
    if earlier:
        raise StageNotOpen(
            f"Close the {earlier[0].kind.value} stage before opening this one.", clause="cycle.stage_order"
        )


def _require_proposal(user: User | None, cycle: Cycle, mandate: Mandate, cost: int | None) -> Verdict:
    if user is None or not user.is_authenticated:
        raise NotAuthorised("Sign in to submit a proposal.", clause="roles.resident")
    boundaries = mandate.boundaries
    assert isinstance(boundaries, ProposalsBoundaries)
    cap = min(boundaries.max_cost or cycle.budget, cycle.budget)
    if cost is not None and cost > cap:
        raise OutsideMandate(
            "The cost is more than the mandate allows for one proposal.", clause="proposals.max_cost", field="cost"
        )
    return Verdict("proposals.who_may_propose", Role.RESIDENT.value)


def _require_ground(mandate: Mandate, ground: str) -> Verdict:
    boundaries = mandate.boundaries
    assert isinstance(boundaries, ReviewBoundaries)
    if ground not in boundaries.rule_out_grounds:
        raise OutsideMandate(
            "The mandate does not allow ruling a proposal out on that ground.",
            clause="review.rule_out_grounds",
            field="ground",
        )
    return Verdict("review.rule_out_grounds", Role.COMMISSIONER.value)


def _require_ballot(user: User | None, mandate: Mandate, choices: Collection[int] | None) -> Verdict:
    if user is None or not user.is_authenticated:
        raise NotAuthorised("Sign in to vote.", clause="vote.eligibility")
    boundaries = mandate.boundaries
    assert isinstance(boundaries, VoteBoundaries)
    if choices is not None:
        if len(choices) > boundaries.max_choices:
            raise InvalidBallot(
                f"Choose no more than {boundaries.max_choices} projects.", clause="vote.max_choices", field="choices"
            )
        if len(choices) < boundaries.min_choices:
            raise InvalidBallot(
                f"Choose at least {boundaries.min_choices} project{'s' if boundaries.min_choices != 1 else ''}.",
                clause="vote.min_choices",
                field="choices",
            )
    return Verdict("vote.eligibility", Role.RESIDENT.value)
