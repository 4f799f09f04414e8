"""Restore a cycle from a backup as a new cycle of this database, with new ids for every row.

The target may already hold other cycles (or the same one), so no id of the file is kept: each
row gets the target's next id, and every foreign key, and the ids JSON columns hold
(schema.JSON_IDS), follow. Accounts are matched by email or created without a password. All of
it happens in one savepoint: a bad or partial file raises BackupError and writes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from pb.audit.models import AuditEntry
from pb.audit.services import record
from pb.backup import audit
from pb.backup.accounts import match_accounts
from pb.backup.errors import BackupError
from pb.backup.export import ballot_key_check, content_digest
from pb.backup.schema import (
    APART,
    FORMAT,
    JSON_IDS,
    LEFT_OUT,
    ROOT,
    USERS,
    VERSION,
    cycle_tables,
    foreign_key,
    globally_unique,
    new_key_column,
    random_key,
    referenced_columns,
)
from pb.backup.values import decode
from pb.cycles.models import Cycle, StageKind, StageState
from pb.db import session

Row = dict[str, Any]
Maps = dict[tuple[str, str], dict[Any, Any]]
CHUNK = 500


@dataclass(frozen=True)
class Restored:
    """What an import made: the new cycle and how much came with it."""

    cycle: Cycle
    from_cycle_id: int
    rows: dict[str, int]
    audit_entries: int
    accounts_created: int
    accounts_matched: int
    same_ballot_key: bool  # False: voting codes from the file will not work here (docs/backup.md)


def import_cycle(data: Any, *, as_copy: bool = False) -> Restored:
    """Add the cycle an `export_cycle` document holds to this database, as a new cycle.

    `as_copy` makes a second copy of a cycle the database already holds: ballot receipts,
    voting-code and kiosk-token hashes (globally unique) are drawn anew, so the copy shares no
    credential with the original. Runs in a savepoint of the caller's transaction; the caller
    commits. Raises BackupError for a file that is not a backup this version reads, is damaged,
    does not fit this database, or holds an open vote with ballots in it.
    """
    content = _checked(data)
    tables = cycle_tables()
    rows = _file_rows(content, tables)
    recorded = audit.check_entries(content.get("audit_entries"))
    from_cycle_id = _the_cycle(content, rows)
    _refuse_open_vote_with_ballots(rows)
    db = session()
    try:
        with db.begin_nested():
            if not as_copy:
                _refuse_clashes(rows, tables)
            users, created = match_accounts(content.get("users"))
            maps = _insert_all(tables, rows, users, as_copy)
            cycle_id = maps[(ROOT, "id")][from_cycle_id]
            count = audit.import_entries(content["audit_entries"], recorded, cycle_id, maps[("stages", "id")], users)
            counts = {name: len(table_rows) for name, table_rows in rows.items()}
            _record_import(data, cycle_id, from_cycle_id, as_copy, counts, recorded, created)
    except (IntegrityError, DBAPIError) as error:
        message = f"The backup does not fit this database, so nothing was imported: {_first_line(error)}"
        raise BackupError(message) from error
    cycle = db.get(Cycle, cycle_id)
    assert cycle is not None
    return Restored(cycle, from_cycle_id, counts, count, created, len(users) - created,
                    data.get("ballot_key_check") == ballot_key_check())


def _record_import(
    data: dict[str, Any],
    cycle_id: int,
    from_cycle_id: int,
    as_copy: bool,
    counts: dict[str, int],
    recorded: list[AuditEntry],
    created: int,
) -> None:
    """The `cycle.imported` entry: which file, what came with it, and a digest of the entries as first recorded."""
    record("cycle.imported", actor=None, cycle_id=cycle_id, subject=f"cycle {cycle_id}", detail={
        "from_cycle": from_cycle_id, "exported_at": data.get("exported_at"), "file_sha256": data["sha256"],
        "as_copy": as_copy, "rows": {name: n for name, n in counts.items() if n},
        "audit_entries": len(recorded), "audit_digest": audit.digest(recorded), "accounts_created": created,
    })


def _checked(data: Any) -> dict[str, Any]:
    """The file's content, once its format, version and checksum say it is a whole backup we read."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError("This is not a Cyd cycle backup (made by `flask pb export-cycle`).")
    if data.get("version") != VERSION:
        raise BackupError(
            f"This backup is in version {data.get('version')!r} of the format; this installation of Cyd reads "
            f"version {VERSION}."
        )
    content = data.get("content")
    if not isinstance(content, dict) or not isinstance(content.get("tables"), dict):
        raise BackupError("The backup has no cycle in it: the file is not complete.")
    if content_digest(content) != data.get("sha256"):
        raise BackupError("The backup has been changed or damaged since it was written: its checksum does not match.")
    return content


