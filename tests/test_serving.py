"""gunicorn.conf.py's hooks (pb/serving.py): the master does each worker's first work, and no worker
uses a database connection the master opened."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

import pb.serving
from pb.db import db
from pb.serving import after_fork, prepare

ROOT = Path(__file__).resolve().parent.parent


def test_gunicorn_builds_the_app_in_the_master_and_runs_both_hooks() -> None:
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["preload_app"] is True
    assert callable(settings["when_ready"]) and callable(settings["post_fork"])


def test_the_master_compiles_every_template_and_freezes_what_it_built(app: Flask,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    frozen: list[bool] = []
    monkeypatch.setattr(pb.serving.gc, "freeze", lambda: frozen.append(True))  # not this test process's objects
    names = app.jinja_env.list_templates(extensions=("html",))
    assert "voting/ballot.html" in names and "base.html" in names
    prepare(app)
    compiled = {key[1] for key in app.jinja_env.cache}  # type: ignore[union-attr]
    assert set(names) <= compiled
    assert frozen == [True]


def test_a_new_worker_makes_its_own_connections_and_leaves_the_masters_open(app: Flask) -> None:
    with db.engine.connect() as connection:
        masters = connection.connection.dbapi_connection
    after_fork(app)
    with db.engine.connect() as connection:
        assert connection.connection.dbapi_connection is not masters
        assert connection.scalar(text("SELECT 1")) == 1
    # Closing it in the worker would end it for the master, whose process owns it.
    cursor = masters.cursor()  # type: ignore[union-attr]
    cursor.execute("SELECT 1")
    assert cursor.fetchone()[0] == 1
