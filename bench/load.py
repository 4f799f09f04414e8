"""Load on the vote, measured: a final-hour crowd, then saturation, on gunicorn with PostgreSQL and SQLite.

    .venv/bin/python bench/load.py [--database sqlite|postgresql|both] [--duration 60] [--voters 200] [--quick]

For each database the script makes a throwaway one (a temporary SQLite file; a PostgreSQL
cluster on a Unix socket from Debian's binaries), migrates it, seeds a vote open to accounts
and voting codes, starts gunicorn with the project's gunicorn.conf.py (production
configuration; bind, workers and threads from the environment) and runs, from this process:

* the final-hour crowd: `--voters` people at once, each pausing 1–3 s between pages: how to
  vote, sign in (full-strength argon2) or enter a code, tick projects (the htmx meter answers
  each tick), check, confirm, receipt; a quarter come back to change their vote. A person who
  leaves is replaced by the next. The people arrive spread over one visit's length, which is
  not measured (its errors still count), so that the measured crowd has people at every stage
  of a visit. Target: p95 under 250 ms, no errors.
* saturation: `--clients` people, signed in beforehand, casting and changing their vote
  without a pause (ballot, the meter's answers, continue, check, confirm, receipt), between two
  runs of a bare endpoint (GET /bench/bare: the same server and the same app, no work of its
  own) with as many clients; target: casting reaches half the bare endpoint's requests per second.

Afterwards the database must hold exactly what the voters were shown: one active ballot per
distinct voter, one ballot per receipt, the last receipt active (bench/_server.py,
check_ballots). Prints a table; exits 1 when a target is missed or the check fails. Client and
server share the machine's cores. `--quick` is a smoke test (tests/test_bench.py): a few
seconds of each load; its speed targets are reported, not enforced.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._database import Database, Seed, check_ballots, seed
from bench._server import Gunicorn, gunicorn_setting
from bench._voters import Bare, Casting, Credentials, Crowd, Recorder, Sample

P95_TARGET_MS = 250.0
RATIO_TARGET = 0.5


@dataclass(frozen=True)
class Stats:
    """One load's numbers."""

    load: str
    database: str
    requests: int
    errors: int
    seconds: float
    votes: int
    p50: float
    p95: float
    p99: float
    cpu_app: float = 0.0  # gunicorn's processes
    cpu_database: float = 0.0  # PostgreSQL's processes (SQLite works inside gunicorn's)
    cpu_client: float = 0.0
    cpu_machine: float = 0.0  # every process on the machine: the others are other people's
    cpu_stolen: float = 0.0  # time the host gave the machine's cores to other machines

    @property
    def ours(self) -> float:
        """Cores this benchmark (server, database and client) kept busy during the load, on average."""
        return (self.cpu_app + self.cpu_database + self.cpu_client) / self.seconds if self.seconds else 0.0

    @property
    def others(self) -> float:
        """Cores other processes on the machine kept busy during the load, on average."""
        return max(0.0, self.cpu_machine / self.seconds - self.ours) if self.seconds else 0.0

    @property
    def stolen(self) -> float:
        """Cores' worth of time the host gave to other machines during the load (a virtual machine's steal)."""
        return self.cpu_stolen / self.seconds if self.seconds else 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def vps(self) -> float:
        return self.votes / self.seconds if self.seconds else 0.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of `values` (milliseconds)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def stats(load: str, database: str, recorder: Recorder, seconds: float,
          cpu: tuple[float, float, float, float, float], *, since: float = 0.0) -> Stats:
    """The numbers of the requests and votes that finished from `since` (time.monotonic()) on."""
    samples = [s for s in recorder.samples if s.at >= since]
    ms = [s.ms for s in samples]
    errors = sum(1 for s in samples if not s.ok)
    votes = sum(1 for at in recorder.acked if at >= since)
    return Stats(load, database, len(ms), errors, seconds, votes, percentile(ms, 50), percentile(ms, 95),
                 percentile(ms, 99), *cpu)


