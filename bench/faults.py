"""Faults during a vote: the app server killed, PostgreSQL restarted; nothing acknowledged is lost or doubled.

    .venv/bin/python bench/faults.py [--database sqlite|postgresql|both] [--people 60] [--votes 100] [--quick]

Each database is made, migrated and seeded as bench/load.py does, and gunicorn serves it with
the project's gunicorn.conf.py. A crowd votes (pauses of 0.2–1 s). People are patient, as
people are: a request that fails (no answer, or a 5xx page) is sent again every half second,
for up to 30 s, as a person presses Reload or *Confirm my vote* again — the confirmation
carries its submission token, so sending it again must never cast twice.

(a) app server, on each database: once `--votes` ballots have been acknowledged, gunicorn's
    master and workers get SIGKILL at once, and gunicorn is started again at once (as
    systemd's Restart=always would).
(b) database, on PostgreSQL: after `--votes` ballots `pg_ctl restart -m fast`, after as many
    again `pg_ctl restart -m immediate` (a crash: recovery replays the WAL); and once the crowd
    has gone, `-m fast` again while nobody votes: the first requests afterwards must all succeed
    (each worker's pool holds closed connections then, which pool_pre_ping finds out).

Each run ends once `--votes` more ballots have been acknowledged after the last restart. Then:
every ballot whose receipt page a person saw is in the database; every confirmation sent was
acknowledged in the end; one ballot per receipt, and active ballots equal distinct voters;
every ballot has its choices; participations, used codes and audit entries match the ballots,
and the audit chain verifies (bench/_server.py, check_ballots). Requests succeed again within a
second of each restart, with nobody touching the app, and nothing fails outside the faults. In
(b) the app server stays up, so every failed request must get the app's own error page (500 or
503), with no traceback or driver text, and never a dropped connection. Prints what happened;
exits 1 on any failure. `--quick` (tests/test_bench.py) is the same with 12 people and 6 votes.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._database import Database, Seed, check_ballots, seed
from bench._server import Gunicorn
from bench._voters import Browser, Credentials, Crowd, Failed, Fault, Recorder

GRACE = 1.0  # seconds after a restart by which every request must succeed again
PATIENCE = 60  # tries of one request, half a second apart: half a minute
WAIT = 120.0  # the longest a run waits for the votes it needs before giving up


@dataclass
class Plan:
    people: int
    votes: int  # ballots acknowledged before the first fault, between faults, and after the last
    pause: tuple[float, float]
    workers: int | None


@dataclass
class Outcome:
    """One fault run: what people saw, and what is wrong."""

    name: str
    database: str
    requests: int = 0
    failed: int = 0  # failed tries people saw (each was tried again)
    error_pages: int = 0
    votes: int = 0
    recovered: list[float] = field(default_factory=list)  # seconds from each restart to the next success
    confirming: list[int] = field(default_factory=list)  # confirmations in flight as each fault began
    down: list[float] = field(default_factory=list)  # seconds each fault lasted, until its restart had finished
    confirms_resent: int = 0  # confirmations that failed and were sent again (their token must cast once)
    ballots: str = ""
    problems: list[str] = field(default_factory=list)


Window = tuple[float, float]  # when a fault began, and when its restart had finished


def _votes(crowd: Crowd, more: int, problems: list[str], before: str) -> None:
    """Wait until `more` ballots beyond those so far have been acknowledged."""
    target, give_up = crowd.recorder.votes + more, time.monotonic() + WAIT
    while crowd.recorder.votes < target:
        if time.monotonic() > give_up:
            problems.append(f"fewer than {more} ballots were acknowledged {before} within {WAIT:.0f} s")
            return
        time.sleep(0.1)


def _confirming(crowd: Crowd) -> None:
    """Wait (a few seconds at most) until a confirmation is on its way: the fault should catch one in flight."""
    give_up = time.monotonic() + 5
    while crowd.recorder.confirming < 1 and time.monotonic() < give_up:
        time.sleep(0.002)


def _run(name: str, database: Database, server: Gunicorn, made: Seed, credentials: Credentials, plan: Plan,
         ledger: dict[str, list[tuple[str, ...]]], faults: list[Callable[[], None]]) -> tuple[Outcome, Recorder]:
    """A crowd, with each of `faults` injected after `plan.votes` more ballots; it ends `plan.votes` after the last."""
    outcome = Outcome(name, database.kind)
    windows: list[Window] = []

    def inject(crowd: Crowd) -> None:
        for n, fault in enumerate(faults):
            _votes(crowd, plan.votes, outcome.problems, "before the first fault" if n == 0 else "between faults")
            _confirming(crowd)
            began = time.monotonic()
            outcome.confirming.append(crowd.recorder.confirming)
            fault()
            windows.append((began, time.monotonic()))
        _votes(crowd, plan.votes, outcome.problems, "after the last restart")
        crowd.deadline = time.monotonic()  # people leave at their next pause

    crowd = Crowd(server.port, made, credentials, plan.people, WAIT * (len(faults) + 2), pause=plan.pause,
                  patience=PATIENCE)
    recorder = crowd.run(inject)
    for voter, events in recorder.ledger.items():
        ledger.setdefault(voter, []).extend(events)
    outcome.requests, outcome.votes = len(recorder.samples), recorder.votes
    outcome.failed = len(recorder.faults)
    outcome.error_pages = sum(1 for f in recorder.faults if f.status)
    outcome.confirms_resent = sum(1 for f in recorder.faults if f.page == "confirm")
    outcome.down = [back - began for began, back in windows]
    _judge_recovery(outcome, recorder, windows)
    leaks = [f for f in recorder.faults if f.leak]
    if leaks:
        outcome.problems.append(f"{len(leaks)} error pages showed traceback or driver text: {leaks[0].detail}")
    if recorder.ran_out:
        outcome.problems.append("the seed ran out of voters")
    return outcome, recorder


def _judge_recovery(outcome: Outcome, recorder: Recorder, windows: list[Window]) -> None:
    """Requests succeed again after each restart, and nothing fails more than GRACE after one."""
    for _began, back in windows:
        later = [sample.at for sample in recorder.samples if sample.ok and sample.at >= back]
        if not later:
            outcome.problems.append("no request succeeded after the restart")
            continue
        outcome.recovered.append(max(0.0, min(later) - back))
    outside = [f for f in recorder.faults if not any(began <= f.at <= back + GRACE for began, back in windows)]
    if outside:
        first = outside[0]
        outcome.problems.append(
            f"{len(outside)} requests failed outside the faults (or more than {GRACE:.0f} s after a restart), "
            f"e.g. {first.page}: {first.status or 'no answer'} {first.detail}"
        )


def app_server_killed(database: Database, server: Gunicorn, made: Seed, credentials: Credentials, plan: Plan,
                      ledger: dict[str, list[tuple[str, ...]]]) -> Outcome:
    """(a) SIGKILL to gunicorn's master and workers mid-load, then start it again at once."""

    def kill_and_start() -> None:
        server.kill()
        server.start()

    return _run("app server killed (SIGKILL) and started again", database, server, made, credentials, plan,
                ledger, [kill_and_start])[0]