def _file_rows(content: dict[str, Any], tables: list[Table]) -> dict[str, list[Row]]:
    """Each table's rows as the columns take them, every value checked against its column."""
    known = {table.name: table for table in tables}
    unknown = sorted(set(content["tables"]) - set(known))
    if unknown:
        why = " ".join(f"{name}: {(LEFT_OUT | APART).get(name, 'no such table here')}" for name in unknown)
        raise BackupError(f"The backup has tables this installation does not take from a backup. {why}")
    return {table.name: _table_rows(table, content["tables"].get(table.name, [])) for table in tables}


def _table_rows(table: Table, raw: Any) -> list[Row]:
    if not isinstance(raw, list):
        raise BackupError(f"The backup's {table.name} are not a list of rows.")
    rows = []
    for number, row in enumerate(raw, start=1):
        if not isinstance(row, dict) or (rows and set(row) != set(rows[0])):
            raise BackupError(f"Row {number} of {table.name} in the backup is not well formed.")
        extra = sorted(set(row) - set(table.c.keys()))
        if extra:
            raise BackupError(f"Row {number} of {table.name} in the backup has columns this installation does "
                              f"not have: {', '.join(extra)}. Upgrade Cyd (`flask pb migrate`) and try again.")
        rows.append({name: _value(table, number, name, value) for name, value in row.items()})
    return rows


def _value(table: Table, number: int, name: str, value: Any) -> Any:
    try:
        return decode(value, table.c[name])
    except ValueError as error:
        raise BackupError(f"Row {number} of {table.name} in the backup: {name} cannot be read ({error}).") from error


def _the_cycle(content: dict[str, Any], rows: dict[str, list[Row]]) -> int:
    cycles = rows[ROOT]
    if len(cycles) != 1 or cycles[0].get("id") != content.get("cycle_id"):
        raise BackupError("The backup must hold exactly one cycle.")
    return int(cycles[0]["id"])


def _refuse_open_vote_with_ballots(rows: dict[str, list[Row]]) -> None:
    """An open vote cannot be restored once anyone has voted: it would let them vote again.

    Ballots are stored under voter keys made from the original database's stage and account
    ids (docs/secrecy.md); with new ids, nobody's new ballot would replace their old one.
    """
    open_votes = {
        row["id"] for row in rows["stages"] if row["kind"] == StageKind.VOTE and row["state"] == StageState.OPEN
    }
    if any(row["stage_id"] in open_votes for row in rows.get("ballots", [])):
        raise BackupError(
            "The cycle's vote is open and people have voted in it. Restored with new ids, the vote could not "
            "recognise their ballots, and they could vote twice. Close the vote, export the cycle again and import "
            "that, or restore the whole database from its own backup (docs/backup.md)."
        )


def _refuse_clashes(rows: dict[str, list[Row]], tables: list[Table]) -> None:
    """Refuse a file whose receipts or hashes this database already holds: the cycle is here already."""
    for table in tables:
        for column in globally_unique(table):
            values = sorted({row[column.name] for row in rows[table.name] if row.get(column.name) is not None})
            held = sum(
                session().scalar(select(func.count()).select_from(table).where(column.in_(chunk))) or 0
                for chunk in _chunks(values)
            )
            if held:
                raise BackupError(
                    f"This database already holds {held} of the backup's {table.name}.{column.name} values, which "
                    "are unique across the whole installation: the cycle seems to be here already. To make a "
                    "second copy of it, import with --copy."
                )


