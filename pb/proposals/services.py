"""Writing proposals: drafts, submission, edits kept as revisions, pictures; and finding them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Cycle, Stage, StageKind
from pb.db import has_every_word, session, utcnow
from pb.errors import InvalidInput, NotFound
from pb.mandates.authority import Action, require
from pb.priorities.services import themes_of
from pb.proposals.images import clean_image
from pb.proposals.models import Proposal, ProposalDraft, ProposalImage, ProposalRevision, ProposalStatus

MAX_TITLE = 120
MAX_SUMMARY = 500
MAX_DESCRIPTION = 10_000
MAX_HOURS = 100_000
LANGUAGES = ("en", "cy")


@dataclass
class ProposalFields:
    """Everything a proposer writes; a draft holds any of it, a submission all that is required."""

    title: str = ""
    summary: str = ""
    description: str = ""
    language: str = "en"
    title_translated: str = ""
    summary_translated: str = ""
    description_translated: str = ""
    theme_id: int | None = None
    area: str | None = None
    cost: int | None = None
    volunteer_hours: int = 0
    materials: str = ""
    space: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProposalFields:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Upload:
    """A picture as uploaded, with the words that describe it to people who cannot see it."""

    data: bytes
    alt: str


def _proposals_stage(cycle: Cycle) -> Stage:
    stage = cycle.stage_of_kind(StageKind.PROPOSALS)
    if stage is None:
        raise NotFound(_("This cycle does not take proposals."))
    return stage


def check_fields(cycle: Cycle, data: ProposalFields) -> None:
    """Raise InvalidInput (naming the field) unless `data` is a complete, sensible proposal."""
    required = (
        ("title", _("Enter a title for your proposal.")),
        ("summary", _("Summarise your proposal in a sentence or two.")),
    )
    for name, message in required:
        if not getattr(data, name).strip():
            raise InvalidInput(message, field=name)
    limits = (
        ("title", MAX_TITLE),
        ("title_translated", MAX_TITLE),
        ("summary", MAX_SUMMARY),
        ("summary_translated", MAX_SUMMARY),
        ("description", MAX_DESCRIPTION),
        ("description_translated", MAX_DESCRIPTION),
    )
    for name, limit in limits:
        if len(getattr(data, name)) > limit:
            raise InvalidInput(_("This must be %(num)d characters or fewer.", num=limit), field=name)
    if data.language not in LANGUAGES:
        raise InvalidInput(_("Choose English or Welsh."), field="language")
    if (data.summary_translated.strip() or data.description_translated.strip()) and not data.title_translated.strip():
        raise InvalidInput(_("Give the title in the other language too."), field="title_translated")
    if data.title_translated.strip() and not data.summary_translated.strip():
        raise InvalidInput(_("Give the summary in the other language too."), field="summary_translated")
    if data.cost is None:
        raise InvalidInput(_("Enter the estimated cost."), field="cost")
    if data.cost <= 0:
        raise InvalidInput(_("The cost must be more than £0."), field="cost")
    if not 0 <= data.volunteer_hours <= MAX_HOURS:
        raise InvalidInput(
            _("Enter a number of hours from 0 to %(max)s.", max=format(MAX_HOURS, ",")), field="volunteer_hours"
        )
    if data.theme_id is not None and data.theme_id not in {t.id for t in themes_of(cycle)}:
        raise InvalidInput(_("Choose one of the cycle's themes."), field="theme_id")
    if cycle.areas and data.area not in cycle.areas:
        raise InvalidInput(_("Choose the area the proposal is in."), field="area")


def apply_fields(proposal: Proposal, data: ProposalFields) -> None:
    """Copy the checked fields onto the proposal (explicitly: no blind attribute copying)."""
    proposal.title, proposal.summary = data.title.strip(), data.summary.strip()
    proposal.description, proposal.language = data.description.strip(), data.language
    proposal.title_translated = data.title_translated.strip() or None
    proposal.summary_translated = data.summary_translated.strip() or None
    proposal.description_translated = data.description_translated.strip() or None
    proposal.theme_id, proposal.area = data.theme_id, data.area
    assert data.cost is not None  # check_fields ran
    proposal.cost = data.cost
    proposal.volunteer_hours = data.volunteer_hours
    proposal.materials, proposal.space = data.materials.strip(), data.space.strip()
    proposal.updated_at = utcnow()


def snapshot(proposal: Proposal, editor: User, note: str) -> ProposalRevision:
    """Keep the proposal as it now is as a numbered, visible revision."""
    revision = ProposalRevision(
        number=len(proposal.revisions) + 1,
        snapshot={**fields_of(proposal).to_dict(), "image": proposal.image.alt if proposal.image else None},
        note=note,
        editor_name=editor.name,
    )
    proposal.revisions.append(revision)
    return revision


def fields_of(proposal: Proposal) -> ProposalFields:
    return ProposalFields(
        title=proposal.title,
        summary=proposal.summary,
        description=proposal.description,
        language=proposal.language,
        title_translated=proposal.title_translated or "",
        summary_translated=proposal.summary_translated or "",
        description_translated=proposal.description_translated or "",
        theme_id=proposal.theme_id,
        area=proposal.area,
        cost=proposal.cost,
        volunteer_hours=proposal.volunteer_hours,
        materials=proposal.materials,
        space=proposal.space,
    )


def check_can_submit(cycle: Cycle, actor: User | None) -> None:
    """Whether `actor` may write a proposal now. Raises NotFound, StageNotOpen or NotAuthorised."""
    require(actor, Action.SUBMIT_PROPOSAL, _proposals_stage(cycle))


def save_draft(cycle: Cycle, actor: User, data: ProposalFields, draft: ProposalDraft | None = None) -> ProposalDraft:
    """Keep what a resident has written so far, checked only for being theirs and the stage open.

    Raises StageNotOpen or NotAuthorised.
    """
    check_can_submit(cycle, actor)
    if draft is None:
        draft = ProposalDraft(cycle_id=cycle.id, author_id=actor.id, data={})
        session().add(draft)
    draft.data, draft.updated_at = data.to_dict(), utcnow()
    session().flush()
    return draft


def submit_proposal(
    cycle: Cycle, actor: User, data: ProposalFields, *, image: Upload | None = None, draft: ProposalDraft | None = None
) -> Proposal:
    """A resident submits a proposal while the proposals stage is open; its draft, if any, goes.

    Raises StageNotOpen, NotAuthorised, OutsideMandate (over the cost cap) or InvalidInput.
    """
    stage = _proposals_stage(cycle)
    check_fields(cycle, data)
    verdict = require(actor, Action.SUBMIT_PROPOSAL, stage, cost=data.cost)
    proposal = Proposal(cycle_id=cycle.id, author_id=actor.id)
    apply_fields(proposal, data)
    if image is not None:
        proposal.image = _image(image)
    session().add(proposal)
    snapshot(proposal, actor, "Submitted")
    if draft is not None and draft.author_id == actor.id:
        session().delete(draft)
    session().flush()
    record(
        "proposal.submit",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"proposal {proposal.id}",
        detail={"cost": proposal.cost},
    )
    return proposal


def check_can_edit(proposal: Proposal, actor: User | None) -> Stage:
    """Whether `actor` may change `proposal` now: its proposer, while the proposals stage is open.

    Returns that stage. Raises StageNotOpen or NotAuthorised.
    """
    stage = _proposals_stage(proposal.cycle)
    require(actor, Action.EDIT_PROPOSAL, stage, author_id=proposal.author_id)
    return stage


def edit_proposal(
    proposal: Proposal, actor: User, data: ProposalFields, *, image: Upload | None = None, remove_image: bool = False
) -> Proposal:
    """The proposer changes their proposal until the proposals stage closes; each edit is a revision.

    Raises StageNotOpen, NotAuthorised (not the proposer), OutsideMandate or InvalidInput.
    """
    stage = check_can_edit(proposal, actor)
    check_fields(proposal.cycle, data)
    verdict = require(actor, Action.SUBMIT_PROPOSAL, stage, cost=data.cost)  # the cost cap still holds
    apply_fields(proposal, data)
    if image is not None:
        proposal.image = _image(image)
    elif remove_image:
        proposal.image = None
    revision = snapshot(proposal, actor, "Edited by the proposer")
    session().flush()
    record(
        "proposal.edit",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"proposal {proposal.id}",
        detail={"revision": revision.number},
    )
    return proposal


def _image(upload: Upload) -> ProposalImage:
    if not upload.alt.strip():
        raise InvalidInput(_("Describe the picture for people who cannot see it."), field="image_alt")
    clean = clean_image(upload.data)
    return ProposalImage(
        content_type=clean.content_type,
        data=clean.data,
        width=clean.width,
        height=clean.height,
        alt=upload.alt.strip()[:300],
    )


def drafts_of(cycle: Cycle, actor: User) -> list[ProposalDraft]:
    query = select(ProposalDraft).where(ProposalDraft.cycle_id == cycle.id, ProposalDraft.author_id == actor.id)
    return list(session().scalars(query.order_by(ProposalDraft.updated_at.desc())))


def get_draft(cycle: Cycle, actor: User, draft_id: int) -> ProposalDraft:
    """Raises NotFound, also for someone else's draft: drafts are private."""
    draft = session().get(ProposalDraft, draft_id)
    if draft is None or draft.cycle_id != cycle.id or draft.author_id != actor.id:
        raise NotFound(_("There is no draft with that number."))
    return draft


