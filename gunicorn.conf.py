"""gunicorn settings for production: `gunicorn app:app` reads this file.

Every setting can be overridden from the environment (GUNICORN_CMD_ARGS) or the command line.
App servers keep no state of their own: sessions are signed cookies, rate limits live in Redis
when RATELIMIT_STORAGE_URI says so, and everything else is in PostgreSQL; so a council can run
as many servers as it needs behind a load balancer.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gunicorn.arbiter import Arbiter
    from gunicorn.workers.base import Worker

bind = os.environ.get("BIND", "127.0.0.1:8000")
# A process a core uses the cores; two threads each overlap the time a request waits for the
# database. More workers and threads than that only contend for the cores: on two cores,
# 2 workers x 2 threads served a 200-voter crowd with half the p95 of gunicorn's usual
# 2 x cores + 1 workers with 4 threads each (docs/load.md, 2 December).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", 2))
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never take a server down during a vote.
max_requests = 5000
max_requests_jitter = 500
# Build the app once, in the master, and fork every worker from it (pb/serving.py): a worker
# recycled in the middle of a vote is ready at once instead of importing the app again, and its
# templates are already compiled. New code therefore needs a restart, not a HUP
# (docs/deployment.md).
preload_app = True
accesslog = "-"
logger_class = "pb.serving.AccessLogger"  # leaves the keys of email links out of the access log
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
raw_env = ["FLASK_CONFIG=production"]


def when_ready(server: Arbiter) -> None:
    """In the master, once the app is built and before the first worker is forked."""
    from pb.serving import per_worker_limits, prepare

    app = server.app.wsgi()
    prepare(app)
    if warning := per_worker_limits(app, server.num_workers):
        server.log.warning(warning)


def post_fork(server: Arbiter, worker: Worker) -> None:
    """In each new worker, before it serves its first request."""
    from pb.serving import after_fork

    after_fork(server.app.wsgi())