def _insert_all(tables: list[Table], rows: dict[str, list[Row]], users: dict[Any, Any], as_copy: bool) -> Maps:
    """Insert every table's rows, parents first; return old → new for every column a key points at."""
    maps: Maps = {}
    wanted = referenced_columns(tables)
    for table in tables:
        old_rows = rows[table.name]
        new_rows = _insert(table, old_rows, maps, users, as_copy)
        key = new_key_column(table)
        for column in table.columns:
            if (table.name, column.name) in wanted or column is key:
                name = column.name
                maps[(table.name, name)] = {old[name]: new[name] for old, new in zip(old_rows, new_rows, strict=True)}
        _link_within(table, old_rows, new_rows, maps)
    for table in tables:
        _rewrite_json_ids(table, rows[table.name], maps)
    return maps


def _insert(table: Table, old_rows: list[Row], maps: Maps, users: dict[Any, Any], as_copy: bool) -> list[Row]:
    """Insert one table's rows with the target's ids; return them as written, with their new keys."""
    if not old_rows:
        return []
    key = new_key_column(table)
    fresh = {column.name for column in globally_unique(table)} if as_copy else set()
    new_rows = [_translated(table, number, row, key, maps, users, fresh) for number, row in enumerate(old_rows, 1)]
    connection = session().connection()
    if key is not None and not random_key(key):  # the database counts the key: ask for the new ones, in order
        statement = insert(table).returning(key, sort_by_parameter_order=True)
        for row, new_id in zip(new_rows, connection.execute(statement, new_rows).scalars().all(), strict=True):
            row[key.name] = new_id
    else:
        connection.execute(insert(table), new_rows)
    return new_rows


def _translated(
    table: Table, number: int, row: Row, key: Column[Any] | None, maps: Maps, users: dict[Any, Any], fresh: set[str]
) -> Row:
    """The row as the target stores it: new key, keys remapped, links within the table set afterwards."""
    new: Row = {}
    for name, value in row.items():
        column = table.c[name]
        fk = foreign_key(column)
        if column is key:
            if random_key(column):
                new[name] = _fresh(column)
        elif fk is None or value is None:
            new[name] = _fresh(column) if name in fresh and value is not None else value
        elif fk.column.table is table:
            new[name] = None  # set by _link_within once the row it points at has its new id
        else:
            target = USERS if fk.column.table.name == USERS else fk.column.table.name
            mapping = users if target == USERS else maps.get((target, fk.column.name), {})
            if value not in mapping:
                raise BackupError(f"Row {number} of {table.name} in the backup refers to {target} {value}, "
                                  "which the backup does not hold.")
            new[name] = mapping[value]
    return new


def _fresh(column: Column[Any]) -> str:
    return secrets.token_hex((getattr(column.type, "length", None) or 32) // 2)


def _link_within(table: Table, old_rows: list[Row], new_rows: list[Row], maps: Maps) -> None:
    """Set keys from a table to itself (a reply's parent, a merged proposal's target) to the new ids."""
    key = new_key_column(table)
    for column in table.columns:
        fk = foreign_key(column)
        if fk is None or fk.column.table is not table or key is None:
            continue
        mapping = maps[(table.name, fk.column.name)]
        for number, (old, new) in enumerate(zip(old_rows, new_rows, strict=True), start=1):
            value = old.get(column.name)
            if value is None:
                continue
            if value not in mapping:
                raise BackupError(f"Row {number} of {table.name} in the backup refers to a row it does not hold.")
            session().execute(update(table).where(key == new[key.name]).values({column.name: mapping[value]}))


def _rewrite_json_ids(table: Table, old_rows: list[Row], maps: Maps) -> None:
    """Rewrite the ids JSON columns hold, once every table they may name has its new ids."""
    key = new_key_column(table)
    for (name, column_name), remap in JSON_IDS.items():
        if name != table.name or key is None:
            continue
        old_ids = maps[(table.name, key.name)]

        def lookup(target: str, old_id: int) -> int:
            return maps[(target, "id")][old_id]

        for number, row in enumerate(old_rows, start=1):
            value = row.get(column_name)
            if value is None:
                continue
            try:
                new_value = remap(value, lookup)
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                raise BackupError(f"Row {number} of {table.name} in the backup: {column_name} names a row the "
                                  "backup does not hold, or cannot be read.") from error
            session().execute(update(table).where(key == old_ids[row[key.name]]).values({column_name: new_value}))


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _first_line(error: Exception) -> str:
    return str(getattr(error, "orig", error)).strip().splitlines()[0]