def by_page(recorder: Recorder, *, since: float = 0.0) -> list[tuple[str, int, float, float, float]]:
    """(page, requests, p50, p95, the app's own p95) for every page of the load, slowest p95 first.

    The difference between the two p95s is time the requests waited outside the app: for a free
    thread in gunicorn, for a core, or on the way.
    """
    pages: dict[str, list[Sample]] = {}
    for sample in recorder.samples:
        if sample.at >= since:
            pages.setdefault(sample.page, []).append(sample)
    rows = [(page, len(samples), percentile([s.ms for s in samples], 50), percentile([s.ms for s in samples], 95),
             percentile([s.app_ms for s in samples if s.app_ms is not None], 95)) for page, samples in pages.items()]
    return sorted(rows, key=lambda row: -row[3])


class Meter:
    """CPU seconds used by the server (gunicorn, and PostgreSQL's processes) and by this client, between two points."""

    def __init__(self, server: Gunicorn, database: Database) -> None:
        self.server, self.database = server, database
        self.start = self._now()

    def _now(self) -> tuple[float, float, float, float, float]:
        me = resource.getrusage(resource.RUSAGE_SELF)
        cluster = self.database.cluster.cpu_seconds() if self.database.cluster else 0.0
        return (self.server.cpu_seconds(), cluster, me.ru_utime + me.ru_stime, *_machine_cpu_seconds())

    def used(self) -> tuple[float, float, float, float, float]:
        end = self._now()
        return tuple(e - s for e, s in zip(end, self.start, strict=True))  # type: ignore[return-value]


