"""Fixtures of the voting tests: an open vote of any ballot format, and its stage."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pb.accounts.models import User
from pb.cycles.models import Cycle, Stage, StageKind
from pb.db import db
from pb.proposals.models import Proposal
from tests.postgres import INITDB, TEMPLATE, Cluster
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


# --- PostgreSQL, for the concurrency tests in either run (see tests/postgres.py) ----------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs PostgreSQL's server binaries (Debian's postgresql)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if INITDB:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("The PostgreSQL tests need Debian's postgresql; .ci/run must install it.")
    skipped = [item for item in items if "postgres" in item.keywords]
    if skipped:
        items[:] = [item for item in items if "postgres" not in item.keywords]
        config.hook.pytest_deselected(items=skipped)
        print(f"\nDeselected {len(skipped)} PostgreSQL tests: install Debian's postgresql to run them.")


@pytest.fixture(scope="session")
def postgres_url(postgres: Cluster) -> Iterator[str]:
    """A migrated database on this worker's PostgreSQL cluster, for the session."""
    yield postgres.url(postgres.create(template=TEMPLATE))
