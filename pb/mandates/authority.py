"""The one place that decides what a person may do in a stage.

Every service asks `require(user, action, stage, ...)` before it changes anything. The answer
comes from three things, checked in this order: the table `PERMISSIONS` (which roles may take
each action, in which stage kinds and stage states), then the structured boundaries of the
stage's agreed mandate. A refusal names the clause that decided it, so the person is told
*why*, not just *no*. Every action must appear in the table: a test enumerates them all.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from pb.accounts.models import Role
from pb.accounts.services import has_role
from pb.cycles.models import StageKind, StageState
from pb.errors import InvalidBallot, MandateNotAgreed, NotAuthorised, OutsideMandate, PBError, StageNotOpen
from pb.mandates.boundaries import (
    COMMENTERS,
    MODERATORS,
    AssessmentBoundaries,
    DecisionBoundaries,
    DeliberationBoundaries,
    DeliveryBoundaries,
    PrioritiesBoundaries,
    ProposalsBoundaries,
    ReviewBoundaries,
    VoteBoundaries,
    postcode_in_areas,
)
from pb.mandates.models import Side
from pb.templating import money, stage_name

if TYPE_CHECKING:
    from pb.accounts.models import User
    from pb.cycles.models import Cycle, Stage
    from pb.mandates.models import Mandate


class Action(enum.StrEnum):
    CREATE_CYCLE = "create_cycle"
    APPOINT_REPRESENTATIVE = "appoint_representative"
    VIEW_DASHBOARD = "view_dashboard"
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
    CAST_CODE_BALLOT = "cast_code_ballot"  # with a voting code, signed in or not
    ANSWER_QUESTIONS = "answer_questions"  # the optional questions about oneself, after voting
    ENTER_POPULATION = "enter_population"  # the area's population, for the dashboard's comparison
    ISSUE_VOTING_CODES = "issue_voting_codes"
    RECORD_DECISION = "record_decision"
    OVERRIDE_RESULT = "override_result"
    RECORD_NEED = "record_need"
    SUPPORT_NEED = "support_need"
    AGREE_THEME = "agree_theme"
    EDIT_PROPOSAL = "edit_proposal"
    RESPOND_TO_REVIEW = "respond_to_review"
    COMMENT = "comment"
    SUPPORT_PROPOSAL = "support_proposal"
    MODERATE_COMMENT = "moderate_comment"
    REQUEST_MERGE = "request_merge"
    CONSENT_TO_MERGE = "consent_to_merge"
    POST_UPDATE = "post_update"
    PLEDGE = "pledge"
    RECORD_PLEDGE = "record_pledge"  # a pledge made in person, by someone without an account
    RECORD_LESSON = "record_lesson"
    RATE_PROJECT = "rate_project"
    CONSENT_TO_CARRY_OVER = "consent_to_carry_over"
    START_NEXT_CYCLE = "start_next_cycle"
    CREATE_EVENT = "create_event"
    RUN_EVENT = "run_event"  # an event's dashboard and live view
    CHECK_IN_ATTENDEE = "check_in_attendee"
    START_KIOSK = "start_kiosk"
    PRINT_PAPER_BALLOTS = "print_paper_ballots"
    KEY_PAPER_BALLOT = "key_paper_ballot"  # a first or second entry, the reconciliation counts
    RESOLVE_PAPER_BALLOT = "resolve_paper_ballot"  # a mismatch between two entries
    RECORD_WORKSHOP = "record_workshop"  # notes, attendance and ideas raised in the room


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
    Action.VIEW_DASHBOARD: (Role.COMMISSIONER, Role.REPRESENTATIVE),
    Action.ENTER_POPULATION: (Role.COMMISSIONER,),
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
    Role.ADMIN: _l("administrators"),
}
# Who a `who_may_…` setting of a mandate lets act (see boundaries.COMMENTERS).
_ALLOWED_BY_SETTING = {
    "residents": {Role.RESIDENT, Role.REPRESENTATIVE, Role.COMMISSIONER},
    "representatives": {Role.REPRESENTATIVE, Role.COMMISSIONER},
}
_MODERATOR_ROLES = {"commissioners": Role.COMMISSIONER, "facilitators": Role.FACILITATOR,
                    "representatives": Role.REPRESENTATIVE}


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
        return _require_cost_cap(stage, cost, verdict)
    elif action == Action.REVIEW_PROPOSAL and ground is not None:
        return _require_ground(_agreed(stage).boundaries, ground)
    elif action == Action.REVISE_COST:
        return _require_cost_revision(_agreed(stage).boundaries, cost, new_cost)
    elif action in (Action.CAST_BALLOT, Action.CAST_CODE_BALLOT):
        account = user if action == Action.CAST_BALLOT else None
        return _require_ballot(_agreed(stage).boundaries, account, choices, cost, verified_by_code, verdict)
    elif action in _CREDENTIAL_ACTIONS:
        return _require_codes_accepted(stage.mandate.boundaries, action, verdict)
    elif action == Action.ANSWER_QUESTIONS:
        return _require_questions(_agreed(stage).boundaries)
    elif action == Action.OVERRIDE_RESULT:
        return _require_override(_agreed(stage).boundaries, ground)
    elif action in (Action.EDIT_PROPOSAL, Action.RESPOND_TO_REVIEW, Action.CONSENT_TO_MERGE,
                    Action.CONSENT_TO_CARRY_OVER):
        return _require_author(user, action, stage, author_id, verdict)
    elif action in (Action.RECORD_NEED, Action.COMMENT, Action.MODERATE_COMMENT, Action.RATE_PROJECT):
        return _require_setting(user, action, stage, ground)
    elif action in (Action.PLEDGE, Action.RECORD_PLEDGE):
        return _require_pledging(_agreed(stage).boundaries, verdict)
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


def _agreed(stage: Stage) -> Mandate:
    mandate = stage.agreed_mandate
    if mandate is None:
        raise MandateNotAgreed(_("This stage's mandate has not been agreed."), clause="mandate.agreed")
    return mandate


def _require_earlier_stages_closed(stage: Stage) -> None:
    earlier = [s for s in stage.cycle.stages if s.position < stage.position and s.state != StageState.CLOSED]
    if earlier:
        raise StageNotOpen(
            _("Close the %(stage)s stage before opening this one.", stage=stage_name(earlier[0].kind).lower()),
            clause="cycle.stage_order",
        )


def _require_cost_cap(stage: Stage, cost: int | None, verdict: Verdict) -> Verdict:
    boundaries = _agreed(stage).boundaries
    assert isinstance(boundaries, ProposalsBoundaries)
    cycle_budget = stage.cycle.budget
    cap = min(boundaries.max_cost or cycle_budget, cycle_budget)
    if cost is not None and cost > cap:
        raise OutsideMandate(
            _("The cost is more than the mandate allows for one proposal."), clause="proposals.max_cost", field="cost"
        )
    return verdict


def _require_ground(boundaries: object, ground: str) -> Verdict:
    assert isinstance(boundaries, ReviewBoundaries)
    if ground not in boundaries.rule_out_grounds:
        raise OutsideMandate(
            _("The mandate does not allow ruling a proposal out on that ground."),
            clause="review.rule_out_grounds",
            field="ground",
        )
    return Verdict("review.rule_out_grounds", Role.COMMISSIONER.value)


def _require_cost_revision(boundaries: object, cost: int | None, new_cost: int | None) -> Verdict:
    assert isinstance(boundaries, ReviewBoundaries)
    if not boundaries.may_revise_costs:
        raise OutsideMandate(
            _("The mandate does not let commissioners change a proposal's cost."),
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
            _("The mandate lets commissioners change a cost by at most %(percent)d%%.",
              percent=boundaries.max_cost_change_percent),
            clause="review.max_cost_change_percent",
            field="new_cost",
        )
    return Verdict("review.may_revise_costs", Role.COMMISSIONER.value)


def _require_ballot(
    boundaries: object,
    account: User | None,
    choices: Collection[int] | Mapping[int, int] | None,
    total_cost: int | None,
    verified_by_code: bool,
    verdict: Verdict,
) -> Verdict:
    """Eligibility (an account's details, or a voting code) and the ballot's limits for its format.

    `choices` maps each project to its value: 1 (approval), its rank (ranked) or its points
    (cumulative); a plain collection means 1 each. `total_cost` is the chosen projects' cost.
    """
    assert isinstance(boundaries, VoteBoundaries)
    if account is None:
        if not boundaries.accepts_codes:
            raise OutsideMandate(
                _("This vote does not use voting codes. Sign in to vote."), clause="vote.eligibility"
            )
    elif not verified_by_code:
        _require_eligible_account(boundaries, account)
    if choices is None:
        return verdict
    values = dict(choices) if isinstance(choices, Mapping) else dict.fromkeys(choices, 1)
    if boundaries.ballot_format == "cumulative":
        return _require_points(boundaries, values, verdict)
    most, fewest = boundaries.max_choices, boundaries.min_choices
    ranked = boundaries.ballot_format == "ranked"
    if len(values) > most:
        message = (
            ngettext("Rank no more than %(num)d project.", "Rank no more than %(num)d projects.", most)
            if ranked
            else ngettext("Choose no more than %(num)d project.", "Choose no more than %(num)d projects.", most)
        )
        raise InvalidBallot(message, clause="vote.max_choices", field="choices")
    if len(values) < fewest:
        message = (
            ngettext("Rank at least %(num)d project.", "Rank at least %(num)d projects.", fewest)
            if ranked
            else ngettext("Choose at least %(num)d project.", "Choose at least %(num)d projects.", fewest)
        )
        raise InvalidBallot(message, clause="vote.min_choices", field="choices")
    if ranked and (len(set(values.values())) != len(values) or not all(1 <= r <= most for r in values.values())):
        raise InvalidBallot(
            _("Give each project you rank a different number, from 1 to %(most)d.", most=most),
            clause="vote.ballot_format",
            field="choices",
        )
    if boundaries.ballot_format == "knapsack" and total_cost is not None and total_cost > boundaries.spending_limit:
        raise InvalidBallot(
            _("The projects you choose may cost at most %(limit)s together.", limit=money(boundaries.spending_limit)),
            clause="vote.cost_limit",
            field="choices",
        )
    return verdict


def _require_points(boundaries: VoteBoundaries, values: dict[int, int], verdict: Verdict) -> Verdict:
    total, cap = sum(values.values()), boundaries.max_points_per_project
    if any(v < 1 for v in values.values()) or total < 1:
        raise InvalidBallot(_("Give at least 1 point to a project."), clause="vote.points", field="choices")
    if total > boundaries.points:
        raise InvalidBallot(
            _("You have %(points)d points to share out: you gave %(total)d.", points=boundaries.points, total=total),
            clause="vote.points",
            field="choices",
        )
    if cap and any(v > cap for v in values.values()):
        raise InvalidBallot(
            _("Give at most %(most)d points to one project.", most=cap),
            clause="vote.max_points_per_project",
            field="choices",
        )
    return verdict


def _require_eligible_account(boundaries: VoteBoundaries, account: User) -> None:
    """A signed-in voter's self-declared postcode and age against the vote's mandate."""
    if not boundaries.accepts_accounts:
        raise OutsideMandate(
            _("This vote uses voting codes. Enter the code you were given."), clause="vote.eligibility"
        )
    postcode = getattr(account, "postcode", None)
    born = getattr(account, "date_of_birth", None)
    if boundaries.postcodes and not (postcode and postcode_in_areas(postcode, boundaries.postcodes)):
        raise OutsideMandate(
            _("Only residents who live in %(areas)s can vote with an account.", areas=", ".join(boundaries.postcodes))
            if postcode
            else _("Add your postcode to your account to vote."),
            clause="vote.postcodes",
        )
    if boundaries.minimum_age and not (born and _age(born) >= boundaries.minimum_age):
        raise OutsideMandate(
            _("You must be at least %(age)d to vote.", age=boundaries.minimum_age)
            if born
            else _("Add your date of birth to your account to vote."),
            clause="vote.minimum_age",
        )


def _age(born: date) -> int:
    today = date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


_CREDENTIAL_ACTIONS = frozenset(
    {
        Action.ISSUE_VOTING_CODES,
        Action.START_KIOSK,
        Action.PRINT_PAPER_BALLOTS,
        Action.KEY_PAPER_BALLOT,
        Action.RESOLVE_PAPER_BALLOT,
    }
)


def _require_codes_accepted(boundaries: object, action: Action, verdict: Verdict) -> Verdict:
    assert isinstance(boundaries, VoteBoundaries)
    if boundaries.accepts_codes:
        return verdict
    if action == Action.START_KIOSK:
        message = _("This vote's mandate lets only account holders vote, so a kiosk cannot run: it takes voting codes.")
    elif action == Action.ISSUE_VOTING_CODES:
        message = _("This vote's mandate does not use voting codes: only account holders vote.")
    else:
        message = _("This vote's mandate lets only account holders vote, so paper ballots cannot be used.")
    raise OutsideMandate(message, clause="vote.eligibility")


def _require_questions(boundaries: object) -> Verdict:
    assert isinstance(boundaries, VoteBoundaries)
    if not boundaries.demographics:
        raise OutsideMandate(
            _("This vote's mandate asks voters no questions about themselves."), clause="vote.demographics"
        )
    return Verdict("vote.demographics", "voter")


def _require_override(boundaries: object, ground: str | None) -> Verdict:
    assert isinstance(boundaries, DecisionBoundaries)
    if boundaries.override_by == "nobody":
        raise OutsideMandate(
            _("The vote binds the council and the mandate allows no override."), clause="decision.override_by"
        )
    if ground not in boundaries.override_grounds:
        raise OutsideMandate(
            _("The mandate does not allow an override on that ground."), clause="decision.override_grounds",
            field="ground",
        )
    return Verdict("decision.override_by", Role.COMMISSIONER.value)


def _require_author(
    user: User | None, action: Action, stage: Stage, author_id: int | None, verdict: Verdict
) -> Verdict:
    if user is None or getattr(user, "id", None) != author_id:
        raise NotAuthorised(_("Only the person who made the proposal can do this."), clause="roles.author")
    if action == Action.RESPOND_TO_REVIEW:
        boundaries = _agreed(stage).boundaries
        assert isinstance(boundaries, ReviewBoundaries)
        if not boundaries.proposers_may_respond:
            raise OutsideMandate(_("The review mandate does not let proposers respond to the review."),
                                 clause="review.proposers_may_respond")
        return Verdict("review.proposers_may_respond", Role.RESIDENT.value)
    return Verdict("roles.author", Role.RESIDENT.value)


def _require_setting(user: User | None, action: Action, stage: Stage, ground: str | None) -> Verdict:
    """Actions whose `who` the stage's mandate chooses: contributing, commenting, moderating."""
    boundaries = _agreed(stage).boundaries
    held = {role for role in Role if has_role(user, role, stage.cycle.id)}
    if action == Action.MODERATE_COMMENT:
        assert isinstance(boundaries, DeliberationBoundaries)
        moderator = _MODERATOR_ROLES[boundaries.moderators]
        if moderator not in held:
            raise OutsideMandate(_("The mandate gives moderation to: %(who)s.", who=MODERATORS[boundaries.moderators]),
                                 clause="deliberation.moderators")
        if ground is not None and ground not in boundaries.moderation_grounds:
            raise OutsideMandate(_("The mandate does not allow hiding a comment on that ground."),
                                 clause="deliberation.moderation_grounds", field="ground")
        return Verdict("deliberation.moderators", moderator.value)
    if isinstance(boundaries, PrioritiesBoundaries):
        setting, clause = boundaries.who_may_contribute, "priorities.who_may_contribute"
    elif isinstance(boundaries, AssessmentBoundaries):
        setting, clause = boundaries.who_may_rate, "assessment.who_may_rate"
    else:
        setting, clause = boundaries.who_may_comment, "deliberation.who_may_comment"  # type: ignore[attr-defined]
    allowed_roles = _ALLOWED_BY_SETTING[setting]
    candidates = (Role.COMMISSIONER, Role.REPRESENTATIVE, Role.RESIDENT)
    role = next((r for r in candidates if r in held and r in allowed_roles), None)
    if role is None:
        raise OutsideMandate(_("The mandate lets these people take part here: %(who)s.", who=COMMENTERS[setting]),
                             clause=clause)
    return Verdict(clause, role.value)


def _require_pledging(boundaries: object, verdict: Verdict) -> Verdict:
    assert isinstance(boundaries, DeliveryBoundaries)
    if not boundaries.residents_may_pledge:
        raise OutsideMandate(
            _("The delivery mandate does not ask residents to pledge time or materials."),
            clause="delivery.residents_may_pledge",
        )
    return Verdict("delivery.residents_may_pledge", verdict.role)


def _require_cycle_finished(stage: Stage, verdict: Verdict) -> Verdict:
    if any(s.state != StageState.CLOSED for s in stage.cycle.stages):
        raise StageNotOpen(_("Start the next cycle once every stage of this one has closed."), clause="cycle.finished")
    return verdict
