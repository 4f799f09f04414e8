"""The one place that decides what a person may do in a stage.

Every service asks `require(user, action, stage, ...)` before it changes anything. The answer
comes from three things, checked in this order: the table `PERMISSIONS` (which roles may take
each action, in which stage kinds and stage states), then the structured boundaries of the
stage's agreed mandate (the checks in `pb.mandates.clauses`, chosen here for each action). A
refusal names the clause that decided it, so the person is told *why*, not just *no*. Every
action must appear in the table: a test enumerates them all.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pb.accounts.models import Role
from pb.accounts.services import has_role
from pb.cycles.models import StageKind, StageState
from pb.errors import MandateNotAgreed, NotAuthorised, OutsideMandate, PBError, StageNotOpen
from pb.mandates import clauses
from pb.mandates.actions import Action, Verdict
from pb.mandates.models import Side
from pb.templating import stage_name

if TYPE_CHECKING:
    from pb.accounts.models import User
    from pb.cycles.models import Cycle, Stage

ANY_STAGE = frozenset(StageKind)
PRIORITIES = frozenset({StageKind.PRIORITIES})
DELIBERATION = frozenset({StageKind.DELIBERATION})
BEFORE_OPENING = frozenset({StageState.DRAFT, StageState.AGREED})
OPEN = frozenset({StageState.OPEN})
CLOSED = frozenset({StageState.CLOSED})
DELIVERY = frozenset({StageKind.DELIVERY})
ASSESSMENT = frozenset({StageKind.ASSESSMENT})


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
    # Councillors observe every stage (docs/people.md): what the two sides see, they see.
    Action.VIEW_DASHBOARD: (Role.COMMISSIONER, Role.REPRESENTATIVE, Role.COUNCILLOR),
    Action.READ_AUDIT_LOG: (Role.COMMISSIONER, Role.REPRESENTATIVE, Role.COUNCILLOR),
    Action.ENTER_POPULATION: (Role.COMMISSIONER,),
    Action.ENDORSE_CYCLE: (Role.COUNCILLOR,),
    Action.MANAGE_ROLES: (Role.ADMIN,),  # held everywhere: asked with no cycle
    Action.MANAGE_ACCOUNTS: (Role.ADMIN,),
    Action.READ_COUNCIL_AUDIT_LOG: (Role.ADMIN,),
    Action.MANAGE_TEMPLATES: (Role.COMMISSIONER,),  # as creating a cycle: a council-wide commissioner
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
    # No role: the voting code is the credential (the service checks it); the mandate must accept codes.
    Action.CAST_CODE_BALLOT: Permission((), frozenset({StageKind.VOTE}), OPEN),
    # No role either: having voted is the credential (the service checks it); the mandate must ask questions.
    Action.ANSWER_QUESTIONS: Permission((), frozenset({StageKind.VOTE}), OPEN),
    Action.ISSUE_VOTING_CODES: Permission(
        (Role.COMMISSIONER, Role.FACILITATOR), frozenset({StageKind.VOTE}), BEFORE_OPENING | OPEN
    ),
    Action.RECORD_DECISION: Permission((Role.COMMISSIONER,), frozenset({StageKind.DECISION}), OPEN),
    Action.OVERRIDE_RESULT: Permission((Role.COMMISSIONER,), frozenset({StageKind.DECISION}), OPEN),
    # Residents here, narrowed by the priorities mandate's `who_may_contribute`.
    Action.RECORD_NEED: Permission((Role.COMMISSIONER, Role.REPRESENTATIVE, Role.RESIDENT), PRIORITIES, OPEN),
    Action.SUPPORT_NEED: Permission((Role.RESIDENT,), PRIORITIES, OPEN),
    Action.AGREE_THEME: Permission((Role.COMMISSIONER, Role.REPRESENTATIVE), PRIORITIES, OPEN),
    # The proposer's own actions: the services pass `author_id`.
    Action.EDIT_PROPOSAL: Permission((Role.RESIDENT,), frozenset({StageKind.PROPOSALS}), OPEN),
    Action.RESPOND_TO_REVIEW: Permission((Role.RESIDENT,), frozenset({StageKind.REVIEW}), OPEN),
    # Narrowed by the deliberation mandate's `who_may_comment` and `moderators`.
    Action.COMMENT: Permission((Role.COMMISSIONER, Role.REPRESENTATIVE, Role.RESIDENT), DELIBERATION, OPEN),
    Action.SUPPORT_PROPOSAL: Permission((Role.RESIDENT,), DELIBERATION, OPEN),
    Action.MODERATE_COMMENT: Permission(
        (Role.COMMISSIONER, Role.FACILITATOR, Role.REPRESENTATIVE), DELIBERATION, OPEN
    ),
    Action.REQUEST_MERGE: Permission((Role.RESIDENT,), DELIBERATION, OPEN),
    Action.CONSENT_TO_MERGE: Permission((Role.RESIDENT,), DELIBERATION, OPEN),
    Action.POST_UPDATE: Permission((Role.COMMISSIONER,), DELIVERY, OPEN),
    # Only where the delivery mandate's `residents_may_pledge` allows it.
    Action.PLEDGE: Permission((Role.RESIDENT,), DELIVERY, OPEN),
    Action.RECORD_PLEDGE: Permission((Role.COMMISSIONER,), DELIVERY, OPEN),
    Action.RECORD_LESSON: Permission((Role.COMMISSIONER,), DELIVERY | ASSESSMENT, OPEN),
    # Narrowed by the assessment mandate's `who_may_rate`.
    Action.RATE_PROJECT: Permission((Role.COMMISSIONER, Role.REPRESENTATIVE, Role.RESIDENT), ASSESSMENT, OPEN),
    # The proposer's own unfunded proposal, once the decision stage has recorded it.
    Action.CONSENT_TO_CARRY_OVER: Permission((Role.RESIDENT,), frozenset({StageKind.DECISION}), OPEN | CLOSED),
    # Asked of a cycle's last stage: the cycle must be finished (every stage closed).
    Action.START_NEXT_CYCLE: Permission((Role.COMMISSIONER,), ANY_STAGE, CLOSED),
    # In-person events; the events service also checks that a facilitator runs this event.
    Action.CREATE_EVENT: Permission((Role.COMMISSIONER,), ANY_STAGE, BEFORE_OPENING | OPEN),
    Action.RUN_EVENT: Permission((Role.COMMISSIONER, Role.FACILITATOR), ANY_STAGE, BEFORE_OPENING | OPEN | CLOSED),
    Action.CHECK_IN_ATTENDEE: Permission((Role.COMMISSIONER, Role.FACILITATOR), ANY_STAGE, OPEN),
    # Kiosks and paper ballots are one-time credentials, as voting codes are: the vote's mandate must take codes.
    Action.START_KIOSK: Permission((Role.COMMISSIONER, Role.FACILITATOR), frozenset({StageKind.VOTE}), OPEN),
    Action.PRINT_PAPER_BALLOTS: Permission(
        (Role.COMMISSIONER, Role.FACILITATOR), frozenset({StageKind.VOTE}), BEFORE_OPENING | OPEN
    ),
    Action.KEY_PAPER_BALLOT: Permission((Role.COMMISSIONER, Role.FACILITATOR), frozenset({StageKind.VOTE}), OPEN),
    Action.RESOLVE_PAPER_BALLOT: Permission((Role.COMMISSIONER, Role.FACILITATOR), frozenset({StageKind.VOTE}), OPEN),
    Action.RECORD_WORKSHOP: Permission((Role.COMMISSIONER, Role.FACILITATOR), ANY_STAGE, OPEN | CLOSED),
}

_ROLE_WORDS = {
    Role.COMMISSIONER: _l("the cycle's commissioners"),
    Role.REPRESENTATIVE: _l("the cycle's resident representatives"),
    Role.RESIDENT: _l("residents who are signed in"),
    Role.FACILITATOR: _l("the cycle's facilitators"),
    Role.COUNCILLOR: _l("the cycle's councillors"),
    Role.ADMIN: _l("administrators"),
}


def is_commissioner(user: User | None, cycle: Cycle | None = None) -> bool:
    return has_role(user, Role.COMMISSIONER, cycle.id if cycle else None)


def is_representative(user: User | None, cycle: Cycle) -> bool:
    return has_role(user, Role.REPRESENTATIVE, cycle.id)


def may_on_cycle(user: User | None, action: Action, cycle: Cycle | None = None) -> bool:
    """Whether `require_cycle_action` would allow it: for showing a link, never for deciding."""
    try:
        require_cycle_action(user, action, cycle)
    except PBError:
        return False
    return True


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
    choices: Collection[int] | Mapping[int, int] | None = None,
    new_cost: int | None = None,
    verified_by_code: bool = False,
    author_id: int | None = None,
) -> Verdict:
    """Decide whether `user` may do `action` in `stage`; return the clause that allows it.

    Raises NotAuthorised (wrong role), StageNotOpen, MandateNotAgreed, OutsideMandate (a
    boundary forbids it) or InvalidBallot (a ballot outside the vote's limits); each names
    the deciding clause.
    """
    permission = PERMISSIONS[action]
    if stage.kind not in permission.kinds:
        kinds = _listed([stage_name(k).lower() for k in sorted(permission.kinds, key=lambda k: k.value)], "or")
        raise StageNotOpen(_("This can only be done in the %(stages)s stage.", stages=kinds), clause="stage.kind")
    roles = permission.roles
    if action == Action.SIGN_MANDATE:
        roles = (Role.COMMISSIONER,) if side == Side.COMMISSIONERS else (Role.REPRESENTATIVE,)
    if roles:
        role = _first_role(user, roles, stage.cycle)
        verdict = Verdict(clause=f"roles.{role.value}", role=role.value)
    else:  # anyone may try: a credential the service checks (a voting code) decides
        verdict = Verdict(clause="vote.eligibility", role="voter")
    _require_state(action, stage, permission)

    if action == Action.OPEN_STAGE:
        _require_earlier_stages_closed(stage)
    elif action == Action.SUBMIT_PROPOSAL:
        return clauses.require_cost_cap(stage, cost, verdict)
    elif action == Action.REVIEW_PROPOSAL and ground is not None:
        return clauses.require_ground(clauses.agreed(stage).boundaries, ground)
    elif action == Action.REVISE_COST:
        return clauses.require_cost_revision(clauses.agreed(stage).boundaries, cost, new_cost)
    elif action in (Action.CAST_BALLOT, Action.CAST_CODE_BALLOT):
        account = user if action == Action.CAST_BALLOT else None
        boundaries = clauses.agreed(stage).boundaries
        return clauses.require_ballot(boundaries, account, choices, cost, verified_by_code, verdict)
    elif action in clauses.CREDENTIAL_ACTIONS:
        return clauses.require_codes_accepted(stage.mandate.boundaries, action, verdict)
    elif action == Action.ANSWER_QUESTIONS:
        return clauses.require_questions(clauses.agreed(stage).boundaries)
    elif action == Action.OVERRIDE_RESULT:
        return clauses.require_override(clauses.agreed(stage).boundaries, ground)
    elif action in (Action.EDIT_PROPOSAL, Action.RESPOND_TO_REVIEW, Action.CONSENT_TO_MERGE,
                    Action.CONSENT_TO_CARRY_OVER):
        return clauses.require_author(user, action, stage, author_id, verdict)
    elif action in (Action.RECORD_NEED, Action.COMMENT, Action.MODERATE_COMMENT, Action.RATE_PROJECT):
        return clauses.require_setting(user, action, stage, ground)
    elif action in (Action.PLEDGE, Action.RECORD_PLEDGE):
        return clauses.require_pledging(clauses.agreed(stage).boundaries, verdict)
    elif action == Action.START_NEXT_CYCLE:
        return _require_cycle_finished(stage, verdict)
    return verdict


def _first_role(user: User | None, roles: tuple[Role, ...], cycle: Cycle | None) -> Role:
    for role in roles:
        if has_role(user, role, cycle.id if cycle else None):
            return role
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAuthorised(_("Sign in to do this."), clause="roles.signed_in")
    who = _listed([str(_ROLE_WORDS[r]) for r in roles], "and")
    raise NotAuthorised(_("Only %(who)s can do this.", who=who), clause=f"roles.{roles[0].value}")


def _listed(words: list[str], joiner: str) -> str:
    """The words joined with "or" (or "and") in the reader's language: "a or b or c"."""
    listed = words[0]
    for word in words[1:]:
        listed = (_("%(first)s or %(second)s", first=listed, second=word) if joiner == "or"
                  else _("%(first)s and %(second)s", first=listed, second=word))
    return listed


def _require_state(action: Action, stage: Stage, permission: Permission) -> None:
    if stage.state in permission.states:
        return
    kind = stage_name(stage.kind).lower()
    if action == Action.OPEN_STAGE and stage.state == StageState.DRAFT:
        raise MandateNotAgreed(
            _("This stage cannot open until its mandate is signed by a commissioner and the resident representatives."),
            clause="mandate.agreed",
        )
    if action == Action.EDIT_MANDATE and stage.state == StageState.OPEN:
        raise OutsideMandate(
            _("The %(stage)s stage is open: its mandate changes only by an amendment both sides sign.", stage=kind),
            clause="mandate.amendment",
        )
    if action in (Action.EDIT_MANDATE, Action.AMEND_MANDATE, Action.SIGN_MANDATE, Action.DISCUSS_MANDATE):
        raise OutsideMandate(_("The %(stage)s stage has closed: its mandate can no longer change.", stage=kind),
                             clause="mandate.locked")
    if action == Action.OPEN_STAGE:
        raise StageNotOpen(_("The %(stage)s stage has already opened.", stage=kind), clause="stage.state")
    if action == Action.START_NEXT_CYCLE:
        raise StageNotOpen(_("Start the next cycle once every stage of this one has closed."), clause="cycle.finished")
    # Shown on pages in either language (the event's kiosk and paper panels): the stage named in the reader's.
    raise StageNotOpen(
        _("The %(stage)s stage is not open.", stage=stage_name(stage.kind).lower()), clause="stage.state"
    )


def _require_earlier_stages_closed(stage: Stage) -> None:
    earlier = [s for s in stage.cycle.stages if s.position < stage.position and s.state != StageState.CLOSED]
    if earlier:
        raise StageNotOpen(
            _("Close the %(stage)s stage before opening this one.", stage=stage_name(earlier[0].kind).lower()),
            clause="cycle.stage_order",
        )


def _require_cycle_finished(stage: Stage, verdict: Verdict) -> Verdict:
    if any(s.state != StageState.CLOSED for s in stage.cycle.stages):
        raise StageNotOpen(_("Start the next cycle once every stage of this one has closed."), clause="cycle.finished")
    return verdict
