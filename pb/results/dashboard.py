"""The commissioners' dashboard: who took part, how, where and when; the outcome; contributions; ratings.

Who took part by the optional answers voters give about themselves, against the area's
population, is in `pb.results.demographics`, rounded there so that no small group shows.

Everything here is a count. Where people voted is read from the postcode district of their
account (the part before the space), never from a ballot; ballots cast with a voting code have
no account, so their area is "not known".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import to_user_timezone
from sqlalchemy import func, select

from pb.accounts.models import User
from pb.audit.models import AuditEntry
from pb.cycles.models import Cycle, StageKind
from pb.db import session
from pb.delivery.services import delivery_overview, ratings_of
from pb.proposals.models import Proposal
from pb.results.demographics import WhoTookPart, who_took_part
from pb.results.exports import turnout_by_channel
from pb.results.services import latest_tally, result_rows
from pb.results.words import NOT_KNOWN
from pb.voting.models import Participation


@dataclass(frozen=True)
class Dashboard:
    ballots: int
    by_channel: dict[str, int]
    by_area: dict[str, int]
    by_day: list[tuple[date, int]]
    proposals: int
    funded: int
    budget: int
    budget_used: int
    volunteer_hours_offered: int
    volunteer_hours_funded: int
    spent: int  # the council's spend to date on funded projects, as reported in delivery updates
    hours_pledged: int
    hours_given: int
    ratings: list[tuple[str, float, int]]  # (project, average rating, number of ratings), delivered projects
    who_took_part: WhoTookPart | None = None  # by the optional answers about voters, when the vote asks any


def dashboard(cycle: Cycle) -> Dashboard:
    vote = cycle.stage_of_kind(StageKind.VOTE)
    by_channel = turnout_by_channel(vote) if vote else {}
    ballots = sum(by_channel.values())
    by_area: Counter[str] = Counter()
    if vote:
        postcodes = session().scalars(
            select(User.postcode)
            .join(Participation, Participation.user_id == User.id)
            .where(Participation.stage_id == vote.id)
        )
        for postcode in postcodes:
            by_area[(postcode or "").strip().upper().split(" ")[0] or NOT_KNOWN] += 1
        accounts = sum(by_area.values())
        if ballots > accounts:
            by_area[NOT_KNOWN] += ballots - accounts
    proposals = list(session().scalars(select(Proposal).where(Proposal.cycle_id == cycle.id).order_by(Proposal.id)))
    delivery = delivery_overview(cycle)
    ratings = [(p.title, r.average, r.count) for p in proposals if (r := ratings_of(p)).count and r.average]
    funded_ids: set[int] = set()
    budget_used = 0
    if latest_tally(cycle) is not None:
        _tally, rows = result_rows(cycle)
        funded = [r for r in rows if (r.decision.funded if r.decision else r.funded_by_vote)]
        funded_ids = {r.proposal.id for r in funded}
        budget_used = sum(r.proposal.cost for r in funded)
    return Dashboard(
        ballots=ballots,
        by_channel=dict(sorted(by_channel.items())),
        by_area=dict(sorted(by_area.items(), key=lambda item: (-item[1], item[0]))),
        by_day=_ballots_by_day(vote.id) if vote else [],
        proposals=len(proposals),
        funded=len(funded_ids),
        budget=cycle.budget,
        budget_used=budget_used,
        volunteer_hours_offered=sum(p.volunteer_hours for p in proposals),
        volunteer_hours_funded=sum(p.volunteer_hours for p in proposals if p.id in funded_ids),
        spent=delivery.totals.spent,
        hours_pledged=delivery.totals.hours_pledged,
        hours_given=delivery.totals.hours_given,
        ratings=ratings,
        who_took_part=who_took_part(vote, by_channel) if vote else None,
    )


def _ballots_by_day(stage_id: int) -> list[tuple[date, int]]:
    """First ballots cast each day in the council's time zone, from the audit log (which records
    when, never who or what). The database counts them by the hour, in UTC; the hours then go to
    the council's days, so a ballot cast at 00:30 British Summer Time counts on that date, not the one before."""
    if session().get_bind().dialect.name == "postgresql":
        hour = func.date_trunc("hour", AuditEntry.at)
    else:  # SQLite keeps UTC times as text
        hour = func.strftime("%Y-%m-%d %H:00:00", AuditEntry.at)
    query = (
        select(hour, func.count())
        .where(AuditEntry.stage_id == stage_id, AuditEntry.action == "ballot.cast")
        .group_by(hour)
    )
    days: Counter[date] = Counter()
    for value, n in session().execute(query):
        at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        days[to_user_timezone(at if at.tzinfo else at.replace(tzinfo=UTC)).date()] += n
    return sorted(days.items())
