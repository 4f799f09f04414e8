"""The checks `authority.require` makes against a stage's agreed mandate, clause by clause.

Each reads the structured boundaries (`pb.mandates.boundaries`) and either returns the Verdict
that allows the action or raises the refusal that names the deciding clause. Which check runs
for which action is decided in `authority.require`, beside the permission table.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import ngettext

from pb.accounts.models import Role
from pb.accounts.services import has_role
from pb.errors import InvalidBallot, MandateNotAgreed, NotAuthorised, OutsideMandate
from pb.mandates.actions import Action, Verdict
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
from pb.templating import money

if TYPE_CHECKING:
    from pb.accounts.models import User
    from pb.cycles.models import Stage
    from pb.mandates.models import Mandate

# Who a `who_may_…` setting of a mandate lets act (see boundaries.COMMENTERS).
_ALLOWED_BY_SETTING = {
    "residents": {Role.RESIDENT, Role.REPRESENTATIVE, Role.COMMISSIONER},
    "representatives": {Role.REPRESENTATIVE, Role.COMMISSIONER},
}
_MODERATOR_ROLES = {"commissioners": Role.COMMISSIONER, "facilitators": Role.FACILITATOR,
                    "representatives": Role.REPRESENTATIVE}


def agreed(stage: Stage) -> Mandate:
    """The stage's agreed mandate: what every check below reads. Raises MandateNotAgreed."""
    mandate = stage.agreed_mandate
    if mandate is None:
        raise MandateNotAgreed(_("This stage's mandate has not been agreed."), clause="mandate.agreed")
    return mandate


def require_cost_cap(stage: Stage, cost: int | None, verdict: Verdict) -> Verdict:
    boundaries = agreed(stage).boundaries
    assert isinstance(boundaries, ProposalsBoundaries)
    cycle_budget = stage.cycle.budget
    cap = min(boundaries.max_cost or cycle_budget, cycle_budget)
    if cost is not None and cost > cap:
        raise OutsideMandate(
            _("The cost is more than the mandate allows for one proposal."), clause="proposals.max_cost", field="cost"
        )
    return verdict


def require_ground(boundaries: object, ground: str) -> Verdict:
    assert isinstance(boundaries, ReviewBoundaries)
    if ground not in boundaries.rule_out_grounds:
        raise OutsideMandate(
            _("The mandate does not allow ruling a proposal out on that ground."),
            clause="review.rule_out_grounds",
            field="ground",
        )
    return Verdict("review.rule_out_grounds", Role.COMMISSIONER.value)


def require_cost_revision(boundaries: object, cost: int | None, new_cost: int | None) -> Verdict:
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


def require_ballot(
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


CREDENTIAL_ACTIONS = frozenset(
    {
        Action.ISSUE_VOTING_CODES,
        Action.START_KIOSK,
        Action.PRINT_PAPER_BALLOTS,
        Action.KEY_PAPER_BALLOT,
        Action.RESOLVE_PAPER_BALLOT,
    }
)


def require_codes_accepted(boundaries: object, action: Action, verdict: Verdict) -> Verdict:
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


def require_questions(boundaries: object) -> Verdict:
    assert isinstance(boundaries, VoteBoundaries)
    if not boundaries.demographics:
        raise OutsideMandate(
            _("This vote's mandate asks voters no questions about themselves."), clause="vote.demographics"
        )
    return Verdict("vote.demographics", "voter")


def require_override(boundaries: object, ground: str | None) -> Verdict:
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


def require_author(
    user: User | None, action: Action, stage: Stage, author_id: int | None, verdict: Verdict
) -> Verdict:
    if user is None or getattr(user, "id", None) != author_id:
        raise NotAuthorised(_("Only the person who made the proposal can do this."), clause="roles.author")
    if action == Action.RESPOND_TO_REVIEW:
        boundaries = agreed(stage).boundaries
        assert isinstance(boundaries, ReviewBoundaries)
        if not boundaries.proposers_may_respond:
            raise OutsideMandate(_("The review mandate does not let proposers respond to the review."),
                                 clause="review.proposers_may_respond")
        return Verdict("review.proposers_may_respond", Role.RESIDENT.value)
    return Verdict("roles.author", Role.RESIDENT.value)


def require_setting(user: User | None, action: Action, stage: Stage, ground: str | None) -> Verdict:
    """Actions whose `who` the stage's mandate chooses: contributing, commenting, moderating."""
    boundaries = agreed(stage).boundaries
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


def require_pledging(boundaries: object, verdict: Verdict) -> Verdict:
    assert isinstance(boundaries, DeliveryBoundaries)
    if not boundaries.residents_may_pledge:
        raise OutsideMandate(
            _("The delivery mandate does not ask residents to pledge time or materials."),
            clause="delivery.residents_may_pledge",
        )
    return Verdict("delivery.residents_may_pledge", verdict.role)
