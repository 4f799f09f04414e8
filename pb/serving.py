"""What gunicorn.conf.py's hooks do: the app is built once, in gunicorn's master, and each worker is a fork of it;
and the logs it keeps, which leave out the keys in links sent by email.

Without this, every worker imports and builds the app itself (about 1.4 s of a core) and then
compiles each template and configures the ORM on its first requests, and so does every
worker `max_requests` recycles, in the middle of a vote. Forked from a master that has done
that work, a new worker is ready in milliseconds and shares the master's memory until it
writes to it.
"""

from __future__ import annotations

import gc
from typing import Any

from flask import Flask
from gunicorn.glogging import Logger
from sqlalchemy.orm import configure_mappers

from pb.db import db
from pb.logs import WITHOUT_KEYS, without_keys


def prepare(app: Flask) -> None:
    """In the master, before the first fork: do the work each worker would do on its first requests.

    Opens no database connection: a connection must never be shared by two processes.
    """
    configure_mappers()
    for name in app.jinja_env.list_templates(extensions=("html",)):
        app.jinja_env.get_template(name)
    # Everything built so far lives as long as the server: moved out of the collector's reach,
    # the workers' collections need never walk it (nor write to its pages, as a collection
    # does to each object it examines).
    gc.freeze()


def per_worker_limits(app: Flask, workers: int) -> str | None:
    """What the master warns of when each of several workers counts the rate limits apart (memory://)."""
    storage = str(app.config.get("RATELIMIT_STORAGE_URI", "memory://"))
    if workers < 2 or not storage.startswith("memory://") or not app.config.get("RATELIMIT_ENABLED", True):
        return None
    return (f"Rate limits are counted in each worker's memory (RATELIMIT_STORAGE_URI is memory://): with "
            f"{workers} workers, sign-in and voting codes can be tried up to {workers} times as often as "
            "the limits say. Set RATELIMIT_STORAGE_URI to a Redis server (docs/deployment.md).")


def after_fork(app: Flask) -> None:
    """In a new worker: forget any pooled connection inherited from the master, without closing it for the master."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


class AccessLogger(Logger):
    """gunicorn's logger, but neither of its logs ever holds the key of a link sent by email (pb/logs.py).

    The access log writes the request line, which has the key, and the Referer of each request
    the link's page makes next; the error log names the request that failed. (A proxy in front
    keeps its own log: docs/deployment.md.)
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(WITHOUT_KEYS)

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        if any(without_keys(environ.get(name, "")) != environ.get(name, "") for name in ("RAW_URI", "HTTP_REFERER")):
            for name, value in atoms.items():
                if isinstance(value, str):
                    atoms[name] = without_keys(value)
        return atoms
