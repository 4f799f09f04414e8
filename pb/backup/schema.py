"""Which tables and columns a cycle's backup holds, read from the models' metadata.

A table belongs to a cycle when one of its foreign keys points at a table that does, starting
from `cycles` itself (stages → mandates → signatures, proposals → comments, …). Nobody lists
them, so a table added tomorrow with a key to a cycle's row is in the next backup. What is not
in the file is listed here with the reason, and tests/test_backup.py fails when a table is in
neither place, or when a JSON column has not been looked at for the ids it may hold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, String, Table, UniqueConstraint

from pb.db import Base
from pb.models import import_all_models

FORMAT = "cyd-cycle-backup"
VERSION = 1
ROOT = "cycles"
USERS = "users"

# Tables handled by code of their own rather than as rows of the cycle.
APART: dict[str, str] = {
    USERS: "Accounts are shared by every cycle. The file carries the accounts the cycle's rows and audit "
    "entries name, with USER_FIELDS only; an import matches them by email and creates the others.",
    "audit_entries": "One hash chain for the whole installation, with no foreign key to a cycle. The cycle's "
    "entries (by cycle_id) are in the file as first recorded; an import appends them to the target's chain.",
    "mandate_templates": "Imported starting points belong to no cycle: they travel as template files of their "
    "own (pb/mandates/template_files.py). A mandate keeps the words it started from.",
}

# Tables reachable from a cycle that a backup deliberately leaves out.
LEFT_OUT: dict[str, str] = {
    "cycle_carry_overs": "It links a cycle to the finished one it was started from: a file holds one cycle, "
    "so the other end of the link is not in it.",
    "carried_proposals": "It links a proposal to the proposal of an earlier cycle it was carried over from: "
    "the same reason. The carried proposal itself is in the file, as an ordinary proposal.",
}

# What the file says about an account. Everything else about it stays in the installation.
USER_FIELDS = ("email", "name", "postcode", "date_of_birth", "created_at")
USER_SECRETS: dict[str, str] = {
    "password_hash": "A password never leaves the installation: accounts an import creates have no usable "
    "password until one is set.",
}

Lookup = Callable[[str, int], int]
"""(table, id in the file) → id in the target database; raises KeyError for a row the file lacks."""


def _same_kind(old: Any, new: int) -> Any:
    """The new id written as the old one was: ids in JSON are sometimes text (`"12"`)."""
    return str(new) if isinstance(old, str) else new


def _theme_id(value: Any, lookup: Lookup) -> Any:
    if not isinstance(value, dict) or value.get("theme_id") in (None, ""):
        return value
    return {**value, "theme_id": _same_kind(value["theme_id"], lookup("themes", int(value["theme_id"])))}


def _proposal_keys(value: Any, lookup: Lookup) -> Any:
    return {_same_kind(key, lookup("proposals", int(key))): n for key, n in value.items()}


def _outcome_ids(value: Any, lookup: Lookup) -> Any:
    def new(pid: Any) -> Any:
        return _same_kind(pid, lookup("proposals", int(pid)))

    return {
        **value,
        "selected": [new(pid) for pid in value["selected"]],
        "projects": [{**project, "id": new(project["id"])} for project in value["projects"]],
    }


# JSON columns that hold ids of the cycle's rows, and how an import rewrites them.
JSON_IDS: dict[tuple[str, str], Callable[[Any, Lookup], Any]] = {
    ("proposal_revisions", "snapshot"): _theme_id,
    ("proposal_drafts", "data"): _theme_id,
    ("paper_entries", "choices"): _proposal_keys,  # project id (as text) → 1, a rank or points
    # The count as it ran: `selected` and each project's `id`. Its ballot_hash and instance_hash
    # stay as computed over the original ids (docs/backup.md).
    ("tally_runs", "outcome"): _outcome_ids,
}

# JSON columns looked at and found to hold no ids: copied as they are.
JSON_WITHOUT_IDS: dict[tuple[str, str], str] = {
    ("cycles", "areas"): "neighbourhood names",
    ("mandates", "boundaries"): "the boundaries of authority: rules, limits, grounds, question keys",
    ("tally_runs", "parameters"): "budget, ballot format, mandate version",
    ("population_figures", "figures"): "answer key → a figure in hundredths",
}


def cycle_tables() -> list[Table]:
    """Every table that belongs to a cycle, parents before children (the order to insert them in)."""
    import_all_models()
    found: dict[str, Table] = {}
    for table in Base.metadata.sorted_tables:
        if table.name == ROOT or (table.name not in LEFT_OUT and cycle_keys(table, found)):
            found[table.name] = table
    return list(found.values())


def cycle_keys(table: Table, cycle_table_names: Any) -> list[ForeignKey]:
    """The table's foreign keys to other tables of the cycle: a row is the cycle's if one points into it."""
    return sorted(
        (fk for fk in table.foreign_keys if fk.column.table.name in cycle_table_names and fk.column.table is not table),
        key=lambda fk: fk.parent.name,
    )


def self_keys(table: Table) -> list[ForeignKey]:
    """Foreign keys from the table to itself (a reply's parent comment, a proposal merged into another)."""
    return sorted((fk for fk in table.foreign_keys if fk.column.table is table), key=lambda fk: fk.parent.name)


def user_keys(table: Table) -> list[ForeignKey]:
    return sorted((fk for fk in table.foreign_keys if fk.column.table.name == USERS), key=lambda fk: fk.parent.name)


def foreign_key(column: Column[Any]) -> ForeignKey | None:
    """The column's foreign key: every key of the schema is on one column."""
    return next(iter(column.foreign_keys), None)


def referenced_columns(tables: list[Table]) -> set[tuple[str, str]]:
    """(table, column) pairs some foreign key points at: an import keeps their old → new values."""
    return {(fk.column.table.name, fk.column.name) for table in tables for fk in table.foreign_keys}


def new_key_column(table: Table) -> Column[Any] | None:
    """The primary key the target database gives a new value: an integer it counts, or random text.

    None for a key made of foreign keys or of several columns: those are copied (and remapped).
    """
    keys = list(table.primary_key.columns)
    return keys[0] if len(keys) == 1 and not keys[0].foreign_keys else None


def random_key(column: Column[Any]) -> bool:
    """A text primary key, random so that row order says nothing (ballots): an import draws new ones."""
    return isinstance(column.type, String)


def globally_unique(table: Table) -> list[Column[Any]]:
    """Columns unique across the whole database rather than within a cycle: receipts, code and token hashes.

    A second copy of a cycle cannot share them with the first, so an import either finds them
    already there (and refuses) or, making a copy, draws new ones.
    """
    keys = {column for column in table.columns if column.primary_key or column.foreign_keys}
    groups = [
        list(constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ] + [list(index.columns) for index in table.indexes if index.unique]
    groups += [[column] for column in table.columns if column.unique]
    found = {group[0].name: group[0] for group in groups if len(group) == 1 and group[0] not in keys}
    return [found[name] for name in sorted(found)]


def json_columns(table: Table) -> list[Column[Any]]:
    return [column for column in table.columns if isinstance(column.type, JSON)]
