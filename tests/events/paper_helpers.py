"""An event in an open vote with two facilitators to key paper ballots, and a batch printed for it."""

from __future__ import annotations

from typing import Any

from pb.accounts.models import Role
from pb.cycles.models import StageKind
from pb.db import db
from pb.events.paper import print_paper_ballots
from pb.events.services import create_event
from tests.events.conftest import ENDS, STARTS
from tests.voting.helpers import open_ballot


def paper_event(commissioner, representative, make_user, *, printed: int = 10, **boundaries: Any):  # type: ignore[no-untyped-def]
    """(cycle, proposals, event, (first keyer, second keyer)): a vote open to codes, `printed` ballots numbered."""
    cycle, proposals = open_ballot(commissioner, representative, **{"eligibility": "both", **boundaries})
    ffion = make_user(Role.FACILITATOR, cycle=cycle, name="Ffion Facilitator")
    gareth = make_user(Role.FACILITATOR, cycle=cycle, name="Gareth Facilitator")
    vote = cycle.stage_of_kind(StageKind.VOTE)
    event = create_event(vote, commissioner, title="Voting day at the Hub", venue="Grangetown Hub",
                         starts_at=STARTS, ends_at=ENDS, facilitator_ids=[ffion.id, gareth.id])
    if printed:
        print_paper_ballots(event, ffion, printed)
    db.session.commit()
    return cycle, proposals, event, (ffion, gareth)
