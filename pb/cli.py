"""`flask pb …`: migrate, seed the demo, verify the audit log, count a Pabulib file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask.cli import AppGroup

from pb.db import db

pb_cli = AppGroup("pb", help="Cyd's own commands.")

ROOT = Path(__file__).resolve().parent.parent


def alembic_config() -> AlembicConfig:
    return AlembicConfig(str(ROOT / "alembic.ini"))


def upgrade_database(revision: str = "head") -> None:
    """Apply migrations to the app's database (the only way its schema changes)."""
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@pb_cli.command("migrate")
def migrate_command() -> None:
    """Apply every migration to the configured database."""
    upgrade_database()
    click.echo(f"Database is up to date: {db.engine.url.render_as_string(hide_password=True)}")


@pb_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo cycle and sign-ins, once (running it again changes nothing)."""
    from pb.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo

    created = seed_demo()
    click.echo("Demo cycle created." if created else "Demo cycle already there.")
    click.echo(f"Demo sign-ins (password for each: {DEMO_PASSWORD}):")
    for email, name, role in DEMO_USERS:
        click.echo(f"  {role:<26} {email}  ({name})")


@pb_cli.command("verify-audit")
def verify_audit_command() -> None:
    """Check every link of the audit log's hash chain."""
    from pb.audit.services import verify

    result = verify()
    if result.ok:
        click.echo(f"Audit log verified: {result.entries} entries.")
        return
    click.echo(f"Audit log does NOT verify at entry {result.first_bad_seq}: {result.problem}.", err=True)
    sys.exit(1)


@pb_cli.command("export")
@click.argument("cycle_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json", "pb", "pdf"]), default="csv",
              show_default=True, help="The file to write: the same as the results page offers.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write it (default: cycle-N-decision.FORMAT in the current folder; - for stdout).")
def export_command(cycle_id: int, fmt: str, output: Path | None) -> None:
    """Export a counted cycle's decision, for councils that script their publishing."""
    from pb.cycles.services import get_cycle
    from pb.errors import PBError
    from pb.results.exports import filename, render_export

    try:
        cycle = get_cycle(cycle_id)
        data = render_export(cycle, fmt)
    except PBError as error:
        click.echo(error.message, err=True)
        sys.exit(1)
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        return
    target = output or Path(filename(cycle, fmt))
    target.write_bytes(data)
    click.echo(f"Wrote {target} ({len(data):,} bytes).")


@pb_cli.command("tally")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rule", default=None, help="A counting rule; the file's own META rule when omitted.")
def tally_command(path: Path, rule: str | None) -> None:
    """Count a Pabulib .pb file and print the outcome as JSON."""
    from pb.counting.__main__ import main

    args = ["tally", str(path)] + (["--rule", rule] if rule else [])
    sys.exit(main(args))
