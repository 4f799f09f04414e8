"""gunicorn.conf.py's hooks (pb/serving.py): the master does each worker's first work, and no worker
uses a database connection the master opened."""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import Engine, event, text

import pb.serving
from pb import create_app
from pb.db import db
from pb.serving import after_fork, prepare

ROOT = Path(__file__).resolve().parent.parent


def test_gunicorn_builds_the_app_in_the_master_and_runs_both_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["preload_app"] is True
    built = object()
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: built))  # gunicorn's arbiter, as far as the hooks see it
    calls: list[tuple[str, object]] = []
    monkeypatch.setattr(pb.serving, "prepare", lambda app: calls.append(("prepare", app)))
    monkeypatch.setattr(pb.serving, "after_fork", lambda app: calls.append(("after_fork", app)))
    settings["when_ready"](server)
    settings["post_fork"](server, SimpleNamespace())
    assert calls == [("prepare", built), ("after_fork", built)]


def test_the_master_opens_no_database_connection(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A connection opened before the fork would be shared by every worker.
    monkeypatch.setattr(pb.serving.gc, "freeze", lambda: None)
    opened: list[object] = []

    def count(*_args: object) -> None:
        opened.append(True)

    event.listen(Engine, "connect", count)
    try:
        prepare(create_app("test", SQLALCHEMY_ENGINES={"default": database_url}))
    finally:
        event.remove(Engine, "connect", count)
    assert opened == []


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
