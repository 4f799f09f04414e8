"""Co-delivery and co-assessment, and starting the next cycle from a finished one.

Only funded projects (a decision recorded with `funded`) are delivered: commissioners report
on them, residents pledge to them, and once delivered they are rated. Every change goes
through `mandates.authority.require()` and into the audit log; the view commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Cycle, Stage, StageKind
from pb.db import session, utcnow
from pb.delivery.models import (
    Assessment,
    DeliveryStatus,
    Pledge,
    ProjectUpdate,
)
from pb.errors import Conflict, InvalidInput, NotFound
from pb.mandates.authority import Action, require
from pb.mandates.boundaries import DeliveryBoundaries
from pb.proposals.models import Proposal
from pb.results.models import ProjectDecision

MAX_BODY = 5000
MAX_MILESTONE = 120
MAX_MATERIALS = 1000
MAX_HOURS = 10_000
MAX_COMMENT = 2000
STATUS_WORDS = {
    DeliveryStatus.NOT_STARTED: _l("Not started"),
    DeliveryStatus.IN_PROGRESS: _l("In progress"),
    DeliveryStatus.DELIVERED: _l("Delivered"),
    DeliveryStatus.STOPPED: _l("Stopped"),
}


def stage_of(cycle: Cycle, kind: StageKind) -> Stage:
    stage = cycle.stage_of_kind(kind)
    if stage is None:
        raise NotFound(_("This cycle has no %(kind)s stage.", kind=kind.value))
    return stage


# Funded projects -------------------------------------------------------------------------------


def decisions_of(cycle: Cycle) -> dict[int, ProjectDecision]:
    """The decision recorded for each project of the cycle, by proposal id."""
    query = select(ProjectDecision).join(Stage, ProjectDecision.stage_id == Stage.id).where(Stage.cycle_id == cycle.id)
    return {d.proposal_id: d for d in session().scalars(query)}


def funded_projects(cycle: Cycle) -> list[Proposal]:
    """The projects the decision funded, in the order they were proposed."""
    funded = [pid for pid, d in decisions_of(cycle).items() if d.funded]
    if not funded:
        return []
    return list(session().scalars(select(Proposal).where(Proposal.id.in_(funded)).order_by(Proposal.id)))


def get_funded_project(cycle: Cycle, proposal_id: int) -> Proposal:
    """Raises NotFound unless the proposal is of this cycle and was funded."""
    decision = decisions_of(cycle).get(proposal_id)
    proposal = session().get(Proposal, proposal_id)
    if proposal is None or proposal.cycle_id != cycle.id or decision is None or not decision.funded:
        raise NotFound(_("There is no funded project with that number in this cycle."))
    return proposal


def require_funded(proposal: Proposal) -> ProjectDecision:
    decision = decisions_of(proposal.cycle).get(proposal.id)
    if decision is None or not decision.funded:
        raise Conflict(_("Only projects the decision funded are delivered."), clause="delivery.funded")
    return decision


# Delivery -------------------------------------------------------------------------------------


def post_update(
    proposal: Proposal,
    actor: User,
    *,
    status: DeliveryStatus,
    body: str,
    milestone: str | None = None,
    milestone_due: date | None = None,
    spend_to_date: int | None = None,
) -> ProjectUpdate:
    """A commissioner reports progress on a funded project: its status, a milestone, the spend so far.

    Raises StageNotOpen, NotAuthorised, Conflict (not funded) or InvalidInput.
    """
    stage = stage_of(proposal.cycle, StageKind.DELIVERY)
    verdict = require(actor, Action.POST_UPDATE, stage)
    require_funded(proposal)
    body, milestone = body.strip(), (milestone or "").strip() or None
    if not body:
        raise InvalidInput(_("Say what has happened since the last update."), field="body")
    if len(body) > MAX_BODY:
        raise InvalidInput(_("Keep the update under %(max)s characters.", max=f"{MAX_BODY:,}"), field="body")
    if milestone and len(milestone) > MAX_MILESTONE:
        raise InvalidInput(
            _("Name the milestone in %(max)d characters or fewer.", max=MAX_MILESTONE), field="milestone"
        )
    if milestone_due is not None and milestone is None:
        raise InvalidInput(_("Name the milestone the date is for."), field="milestone")
    if spend_to_date is not None and spend_to_date < 0:
        raise InvalidInput(_("The spend cannot be less than nothing."), field="spend_to_date")
    update = ProjectUpdate(
        proposal_id=proposal.id,
        status=status,
        body=body,
        milestone=milestone,
        milestone_due=milestone_due,
        spend_to_date=spend_to_date,
        author_id=actor.id,
        author_name=actor.name,
    )
    session().add(update)
    session().flush()
    record(
        "delivery.update",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"proposal {proposal.id}",
        detail={"status": status.value, "spend_to_date": spend_to_date, "milestone": milestone},
    )
    return update


def pledge(proposal: Proposal, actor: User, *, hours: int = 0, materials: str = "", given: bool = False) -> Pledge:
    """A resident pledges hours or materials to a funded project, or changes their pledge.

    One pledge a person a project; `given` says they have given it. Raises StageNotOpen,
    NotAuthorised, OutsideMandate (the mandate asks for no pledges), Conflict (not funded)
    or InvalidInput.
    """
    stage = stage_of(proposal.cycle, StageKind.DELIVERY)
    verdict = require(actor, Action.PLEDGE, stage)
    require_funded(proposal)
    hours, materials = checked_offer(hours, materials)
    existing = my_pledge(proposal, actor)
    now = utcnow()
    if existing is None:
        existing = Pledge(proposal_id=proposal.id, user_id=actor.id)
        session().add(existing)
    existing.hours, existing.materials, existing.updated_at = hours, materials, now
    if given and not existing.given:
        existing.given_at = now
    elif not given:
        existing.given_at = None
    existing.given = given
    session().flush()
    record(
        "delivery.pledge",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"proposal {proposal.id}",
        detail={"hours": hours, "materials": bool(materials), "given": given},
    )
    return existing


def checked_offer(hours: int, materials: str) -> tuple[int, str]:
    """What a pledge offers, tidied; raises InvalidInput when it offers nothing or too much."""
    materials = materials.strip()
    if not 0 <= hours <= MAX_HOURS:
        raise InvalidInput(_("Enter a number of hours from 0 to %(max)s.", max=f"{MAX_HOURS:,}"), field="hours")
    if len(materials) > MAX_MATERIALS:
        raise InvalidInput(
            _("Keep the materials under %(max)s characters.", max=f"{MAX_MATERIALS:,}"), field="materials"
        )
    if hours == 0 and not materials:
        raise InvalidInput(_("Pledge some hours, some materials, or both."), field="hours")
    return hours, materials


def withdraw_pledge(proposal: Proposal, actor: User) -> None:
    """Take back one's pledge. Raises StageNotOpen, NotAuthorised, OutsideMandate or NotFound."""
    stage = stage_of(proposal.cycle, StageKind.DELIVERY)
    verdict = require(actor, Action.PLEDGE, stage)
    existing = my_pledge(proposal, actor)
    if existing is None:
        raise NotFound(_("You have not pledged anything to this project."))
    session().execute(delete(Pledge).where(Pledge.id == existing.id))
    session().flush()
    record("delivery.pledge_withdraw", actor=actor, role=verdict.role, stage=stage, subject=f"proposal {proposal.id}")


