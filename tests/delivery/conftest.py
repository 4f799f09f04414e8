"""A cycle walked to its decision, with two funded projects and two unfunded ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pb.accounts.models import User
from pb.cycles.models import Cycle, Stage, StageKind
from pb.db import db
from pb.mandates.services import update_mandate
from pb.priorities.services import agree_theme
from pb.proposals.models import Proposal
from pb.proposals.review import review_proposal
from pb.proposals.services import ProposalFields, submit_proposal
from pb.results.services import Choice, record_decision

DELIVERY_CYCLE = [
    StageKind.PRIORITIES,
    StageKind.PROPOSALS,
    StageKind.REVIEW,
    StageKind.VOTE,
    StageKind.DECISION,
    StageKind.DELIVERY,
    StageKind.ASSESSMENT,
]


def _set(stage: Stage, commissioner: User, **boundaries: Any) -> None:
    mandate = stage.mandate
    update_mandate(
        stage,
        commissioner,
        purpose=mandate.purpose,
        roles=mandate.roles,
        boundaries={**mandate.boundaries_data, **boundaries},
    )


@pytest.fixture
def neighbour(make_user: Callable[..., User]) -> User:
    return make_user(name="Nia Neighbour")


@pytest.fixture
def decided_cycle(
    make_cycle: Callable[..., Cycle],
    walk_to: Callable[[Cycle, StageKind], Stage],
    commissioner: User,
    resident: User,
    neighbour: User,
) -> Callable[..., tuple[Cycle, list[Proposal]]]:
    """A cycle whose decision funded "Benches" and "Bulbs" and not "Mural" (resident's) or "Pond" (neighbour's).

    The vote advises, so the decision is free; the decision stage is left open.
    """

    def make(*, residents_may_pledge: bool = True, who_may_rate: str = "residents") -> tuple[Cycle, list[Proposal]]:
        cycle = make_cycle(kinds=DELIVERY_CYCLE, areas=["North", "South"])
        stages = {s.kind: s for s in cycle.stages}
        _set(stages[StageKind.VOTE], commissioner, binding=False, budget=cycle.budget)
        _set(stages[StageKind.DELIVERY], commissioner, residents_may_pledge=residents_may_pledge)
        _set(stages[StageKind.ASSESSMENT], commissioner, who_may_rate=who_may_rate)
        walk_to(cycle, StageKind.PRIORITIES)
        theme = agree_theme(cycle, commissioner, name="Green spaces", description="Parks and verges")
        walk_to(cycle, StageKind.PROPOSALS)
        proposals = [
            submit_proposal(
                cycle,
                author,
                ProposalFields(
                    title=title, summary=f"{title} for the park", cost=cost, area="North", theme_id=theme.id
                ),
            )
            for author, title, cost in (
                (resident, "Benches", 300_000),
                (neighbour, "Bulbs", 100_000),
                (resident, "Mural", 200_000),
                (neighbour, "Pond", 250_000),
            )
        ]
        walk_to(cycle, StageKind.REVIEW)
        for proposal in proposals:
            review_proposal(proposal, commissioner, eligible=True)
        walk_to(cycle, StageKind.VOTE)
        walk_to(cycle, StageKind.DECISION)
        record_decision(
            cycle,
            commissioner,
            {p.id: Choice(funded=p.title in ("Benches", "Bulbs"), reason="As the panel advised") for p in proposals},
        )
        db.session.commit()
        return cycle, proposals

    return make
