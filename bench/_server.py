"""The server side of bench/load.py and bench/faults.py: the app under gunicorn.

`Gunicorn`: the app served by the project's gunicorn.conf.py in production configuration, on a
free loopback port; bind, workers and threads come from the environment as the file reads them.
It serves `bench_app()`: the app exactly as app.py builds it, plus one bare route for the
saturation baseline, and a `Server-Timing: app;dur=…` header on every answer, so that the
client can tell the app's own time from the time a request waited in the server. The database
and the vote it serves are bench/_database.py's.
"""

from __future__ import annotations

import contextlib
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from flask import Flask, Response

from bench._database import BALLOT_KEY_SECRET, tree_cpu_seconds

REPO = Path(__file__).resolve().parent.parent

SECRET_KEY = "bench-session-key-not-secret"
ACCESS_LOG = '%(h)s "%(r)s" %(s)s %(b)s %(D)s'


def bench_app() -> Flask:
    """The app as app.py builds it (FLASK_CONFIG=production from gunicorn.conf.py), plus GET /bench/bare.

    Each answer says how long the app took, from gunicorn handing it the request to the
    response's headers (Flask renders the whole body before it starts the response).
    """
    from pb import create_app

    app = create_app()
    app.add_url_rule("/bench/bare", "show_bare", _bare)
    app.wsgi_app = _timed(app.wsgi_app)  # type: ignore[method-assign]
    return app


def _timed(wsgi_app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """Stamp each response's Server-Timing when its headers start, that is once Flask has built its body."""

    def timed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()

        def start(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            headers.append(("Server-Timing", f"app;dur={(time.perf_counter() - started) * 1000:.2f}"))
            return start_response(status, headers, *args)

        return wsgi_app(environ, start)

    return timed


def _bare() -> Response:
    """The saturation baseline: through the same server and the same app, but no work of its own."""
    return Response("ok", mimetype="text/plain")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the app server -----------------------------------------------------------------------


def gunicorn_setting(name: str, env: dict[str, str] | None = None) -> object:
    """One of gunicorn.conf.py's settings, read by running the file with `env` as the environment."""
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        return runpy.run_path(str(REPO / "gunicorn.conf.py"))[name]
    finally:
        os.environ.clear()
        os.environ.update(saved)


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py` on a free loopback port, in its own process group."""

    def __init__(self, database_url: str, log: Path, *, workers: int | None = None, threads: int | None = None):
        self.port = free_port()
        self.log = log
        self.env = {
            **os.environ,
            "BIND": f"127.0.0.1:{self.port}",
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET_KEY,
            "BALLOT_KEY_SECRET": BALLOT_KEY_SECRET,
            "FLASK_CONFIG": "production",
        }
        if workers:
            self.env["WEB_CONCURRENCY"] = str(workers)
        if threads:
            self.env["THREADS"] = str(threads)
        self.process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def workers(self) -> int:
        """How many workers gunicorn.conf.py starts with this environment."""
        return int(gunicorn_setting("workers", self.env))

    @property
    def threads(self) -> int:
        return int(gunicorn_setting("threads", self.env))

    def start(self, timeout: float = 60) -> None:
        """Start gunicorn and wait until every worker answers."""
        self._log_file = self.log.open("ab")
        booted = self.log.read_text(errors="replace").count("Booting worker")
        self.process = subprocess.Popen(
            # Two flags on top of gunicorn.conf.py, neither changing how requests are served: each
            # request's time in the server in the access log (microseconds), and no control socket
            # (its default path, ~/.gunicorn/gunicorn.ctl, is shared with any other gunicorn of this user).
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logformat", ACCESS_LOG,
             "--no-control-socket", "bench._server:bench_app()"],
            cwd=REPO,
            env=self.env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() takes the master and its workers at once
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            up = self.log.read_text(errors="replace").count("Booting worker") - booted >= self.workers
            if up and self._answers():
                # A worker logs "Booting" before it imports the app: ask a few more times so that every
                # worker has imported it before anything is measured.
                for _ in range(self.workers * 4):
                    self._answers()
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start within {timeout:.0f} s; see {self.log}")

    def _answers(self) -> bool:
        import http.client

        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            connection.request("GET", "/bench/bare")
            ok = connection.getresponse().status == 200
            connection.close()
            return ok
        except OSError:
            return False

    @property
    def pids(self) -> list[int]:
        """The master and its workers (by the process group started here)."""
        if self.process is None:
            return []
        pgid = self.process.pid
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == pgid:
                        found.append(int(entry.name))
                except (ProcessLookupError, PermissionError):
                    continue
        return found

    def cpu_seconds(self) -> float:
        """CPU time of the master and its workers so far, those recycled included."""
        return tree_cpu_seconds(self.process.pid) if self.process is not None else 0.0

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once, as a crash or an out-of-memory kill would."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._reap()

    def stop(self) -> None:
        """Graceful stop (SIGTERM to the master), then SIGKILL to anything left in its group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=35)
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._reap()

    def _reap(self) -> None:
        deadline = time.monotonic() + 10
        while self.pids and time.monotonic() < deadline:
            time.sleep(0.05)
        if self._log_file is not None:
            self._log_file.close()
        self.process = None

    def errors_logged(self) -> list[str]:
        """Tracebacks and errors gunicorn or the app wrote to the log."""
        text = self.log.read_text(errors="replace")
        return [line for line in text.splitlines() if re.search(r"Traceback|\[ERROR\]|CRITICAL", line)]
