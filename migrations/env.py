"""Alembic environment: the app's models are the target, the app's engine the database."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from pb.db import Base, UTCDateTime
from pb.models import import_all_models

import_all_models()
config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write app column types as plain SQLAlchemy ones, so revisions never import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only change a table by copying it
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    from pb import create_app
    from pb.db import db

    app = create_app()
    with app.app_context(), db.engine.connect() as connection:
        run_migrations(connection)
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("Offline SQL generation is not supported: run `flask pb migrate` against a database.")
run_online()
