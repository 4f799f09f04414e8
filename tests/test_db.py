"""The session: a change made inside a savepoint is undone when its transaction rolls back."""

from __future__ import annotations

from sqlalchemy import func, select

from pb.accounts.models import User
from pb.db import db


def test_a_savepoint_that_is_the_first_write_is_undone_by_the_rollback(app) -> None:
    # On SQLite, Python's driver used to run such a savepoint outside any transaction, so its release
    # committed it (pb/db.py begins every transaction explicitly to prevent that).
    with db.session.begin_nested():
        db.session.add(User(email="first@example.org", name="First", password_hash="-"))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