def database_restarted(database: Database, server: Gunicorn, made: Seed, credentials: Credentials, plan: Plan,
                       ledger: dict[str, list[tuple[str, ...]]]) -> Outcome:
    """(b) pg_ctl restart -m fast, then -m immediate, mid-load; the app is left alone."""
    assert database.cluster is not None
    cluster = database.cluster
    outcome, recorder = _run("PostgreSQL restarted (fast, then immediate)", database, server, made, credentials,
                             plan, ledger, [lambda: cluster.restart("fast"), lambda: cluster.restart("immediate")])
    _error_pages(outcome, recorder.faults)
    # Restarted while nobody is voting: every worker's pool holds connections the restart closed,
    # and the first people afterwards must not be the ones who find that out.
    cluster.restart("fast")
    quiet = Recorder()
    for _ in range(3 * server.workers):
        browser = Browser(server.port, quiet)
        with contextlib.suppress(Failed):
            browser.get(f"/cycles/{made.cycle_id}/vote", "how to vote")
        browser.close()
    if quiet.faults:
        first = quiet.faults[0]
        outcome.problems.append(f"after a restart while nobody was voting, {len(quiet.faults)} of the first "
                                f"{len(quiet.samples)} requests failed: {first.status} {first.detail}")
    return outcome


def _error_pages(outcome: Outcome, faults: list[Fault]) -> None:
    """In (b) the app server stays up: every failure must be the app's own 500/503 page."""
    dropped = [f for f in faults if f.status == 0]
    if dropped:
        outcome.problems.append(f"{len(dropped)} requests got no answer at all: {dropped[0].detail}")
    foreign = [f for f in faults if f.status and (f.status not in (500, 503) or not f.app_page)]
    if foreign:
        outcome.problems.append(f"{len(foreign)} failures were not the app's error page, e.g. {foreign[0].page}: "
                                f"{foreign[0].status} {foreign[0].detail!r}")


