"""Cycles and the stage lifecycle: draft → agreed → open → closed."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.util import identity_key

from pb.accounts.models import Role, User
from pb.accounts.services import find_by_email, grant, people_with_role
from pb.audit.services import record
from pb.cycles.models import Cycle, Stage, StageKind, StageState
from pb.db import session, utcnow
from pb.errors import InvalidInput, NotFound
from pb.mandates.actions import Verdict
from pb.mandates.authority import Action, require, require_cycle_action
from pb.mandates.services import create_first_version
from pb.results.services import run_tally
from pb.templating import stage_name

# A sensible order: when both stages are in a cycle, the first must come before the second.
MUST_PRECEDE: tuple[tuple[StageKind, StageKind], ...] = (
    (StageKind.PRIORITIES, StageKind.PROPOSALS),
    (StageKind.PROPOSALS, StageKind.DELIBERATION),
    (StageKind.PROPOSALS, StageKind.REVIEW),
    (StageKind.PROPOSALS, StageKind.VOTE),
    (StageKind.DELIBERATION, StageKind.VOTE),
    (StageKind.REVIEW, StageKind.VOTE),
    (StageKind.VOTE, StageKind.DECISION),
    (StageKind.DECISION, StageKind.DELIVERY),
    (StageKind.DECISION, StageKind.ASSESSMENT),
    (StageKind.DELIVERY, StageKind.ASSESSMENT),
)
# Stages that only make sense after another: a vote needs proposals, a decision a vote.
NEEDS: dict[StageKind, StageKind] = {
    StageKind.DELIBERATION: StageKind.PROPOSALS,
    StageKind.REVIEW: StageKind.PROPOSALS,
    StageKind.VOTE: StageKind.PROPOSALS,
    StageKind.DECISION: StageKind.VOTE,
}


def _name(kind: StageKind) -> str:
    return stage_name(kind).lower()


def check_stage_order(kinds: Sequence[StageKind]) -> None:
    """Raise InvalidInput unless `kinds` is a sensible order of distinct stages."""
    if not kinds:
        raise InvalidInput(_("Choose at least one stage."), field="kinds")
    if len(set(kinds)) != len(kinds):
        raise InvalidInput(_("Give each stage its own place in the order."), field="kinds")
    for kind in kinds:
        needed = NEEDS.get(kind)
        if needed and needed not in kinds:
            raise InvalidInput(
                _("A %(stage)s stage needs a %(needed)s stage before it.", stage=_name(kind), needed=_name(needed)),
                field="kinds",
            )
    place = {kind: n for n, kind in enumerate(kinds)}
    for first, then in MUST_PRECEDE:
        if first in place and then in place and place[first] > place[then]:
            raise InvalidInput(
                _("The %(first)s stage must come before the %(then)s stage.", first=_name(first), then=_name(then)),
                field="kinds",
            )


def create_cycle(
    actor: User,
    *,
    title: str,
    purpose: str,
    area: str,
    budget: int,
    kinds: Sequence[StageKind],
    required_representatives: int = 1,
    template: str | None = None,
    areas: Sequence[str] = (),
) -> Cycle:
    """Create a cycle with its stages in the order given, each with a draft mandate.

    `template` names the starting point of every stage's mandate (see mandates.templates).
    Raises NotAuthorised (not a commissioner) or InvalidInput.
    """
    verdict = require_cycle_action(actor, Action.CREATE_CYCLE)
    if not title.strip():
        raise InvalidInput(_("Enter a title."), field="title")
    if budget <= 0:
        raise InvalidInput(_("The budget must be more than zero."), field="budget")
    if required_representatives < 1:
        raise InvalidInput(
            _("At least one resident representative must sign each mandate."), field="required_representatives"
        )
    check_stage_order(kinds)
    if len(set(areas)) != len(areas) or any(len(a) > 120 for a in areas):
        raise InvalidInput(_("Name each neighbourhood once, in 120 characters or fewer."), field="areas")

    cycle = Cycle(
        title=title.strip(),
        purpose=purpose.strip(),
        area=area.strip(),
        areas=list(areas),
        budget=budget,
        required_representatives=required_representatives,
        created_by_id=actor.id,
    )
    session().add(cycle)
    for position, kind in enumerate(kinds, start=1):
        cycle.stages.append(Stage(kind=kind, position=position))
    session().flush()
    for stage in cycle.stages:
        create_first_version(stage, actor, template)
    grant(actor, Role.COMMISSIONER, cycle.id)
    session().flush()
    record(
        "cycle.create",
        actor=actor,
        role=verdict.role,
        cycle_id=cycle.id,
        subject=cycle.title,
        detail={"budget": budget, "stages": [k.value for k in kinds], "template": template},
    )
    return cycle


def appoint_representative(cycle: Cycle, actor: User, email: str) -> User:
    """Make the person with this email a resident representative of the cycle.

    Raises NotAuthorised or InvalidInput (no account with that email).
    """
    verdict = require_cycle_action(actor, Action.APPOINT_REPRESENTATIVE, cycle)
    person = find_by_email(email)
    if person is None:
        raise InvalidInput(_("There is no account with that email address. Ask them to sign up first."), field="email")
    grant(person, Role.REPRESENTATIVE, cycle.id)
    record(
        "cycle.appoint_representative",
        actor=actor,
        role=verdict.role,
        cycle_id=cycle.id,
        subject=person.name,
        detail={"user_id": person.id},
    )
    return person


def open_stage(stage: Stage, actor: User) -> Stage:
    """Open a stage whose mandate both sides have agreed, once every earlier stage has closed.

    Raises NotAuthorised, MandateNotAgreed or StageNotOpen.
    """
    verdict = check_opening(stage, actor)
    stage.state = StageState.OPEN
    stage.opened_at = utcnow()
    session().flush()
    record(
        "stage.open",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=stage.kind.value,
        detail={"mandate_version": stage.mandate.version},
    )
    return stage


def close_stage(stage: Stage, actor: User) -> Stage:
    """Close an open stage. Closing a vote counts it (see results.services.run_tally).

    Raises NotAuthorised, StageNotOpen or Conflict (a vote whose paper ballots are still being
    keyed in, or do not balance: closing would lose them).
    """
    verdict = check_closing(stage, actor)
    stage.state = StageState.CLOSED
    stage.closed_at = utcnow()
    session().flush()
    record("stage.close", actor=actor, role=verdict.role, stage=stage, subject=stage.kind.value)
    if stage.kind == StageKind.VOTE:
        run_tally(stage, actor)
    return stage


def check_opening(stage: Stage, actor: User) -> Verdict:
    """Raises what `open_stage` would, and opens nothing: the page that asks first says it at once."""
    return require(actor, Action.OPEN_STAGE, stage)


def check_closing(stage: Stage, actor: User) -> Verdict:
    """Raises what `close_stage` would, and closes nothing: the page that asks first says it at once."""
    verdict = require(actor, Action.CLOSE_STAGE, stage)
    if stage.kind == StageKind.VOTE:
        from pb.events.paper_checks import require_paper_settled  # events depend on cycles, not the reverse

        require_paper_settled(stage)
    return verdict


def representatives(cycle: Cycle) -> list[User]:
    """The cycle's resident representatives, by name."""
    return people_with_role(Role.REPRESENTATIVE, cycle.id)