def my_pledge(proposal: Proposal, viewer: User | None) -> Pledge | None:
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    return session().scalar(select(Pledge).where(Pledge.proposal_id == proposal.id, Pledge.user_id == viewer.id))


def updates_of(proposal: Proposal) -> list[ProjectUpdate]:
    """The project's updates, oldest first."""
    query = select(ProjectUpdate).where(ProjectUpdate.proposal_id == proposal.id)
    return list(session().scalars(query.order_by(ProjectUpdate.posted_at, ProjectUpdate.id)))


def pledges_of(proposal: Proposal) -> list[Pledge]:
    return list(session().scalars(select(Pledge).where(Pledge.proposal_id == proposal.id).order_by(Pledge.id)))


@dataclass(frozen=True)
class Contributions:
    """Residents' contributions to a project (or a cycle) beside the council's spend."""

    funded: int  # pence: what the decision funded (the project's cost)
    spent: int  # pence: the council's spend reported so far
    pledgers: int
    hours_pledged: int
    hours_given: int
    materials: list[tuple[str, bool]]  # (what, given)


@dataclass(frozen=True)
class ProjectDelivery:
    proposal: Proposal
    updates: list[ProjectUpdate]
    contributions: Contributions

    @property
    def latest(self) -> ProjectUpdate | None:
        return self.updates[-1] if self.updates else None

    @property
    def status(self) -> DeliveryStatus:
        return self.latest.status if self.latest else DeliveryStatus.NOT_STARTED

    @property
    def status_words(self) -> str:
        return STATUS_WORDS[self.status]

    @property
    def milestones(self) -> list[ProjectUpdate]:
        return [u for u in self.updates if u.milestone]


def _spent(updates: Sequence[ProjectUpdate]) -> int:
    reported = [u.spend_to_date for u in updates if u.spend_to_date is not None]
    return reported[-1] if reported else 0


