"""The benchmarks still work: a short run of each (about a minute together), as CI runs them.

Each script makes its own throwaway database and gunicorn, so the PostgreSQL pass of the suite
(CYD_TEST_DATABASE=postgresql) would only run them again: `make test` leaves this file out of it.
They run in the SQLite pass, bench/faults.py on PostgreSQL wherever Debian's PostgreSQL server
is installed (as in CI).
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bench._voters
from bench._voters import Crowd, Failed, Recorder, Sample, TimeUp
from bench.load import Stats, by_page, stats, verdict
from tests.postgres import INITDB

ROOT = Path(__file__).resolve().parent.parent


def _run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done.stdout


def test_load_bench_runs_both_loads_on_sqlite_and_finds_every_ballot_the_voters_were_shown() -> None:
    out = _run("load.py", "--quick", "--database", "sqlite", "--pages")
    assert "| sqlite | final-hour crowd |" in out
    assert "| sqlite | saturation: casting |" in out
    assert "as the voters were told" in out
    # Every answer says how long the app itself took (Server-Timing), and that is within the whole.
    how_to_vote = next(line for line in out.splitlines() if line.startswith("| how to vote |"))
    p95, app_p95 = (float(cell) for cell in how_to_vote.split("|")[4:6])
    assert 0 < app_p95 <= p95


class _Voters:
    """Credentials without end, each new, for a crowd that never reaches the server."""

    def __init__(self) -> None:
        self.numbers = itertools.count(1)

    def take(self) -> str:
        return f"voter-{next(self.numbers)}@example.org"


def _visitors_sent(monkeypatch: pytest.MonkeyPatch, ending: type[Exception] | None) -> list[str]:
    """Whom a crowd of two seats sends in 0.3 s, when each visit takes 20 ms and ends with `ending`."""
    visits: list[str] = []

    def visit(browser: object, voter: str, *args: object, **kwargs: object) -> None:
        visits.append(voter)
        time.sleep(0.02)
        if ending is not None:
            raise ending

    monkeypatch.setattr(bench._voters, "visit", visit)
    Crowd(0, None, _Voters(), seats=2, duration=0.3, pause=(0.0, 0.0)).run()  # type: ignore[arg-type]
    return visits


def test_a_crowd_whose_time_is_up_sends_nobody_else(monkeypatch: pytest.MonkeyPatch) -> None:
    # A person who leaves because the load is over is not replaced by the next, who would ask
    # for one page and leave too, again and again until the deadline.
    assert len(_visitors_sent(monkeypatch, TimeUp)) == 2


@pytest.mark.parametrize("ending", [None, Failed], ids=["finishes", "gives up"])
def test_a_person_who_leaves_before_time_is_up_is_replaced_by_the_next(monkeypatch: pytest.MonkeyPatch,
                                                                       ending: type[Exception] | None) -> None:
    visits = _visitors_sent(monkeypatch, ending)
    assert len(visits) > 4 and len(set(visits)) == len(visits)  # each seat took someone new, several times


def test_the_crowd_is_measured_from_when_it_has_gathered() -> None:
    recorder = Recorder()
    recorder.samples += [Sample(1.0, "how to vote", 200, 900.0, True, 5.0),
                         Sample(2.0, "sign in", 500, 30.0, False, 25.0),
                         Sample(6.0, "how to vote", 200, 40.0, True, 10.0),
                         Sample(7.0, "ballot", 200, 60.0, True, 20.0)]
    recorder.acked += [1.5, 6.5]
    crowd = stats("final-hour crowd", "sqlite", recorder, 4.0, (0.0,) * 5, since=5.0)
    assert (crowd.requests, crowd.errors, crowd.votes, crowd.p95) == (2, 0, 1, 60.0)
    assert by_page(recorder, since=5.0) == [("ballot", 1, 60.0, 60.0, 20.0), ("how to vote", 1, 40.0, 40.0, 10.0)]


def test_fault_bench_loses_nothing_when_gunicorn_is_killed_or_postgresql_restarts() -> None:
    # On PostgreSQL both faults; without its server (not in CI: tests/conftest.py), the app server's on SQLite.
    database = "postgresql" if INITDB else "sqlite"
    out = _run("faults.py", "--quick", "--database", database)
    assert f"| {database} | app server killed (SIGKILL) and started again |" in out
    if INITDB:
        assert "| postgresql | PostgreSQL restarted (fast, then immediate) |" in out


def test_a_missed_target_is_a_failure() -> None:
    crowd = Stats("final-hour crowd", "sqlite", 1000, 0, 10.0, 50, 20.0, 300.0, 400.0)
    casting = Stats("saturation: casting", "sqlite", 100, 0, 1.0, 20, 5.0, 9.0, 9.0)
    bare = Stats("saturation: bare endpoint", "sqlite", 1000, 0, 1.0, 0, 1.0, 2.0, 2.0)
    missed = verdict([crowd, casting, bare], quick=False)
    assert [line.split(":")[0] for line in missed] == ["sqlite final-hour crowd", "sqlite saturation"]
    assert verdict([crowd, casting, bare], quick=True) == []


def test_codes_bench_prints_a_batch_as_a_pdf_and_a_print_page() -> None:
    out = _run("codes.py", "--quick")
    assert "| pdf |" in out and "| print page |" in out and "| QR encoding alone (baseline) |" in out


def test_paper_bench_prints_a_batch_of_ballots_against_their_words_alone() -> None:
    out = _run("paper.py", "--quick")
    assert "| the words alone, with text() (baseline) |" in out and "| the paper ballots' PDF |" in out


def test_visit_bench_weighs_every_page_of_a_vote_against_a_bare_request() -> None:
    out = _run("visit.py", "--quick", "--database", "sqlite")
    for page in ("how to vote", "enter code", "sign in", "ballot", "meter (htmx)", "confirm", "check a receipt"):
        assert f"| {page} |" in out
    total = next(line for line in out.splitlines() if line.startswith("| a visit, signing in left out |"))
    assert float(total.split("|")[5]) > 20  # a visit sends dozens of statements
