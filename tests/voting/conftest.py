"""Fixtures of the voting tests: an open vote of any ballot format, and its stage."""

from __future__ import annotations

import getpass
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pb import create_app
from pb.accounts.models import User
from pb.cli import upgrade_database
from pb.cycles.models import Cycle, Stage, StageKind
from pb.db import db
from pb.proposals.models import Proposal
from tests.voting.helpers import open_ballot


@pytest.fixture
def ballot(commissioner: User, representative: User) -> Callable[..., tuple[Cycle, list[Proposal]]]:
    """`ballot(ballot_format="ranked", max_choices=2, ...)`: an open vote with those boundaries."""

    def make(**boundaries: Any) -> tuple[Cycle, list[Proposal]]:
        made = open_ballot(commissioner, representative, **boundaries)
        db.session.commit()
        return made

    return make


def vote_stage(cycle: Cycle) -> Stage:
    stage = cycle.stage_of_kind(StageKind.VOTE)
    assert stage is not None
    return stage


# --- PostgreSQL: a throwaway cluster from Debian's binaries, for the concurrency tests -------

INITDB = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs PostgreSQL's server binaries (Debian's postgresql)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if INITDB:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("The PostgreSQL tests need Debian's postgresql; .ci/run must install it.")
    skipped = [item for item in items if "postgres" in item.keywords]
    if skipped:
        items[:] = [item for item in items if "postgres" not in item.keywords]
        config.hook.pytest_deselected(items=skipped)
        print(f"\nDeselected {len(skipped)} PostgreSQL tests: install Debian's postgresql to run them.")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated database on a PostgreSQL cluster of its own, on a Unix socket, for the session."""
    bindir = Path(INITDB[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="cyd-pg-"))
    data, socket_dir = root / "data", root
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as Debian's postgres user
        shutil.chown(root, "postgres")
        root.chmod(0o755)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    user = "postgres" if as_postgres else getpass.getuser()

    def run(*command: str) -> None:
        subprocess.run([*as_postgres, *command], check=True, capture_output=True)

    run(str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "--no-sync", "-E", "UTF8")
    options = f"-k {socket_dir} -c listen_addresses='' -c fsync=off -c max_connections=200"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(root / "log"), "start")
    try:
        run(str(bindir / "createdb"), "-h", str(socket_dir), "-U", user, "cyd")
        url = f"postgresql+psycopg://{user}@/cyd?host={socket_dir}"
        app = create_app("test", SQLALCHEMY_ENGINES={"default": url})
        with app.app_context():
            upgrade_database()
            db.engine.dispose()
        yield url
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
