"""Fixtures of the voting tests: an open vote of any ballot format, and its stage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pb.accounts.models import User
from pb.cycles.models import Cycle, Stage, StageKind
from pb.db import db
from pb.proposals.models import Proposal
from tests.voting.helpers import open_ballot


@pytest.fixture
def ballot(commissioner: User, representative: User) -> Callable[..., tuple[Cycle, list[Proposal]]]:
    """`ballot(ballot_format="ranked", max_choices=2, ...)`: an open vote with those boundaries."""

    def make(**boundaries: Any) -> tuple[Cycle, list[Proposal]]:
        made = open_ballot(commissioner, representative, **boundaries)
        db.session.commit()
        return made

    return make


def vote_stage(cycle: Cycle) -> Stage:
    stage = cycle.stage_of_kind(StageKind.VOTE)
    assert stage is not None
    return stage
