"""What a vote's ballots add up to: the active ballots, as the count reads them, and turnout.

Only the active ballot of each voter key is read (a revised ballot replaces the earlier one), and
never with anything that says whose it is.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from pb.counting import Profile
from pb.cycles.models import Stage
from pb.db import session
from pb.mandates.boundaries import VoteBoundaries
from pb.voting.models import Ballot, BallotChoice, CodeStatus, Participation, VotingCode
from pb.voting.services import Choices


def active_ballot_choices(stage: Stage) -> list[Choices]:
    """Every active ballot's choices (in random ballot-id order, so in nobody's order)."""
    query = (
        select(BallotChoice.ballot_id, BallotChoice.proposal_id, BallotChoice.rank, BallotChoice.points)
        .join(Ballot)
        .where(Ballot.stage_id == stage.id, Ballot.replaced.is_(False))
        .order_by(BallotChoice.ballot_id, BallotChoice.proposal_id)
    )
    by_ballot: dict[str, Choices] = defaultdict(dict)
    for ballot_id, proposal_id, rank, points in session().execute(query):
        by_ballot[ballot_id][proposal_id] = rank if rank is not None else points
    empty = session().scalars(
        select(Ballot.id).where(Ballot.stage_id == stage.id, Ballot.replaced.is_(False), ~Ballot.choices.any())
    )
    return list(by_ballot.values()) + [{} for _ in empty]


def active_ballots(stage: Stage) -> list[list[int]]:
    """Every active ballot's project ids: by rank on ranked ballots, else by id."""
    return [sorted(choices, key=lambda pid: (choices[pid], pid)) for choices in active_ballot_choices(stage)]


def counting_profile(stage: Stage, boundaries: VoteBoundaries) -> tuple[Profile, dict[str, Any]]:
    """The active ballots as the counting engine's profile, with the options their format needs.

    Ranked ballots are ordinal (a project ranked r-th of up to N scores N − r + 1, as Pabulib
    does); cumulative ballots carry their points, which Equal Shares then counts as utilities.
    """
    fmt = boundaries.ballot_format
    if fmt == "ranked":
        return Profile.from_rankings([[str(p) for p in b] for b in active_ballots(stage)]), {
            "ordinal_length": boundaries.max_choices
        }
    if fmt == "cumulative":
        profile = Profile.from_points([{str(p): v for p, v in sorted(b.items())} for b in active_ballot_choices(stage)])
        return profile, ({"utility": "score"} if boundaries.counting_rule.startswith("equalshares") else {})
    return Profile.from_approvals([[str(p) for p in sorted(b)] for b in active_ballot_choices(stage)]), {}


def turnout(stage: Stage) -> int:
    """How many people have voted in the stage (revisions count once): accounts, codes (on a phone
    or at a kiosk) and paper ballots."""
    accounts = session().scalar(
        select(func.count()).select_from(Participation).where(Participation.stage_id == stage.id)
    )
    codes = session().scalar(
        select(func.count())
        .select_from(VotingCode)
        .where(VotingCode.stage_id == stage.id, VotingCode.status == CodeStatus.USED)
    )
    paper = session().scalar(
        select(func.count())
        .select_from(Ballot)
        .where(Ballot.stage_id == stage.id, Ballot.channel == "paper", Ballot.replaced.is_(False))
    )
    return (accounts or 0) + (codes or 0) + (paper or 0)
