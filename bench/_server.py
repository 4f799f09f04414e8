"""The server side of bench/load.py and bench/faults.py: a throwaway database with an open vote, and gunicorn.

- `Postgres`: a throwaway cluster from Debian's binaries on a Unix socket, as tests/postgres.py
  starts one, but durable as production is (fsync and synchronous commit on), and restartable.
- `seed()`: migrates (pb.cli.upgrade_database) and makes a cycle whose vote is open to accounts
  and voting codes, with enough of both for the run.
- `Gunicorn`: the app served by the project's gunicorn.conf.py in production configuration, on a
  free loopback port; bind, workers and threads come from the environment as the file reads them.
  It serves `bench_app()`: the app exactly as app.py builds it, plus one bare route for the
  saturation baseline, and a `Server-Timing: app;dur=…` header on every answer, so that the
  client can tell the app's own time from the time a request waited in the server.
- `check_ballots()`: what the database holds at the end, against what the voters were told.
"""

from __future__ import annotations

import contextlib
import os
import re
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flask import Flask, Response

from tests.postgres import INITDB, server_user

REPO = Path(__file__).resolve().parent.parent

SECRET_KEY = "bench-session-key-not-secret"
BALLOT_KEY_SECRET = "bench-ballot-key-not-secret"
PASSWORD = "bench-password-1"
MAX_CHOICES = 3
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