def run(kind: str, plan: Plan, logs: Path) -> list[Outcome]:
    """(a) on this database, and (b) too on PostgreSQL, one after the other on one seeded vote."""
    database = Database.create(kind)
    server: Gunicorn | None = None
    outcomes: list[Outcome] = []
    try:
        per_run = 4 * plan.people + 8 * plan.votes + 50
        made = seed(database.url, accounts=per_run, codes=per_run)
        server = Gunicorn(database.url, logs / f"faults-{kind}.log", workers=plan.workers)
        server.start()
        print(f"[{kind}] gunicorn: {server.workers} workers x {server.threads} threads on port {server.port}",
              flush=True)
        credentials = Credentials(made)
        ledger: dict[str, list[tuple[str, ...]]] = {}
        scenarios = [app_server_killed] + ([database_restarted] if kind == "postgresql" else [])
        for scenario in scenarios:
            outcome = scenario(database, server, made, credentials, plan, ledger)
            check = check_ballots(database.url, made, ledger, exact=True)
            outcome.ballots = f"{check.ballots} ballots, {check.active} active, {check.voters} distinct voters"
            outcome.problems += check.problems[:20]
            outcomes.append(outcome)
            print(f"[{kind}] {outcome.name}: {'ok' if not outcome.problems else 'FAILED'}", flush=True)
        return outcomes
    finally:
        if server is not None:
            server.stop()
        database.remove()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--people", type=int, default=60, help="people voting at once")
    parser.add_argument("--votes", type=int, default=100,
                        help="ballots acknowledged before the first fault, between faults and after the last")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--quick", action="store_true", help="a smoke test: fewer people, less time")
    args = parser.parse_args(argv)
    if args.quick:
        args.people, args.votes, args.workers = 12, 6, args.workers or 2
    plan = Plan(args.people, args.votes, (0.2, 1.0) if not args.quick else (0.05, 0.3), args.workers)
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    logs = Path(tempfile.mkdtemp(prefix="cyd-faults-"))
    outcomes = [outcome for kind in kinds for outcome in run(kind, plan, logs)]
    print("| database | fault | requests | votes | down s | confirmations in flight | failed tries seen "
          "| of them error pages | confirmations sent again | first success after s | database at the end | result |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for o in outcomes:
        back = ", ".join(f"{s:.1f}" for s in o.recovered) or "-"
        down = ", ".join(f"{s:.1f}" for s in o.down) or "-"
        flying = ", ".join(map(str, o.confirming)) or "-"
        result = "ok" if not o.problems else "FAILED"
        print(f"| {o.database} | {o.name} | {o.requests} | {o.votes} | {down} | {flying} | {o.failed} | "
              f"{o.error_pages} | {o.confirms_resent} | {back} | {o.ballots} | {result} |")
    failed = [(o, p) for o in outcomes for p in o.problems]
    for o, problem in failed:
        print(f"FAILED: {o.database}, {o.name}: {problem}")
    if failed:
        print(f"gunicorn's logs are in {logs}")
        return 1
    shutil.rmtree(logs, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
