"""The session and the pool: a savepoint is undone with its transaction; a connection the database
server closed is never handed to a request."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

import pb.db
from pb.accounts.models import User
from pb.db import db
from tests.conftest import ON_POSTGRES


def test_a_savepoint_that_is_the_first_write_is_undone_by_the_rollback(app) -> None:
    # On SQLite, Python's driver used to run such a savepoint outside any transaction, so its release
    # committed it (pb/db.py begins every transaction explicitly to prevent that).
    with db.session.begin_nested():
        db.session.add(User(email="first@example.org", name="First", password_hash="-"))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def _connection_identity() -> object:
    """Which connection the pool hands out: PostgreSQL's backend process, or SQLite's connection object."""
    with db.engine.connect() as connection:
        if ON_POSTGRES:
            return connection.scalar(text("SELECT pg_backend_pid()"))
        return id(connection.connection.dbapi_connection)


def test_a_connection_the_server_closed_is_replaced_before_a_request_uses_it(app) -> None:
    first = _connection_identity()
    assert _connection_identity() == first  # a good connection is kept
    if not ON_POSTGRES:
        return  # SQLite has no server to close it
    # As a restart does to every backend: end it from elsewhere, and wait until it has gone.
    # (Waiting by reading pg_stat_activity in a loop can wait for ever: a transaction reads it once.)
    other = create_engine(db.engine.url, poolclass=NullPool)
    with other.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": first})  # gone
    other.dispose()
    assert _connection_identity() != first  # replaced, and the statement on the new one succeeded


def test_a_connection_unused_for_too_long_is_made_again(app, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _connection_identity()
    monkeypatch.setattr(pb.db, "IDLE_REPLACED_AFTER", -1.0)
    # On SQLite the file is the database: its connections are always kept.
    assert (_connection_identity() != first) is ON_POSTGRES


@pytest.mark.postgres
def test_a_postgresql_test_database_emptied_is_as_the_template_made_it(postgres) -> None:
    """On PostgreSQL the tests share a database a worker, emptied after each (tests/conftest.py)."""
    from pb import create_app
    from pb.accounts.services import sign_up
    from tests.postgres import TEMPLATE

    name = postgres.create(template=TEMPLATE)
    app = create_app("test", SQLALCHEMY_ENGINES={"default": postgres.url(name)})
    try:
        with app.app_context():
            first = sign_up("first@example.org", "First", "correct horse battery")
            db.session.commit()
            assert first.id == 1
            db.session.close()  # a connection still open in the pool is put out by the emptying
            postgres.empty(name)
            assert db.session.scalar(select(func.count()).select_from(User)) == 0
            again = sign_up("again@example.org", "Again", "correct horse battery")
            db.session.commit()
            assert again.id == 1  # ids start again, as in a new copy of the template
            db.engine.dispose()
    finally:
        postgres.drop(name)