def list_cycles() -> list[Cycle]:
    return list(session().scalars(select(Cycle).order_by(Cycle.created_at.desc())))


@functools.cache
def _cycle_with_stages() -> Select[tuple[Cycle]]:
    """Built once, not on every call (and not at import, before every model is mapped): SQLAlchemy
    keeps a statement's cache key on the statement, so the query nearly every page makes skips
    building itself and its key each time."""
    return select(Cycle).where(Cycle.id == bindparam("cycle_id")).options(
        joinedload(Cycle.stages).joinedload(Stage.mandates)
    )


def get_cycle(cycle_id: int) -> Cycle:
    """Raises NotFound. The cycle comes with its stages and their mandates' versions in one query,
    since nearly every page asks for them; asked again in the same request, it is not loaded again."""
    cycle = session().identity_map.get(identity_key(Cycle, cycle_id))
    if cycle is None:
        cycle = session().execute(_cycle_with_stages(), {"cycle_id": cycle_id}).unique().scalar_one_or_none()
    if cycle is None:
        raise NotFound(_("There is no cycle with that number."))
    return cycle


def get_stage(cycle: Cycle, kind: str) -> Stage:
    """The cycle's stage of this kind. Raises NotFound."""
    stage = next((s for s in cycle.stages if s.kind.value == kind), None)
    if stage is None:
        raise NotFound(_("This cycle has no such stage."))
    return stage
