"""Workshops: the notes and head count facilitators record, and the ideas raised in the room.

Notes and unlinked ideas are read only by the people who run the event (its named facilitators
and the cycle's commissioners). An idea linked to a need or a proposal of the same cycle is
shown, without who recorded it, on that need's or proposal's public page: "Raised at a
workshop: <event>, <date>". Ideas are often linked after the event, once the proposals exist,
so recording is allowed while the event's stage is open and after it has closed. See
docs/events.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Cycle
from pb.db import session
from pb.errors import InvalidInput, NotFound
from pb.events.models import Event, WorkshopIdea
from pb.events.services import MAX_ATTENDANCE, require_running, stage_of
from pb.mandates.authority import Action, Verdict
from pb.priorities.models import Need
from pb.proposals.models import Proposal

MAX_NOTES = 20_000
MAX_IDEA = 1_000


@dataclass(frozen=True)
class Link:
    """What an idea is linked to: one need, one proposal, or nothing."""

    need_id: int | None = None
    proposal_id: int | None = None

    @classmethod
    def parse(cls, choice: str | None) -> Link:
        """A form's choice ("need-3", "proposal-5" or "") as a link. Raises InvalidInput (field `link`)."""
        choice = (choice or "").strip()
        if not choice:
            return cls()
        kind, _sep, number = choice.partition("-")
        if number.isascii() and number.isdigit() and len(number) < 10 and kind in ("need", "proposal"):
            return cls(need_id=int(number)) if kind == "need" else cls(proposal_id=int(number))
        raise InvalidInput(_("Choose a need or a proposal from the list, or none."), field="link")

    @property
    def choice(self) -> str:
        """The form's value for this link."""
        if self.need_id is not None:
            return f"need-{self.need_id}"
        if self.proposal_id is not None:
            return f"proposal-{self.proposal_id}"
        return ""


def link_of(idea: WorkshopIdea) -> Link:
    return Link(need_id=idea.need_id, proposal_id=idea.proposal_id)


def record_workshop(event: Event, actor: User, *, notes: str, attendance: int | None) -> Event:
    """Record what was said at the workshop and how many people were in the room (None: not counted).

    Raises NotAuthorised (naming `events.facilitators` for someone who does not run this event),
    StageNotOpen (the event's stage has not opened yet) or InvalidInput (naming the field).
    """
    verdict = require_running(event, actor, Action.RECORD_WORKSHOP)
    notes = notes.strip().replace("\r\n", "\n")
    if len(notes) > MAX_NOTES:
        raise InvalidInput(_("Keep the notes to %(most)s characters or fewer.", most=f"{MAX_NOTES:,}"), field="notes")
    if attendance is not None and not 0 <= attendance <= MAX_ATTENDANCE:
        raise InvalidInput(
            _("Enter how many people were in the room: a number from 0 to %(most)s.", most=f"{MAX_ATTENDANCE:,}"),
            field="attendance",
        )
    event.notes, event.attendance = notes, attendance
    session().flush()
    record(
        "events.record_workshop",
        actor=actor,
        role=verdict.role,
        stage=stage_of(event),
        subject=f"event {event.id}",
        detail={"attendance": attendance, "notes": bool(notes)},  # the notes themselves stay on the event
    )
    return event


def add_idea(event: Event, actor: User, text: str, link: Link | None = None) -> WorkshopIdea:
    """Record an idea raised in the room, linked to a need or a proposal of the event's cycle, or to nothing.

    Raises NotAuthorised, StageNotOpen or InvalidInput (field `text`, or `link` for a need or
    proposal that is not this cycle's).
    """
    verdict = require_running(event, actor, Action.RECORD_WORKSHOP)
    text = text.strip().replace("\r\n", "\n")
    if not text:
        raise InvalidInput(_("Write down the idea."), field="text")
    if len(text) > MAX_IDEA:
        raise InvalidInput(_("Keep the idea to %(most)s characters or fewer.", most=f"{MAX_IDEA:,}"), field="text")
    link = _checked(event, link or Link())
    idea = WorkshopIdea(
        event_id=event.id, text=text, need_id=link.need_id, proposal_id=link.proposal_id, recorded_by_id=actor.id
    )
    session().add(idea)
    session().flush()
    _record_link("events.add_idea", actor, verdict, event, idea)
    return idea


def link_idea(idea: WorkshopIdea, actor: User, link: Link) -> WorkshopIdea:
    """Link an idea to a need or a proposal of its event's cycle, move the link, or (an empty Link) remove it.

    Raises NotAuthorised, StageNotOpen or InvalidInput (field `link`).
    """
    event = _event_of(idea)
    verdict = require_running(event, actor, Action.RECORD_WORKSHOP)
    link = _checked(event, link)
    idea.need_id, idea.proposal_id = link.need_id, link.proposal_id
    session().flush()
    _record_link("events.link_idea", actor, verdict, event, idea)
    return idea


def _record_link(action: str, actor: User, verdict: Verdict, event: Event, idea: WorkshopIdea) -> None:
    """The audit entry of an idea and what it is linked to: never the idea's words."""
    record(action, actor=actor, role=verdict.role, stage=stage_of(event), subject=f"workshop idea {idea.id}",
           detail={"event": event.id, "need": idea.need_id, "proposal": idea.proposal_id})