def _machine_cpu_seconds() -> tuple[float, float]:
    """CPU time the machine's cores have spent busy since boot, and the time the host took from them."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]
    )
    ticks = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / ticks, steal / ticks


@dataclass
class Plan:
    duration: float
    voters: int
    clients: int
    saturation: float
    pause: tuple[float, float]
    workers: int | None
    threads: int | None
    quick: bool


def run(kind: str, plan: Plan, folder: Path) -> tuple[list[Stats], list[str], dict[str, list]]:
    """Both loads on one database; returns their stats, the problems found and the per-page tables."""
    database = Database.create(kind)
    server: Gunicorn | None = None
    try:
        visit_s = 6 * sum(plan.pause) / 2 + 1  # pages a visit, at the mean pause
        crowd_people = int(plan.voters * ((visit_s + plan.duration) / visit_s + 1) * 1.5) + 50
        busy_people = 4 * plan.clients + 200  # the warm-up, and one account a casting client
        people = crowd_people + busy_people
        started = time.monotonic()
        made = seed(database.url, accounts=people // 2 + 1, codes=people // 2 + 1)
        print(f"[{kind}] migrated and seeded {people} voters in {time.monotonic() - started:.1f} s", flush=True)
        server = Gunicorn(database.url, folder / f"gunicorn-{kind}.log", workers=plan.workers, threads=plan.threads)
        server.start()
        print(f"[{kind}] gunicorn: {server.workers} workers x {server.threads} threads on port {server.port}",
              flush=True)
        credentials = Credentials(made)
        results, pages = [], {}
        ledger = dict(_warm_up(server, made, credentials).ledger)

        # The crowd gathers over one visit, unmeasured, then is measured for the duration (What each
        # load does, in docs/load.md).
        crowd = Crowd(server.port, made, credentials, plan.voters, plan.duration, pause=plan.pause, settle=visit_s)
        meters: list[Meter] = []
        recorder = crowd.run(during=lambda crowd: meters.append(_meter_once_settled(crowd, server, database)))
        measured = crowd.started + crowd.elapsed - crowd.measured_from
        results.append(stats("final-hour crowd", kind, recorder, measured, meters[0].used(),
                             since=crowd.measured_from))
        pages["final-hour crowd"] = by_page(recorder, since=crowd.measured_from)
        gathering = sum(1 for s in recorder.samples if s.at < crowd.measured_from and not s.ok)
        ledger.update(recorder.ledger)
        print(f"[{kind}] crowd done", flush=True)

        ran_out = crowd.recorder.ran_out
        if plan.saturation:
            busy = Casting(server.port, made, credentials, plan.clients, plan.saturation)
            busy.prepare()
            bare = _bare(server, database, plan)
            meter = Meter(server, database)
            recorder = busy.run()
            results.append(stats("saturation: casting", kind, recorder, busy.elapsed, meter.used()))
            pages["saturation: casting"] = by_page(recorder)
            for voter, events in recorder.ledger.items():
                ledger.setdefault(voter, []).extend(events)
            after = _bare(server, database, plan)
            results.append(_mean_bare(kind, bare, after))
            ran_out = ran_out or busy.recorder.ran_out
            print(f"[{kind}] saturation done", flush=True)

        problems = [f"[{kind}] {line}" for line in server.errors_logged()[:5]]
        if gathering:
            problems.append(f"[{kind}] {gathering} requests failed while the crowd gathered")
        if ran_out:
            problems.append(f"[{kind}] the seed ran out of voters: the loads were cut short")
        server.stop()
        server = None
        check = check_ballots(database.url, made, ledger, exact=True)
        print(f"[{kind}] database: {check.ballots} ballots, {check.active} active, {check.voters} distinct voters "
              f"shown a receipt: {'as the voters were told' if check.ok else 'WRONG'}", flush=True)
        problems += [f"[{kind}] {problem}" for problem in check.problems[:20]]
        return results, problems, pages
    finally:
        if server is not None:
            server.stop()
        database.remove()


def _meter_once_settled(crowd: Crowd, server: Gunicorn, database: Database) -> Meter:
    """A meter started when the crowd has gathered and its measurement begins."""
    time.sleep(max(0.0, crowd.measured_from - time.monotonic()))
    return Meter(server, database)


def _warm_up(server: Gunicorn, made: Seed, credentials: Credentials) -> Recorder:
    """A few visits without a pause, unmeasured, so every worker has its templates compiled."""
    return Crowd(server.port, made, credentials, server.workers * 2, 2.0, pause=(0.0, 0.0)).run()


def _bare(server: Gunicorn, database: Database, plan: Plan) -> Stats:
    bare = Bare(server.port, plan.clients, plan.saturation / 2)
    meter = Meter(server, database)
    recorder = bare.run()
    return stats("saturation: bare endpoint", database.kind, recorder, bare.elapsed, meter.used())


def _mean_bare(kind: str, before: Stats, after: Stats) -> Stats:
    """The two bare runs (before and after voting) as one: noise from the machine's other users evens out."""
    return Stats("saturation: bare endpoint", kind, before.requests + after.requests, before.errors + after.errors,
                 before.seconds + after.seconds, 0, max(before.p50, after.p50), max(before.p95, after.p95),
                 max(before.p99, after.p99), before.cpu_app + after.cpu_app,
                 before.cpu_database + after.cpu_database, before.cpu_client + after.cpu_client,
                 before.cpu_machine + after.cpu_machine, before.cpu_stolen + after.cpu_stolen)


def verdict(results: list[Stats], quick: bool) -> list[str]:
    """The targets missed (in --quick, only errors count)."""
    missed = []
    for s in results:
        if s.errors:
            missed.append(f"{s.database} {s.load}: {s.errors} errors")
    for database in sorted({s.database for s in results}):
        mine = {s.load: s for s in results if s.database == database}
        crowd = mine.get("final-hour crowd")
        if crowd and crowd.p95 >= P95_TARGET_MS and not quick:
            missed.append(f"{database} final-hour crowd: p95 {crowd.p95:.0f} ms (target under {P95_TARGET_MS:.0f})")
        voting, bare = mine.get("saturation: casting"), mine.get("saturation: bare endpoint")
        if voting and bare and bare.rps and voting.rps / bare.rps < RATIO_TARGET and not quick:
            missed.append(f"{database} saturation: casting at {voting.rps / bare.rps:.2f} of the bare endpoint "
                          f"(target {RATIO_TARGET})")
    return missed


