"""gunicorn.conf.py's hooks (pb/serving.py): the master does each worker's first work, and no worker
uses a database connection the master opened."""

from __future__ import annotations

import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from gunicorn.config import Config
from sqlalchemy import Engine, event, text

import pb.serving
from pb import create_app, mail
from pb.db import db
from pb.logs import without_keys
from pb.serving import after_fork, per_worker_limits, prepare

ROOT = Path(__file__).resolve().parent.parent


def test_gunicorn_builds_the_app_in_the_master_and_runs_both_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["preload_app"] is True
    built = object()
    warnings: list[str] = []
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: built), num_workers=2,  # gunicorn's arbiter,
                             log=SimpleNamespace(warning=warnings.append))  # as far as the hooks see it
    calls: list[tuple[str, object]] = []
    monkeypatch.setattr(pb.serving, "prepare", lambda app: calls.append(("prepare", app)))
    monkeypatch.setattr(pb.serving, "per_worker_limits", lambda app, workers: f"{workers} workers")
    monkeypatch.setattr(pb.serving, "after_fork", lambda app: calls.append(("after_fork", app)))
    settings["when_ready"](server)
    settings["post_fork"](server, SimpleNamespace())
    assert calls == [("prepare", built), ("after_fork", built)]
    assert warnings == ["2 workers"]


def test_the_master_warns_when_several_workers_each_count_the_rate_limits(database_url: str) -> None:
    def app(**config: object) -> Flask:
        return create_app("test", SQLALCHEMY_ENGINES={"default": database_url}, **{"RATELIMIT_ENABLED": True, **config})

    warning = per_worker_limits(app(), 4)
    assert warning and "up to 4 times as often" in warning and "Redis" in warning
    assert per_worker_limits(app(), 1) is None  # one worker counts for the whole server
    assert per_worker_limits(app(RATELIMIT_STORAGE_URI="redis://cache:6379/0"), 4) is None
    assert per_worker_limits(app(RATELIMIT_ENABLED=False), 4) is None


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


def test_every_route_that_takes_a_key_from_an_email_is_left_out_of_the_access_log(app: Flask) -> None:
    keyed = [rule.rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert len(keyed) >= 3  # a reset, a sign-up and a new address's confirmation
    key = "WyJhbm5AZXhhbXBsZS5vcmciLCIvIl0.axbxZQ.69TPmLq-JcSzVgzSFBOxjdkq_5s"
    for rule in keyed:
        path = rule.replace("<token>", key)
        assert key not in without_keys(f"GET {path} HTTP/1.1"), rule
        assert without_keys(f"GET {path}?next=/ HTTP/1.1") == f"GET {path.replace(key, '[key]')}?next=/ HTTP/1.1"
    for page in ("/sign-up/sent", "/account/reset/sent", "/account/email/sent", "/sign-up", "/cycles/1/vote",
                 "/cycles/1/vote?q=100%25"):
        assert without_keys(f"GET {page} HTTP/1.1") == f"GET {page} HTTP/1.1"
    # A link in Welsh passes through the language switch (pb.mail.link_to), with the page in its query.
    for query in (f"next=/sign-up/{key}", f"next=%2Fsign-up%2F{key}"):
        assert key not in without_keys(f"GET /language/cy?{query} HTTP/1.1")
    # The same page, its path percent-encoded, as Werkzeug decodes it for the route.
    assert without_keys(f"GET /sign%2Dup/{key} HTTP/1.1") == "GET /sign-up/[key] HTTP/1.1"
    assert app.test_client().get(f"/sign%2Dup/{key}").status_code == 400  # the route is reached: a broken link


def test_the_apps_own_log_holds_no_key_but_make_runs_emails_show_their_links(app: Flask, caplog) -> None:
    key = "WyJhbm5AZXhhbXBsZS5vcmciLCIvIl0.axbxZQ.69TPmLq-JcSzVgzSFBOxjdkq_5s"
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        app.logger.error("Exception on /account/email/confirm/%s [POST]", key)
        app.logger.error(f"Database error on POST /sign-up/{key}")
        app.config["MAIL_BACKEND"] = "log"
        with app.test_request_context():
            mail.send("ann@example.org", "Finish creating your Cyd account", f"http://localhost/sign-up/{key}")
    messages = [record.getMessage() for record in caplog.records]
    assert messages[:2] == ["Exception on /account/email/confirm/[key] [POST]", "Database error on POST /sign-up/[key]"]
    assert f"http://localhost/sign-up/{key}" in messages[2]


def test_gunicorns_access_log_holds_no_key_in_the_request_or_the_referer(tmp_path: Path) -> None:
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("logger_class", settings["logger_class"])
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = config.logger_class(config)
    key = "WyJhbm5AZXhhbXBsZS5vcmciLCIvIl0.axbxZQ.69TPmLq-JcSzVgzSFBOxjdkq_5s"
    requests = [("GET", f"/sign-up/{key}", ""), ("POST", f"/account/reset/{key}", ""),
                ("GET", "/static/css/cyd.css", f"https://cyd.example.gov.uk/account/email/confirm/{key}"),
                ("GET", "/sign-up/sent", "")]
    for method, path, referer in requests:
        environ = {"REQUEST_METHOD": method, "RAW_URI": path, "PATH_INFO": path, "SERVER_PROTOCOL": "HTTP/1.1",
                   "REMOTE_ADDR": "127.0.0.1", "HTTP_REFERER": referer}
        response = SimpleNamespace(status="200 OK", sent=10, headers=[])
        request = SimpleNamespace(headers=[("REFERER", referer)])
        logger.access(response, request, environ, timedelta(milliseconds=5))
    logger.error("Error handling request %s", f"/sign-up/{key}")  # as a gthread worker names a failed request
    for handler in logger.access_log.handlers + logger.error_log.handlers:
        handler.flush()
    log = (tmp_path / "access.log").read_text()
    assert key not in log
    assert log.count("[key]") == 3 and "/sign-up/sent" in log and "/static/css/cyd.css" in log
    errors = (tmp_path / "error.log").read_text()
    assert key not in errors and "Error handling request /sign-up/[key]" in errors
