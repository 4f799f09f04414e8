from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pb.accounts.models import Role
from pb.cycles.models import StageKind
from pb.db import db
from pb.events.services import create_event
from tests.voting.helpers import open_ballot

STARTS = datetime(2026, 12, 1, 10, tzinfo=UTC)
ENDS = datetime(2026, 12, 1, 13, tzinfo=UTC)


@pytest.fixture
def event_at_vote(commissioner, representative, make_user):  # type: ignore[no-untyped-def]
    """An event in an open vote that takes voting codes, run by a facilitator of the cycle."""

    def make(**boundaries):  # type: ignore[no-untyped-def]
        cycle, proposals = open_ballot(commissioner, representative, **{"eligibility": "both", **boundaries})
        facilitator = make_user(Role.FACILITATOR, cycle=cycle, name="Ffion Facilitator")
        vote = cycle.stage_of_kind(StageKind.VOTE)
        event = create_event(
            vote,
            commissioner,
            title="Voting day at the Hub",
            venue="Grangetown Hub",
            starts_at=STARTS,
            ends_at=ENDS,
            expected_attendance=80,
            facilitator_ids=[facilitator.id],
        )
        db.session.commit()
        return cycle, proposals, event, facilitator

    return make