def remove_idea(idea: WorkshopIdea, actor: User) -> None:
    """Take back an idea recorded by mistake (a typo, or twice). Raises NotAuthorised or StageNotOpen."""
    event = _event_of(idea)
    verdict = require_running(event, actor, Action.RECORD_WORKSHOP)
    idea_id = idea.id
    session().delete(idea)
    session().flush()
    record(
        "events.remove_idea",
        actor=actor,
        role=verdict.role,
        stage=stage_of(event),
        subject=f"workshop idea {idea_id}",
        detail={"event": event.id},
    )


def get_idea(event: Event, idea_id: int) -> WorkshopIdea:
    """Raises NotFound, also for an idea of another event."""
    idea = session().get(WorkshopIdea, idea_id)
    if idea is None or idea.event_id != event.id:
        raise NotFound(_("There is no idea with that number at this event."))
    return idea


@dataclass(frozen=True)
class IdeaRow:
    """An idea as the people running the event see it."""

    idea: WorkshopIdea
    recorded_by: str | None
    need: Need | None
    proposal: Proposal | None


def ideas_of(event: Event, actor: User) -> list[IdeaRow]:
    """Every idea recorded at the event, oldest first, with what it is linked to. Raises NotAuthorised."""
    require_running(event, actor)
    rows = session().execute(
        select(WorkshopIdea, User.name, Need, Proposal)
        .outerjoin(User, User.id == WorkshopIdea.recorded_by_id)
        .outerjoin(Need, Need.id == WorkshopIdea.need_id)
        .outerjoin(Proposal, Proposal.id == WorkshopIdea.proposal_id)
        .where(WorkshopIdea.event_id == event.id)
        .order_by(WorkshopIdea.created_at, WorkshopIdea.id)
    )
    return [IdeaRow(idea, name, need, proposal) for idea, name, need, proposal in rows.tuples()]


def link_targets(cycle: Cycle) -> tuple[list[Need], list[Proposal]]:
    """What an idea of the cycle's events may be linked to: its needs and assets, and its proposals."""
    needs = session().scalars(select(Need).where(Need.cycle_id == cycle.id).order_by(Need.title, Need.id))
    proposals = session().scalars(
        select(Proposal).where(Proposal.cycle_id == cycle.id).order_by(Proposal.title, Proposal.id)
    )
    return list(needs), list(proposals)


@dataclass(frozen=True)
class WorkshopSummary:
    """The dashboard's line about the workshop record."""

    attendance: int | None
    has_notes: bool
    ideas: int
    linked: int


def summary(event: Event) -> WorkshopSummary:
    """Counts only, for the event's dashboard (whose view has already checked who is looking)."""
    ideas, linked = (
        session()
        .execute(
            select(
                func.count(WorkshopIdea.id),
                func.count(func.coalesce(WorkshopIdea.need_id, WorkshopIdea.proposal_id)),
            ).where(WorkshopIdea.event_id == event.id)
        )
        .one()
    )
    return WorkshopSummary(event.attendance, bool(event.notes), ideas or 0, linked or 0)


@dataclass(frozen=True)
class RaisedIdea:
    """A linked idea as anyone may read it: what was said, and at which workshop. Never who wrote it down."""

    text: str
    event_title: str
    held_at: datetime


def ideas_for_proposal(proposal: Proposal) -> list[RaisedIdea]:
    """The ideas raised at the cycle's workshops that are linked to this proposal, by date."""
    return _raised(proposal.cycle_id, WorkshopIdea.proposal_id, [proposal.id]).get(proposal.id, [])


def ideas_for_needs(cycle: Cycle) -> dict[int, list[RaisedIdea]]:
    """The ideas raised at the cycle's workshops that are linked to its needs and assets, by need id."""
    return _raised(cycle.id, WorkshopIdea.need_id)


def _raised(cycle_id: int, column: Any, only: list[int] | None = None) -> dict[int, list[RaisedIdea]]:
    query = (
        select(column, WorkshopIdea.text, Event.title, Event.starts_at)
        .join(Event, Event.id == WorkshopIdea.event_id)
        .where(Event.cycle_id == cycle_id, column.is_not(None))
        .order_by(Event.starts_at, WorkshopIdea.id)
    )
    if only is not None:
        query = query.where(column.in_(only))
    raised: dict[int, list[RaisedIdea]] = defaultdict(list)
    for key, text, title, starts_at in session().execute(query).tuples():
        raised[key].append(RaisedIdea(text, title, starts_at))
    return dict(raised)


def _event_of(idea: WorkshopIdea) -> Event:
    event = session().get(Event, idea.event_id)
    assert event is not None  # the foreign key cascades
    return event


def _checked(event: Event, link: Link) -> Link:
    """The link, if it names a need or a proposal of the event's own cycle. Raises InvalidInput (field `link`)."""
    if link.need_id is not None and link.proposal_id is not None:
        raise InvalidInput(_("Link the idea to one need or one proposal, not both."), field="link")
    if link.need_id is not None:
        need = session().get(Need, link.need_id)
        if need is None or need.cycle_id != event.cycle_id:
            raise InvalidInput(_("Choose a need or an asset of this cycle."), field="link")
    if link.proposal_id is not None:
        proposal = session().get(Proposal, link.proposal_id)
        if proposal is None or proposal.cycle_id != event.cycle_id:
            raise InvalidInput(_("Choose a proposal of this cycle."), field="link")
    return link
