"""An event's counts (who came, codes given out and used) and what its live projector view shows.

Counts only: nothing here reads who anyone is or what any ballot chose, except the running
counts per project that the vote's mandate may allow (`vote.show_running_counts`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from pb.cycles.models import Cycle, Stage, StageKind, StageState
from pb.db import session
from pb.events.models import Attendee, Event, EventCodeBatch
from pb.mandates.boundaries import VoteBoundaries
from pb.proposals.models import Proposal
from pb.results.exports import turnout_by_channel
from pb.voting.counts import active_ballot_choices
from pb.voting.models import Ballot, CodeBatch, CodeStatus, VotingCode
from pb.voting.services import ballot_options


@dataclass(frozen=True)
class EventCounts:
    registered: int
    checked_in: int
    codes_issued: int
    codes_used: int  # used to vote, or linked to an account that votes
    expected: int


def event_counts(event: Event) -> EventCounts:
    """How many came, and how many of the codes issued at the event have been used: counts only."""
    db = session()
    registered = db.scalar(select(func.count()).select_from(Attendee).where(Attendee.event_id == event.id)) or 0
    checked_in = (
        db.scalar(
            select(func.count())
            .select_from(Attendee)
            .where(Attendee.event_id == event.id, Attendee.checked_in_at.is_not(None))
        )
        or 0
    )
    batches = select(EventCodeBatch.batch_id).where(EventCodeBatch.event_id == event.id)
    issued = db.scalar(select(func.coalesce(func.sum(CodeBatch.size), 0)).where(CodeBatch.id.in_(batches))) or 0
    used = (
        db.scalar(
            select(func.count())
            .select_from(VotingCode)
            .where(VotingCode.batch_id.in_(batches), VotingCode.status.in_((CodeStatus.USED, CodeStatus.LINKED)))
        )
        or 0
    )
    return EventCounts(registered, checked_in, int(issued), used, event.expected_attendance)


@dataclass(frozen=True)
class LiveView:
    counts: EventCounts
    vote: Stage | None
    by_channel: dict[str, int] = field(default_factory=dict)  # the whole vote's active ballots
    here: dict[str, int] = field(default_factory=dict)  # this event's: its kiosks and its paper ballots
    running: list[tuple[Proposal, int]] | None = None  # None: the mandate does not allow it


def ballots_at(event: Event) -> dict[str, int]:
    """The event's active ballots by channel (kiosk, paper): counts only."""
    query = (
        select(Ballot.channel, func.count())
        .where(Ballot.event_id == event.id, Ballot.replaced.is_(False))
        .group_by(Ballot.channel)
    )
    return {"kiosk": 0, "paper": 0, **dict(session().execute(query).tuples().all())}


def live_view(event: Event) -> LiveView:
    """What the projector shows: the event's counts and ballots, the vote's turnout by channel and,
    only where the vote's agreed mandate allows it (`vote.show_running_counts`), votes per project so far.
    """
    cycle = session().get(Cycle, event.cycle_id)
    assert cycle is not None
    vote = cycle.stage_of_kind(StageKind.VOTE)
    counts = event_counts(event)
    if vote is None or vote.state not in (StageState.OPEN, StageState.CLOSED):
        return LiveView(counts, vote)
    running = None
    mandate = vote.agreed_mandate
    boundaries = mandate.boundaries if mandate is not None else None
    if isinstance(boundaries, VoteBoundaries) and boundaries.show_running_counts:
        tally: Counter[int] = Counter()
        for choices in active_ballot_choices(vote):
            tally.update(choices.keys())
        running = sorted(((p, tally[p.id]) for p in ballot_options(vote)), key=lambda row: (-row[1], row[0].title))
    return LiveView(counts, vote, turnout_by_channel(vote), ballots_at(event), running)
