"""A throwaway PostgreSQL cluster from Debian's server binaries, on a Unix socket, for the tests.

`CYD_TEST_DATABASE=postgresql` runs the whole suite on it (`make test` does so when the
binaries are installed, and CI always); the concurrency tests use it in either run.
"""

from __future__ import annotations

import getpass
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

INITDB = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
TEMPLATE = "cyd_template"


def server_user(root: Path) -> tuple[list[str], str]:
    """How to run PostgreSQL's programs on a cluster in `root`: the command prefix, and the user.

    PostgreSQL refuses to run as root, so as root it runs as Debian's postgres user, which is
    given `root`; otherwise as whoever runs the tests.
    """
    if os.geteuid() != 0:
        return [], getpass.getuser()
    shutil.chown(root, "postgres")
    root.chmod(0o755)
    return ["runuser", "-u", "postgres", "--"], "postgres"


class Cluster:
    """initdb, start, create and drop databases, stop: each pytest worker runs one of its own."""

    def __init__(self) -> None:
        self.bindir = Path(INITDB[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="cyd-pg-"))
        self.as_postgres, self.user = server_user(self.root)
        self._run("initdb", "-D", str(self.root / "data"), "-U", self.user, "--auth=trust", "--no-sync", "-E", "UTF8")
        options = f"-k {self.root} -c listen_addresses='' -c fsync=off -c max_connections=300"
        self._run("pg_ctl", "-D", str(self.root / "data"), "-o", options, "-w", "-l", str(self.root / "log"), "start")

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_postgres, str(self.bindir / program), *args], check=True, capture_output=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@/{database}?host={self.root}"

    def _admin(self, sql: str) -> None:
        with psycopg.connect(host=str(self.root), user=self.user, dbname="postgres", autocommit=True) as conn:
            conn.execute(sql)

    def create(self, name: str | None = None, template: str | None = None) -> str:
        """A new database, empty or copied from `template`; returns its name."""
        name = name or f"t_{uuid.uuid4().hex[:16]}"
        self._admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def empty(self, name: str) -> None:
        """Empty database `name` as a fresh copy of the template would be: no rows, ids from the start.

        Anyone still connected (a server thread a test left, a pool not yet disposed) is put out
        first, waiting until they have gone; if anyone has connected again by the end, the database
        is made again from the template instead. Deleting with triggers off is several times quicker
        than copying the template, and than TRUNCATE.
        """
        with psycopg.connect(host=str(self.root), user=self.user, dbname=name, autocommit=True) as conn:
            others = "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
            conn.execute(f"SELECT pg_terminate_backend(pid, 5000) {others}", (name,))
            tables = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            ).fetchall()
            sequences = conn.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'").fetchall()
            conn.execute(
                "SET session_replication_role = replica; "
                + "".join(f'DELETE FROM "{table}"; ' for (table,) in tables)
                + "SET session_replication_role = DEFAULT; "
                + "".join(f'ALTER SEQUENCE "{sequence}" RESTART; ' for (sequence,) in sequences)
            )
            back = conn.execute(f"SELECT count(*) {others}", (name,)).fetchone()
        if back and back[0]:
            self.drop(name)
            self.create(name, template=TEMPLATE)

    def drop(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
