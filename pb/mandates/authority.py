"""The one place that decides what a person may do in a stage.

Every service asks `require(user, action, stage, ...)` before it changes anything. The answer
comes from three things, checked in this order: the table `PERMISSIONS` (which roles may take
each action, in which stage kinds and stage states), then the structured boundaries of the
stage's agreed mandate. A refusal names the clause that decided it, so the person is told
*why*, not just *no*. Every action must appear in the table: a test enumerates them all.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pb.accounts.models import Role
from pb.accounts.services import has_role
from pb.cycles.models import StageKind, StageState
from pb.errors import InvalidBallot, MandateNotAgreed, NotAuthorised, OutsideMandate, PBError, StageNotOpen
from pb.mandates.boundaries import DecisionBoundaries, ProposalsBoundaries, ReviewBoundaries, VoteBoundaries
from pb.mandates.models import Side

if TYPE_CHECKING:
    from pb.accounts.models import User
    from pb.cycles.models import Cycle, Stage
    from pb.mandates.models import Mandate


class Action(enum.StrEnum):
    CREATE_CYCLE = "create_cycle"
    APPOINT_REPRESENTATIVE = "appoint_representative"
    EDIT_MANDATE = "edit_mandate"
    AMEND_MANDATE = "amend_mandate"
    SIGN_MANDATE = "sign_mandate"
    DISCUSS_MANDATE = "discuss_mandate"
    OPEN_STAGE = "open_stage"
    CLOSE_STAGE = "close_stage"
    SUBMIT_PROPOSAL = "submit_proposal"
    REVIEW_PROPOSAL = "review_proposal"
    REVISE_COST = "revise_cost"
    CAST_BALLOT = "cast_ballot"
    RECORD_DECISION = "record_decision"
    OVERRIDE_RESULT = "override_result"


ANY_STAGE = frozenset(StageKind)
BEFORE_OPENING = frozenset({StageState.DRAFT, StageState.AGREED})
OPEN = frozenset({StageState.OPEN})


@dataclass(frozen=True)
class Permission:
    """Who may take an action (the first role they hold is the one recorded), where, and when."""

    roles: tuple[Role, ...]
    kinds: frozenset[StageKind]
    states: frozenset[StageState]


# Actions on a whole cycle rather than in one of its stages.
CYCLE_PERMISSIONS: dict[Action, tuple[Role, ...]] = {
    Action.CREATE_CYCLE: (Role.COMMISSIONER,),
    Action.APPOINT_REPRESENTATIVE: (Role.COMMISSIONER,),
}

PERMISSIONS: dict[Action, Permission] = {
    Action.EDIT_MANDATE: Permission((Role.COMMISSIONER, Role.REPRESENTATIVE), ANY_STAGE, BEFORE_OPENING),
    Action.AMEND_MANDATE: Permission((Role.COMMISSIONER, Role.REPRESENTATIVE), ANY_STAGE, OPEN),
    Action.SIGN_MANDATE: Permission((Role.COMMISSIONER, Role.REPRESENTATIVE), ANY_STAGE, BEFORE_OPENING | OPEN),
    Action.DISCUSS_MANDATE: Permission((Role.COMMISSIONER, Role.REPRESENTATIVE), ANY_STAGE, BEFORE_OPENING | OPEN),
    Action.OPEN_STAGE: Permission((Role.COMMISSIONER,), ANY_STAGE, frozenset({StageState.AGREED})),
    Action.CLOSE_STAGE: Permission((Role.COMMISSIONER,), ANY_STAGE, OPEN),
    Action.SUBMIT_PROPOSAL: Permission((Role.RESIDENT,), frozenset({StageKind.PROPOSALS}), OPEN),
    Action.REVIEW_PROPOSAL: Permission((Role.COMMISSIONER,), frozenset({StageKind.REVIEW}), OPEN),
    Action.REVISE_COST: Permission((Role.COMMISSIONER,), frozenset({StageKind.REVIEW}), OPEN),
    Action.CAST_BALLOT: Permission((Role.RESIDENT,), frozenset({StageKind.VOTE}), OPEN),
    Action.RECORD_DECISION: Permission((Role.COMMISSIONER,), frozenset({StageKind.DECISION}), OPEN),
    Action.OVERRIDE_RESULT: Permission((Role.COMMISSIONER,), frozenset({StageKind.DECISION}), OPEN),
}

_ROLE_WORDS = {
    Role.COMMISSIONER: "the cycle's commissioners",
    Role.REPRESENTATIVE: "the cycle's resident representatives",
    Role.RESIDENT: "residents who are signed in",
    Role.FACILITATOR: "the cycle's facilitators",
    Role.ADMIN: "administrators",
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
    """Actions on a whole cycle (creating it, appointing people). Raises NotAuthorised."""
    role = _first_role(user, CYCLE_PERMISSIONS[action], cycle)
    return Verdict(clause=f"roles.{role.value}", role=role.value)


def allowed(user: User | None, action: Action, stage: Stage, **context: object) -> bool:
    """Whether `require` would allow it: for showing or hiding a button, never for deciding."""
    try:
        require(user, action, stage, **context)  # type: ignore[arg-type]
    except PBError:
        return False
    return True


def require(
    user: User | None,
    action: Action,
    stage: Stage,
    *,
    side: Side | None = None,
    cost: int | None = None,
    ground: str | None = None,
    choices: Collection[int] | None = None,
    new_cost: int | None = None,
) -> Verdict:
    """Decide whether `user` may do `action` in `stage`; return the clause that allows it.

    Raises NotAuthorised (wrong role), StageNotOpen, MandateNotAgreed, OutsideMandate (a
    boundary forbids it) or InvalidBallot (a ballot outside the vote's limits); each names
    the deciding clause.
    """
    permission = PERMISSIONS[action]
    if stage.kind not in permission.kinds:
        kinds = " or ".join(sorted(k.value for k in permission.kinds))
        raise StageNotOpen(f"This can only be done in the {kinds} stage.", clause="stage.kind")
    roles = permission.roles
    if action == Action.SIGN_MANDATE:
        roles = (Role.COMMISSIONER,) if side == Side.COMMISSIONERS else (Role.REPRESENTATIVE,)
    role = _first_role(user, roles, stage.cycle)
    _require_state(action, stage, permission)
    verdict = Verdict(clause=f"roles.{role.value}", role=role.value)

    if action == Action.OPEN_STAGE:
        _require_earlier_stages_closed(stage)
    elif action == Action.SUBMIT_PROPOSAL:
        return _require_cost_cap(stage, cost, verdict)
    elif action == Action.REVIEW_PROPOSAL and ground is not None:
        return _require_ground(_agreed(stage).boundaries, ground)
    elif action == Action.REVISE_COST:
        return _require_cost_revision(_agreed(stage).boundaries, cost, new_cost)
    elif action == Action.CAST_BALLOT:
        return _require_ballot(_agreed(stage).boundaries, choices, verdict)
    elif action == Action.OVERRIDE_RESULT:
        return _require_override(_agreed(stage).boundaries, ground)
    return verdict


def _first_role(user: User | None, roles: tuple[Role, ...], cycle: Cycle | None) -> Role:
    for role in roles:
        if has_role(user, role, cycle.id if cycle else None):
            return role
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAuthorised("Sign in to do this.", clause="roles.signed_in")
    who = " and ".join(_ROLE_WORDS[r] for r in roles)
    raise NotAuthorised(f"Only {who} can do this.", clause=f"roles.{roles[0].value}")


def _require_state(action: Action, stage: Stage, permission: Permission) -> None:
    if stage.state in permission.states:
        return
    kind = stage.kind.value
    if action == Action.OPEN_STAGE and stage.state == StageState.DRAFT:
        raise MandateNotAgreed(
            "This stage cannot open until its mandate is signed by a commissioner and the resident representatives.",
            clause="mandate.agreed",
        )
    if action == Action.EDIT_MANDATE and stage.state == StageState.OPEN:
        raise OutsideMandate(
            f"The {kind} stage is open: its mandate changes only by an amendment both sides sign.",
            clause="mandate.amendment",
        )
    if action in (Action.EDIT_MANDATE, Action.AMEND_MANDATE, Action.SIGN_MANDATE, Action.DISCUSS_MANDATE):
        raise OutsideMandate(f"The {kind} stage has closed: its mandate can no longer change.", clause="mandate.locked")
    if action == Action.OPEN_STAGE:
        raise StageNotOpen(f"The {kind} stage has already opened.", clause="stage.state")
    raise StageNotOpen(f"The {kind} stage is not open.", clause="stage.state")


def _agreed(stage: Stage) -> Mandate:
    mandate = stage.agreed_mandate
    if mandate is None:
        raise MandateNotAgreed("This stage's mandate has not been agreed.", clause="mandate.agreed")
    return mandate


def _require_earlier_stages_closed(stage: Stage) -> None:
    earlier = [s for s in stage.cycle.stages if s.position < stage.position and s.state != StageState.CLOSED]
    if earlier:
        raise StageNotOpen(
            f"Close the {earlier[0].kind.value} stage before opening this one.", clause="cycle.stage_order"
        )


def _require_cost_cap(stage: Stage, cost: int | None, verdict: Verdict) -> Verdict:
    boundaries = _agreed(stage).boundaries
    assert isinstance(boundaries, ProposalsBoundaries)
    cycle_budget = stage.cycle.budget
    cap = min(boundaries.max_cost or cycle_budget, cycle_budget)
    if cost is not None and cost > cap:
        raise OutsideMandate(
            "The cost is more than the mandate allows for one proposal.", clause="proposals.max_cost", field="cost"
        )
    return verdict


def _require_ground(boundaries: object, ground: str) -> Verdict:
    assert isinstance(boundaries, ReviewBoundaries)
    if ground not in boundaries.rule_out_grounds:
        raise OutsideMandate(
            "The mandate does not allow ruling a proposal out on that ground.",
            clause="review.rule_out_grounds",
            field="ground",
        )
    return Verdict("review.rule_out_grounds", Role.COMMISSIONER.value)


def _require_cost_revision(boundaries: object, cost: int | None, new_cost: int | None) -> Verdict:
    assert isinstance(boundaries, ReviewBoundaries)
    if not boundaries.may_revise_costs:
        raise OutsideMandate(
            "The mandate does not let commissioners change a proposal's cost.",
            clause="review.may_revise_costs",
            field="new_cost",
        )
    # Integers only: |new - old| / old <= p / 100, without rounding.
    if (
        cost is not None
        and new_cost is not None
        and abs(new_cost - cost) * 100 > boundaries.max_cost_change_percent * cost
    ):
        raise OutsideMandate(
            f"The mandate lets commissioners change a cost by at most {boundaries.max_cost_change_percent}%.",
            clause="review.max_cost_change_percent",
            field="new_cost",
        )
    return Verdict("review.may_revise_costs", Role.COMMISSIONER.value)


def _require_ballot(boundaries: object, choices: Collection[int] | None, verdict: Verdict) -> Verdict:
    assert isinstance(boundaries, VoteBoundaries)
    if choices is None:
        return verdict
    if len(choices) > boundaries.max_choices:
        raise InvalidBallot(
            f"Choose no more than {boundaries.max_choices} projects.", clause="vote.max_choices", field="choices"
        )
    if len(choices) < boundaries.min_choices:
        plural = "s" if boundaries.min_choices != 1 else ""
        raise InvalidBallot(
            f"Choose at least {boundaries.min_choices} project{plural}.", clause="vote.min_choices", field="choices"
        )
    return verdict


def _require_override(boundaries: object, ground: str | None) -> Verdict:
    assert isinstance(boundaries, DecisionBoundaries)
    if boundaries.override_by == "nobody":
        raise OutsideMandate(
            "The vote binds the council and the mandate allows no override.", clause="decision.override_by"
        )
    if ground not in boundaries.override_grounds:
        raise OutsideMandate(
            "The mandate does not allow an override on that ground.", clause="decision.override_grounds", field="ground"
        )
    return Verdict("decision.override_by", Role.COMMISSIONER.value)
