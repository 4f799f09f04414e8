"""Build an open vote of any ballot format directly, for tests, browser tests and the page bench.

The stages before the vote are closed by setting their state: these helpers test voting, not
the proposal and review stages (tests/test_whole_cycle.py walks those through the services).
"""

from __future__ import annotations

from typing import Any

from pb.accounts.models import User
from pb.cycles.models import Cycle, StageKind, StageState
from pb.cycles.services import appoint_representative, create_cycle, open_stage
from pb.db import session
from pb.mandates.models import Side
from pb.mandates.services import sign_mandate, update_mandate
from pb.proposals.models import Proposal, ProposalStatus

AREAS = ("Grangetown", "Butetown", "Riverside")


def open_ballot(
    commissioner: User,
    representative: User,
    *,
    costs: tuple[int, ...] = (400_000, 300_000, 500_000),
    budget: int = 1_000_000,
    title: str = "Green spaces",
    summary: str = "A good idea for the neighbourhood.",
    **boundaries: Any,
) -> tuple[Cycle, list[Proposal]]:
    """A cycle whose vote is open, under a mandate with these boundaries, over eligible projects."""
    cycle = create_cycle(
        commissioner,
        title=title,
        purpose="Residents decide how the budget is spent.",
        area="Grangetown",
        budget=budget,
        kinds=[StageKind.PROPOSALS, StageKind.REVIEW, StageKind.VOTE, StageKind.DECISION],
    )
    appoint_representative(cycle, commissioner, representative.email)
    vote = cycle.stage_of_kind(StageKind.VOTE)
    assert vote is not None
    update_mandate(
        vote,
        commissioner,
        purpose=vote.mandate.purpose,
        roles=vote.mandate.roles,
        boundaries={**vote.mandate.boundaries_data, "budget": budget, "min_choices": 1, **boundaries},
    )
    for stage in cycle.stages:
        sign_mandate(stage, commissioner, Side.COMMISSIONERS, stage.mandate.version)
        sign_mandate(stage, representative, Side.RESIDENTS, stage.mandate.version)
    for stage in cycle.stages[:2]:
        stage.state = StageState.CLOSED
    proposals = [
        Proposal(
            cycle_id=cycle.id,
            title=f"Project {n}",
            summary=summary,
            cost=cost,
            status=ProposalStatus.ELIGIBLE,
            area=AREAS[n % len(AREAS)],
        )
        for n, cost in enumerate(costs, start=1)
    ]
    session().add_all(proposals)
    session().flush()
    open_stage(vote, commissioner)
    session().flush()
    return cycle, proposals
