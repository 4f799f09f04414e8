"""`flask pb …`: migrate, seed the demo, verify the audit log, count a Pabulib file, back up a cycle, set a
password, give a role or take one away, try the email settings."""

from __future__ import annotations

import json
import os
import smtplib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask.cli import AppGroup

from pb.db import db

if TYPE_CHECKING:
    from pb.accounts.models import User
    from pb.cycles.models import Cycle

T = TypeVar("T")
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


@pb_cli.command("export-cycle")
@click.argument("cycle_id", type=int)
@click.option("--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None,
              help="Where to write it (default: cycle-N-backup.json in the current folder; - for stdout).")
def export_cycle_command(cycle_id: int, output: Path | None) -> None:
    """Back up a whole cycle as JSON. It holds personal data: keep it as safe as the database (docs/backup.md)."""
    from pb.backup import export_cycle
    from pb.backup.export import begin_snapshot
    from pb.cycles.services import get_cycle
    from pb.errors import PBError

    begin_snapshot()
    try:
        data = export_cycle(get_cycle(cycle_id))
    except PBError as error:
        click.echo(error.message, err=True)
        sys.exit(1)
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    to_stdout = str(output) == "-"
    if to_stdout:
        sys.stdout.write(text)
    else:
        output = output or Path(f"cycle-{cycle_id}-backup.json")
        _write_private(output, text)
    content = data["content"]
    where = "standard output" if to_stdout else str(output)
    click.echo(f"Wrote cycle {cycle_id} to {where} ({len(text.encode()):,} bytes):", err=to_stdout)
    _echo_counts(content["tables"], len(content["users"]), len(content["audit_entries"]), err=to_stdout)


@pb_cli.command("import-cycle")
@click.argument("source", metavar="FILE|-", type=click.File("rb"))
@click.option("--copy", "as_copy", is_flag=True,
              help="Make a second copy of a cycle this database already holds, with new receipts and code hashes.")
def import_cycle_command(source: IO[bytes], as_copy: bool) -> None:
    """Restore a cycle from a file `export-cycle` wrote, as a new cycle with new ids. All or nothing."""
    from pb.backup import import_cycle
    from pb.errors import PBError

    try:
        data = json.loads(source.read())
    except ValueError:
        click.echo("The file is not a complete JSON document (was it cut short?): nothing was imported.", err=True)
        sys.exit(1)
    try:
        restored = import_cycle(data, as_copy=as_copy)
        db.session.commit()
    except PBError as error:
        db.session.rollback()
        click.echo(error.message, err=True)
        sys.exit(1)
    click.echo(f"Imported cycle {restored.from_cycle_id} of the backup as cycle {restored.cycle.id}, "
               f"\"{restored.cycle.title}\":")
    _echo_counts(restored.rows, restored.accounts_created + restored.accounts_matched, restored.audit_entries)
    click.echo(f"Accounts: {restored.accounts_matched} matched by email, {restored.accounts_created} created without "
               "a password (nobody can sign in to those until `flask pb set-password EMAIL` gives them one).")
    if not restored.same_ballot_key:
        click.echo("Warning: this installation's BALLOT_KEY_SECRET is not the one the backup was written under, so "
                   "its unused voting codes will not work here (docs/backup.md).", err=True)


@pb_cli.command("set-password")
@click.argument("email")
@click.password_option("--password", prompt="New password", help="Asked for twice, unseen, if not given.")
def set_password_command(email: str, password: str) -> None:
    """Give an account a new password: one an import created, or one whose holder has forgotten it.

    Every session signed in with the old password ends. Hand the password over as you would a
    PIN, and ask its holder to change it (Your account > Change your password).
    """
    from pb.accounts.services import set_password

    user = _account(email)
    _or_exit(lambda: set_password(user, password))
    click.echo(f"Password set for {user.email} ({user.name}). Any session signed in with the old one has ended.")


GIVEN_ROLES = ("representative", "facilitator", "commissioner", "councillor", "admin")