def tree_cpu_seconds(root: int) -> float:
    """User and system CPU time of a process and its children: live ones, and those it has reaped."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root or ppid == root:
            total += int(fields[11]) + int(fields[12])  # utime, stime
        if pid == root:
            total += int(fields[13]) + int(fields[14])  # cutime, cstime: children it has waited for
    return total / ticks


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- databases ----------------------------------------------------------------------------


class Postgres:
    """A throwaway PostgreSQL cluster on a Unix socket in a temporary folder; `stop()` removes it."""

    def __init__(self) -> None:
        if not INITDB:
            raise RuntimeError("PostgreSQL's server binaries are missing (Debian's postgresql package).")
        self.bindir = Path(INITDB[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="cyd-bench-pg-"))
        self.as_postgres, self.user = server_user(self.root)
        self.data = self.root / "data"
        # Durable, as a council's server is: fsync and synchronous_commit stay on. Enough connections
        # for every worker's pool (SQLAlchemy's default: 5, and 10 more under load).
        self.options = f"-k {self.root} -c listen_addresses='' -c max_connections=300"
        try:
            self._pg("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8")
            self._pg("pg_ctl", "-D", str(self.data), "-o", self.options, "-w", "-l", str(self.root / "log"), "start")
            self._pg("createdb", "-h", str(self.root), "-U", self.user, "cyd")
        except BaseException:
            self.stop()
            raise

    def _pg(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_postgres, str(self.bindir / program), *args], check=True, capture_output=True)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}@/cyd?host={self.root}"

    def restart(self, mode: str = "fast") -> None:
        """pg_ctl restart: `fast` ends every session at once; `immediate` crashes, and recovery replays the WAL."""
        self._pg("pg_ctl", "-D", str(self.data), "-o", self.options, "-m", mode, "-w", "-l", str(self.root / "log"),
                 "restart")

    def cpu_seconds(self) -> float:
        """CPU time of the postmaster and its backends so far."""
        try:
            return tree_cpu_seconds(int((self.data / "postmaster.pid").read_text().split()[0]))
        except (OSError, ValueError, IndexError):
            return 0.0

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Database:
    """The database a run uses: a temporary SQLite file, or a database on a throwaway cluster."""

    kind: str
    url: str
    folder: Path
    cluster: Postgres | None = None

    @classmethod
    def create(cls, kind: str) -> Database:
        folder = Path(tempfile.mkdtemp(prefix=f"cyd-bench-{kind}-"))
        if kind == "sqlite":
            return cls(kind, f"sqlite:///{folder}/cyd.sqlite3", folder)
        cluster = Postgres()
        return cls(kind, cluster.url, folder, cluster)

    def remove(self) -> None:
        try:
            if self.cluster is not None:
                self.cluster.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


# --- the vote -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    """What the voters need to know: the vote, its projects, and who may vote."""

    cycle_id: int
    stage_id: int
    projects: tuple[int, ...]
    accounts: tuple[str, ...]  # email addresses, each with PASSWORD
    codes: tuple[str, ...]
    max_choices: int = MAX_CHOICES


def _offline_app(url: str) -> Flask:
    """The app for seeding and checking, in-process, keyed as the server is."""
    from pb import create_app

    return create_app("test", SQLALCHEMY_ENGINES={"default": url}, BALLOT_KEY_SECRET=BALLOT_KEY_SECRET,
                      PASSWORD_HASH_FAST=False)


def seed(url: str, *, accounts: int, codes: int, projects: int = 30) -> Seed:
    """Migrate, then make one cycle whose approval vote (up to three projects) takes accounts and codes."""
    from pb.accounts.models import Role, RoleGrant, User
    from pb.accounts.services import grant, hasher, sign_up
    from pb.cli import upgrade_database
    from pb.cycles.models import StageKind
    from pb.db import db
    from pb.voting.codes import MAX_BATCH, issue_codes
    from tests.voting.helpers import open_ballot

    app = _offline_app(url)
    with app.app_context():
        upgrade_database()
        commissioner = sign_up("commissioner@bench.example", "Carys", PASSWORD)
        grant(commissioner, Role.COMMISSIONER)
        representative = sign_up("representative@bench.example", "Rhys", PASSWORD)
        costs = tuple(50_000 + 7_919 * n % 500_000 for n in range(projects))
        cycle, proposals = open_ballot(commissioner, representative, costs=costs, budget=5_000_000,
                                       title="Bench vote", eligibility="both", max_choices=MAX_CHOICES)
        stage = cycle.stage_of_kind(StageKind.VOTE)
        assert stage is not None
        # One full-strength argon2 hash for every account (the cost of checking it is the same as for
        # a hash of its own): hashing thousands of passwords would take minutes.
        password_hash = hasher().hash(PASSWORD)
        emails = tuple(f"voter{n}@bench.example" for n in range(accounts))
        db.session.add_all(
            User(email=email, name=f"Voter {n}", password_hash=password_hash, grants=[RoleGrant(role=Role.RESIDENT)])
            for n, email in enumerate(emails)
        )
        plain: list[str] = []
        while len(plain) < codes:
            plain += issue_codes(stage, commissioner, min(MAX_BATCH, codes - len(plain)), "bench")[1]
        db.session.commit()
        made = Seed(cycle.id, stage.id, tuple(p.id for p in proposals), emails, tuple(plain))
        db.engine.dispose()
    return made


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


# --- the check at the end -----------------------------------------------------------------


@dataclass
class Check:
    """The database against what voters were told; `problems` is empty when they agree."""

    ballots: int = 0
    active: int = 0
    voters: int = 0  # distinct voters who were shown a receipt
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_ballots(url: str, seed: Seed, ledger: dict[str, list[tuple[str, ...]]], *, exact: bool) -> Check:
    """Compare the ballots in the database with the ledger of what each voter did.

    `ledger[voter]` lists events in order: ("attempt", choices) when a confirmation was sent,
    ("ack", receipt, choices) when the receipt page came back. With `exact` (no fault was
    injected) every attempt must have been acknowledged: ballots equal acknowledgements, and
    active ballots equal distinct voters. Either way: every acknowledged ballot is in the
    database; a voter's ballot is the last one acknowledged unless a later attempt replaced it;
    no voter has two active ballots; every ballot has its choices; participations and used codes
    match the voters; and the audit chain verifies, with one entry per ballot.
    """
    from sqlalchemy import func, select

    from pb.accounts.models import User
    from pb.audit.models import AuditEntry
    from pb.audit.services import verify
    from pb.cycles.models import Stage
    from pb.db import db
    from pb.voting.codes import code_voter_key
    from pb.voting.models import Ballot, BallotChoice, CodeStatus, Participation, VotingCode
    from pb.voting.services import voter_key

    check = Check()
    app = _offline_app(url)
    with app.app_context():
        stage = db.session.get(Stage, seed.stage_id)
        assert stage is not None
        users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(seed.accounts)))}

        def key(voter: str) -> str:
            return voter_key(stage, users[voter]) if "@" in voter else code_voter_key(stage, voter)

        ballots = {b.receipt: b for b in db.session.scalars(select(Ballot).where(Ballot.stage_id == stage.id))}
        choices: dict[str, set[int]] = {}
        for ballot_id, proposal_id in db.session.execute(
            select(BallotChoice.ballot_id, BallotChoice.proposal_id).join(Ballot).where(Ballot.stage_id == stage.id)
        ):
            choices.setdefault(ballot_id, set()).add(proposal_id)
        active = [b for b in ballots.values() if not b.replaced]
        check.ballots, check.active = len(ballots), len(active)
        by_key = {}
        for ballot in active:
            if ballot.voter_key in by_key:
                check.problems.append(f"one voter has two active ballots: {ballot.receipt}, {by_key[ballot.voter_key]}")
            by_key[ballot.voter_key] = ballot.receipt
        keys = {key(voter): voter for voter in ledger}
        attempted = {voter for voter, events in ledger.items() if any(e[0] == "attempt" for e in events)}
        acked = {voter for voter, events in ledger.items() if any(e[0] == "ack" for e in events)}
        check.voters = len(acked)
        stray = [receipt for k, receipt in by_key.items() if keys.get(k) not in attempted]
        if stray:
            check.problems.append(f"{len(stray)} active ballots of nobody who confirmed, e.g. {stray[0]}")
        for voter, events in ledger.items():
            _check_voter(check, voter, events, ballots, choices, by_key.get(key(voter)))
        empty = [b.receipt for b in ballots.values() if not choices.get(b.id)]
        if empty:
            check.problems.append(f"{len(empty)} ballots without choices, e.g. {empty[0]}")
        if exact:
            acks = sum(1 for events in ledger.values() for e in events if e[0] == "ack")
            tries = sum(1 for events in ledger.values() for e in events if e[0] == "attempt")
            if tries != acks:
                check.problems.append(f"{tries - acks} confirmations were sent but not acknowledged")
            if len(ballots) != acks:
                check.problems.append(f"{len(ballots)} ballots for {acks} receipts shown")
            if len(active) != len(acked):
                check.problems.append(f"{len(active)} active ballots for {len(acked)} distinct voters")
        cast_keys = {b.voter_key for b in ballots.values()}
        account_ids = {users[v].id for v in ledger if "@" in v and key(v) in cast_keys}
        participations = set(
            db.session.scalars(select(Participation.user_id).where(Participation.stage_id == stage.id))
        )
        if participations != account_ids:
            check.problems.append(f"{len(participations)} participations for {len(account_ids)} account voters")
        used = db.session.scalar(
            select(func.count()).select_from(VotingCode)
            .where(VotingCode.stage_id == stage.id, VotingCode.status == CodeStatus.USED)
        )
        code_voters = sum(1 for v in ledger if "@" not in v and key(v) in cast_keys)
        if used != code_voters:
            check.problems.append(f"{used} codes marked used for {code_voters} code voters with a ballot")
        audit = verify()
        if not audit.ok:
            check.problems.append(f"the audit chain breaks at entry {audit.first_bad_seq}: {audit.problem}")
        entries = db.session.scalar(
            select(func.count()).select_from(AuditEntry)
            .where(AuditEntry.stage_id == stage.id, AuditEntry.action.in_(("ballot.cast", "ballot.revise")))
        )
        if entries != len(ballots):
            check.problems.append(f"{entries} audit entries for {len(ballots)} ballots")
        db.engine.dispose()
    return check


def _check_voter(check: Check, voter: str, events: list[tuple[str, ...]], ballots: dict, choices: dict,
                 active_receipt: str | None) -> None:
    """One voter: every receipt shown exists; the active ballot is the last acknowledged, or a later attempt's."""
    acks = [e for e in events if e[0] == "ack"]
    for _, receipt, _chosen in acks:
        if receipt not in ballots:
            check.problems.append(f"{voter}: receipt {receipt} was shown but is not in the database")
            return
    for _, receipt, _chosen in acks[:-1]:
        if not ballots[receipt].replaced:
            check.problems.append(f"{voter}: an earlier ballot {receipt} is still active")
    if not acks:
        return
    last = max(i for i, e in enumerate(events) if e[0] == "ack")
    later = [set(map(int, e[1].split(","))) for e in events[last + 1 :] if e[0] == "attempt"]
    _, receipt, chosen = events[last]
    if active_receipt is None:
        check.problems.append(f"{voter}: no active ballot, though {receipt} was shown")
    elif active_receipt == receipt:
        if choices.get(ballots[receipt].id) != set(map(int, chosen.split(","))):
            check.problems.append(f"{voter}: ballot {receipt} holds other choices than were confirmed")
    elif not later or choices.get(ballots[active_receipt].id) not in later:
        check.problems.append(f"{voter}: the active ballot {active_receipt} is not the one confirmed last ({receipt})")
