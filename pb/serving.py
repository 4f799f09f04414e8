"""What gunicorn.conf.py's hooks do: the app is built once, in gunicorn's master, and each worker is a fork of it.

Without this, every worker imports and builds the app itself (about 1.4 s of a core) and then
compiles each template and configures the ORM on its first requests, and so does every
worker `max_requests` recycles, in the middle of a vote. Forked from a master that has done
that work, a new worker is ready in milliseconds and shares the master's memory until it
writes to it.
"""

from __future__ import annotations

import gc

from flask import Flask
from sqlalchemy.orm import configure_mappers

from pb.db import db


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


def after_fork(app: Flask) -> None:
    """In a new worker: forget any pooled connection inherited from the master, without closing it for the master."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