def table(results: list[Stats]) -> str:
    head = ("| database | load | s | requests | req/s | votes | votes/s | p50 ms | p95 ms | p99 ms | errors "
            "| CPU ms a request: app + database + client | cores busy: ours, others', stolen by the host |")
    lines = [head, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in results:
        per = 1000 / s.requests if s.requests else 0.0
        cpu = f"{s.cpu_app * per:.1f} + {s.cpu_database * per:.1f} + {s.cpu_client * per:.1f}"
        lines.append(f"| {s.database} | {s.load} | {s.seconds:.0f} | {s.requests} | {s.rps:.0f} | {s.votes} | "
                     f"{s.vps:.1f} | {s.p50:.0f} | {s.p95:.0f} | {s.p99:.0f} | {s.errors} | {cpu} | "
                     f"{s.ours:.2f}, {s.others:.2f}, {s.stolen:.2f} |")
    for database in sorted({s.database for s in results}):
        mine = {s.load: s for s in results if s.database == database}
        voting, bare = mine.get("saturation: casting"), mine.get("saturation: bare endpoint")
        if voting and bare and bare.rps:
            lines.append(f"\n{database}: casting reached {voting.rps / bare.rps:.2f} of the bare endpoint's "
                         f"requests per second (target {RATIO_TARGET}).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the final-hour crowd")
    parser.add_argument("--voters", type=int, default=200, help="people voting at once in the crowd")
    parser.add_argument("--clients", type=int, default=None,
                        help="saturation clients (default: workers x threads, the server's concurrency)")
    parser.add_argument("--saturation", type=float, default=20.0,
                        help="seconds of casting at saturation (0: the crowd only)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, default=None, help="threads a worker (default: gunicorn.conf.py's)")
    parser.add_argument("--pages", action="store_true", help="print each page's p50 and p95 too, and the app's own p95")
    parser.add_argument("--quick", action="store_true", help="a smoke test: a few seconds of each load")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.voters, args.saturation = 2.5, 20, 1.5
        args.workers = args.workers or 2
    pause = (0.1, 0.4) if args.quick else (1.0, 3.0)
    workers = args.workers or int(gunicorn_setting("workers"))
    threads = args.threads or int(gunicorn_setting("threads"))
    clients = args.clients or workers * threads
    plan = Plan(args.duration, args.voters, clients, args.saturation, pause, args.workers, args.threads, args.quick)
    kinds = ["postgresql", "sqlite"] if args.database == "both" else [args.database]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores shared by this client and the server", flush=True)
    results: list[Stats] = []
    problems: list[str] = []
    pages: dict[str, dict[str, list]] = {}
    logs = Path(tempfile.mkdtemp(prefix="cyd-load-"))
    for kind in kinds:
        found, trouble, per_page = run(kind, plan, logs)
        results += found
        problems += trouble
        pages[kind] = per_page
    print(table(results))
    if args.pages:
        for kind, loads in pages.items():
            for load, rows in loads.items():
                print(f"\n{kind}, {load}:\n| page | requests | p50 ms | p95 ms | the app's own p95 ms |\n"
                      "| --- | ---: | ---: | ---: | ---: |")
                for page, count, p50, p95, app_p95 in rows:
                    print(f"| {page} | {count} | {p50:.0f} | {p95:.0f} | {app_p95:.0f} |")
    missed = verdict(results, args.quick) + problems
    for line in missed:
        print(f"MISSED: {line}")
    if missed:
        print(f"gunicorn's logs are in {logs}")
        return 1
    shutil.rmtree(logs, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
