"""The data side of bench/load.py, bench/faults.py and bench/visit.py: a throwaway database, its vote, and the check.

- `Postgres`: a throwaway cluster from Debian's binaries on a Unix socket, as tests/postgres.py
  starts one, but durable as production is (fsync and synchronous commit on), and restartable.
- `seed()`: migrates (pb.cli.upgrade_database) and makes a cycle whose vote is open to accounts
  and voting codes, with enough of both for the run.
- `check_ballots()`: what the database holds at the end, against what the voters were told.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

from tests.postgres import INITDB, server_user

BALLOT_KEY_SECRET = "bench-ballot-key-not-secret"
PASSWORD = "bench-password-1"
MAX_CHOICES = 3


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