def project_delivery(proposal: Proposal) -> ProjectDelivery:
    """A funded project's updates and contributions."""
    updates = updates_of(proposal)
    pledges = pledges_of(proposal)
    contributions = Contributions(
        funded=proposal.cost,
        spent=_spent(updates),
        pledgers=len(pledges),
        hours_pledged=sum(p.hours for p in pledges),
        hours_given=sum(p.hours for p in pledges if p.given),
        materials=[(p.materials, p.given) for p in pledges if p.materials],
    )
    return ProjectDelivery(proposal, updates, contributions)


@dataclass(frozen=True)
class DeliveryOverview:
    projects: list[ProjectDelivery]
    totals: Contributions
    may_pledge: bool  # the delivery mandate asks residents to pledge
    counts: dict[DeliveryStatus, int]  # every funded project, by status


def delivery_overview(cycle: Cycle, status: DeliveryStatus | None = None) -> DeliveryOverview:
    """Every funded project with its status and contributions, and the cycle's totals.

    The totals always cover every funded project; `status` only narrows the list.
    """
    projects = [project_delivery(p) for p in funded_projects(cycle)]
    totals = Contributions(
        funded=sum(p.contributions.funded for p in projects),
        spent=sum(p.contributions.spent for p in projects),
        pledgers=sum(p.contributions.pledgers for p in projects),
        hours_pledged=sum(p.contributions.hours_pledged for p in projects),
        hours_given=sum(p.contributions.hours_given for p in projects),
        materials=[m for p in projects for m in p.contributions.materials],
    )
    stage = cycle.stage_of_kind(StageKind.DELIVERY)
    mandate = (stage.agreed_mandate or stage.mandate) if stage else None
    terms = mandate.boundaries if mandate else None
    may_pledge = isinstance(terms, DeliveryBoundaries) and terms.residents_may_pledge
    shown = [p for p in projects if status is None or p.status == status]
    counts = {s: sum(1 for p in projects if p.status == s) for s in DeliveryStatus}
    return DeliveryOverview(shown, totals, may_pledge, counts)


# Co-assessment --------------------------------------------------------------------------------


def rate_project(proposal: Proposal, actor: User, *, rating: int, comment: str = "") -> Assessment:
    """Rate (1 to 5) and comment on a delivered project; rating again changes one's rating.

    Raises StageNotOpen, NotAuthorised, OutsideMandate (the mandate limits who rates),
    Conflict (not funded, or not delivered) or InvalidInput.
    """
    stage = stage_of(proposal.cycle, StageKind.ASSESSMENT)
    verdict = require(actor, Action.RATE_PROJECT, stage)
    require_funded(proposal)
    if project_delivery(proposal).status != DeliveryStatus.DELIVERED:
        raise Conflict(_("Only delivered projects can be rated."), clause="assessment.delivered")
    comment = comment.strip()
    if rating not in range(1, 6):
        raise InvalidInput(_("Choose a rating from 1 to 5."), field="rating")
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(_("Keep your comment under %(max)s characters.", max=f"{MAX_COMMENT:,}"), field="comment")
    assessment = my_assessment(proposal, actor)
    if assessment is None:
        assessment = Assessment(proposal_id=proposal.id, user_id=actor.id)
        session().add(assessment)
    assessment.rating, assessment.comment, assessment.author_name = rating, comment, actor.name
    assessment.updated_at = utcnow()
    session().flush()
    record(
        "assessment.rate",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"proposal {proposal.id}",
        detail={"rating": rating, "clause": verdict.clause},
    )
    return assessment


def my_assessment(proposal: Proposal, viewer: User | None) -> Assessment | None:
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    query = select(Assessment).where(Assessment.proposal_id == proposal.id, Assessment.user_id == viewer.id)
    return session().scalar(query)


@dataclass(frozen=True)
class Ratings:
    """What residents made of a delivered project: public, like the comments."""

    count: int
    average: float | None  # rounded to one decimal place for showing
    by_rating: dict[int, int]  # 5 → how many gave 5 …
    assessments: list[Assessment] = field(default_factory=list)

    @property
    def comments(self) -> list[Assessment]:
        return [a for a in self.assessments if a.comment]


def ratings_of(proposal: Proposal) -> Ratings:
    query = select(Assessment).where(Assessment.proposal_id == proposal.id)
    assessments = list(session().scalars(query.order_by(Assessment.updated_at.desc(), Assessment.id.desc())))
    by_rating = {n: sum(1 for a in assessments if a.rating == n) for n in range(5, 0, -1)}
    average = round(sum(a.rating for a in assessments) / len(assessments), 1) if assessments else None
    return Ratings(len(assessments), average, by_rating, assessments)
