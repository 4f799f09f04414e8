"""Write a whole cycle out as one JSON-ready document (docs/backup.md says what is in it)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from typing import Any

from flask import current_app
from sqlalchemy import Select, Table, inspect, or_, select, text

from pb.accounts.models import User
from pb.backup import audit
from pb.backup.schema import (
    FORMAT,
    ROOT,
    USER_FIELDS,
    VERSION,
    cycle_keys,
    cycle_tables,
    referenced_columns,
    self_keys,
    user_keys,
)
from pb.backup.values import encode
from pb.cycles.models import Cycle
from pb.db import session, utcnow

Row = dict[str, Any]
CHUNK = 500  # ids a query names at once: far below SQLite's and PostgreSQL's limits on parameters


def export_cycle(cycle: Cycle) -> dict[str, Any]:
    """The cycle, everything that belongs to it, the accounts it names and its audit entries.

    Only reads. Rows that refer to a row of another cycle cannot be restored on their own and
    are left out, counted under `skipped` (none do, beyond the LEFT_OUT tables, today).
    """
    tables = cycle_tables()
    rows, skipped = _cycle_rows(cycle.id, tables)
    user_ids = {value for table in tables for row in rows[table.name] for value in _user_refs(table, row)}
    users = _users(user_ids | audit.actor_ids(cycle.id))
    stage_ids = {row["id"] for row in rows["stages"]}
    content = {
        "cycle_id": cycle.id,
        "users": users,
        "tables": {table.name: [_encoded(table, row) for row in rows[table.name]] for table in tables},
        "audit_entries": audit.export_entries(cycle.id, {user["id"] for user in users}, stage_ids),
        "skipped": dict(skipped),
    }
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utcnow().isoformat(),
        "schema_revision": schema_revision(),
        "ballot_key_check": ballot_key_check(),
        "sha256": content_digest(content),
        "content": content,
    }


def begin_snapshot() -> None:
    """Read everything the export reads from one snapshot, so a vote going on meanwhile cannot tear it.

    Call first in a fresh session: PostgreSQL's REPEATABLE READ, or a read transaction on SQLite.
    A session already in a transaction (a caller's, a test's) keeps the isolation it has.
    """
    db = session()
    if db.in_transaction():
        return
    if db.get_bind().dialect.name == "postgresql":
        db.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        db.connection().exec_driver_sql("BEGIN")


def content_digest(content: dict[str, Any]) -> str:
    """SHA-256 of the content in canonical JSON: an import refuses a file damaged or edited since."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def ballot_key_check() -> str:
    """An HMAC of a fixed text under BALLOT_KEY_SECRET: says whether two installations share the secret.

    It tells nothing the file's voting-code hashes (HMACs under the same secret) do not already.
    """
    secret = current_app.config["BALLOT_KEY_SECRET"].encode()
    return hmac.new(secret, b"cyd-backup:ballot-key-check", hashlib.sha256).hexdigest()


def schema_revision() -> str | None:
    """The Alembic revision of this database, for the reader's information."""
    if not inspect(session().connection()).has_table("alembic_version"):
        return None
    return session().execute(text("SELECT version_num FROM alembic_version")).scalar()


def _cycle_rows(cycle_id: int, tables: list[Table]) -> tuple[dict[str, list[Row]], Counter[str]]:
    """Each table's rows of the cycle, found through its keys to tables already read."""
    names = {table.name for table in tables}
    kept_values: dict[tuple[str, str], set[Any]] = {}
    wanted = referenced_columns(tables)
    rows: dict[str, list[Row]] = {}
    skipped: Counter[str] = Counter()
    for table in tables:
        found = [dict(row) for row in session().execute(_rows_of(table, cycle_id, names, tables)).mappings()]
        rows[table.name] = _within(table, found, kept_values, names)
        if len(found) > len(rows[table.name]):
            skipped[table.name] = len(found) - len(rows[table.name])
        for column in table.columns:
            if (table.name, column.name) in wanted:
                kept_values[(table.name, column.name)] = {row[column.name] for row in rows[table.name]}
    return rows, skipped


def _rows_of(table: Table, cycle_id: int, names: set[str], tables: list[Table]) -> Select[Any]:
    return select(table).where(_belongs(table, cycle_id, names, {t.name: t for t in tables})).order_by(
        *table.primary_key.columns
    )


def _belongs(table: Table, cycle_id: int, names: set[str], by_name: dict[str, Table]) -> Any:
    """SQL for "this row is the cycle's": its key to a cycle table points at one of the cycle's rows."""
    if table.name == ROOT:
        return table.c.id == cycle_id
    return or_(
        *(
            fk.parent.in_(
                select(fk.column).where(_belongs(by_name[fk.column.table.name], cycle_id, names, by_name))
            )
            for fk in cycle_keys(table, names)
        )
    )


def _within(table: Table, rows: list[Row], kept: dict[tuple[str, str], set[Any]], names: set[str]) -> list[Row]:
    """The rows whose every key to the cycle's tables points at a row the file holds."""
    inside = [
        row
        for row in rows
        if all(
            row[fk.parent.name] is None or row[fk.parent.name] in kept[(fk.column.table.name, fk.column.name)]
            for fk in cycle_keys(table, names)
        )
    ]
    while True:  # a reply whose parent was left out goes too, and so on down the thread
        own = {fk.column.name: {row[fk.column.name] for row in inside} for fk in self_keys(table)}
        fewer = [
            row
            for row in inside
            if all(row[fk.parent.name] is None or row[fk.parent.name] in own[fk.column.name] for fk in self_keys(table))
        ]
        if len(fewer) == len(inside):
            return inside
        inside = fewer


def _user_refs(table: Table, row: Row) -> list[int]:
    return [row[fk.parent.name] for fk in user_keys(table) if row[fk.parent.name] is not None]


def _users(ids: set[int]) -> list[Row]:
    """The accounts the cycle names, without their password hashes (schema.USER_SECRETS)."""
    ordered = sorted(ids)
    people = [
        person
        for start in range(0, len(ordered), CHUNK)
        for person in session().scalars(select(User).where(User.id.in_(ordered[start : start + CHUNK])))
    ]
    columns = User.__table__.c
    return [{"id": person.id} | {name: encode(getattr(person, name), columns[name]) for name in USER_FIELDS}
            for person in sorted(people, key=lambda person: person.id)]


def _encoded(table: Table, row: Row) -> Row:
    return {column.name: encode(row[column.name], column) for column in table.columns}
