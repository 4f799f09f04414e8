"""One active ballot per voter, under pressure: 50 submissions at once, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from pb import create_app
from pb.accounts.models import Role, User
from pb.accounts.services import grant, sign_up
from pb.cycles.models import Stage, StageKind
from pb.db import db
from pb.voting.models import Ballot
from pb.voting.services import cast_ballot
from tests.voting.helpers import open_ballot

THREADS = 50


def _seed(app: Flask) -> tuple[int, int, list[int]]:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(User)) or 0
        commissioner = sign_up(f"c{n}@example.org", "Carys", "correct horse battery")
        grant(commissioner, Role.COMMISSIONER)
        representative = sign_up(f"r{n}@example.org", "Rhys", "correct horse battery")
        voter = sign_up(f"v{n}@example.org", "Rhian", "correct horse battery")
        cycle, proposals = open_ballot(commissioner, representative, max_choices=1)
        stage = cycle.stage_of_kind(StageKind.VOTE)
        assert stage is not None
        db.session.commit()
        ids = stage.id, voter.id, [p.id for p in proposals]
        db.engine.dispose()
        return ids


def _storm(app: Flask, stage_id: int, voter_id: int, choices: list[list[int]], submission: Any) -> list[object]:
    """Every thread casts for the same voter at the same moment; returns receipts or errors."""
    barrier = threading.Barrier(len(choices))
    results: list[object] = [None] * len(choices)

    def cast(n: int) -> None:
        with app.app_context():
            stage, voter = db.session.get(Stage, stage_id), db.session.get(User, voter_id)
            assert stage is not None and voter is not None
            barrier.wait()
            try:
                results[n] = cast_ballot(stage, voter, choices[n], submission=submission(n))
                db.session.commit()
            except Exception as error:
                db.session.rollback()
                results[n] = error

    threads = [threading.Thread(target=cast, args=(n,)) for n in range(len(choices))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _ballots(app: Flask, stage_id: int) -> tuple[int, int]:
    with app.app_context():
        where = Ballot.stage_id == stage_id
        total = db.session.scalar(select(func.count()).select_from(Ballot).where(where))
        active = db.session.scalar(select(func.count()).select_from(Ballot).where(where, Ballot.replaced.is_(False)))
        db.engine.dispose()
        return total or 0, active or 0


def _app(url: str) -> Flask:
    engine = {"url": url, "pool_size": THREADS, "max_overflow": 10, "pool_timeout": 60}
    return create_app("test", SQLALCHEMY_ENGINES={"default": engine})


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue("database_url" if request.param == "sqlite" else "postgres_url")


def test_fifty_concurrent_submissions_for_one_voter_leave_exactly_one_active_ballot(url: str) -> None:
    app = _app(url)
    stage_id, voter_id, (a, b, c) = _seed(app)
    results = _storm(app, stage_id, voter_id, [[(a, b, c)[n % 3]] for n in range(THREADS)], lambda n: f"tap-{n}")
    assert [r for r in results if not isinstance(r, str)] == []  # every submission was applied, in turn
    assert _ballots(app, stage_id) == (THREADS, 1)


def test_a_double_tap_sent_fifty_times_at_once_casts_one_ballot(url: str) -> None:
    app = _app(url)
    stage_id, voter_id, (a, _b, _c) = _seed(app)
    results = _storm(app, stage_id, voter_id, [[a]] * THREADS, lambda n: "one-confirmation")
    assert len(set(results)) == 1 and isinstance(results[0], str)  # one receipt, for every tap
    assert _ballots(app, stage_id) == (1, 1)