@dataclass(frozen=True)
class Filters:
    """What a resident browsing proposals asked for; every field optional."""

    text: str = ""
    theme_id: int | None = None
    area: str | None = None
    status: ProposalStatus | None = None
    min_cost: int | None = None
    max_cost: int | None = None


def find_proposals(cycle: Cycle, filters: Filters | None = None) -> list[Proposal]:
    """Proposals of the cycle matching the filters, newest first."""
    filters = filters or Filters()
    query = select(Proposal).where(Proposal.cycle_id == cycle.id)
    words = (Proposal.title, Proposal.summary, Proposal.title_translated, Proposal.summary_translated)
    if (found := has_every_word(filters.text, *words)) is not None:
        query = query.where(found)
    if filters.theme_id is not None:
        query = query.where(Proposal.theme_id == filters.theme_id)
    if filters.area:
        query = query.where(Proposal.area == filters.area)
    if filters.status is not None:
        query = query.where(Proposal.status == filters.status)
    if filters.min_cost is not None:
        query = query.where(Proposal.cost >= filters.min_cost)
    if filters.max_cost is not None:
        query = query.where(Proposal.cost <= filters.max_cost)
    return list(session().scalars(query.order_by(Proposal.created_at.desc(), Proposal.id.desc())))


def proposals_for(cycle: Cycle, status: ProposalStatus | None = None) -> list[Proposal]:
    query = select(Proposal).where(Proposal.cycle_id == cycle.id)
    if status is not None:
        query = query.where(Proposal.status == status)
    return list(session().scalars(query.order_by(Proposal.id)))


def get_proposal(cycle: Cycle, proposal_id: int) -> Proposal:
    """Raises NotFound, also for a proposal of another cycle."""
    proposal = session().get(Proposal, proposal_id)
    if proposal is None or proposal.cycle_id != cycle.id:
        raise NotFound(_("There is no proposal with that number in this cycle."))
    return proposal


def find_proposal(proposal_id: int) -> Proposal:
    """For short links. Raises NotFound."""
    proposal = session().get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(_("There is no proposal with that number."))
    return proposal
