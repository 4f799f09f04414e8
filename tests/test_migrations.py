"""The schema is made only by Alembic: every revision goes up and down, and the head matches the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from pb.cli import alembic_config
from pb.db import Base
from pb.models import import_all_models
from tests.conftest import ON_POSTGRES


def _config_on(connection):  # type: ignore[no-untyped-def]
    config = alembic_config()
    config.attributes["connection"] = connection
    return config


@pytest.fixture
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind this run tests: SQLite, or PostgreSQL with CYD_TEST_DATABASE."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    cluster = request.getfixturevalue("postgres")
    name = cluster.create()
    yield cluster.url(name)
    cluster.drop(name)


def test_the_tests_run_on_the_database_asked_for(app) -> None:  # type: ignore[no-untyped-def]
    from pb.db import db

    assert db.engine.dialect.name == ("postgresql" if ON_POSTGRES else "sqlite")


def test_migrated_head_matches_the_models(empty_database: str) -> None:
    import_all_models()
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        command.upgrade(_config_on(connection), "head")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_every_revision_upgrades_and_downgrades(empty_database: str) -> None:
    engine = create_engine(empty_database)
    revisions = list(reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions())))
    assert revisions, "there are no migrations"
    with engine.begin() as connection:
        config = _config_on(connection)
        for revision in revisions:
            command.upgrade(config, revision.revision)
            command.downgrade(config, revision.down_revision or "base")
            command.upgrade(config, revision.revision)
        command.downgrade(config, "base")
        assert set(inspect(connection).get_table_names()) == {"alembic_version"}
