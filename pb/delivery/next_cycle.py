"""Closing the loop: lessons learned, proposers' consent to carry over, and the next cycle from a finished one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Cycle, StageKind, StageState
from pb.cycles.services import create_cycle
from pb.db import session
from pb.delivery.models import (
    CarriedProposal,
    CarryOverConsent,
    CycleCarryOver,
    Lesson,
)
from pb.delivery.services import MAX_BODY, decisions_of, stage_of
from pb.errors import Conflict, InvalidInput, NotFound
from pb.mandates.authority import Action, allowed, require
from pb.priorities.models import Theme
from pb.priorities.services import themes_of
from pb.proposals.models import Proposal, ProposalImage, ProposalStatus
from pb.proposals.services import apply_fields, fields_of, snapshot

# Lessons and the next cycle -------------------------------------------------------------------


def record_lesson(cycle: Cycle, actor: User, body: str) -> Lesson:
    """A commissioner publishes what they learned, while the delivery or assessment stage is open.

    Raises NotFound (neither stage), StageNotOpen, NotAuthorised or InvalidInput.
    """
    stages = [s for s in cycle.stages if s.kind in (StageKind.DELIVERY, StageKind.ASSESSMENT)]
    if not stages:
        raise NotFound(_("This cycle has no delivery or assessment stage."))
    stage = next((s for s in stages if s.is_open), stages[-1])
    verdict = require(actor, Action.RECORD_LESSON, stage)
    body = body.strip()
    if not body:
        raise InvalidInput(_("Write what you learned."), field="body")
    if len(body) > MAX_BODY:
        raise InvalidInput(_("Keep the lesson under %(max)s characters.", max=f"{MAX_BODY:,}"), field="body")
    lesson = Lesson(cycle_id=cycle.id, body=body, author_id=actor.id, author_name=actor.name)
    session().add(lesson)
    session().flush()
    record("assessment.lesson", actor=actor, role=verdict.role, stage=stage, subject=f"lesson {lesson.id}")
    return lesson


def lessons_of(cycle: Cycle) -> list[Lesson]:
    return list(session().scalars(select(Lesson).where(Lesson.cycle_id == cycle.id).order_by(Lesson.id)))


def consent_to_carry_over(proposal: Proposal, actor: User, *, consent: bool = True) -> None:
    """The proposer of an unfunded proposal agrees (or no longer agrees) to carry it into the next cycle.

    Raises NotFound (no decision stage), StageNotOpen (the decision stage has not opened),
    NotAuthorised (not the proposer), Conflict (not decided unfunded, or already carried over).
    """
    stage = stage_of(proposal.cycle, StageKind.DECISION)
    verdict = require(actor, Action.CONSENT_TO_CARRY_OVER, stage, author_id=proposal.author_id)
    decision = decisions_of(proposal.cycle).get(proposal.id)
    if decision is None or decision.funded:
        raise Conflict(_("Only proposals the decision did not fund can be carried over."), clause="carry_over.unfunded")
    if carried_into(proposal.cycle) is not None:
        raise Conflict(_("The next cycle has already been started from this one."), clause="carry_over.started")
    existing = consent_of(proposal)
    if consent and existing is None:
        session().add(CarryOverConsent(proposal_id=proposal.id, user_id=actor.id))
    elif not consent and existing is not None:
        session().execute(delete(CarryOverConsent).where(CarryOverConsent.id == existing.id))
    else:
        return  # nothing changes: nothing to record
    session().flush()
    record(
        "proposal.carry_over_consent",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"proposal {proposal.id}",
        detail={"consent": consent},
    )


def consent_of(proposal: Proposal) -> CarryOverConsent | None:
    return session().scalar(select(CarryOverConsent).where(CarryOverConsent.proposal_id == proposal.id))


@dataclass(frozen=True)
class CarryOverOffer:
    """What the proposal page says about carrying an unfunded proposal into the next cycle."""

    consented: bool
    may_consent: bool  # the viewer is the proposer and may still change their mind
    carried_to: Proposal | None  # the proposal it became in the next cycle


def carry_over_offer(proposal: Proposal, viewer: User | None) -> CarryOverOffer | None:
    """None unless the decision left the proposal unfunded."""
    decision = decisions_of(proposal.cycle).get(proposal.id)
    if decision is None or decision.funded:
        return None
    carried = session().scalar(select(CarriedProposal).where(CarriedProposal.from_proposal_id == proposal.id))
    stage = proposal.cycle.stage_of_kind(StageKind.DECISION)
    may = (  # for showing the button only: the service decides
        stage is not None
        and carried_into(proposal.cycle) is None
        and allowed(viewer, Action.CONSENT_TO_CARRY_OVER, stage, author_id=proposal.author_id)
    )
    return CarryOverOffer(consent_of(proposal) is not None, may, carried.proposal if carried else None)


def carried_from(cycle: Cycle) -> CycleCarryOver | None:
    """How this cycle was started from a finished one, if it was."""
    return session().scalar(select(CycleCarryOver).where(CycleCarryOver.cycle_id == cycle.id))


def carried_into(cycle: Cycle) -> CycleCarryOver | None:
    """The next cycle started from this one, if any."""
    return session().scalar(select(CycleCarryOver).where(CycleCarryOver.from_cycle_id == cycle.id))


def is_finished(cycle: Cycle) -> bool:
    return bool(cycle.stages) and all(s.state == StageState.CLOSED for s in cycle.stages)


def carry_over_candidates(cycle: Cycle) -> list[Proposal]:
    """Unfunded proposals whose proposers agreed to carry them into the next cycle."""
    unfunded = [pid for pid, d in decisions_of(cycle).items() if not d.funded]
    if not unfunded:
        return []
    query = (
        select(Proposal)
        .join(CarryOverConsent, CarryOverConsent.proposal_id == Proposal.id)
        .where(Proposal.id.in_(unfunded), CarryOverConsent.user_id == Proposal.author_id)
    )
    return list(session().scalars(query.order_by(Proposal.id)))


def start_next_cycle(
    finished: Cycle,
    actor: User,
    *,
    title: str,
    purpose: str,
    area: str,
    budget: int,
    kinds: Sequence[StageKind],
    areas: Sequence[str] = (),
    required_representatives: int = 1,
    template: str | None = None,
) -> Cycle:
    """Start a new cycle from a finished one, carrying its themes, its lessons and the proposals
    whose proposers agreed.

    Themes are copied; the lessons stay with the finished cycle and are shown on the new one's
    page; each consenting proposal becomes a new *submitted* proposal by the same proposer,
    its first revision saying where it came from. Raises NotAuthorised, StageNotOpen (the
    cycle is not finished), Conflict (a next cycle was already started from it) or InvalidInput.
    """
    verdict = require(actor, Action.START_NEXT_CYCLE, finished.stages[-1])
    if carried_into(finished) is not None:
        raise Conflict(_("The next cycle has already been started from this one."), clause="carry_over.started")
    cycle = create_cycle(
        actor,
        title=title,
        purpose=purpose,
        area=area,
        areas=areas,
        budget=budget,
        kinds=kinds,
        required_representatives=required_representatives,
        template=template,
    )
    session().add(CycleCarryOver(cycle_id=cycle.id, from_cycle_id=finished.id, created_by_id=actor.id))
    themes = {}
    for old in themes_of(finished):
        theme = Theme(cycle_id=cycle.id, name=old.name, description=old.description, created_by_id=actor.id)
        session().add(theme)
        themes[old.id] = theme
    session().flush()
    carried = [_carry_proposal(old, cycle, themes) for old in carry_over_candidates(finished)]
    session().flush()
    record(
        "cycle.carry_over",
        actor=actor,
        role=verdict.role,
        cycle_id=cycle.id,
        subject=f"from cycle {finished.id}",
        detail={
            "from_cycle": finished.id,
            "themes": sorted(t.name for t in themes.values()),
            "proposals": {str(new.id): old_id for new, old_id in carried},
            "lessons": len(lessons_of(finished)),
        },
    )
    return cycle


def _carry_proposal(old: Proposal, cycle: Cycle, themes: dict[int, Theme]) -> tuple[Proposal, int]:
    """A copy of `old` as a new submitted proposal of `cycle`, with where it came from."""
    assert old.author is not None  # consent_of requires the proposer
    data = fields_of(old)
    data.theme_id = themes[old.theme_id].id if old.theme_id in themes else None
    data.area = data.area if data.area in cycle.areas else None
    proposal = Proposal(cycle_id=cycle.id, author_id=old.author_id, status=ProposalStatus.SUBMITTED)
    apply_fields(proposal, data)
    if old.image is not None:
        image = old.image
        proposal.image = ProposalImage(
            content_type=image.content_type, data=image.data, width=image.width, height=image.height, alt=image.alt
        )
    session().add(proposal)
    note = f"Carried over from cycle {old.cycle_id}, proposal {old.id}, with the proposer's agreement"
    snapshot(proposal, old.author, note)
    session().flush()
    session().add(CarriedProposal(proposal_id=proposal.id, from_proposal_id=old.id))
    return proposal, old.id


def carried_proposals(cycle: Cycle) -> list[CarriedProposal]:
    """The proposals of this cycle carried over from the cycle before."""
    query = select(CarriedProposal).join(Proposal, CarriedProposal.proposal_id == Proposal.id)
    return list(session().scalars(query.where(Proposal.cycle_id == cycle.id).order_by(Proposal.id)))


def next_cycle_defaults(finished: Cycle) -> dict[str, object]:
    """What the "start the next cycle" form starts from: the finished cycle's own settings."""
    template = next((s.mandates[0].template for s in finished.stages if s.mandates and s.mandates[0].template), None)
    return {
        "title": f"{finished.title} – next cycle",
        "purpose": finished.purpose,
        "area": finished.area,
        "areas": list(finished.areas),
        "budget": finished.budget,
        "required_representatives": finished.required_representatives,
        "kinds": [s.kind for s in finished.stages],
        "template": template,
    }