@pb_cli.command("grant-role")
@click.argument("email")
@click.argument("role", type=click.Choice(GIVEN_ROLES))
@click.option("--cycle", "cycle_id", type=int, help="Only in this cycle (its number); every cycle if not given.")
def grant_role_command(email: str, role: str, cycle_id: int | None) -> None:
    """Give an account a role: the first administrator's, who can then give roles on the People page.

    The audit log records the change as made by the operator.
    """
    from pb.accounts.models import Role
    from pb.accounts.roles import give_role_at_the_command_line, role_held

    user, cycle = _account_and_cycle(email, cycle_id)
    role_grant = _or_exit(lambda: give_role_at_the_command_line(user, Role(role), cycle))
    click.echo(f"{user.email} ({user.name}) now holds this role: {role_held(role_grant)}.")


@pb_cli.command("revoke-role")
@click.argument("email")
@click.argument("role", type=click.Choice(GIVEN_ROLES))
@click.option("--cycle", "cycle_id", type=int, help="The cycle it was given in (its number); every cycle if not given.")
def revoke_role_command(email: str, role: str, cycle_id: int | None) -> None:
    """Take a role away from an account, as given with grant-role (in every cycle, or with --cycle)."""
    from pb.accounts.models import Role
    from pb.accounts.roles import held_role, role_held, take_away_role_at_the_command_line

    user, cycle = _account_and_cycle(email, cycle_id)
    role_grant = held_role(user, Role(role), cycle)
    if role_grant is None:
        where = f"cycle {cycle_id}" if cycle else "every cycle"
        click.echo(f"{user.email} does not hold the {role} role in {where}: nothing was changed.", err=True)
        sys.exit(1)
    held = role_held(role_grant)
    taken_down = _or_exit(lambda: take_away_role_at_the_command_line(role_grant))
    click.echo(f"{user.email} ({user.name}) no longer holds this role: {held}.")
    for cycle in taken_down:
        click.echo(f"Their endorsement of cycle {cycle.id} ({cycle.title}) has been taken down.")


@pb_cli.command("send-test-email")
@click.argument("address")
def send_test_email_command(address: str) -> None:
    """Send one email to ADDRESS through the MAIL_ settings, to see that password reset links will arrive."""
    from pb import mail

    if not mail.can_send():
        click.echo("This app sends no email: set MAIL_SERVER and the settings beside it, docs/deployment.md.", err=True)
        sys.exit(1)
    try:
        mail.send(address, "Cyd: a test email",
                  "This email shows that Cyd can send password reset links from this server.", wait=True)
    except (OSError, smtplib.SMTPException) as error:
        click.echo(f"The email could not be sent: {error!r}", err=True)
        sys.exit(1)
    click.echo(f"Sent to {address} through {mail.how_sent()}.")


def _account(email: str) -> User:
    """The account with this email address; or, if none has it, say so and exit with 1."""
    from pb.accounts.services import find_by_email

    user = find_by_email(email)
    if user is None:
        click.echo(f"No account has the email address {email}: nothing was changed. They can sign up first.", err=True)
        sys.exit(1)
    return user


def _account_and_cycle(email: str, cycle_id: int | None) -> tuple[User, Cycle | None]:
    from pb.cycles.models import Cycle

    user = _account(email)
    cycle = db.session.get(Cycle, cycle_id) if cycle_id is not None else None
    if cycle_id is not None and cycle is None:
        click.echo(f"There is no cycle {cycle_id}: nothing was changed.", err=True)
        sys.exit(1)
    return user, cycle


def _or_exit(change: Callable[[], T]) -> T:
    """Make the change and commit it; or, if a domain rule refuses it, say why and exit with 1."""
    from pb.errors import PBError

    try:
        result = change()
        db.session.commit()
    except PBError as error:
        db.session.rollback()
        click.echo(f"{error.message} Nothing was changed.", err=True)
        sys.exit(1)
    return result


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read: a cycle backup holds personal data."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def _echo_counts(tables: dict[str, object], accounts: int, audit_entries: int, *, err: bool = False) -> None:
    for name, rows in tables.items():
        count = rows if isinstance(rows, int) else len(rows)  # type: ignore[arg-type]
        if count:
            click.echo(f"  {name:<24} {count:>7,}", err=err)
    click.echo(f"  {'accounts':<24} {accounts:>7,}", err=err)
    click.echo(f"  {'audit entries':<24} {audit_entries:>7,}", err=err)
