"""The schema is made only by Alembic: every revision goes up and down, and the head matches the models."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from pb.cli import alembic_config
from pb.db import Base
from pb.models import import_all_models


def _config_on(connection):  # type: ignore[no-untyped-def]
    config = alembic_config()
    config.attributes["connection"] = connection
    return config


def test_migrated_head_matches_the_models(tmp_path: Path) -> None:
    import_all_models()
    engine = create_engine(f"sqlite:///{tmp_path / 'head.sqlite3'}")
    with engine.begin() as connection:
        command.upgrade(_config_on(connection), "head")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_every_revision_upgrades_and_downgrades(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'steps.sqlite3'}")
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
