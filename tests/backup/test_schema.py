"""The backup's schema: every table and JSON column of the app decided on."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint

from pb.accounts.models import User
from pb.backup.schema import (
    APART,
    JSON_IDS,
    JSON_WITHOUT_IDS,
    LEFT_OUT,
    USER_FIELDS,
    USER_SECRETS,
    USERS,
    cycle_tables,
    json_columns,
    new_key_column,
    random_key,
    self_keys,
)
from pb.db import Base
from pb.models import import_all_models


def test_every_table_is_in_the_backup_or_left_out_with_a_reason() -> None:
    import_all_models()
    exported = {table.name for table in cycle_tables()}
    decided = exported | set(LEFT_OUT) | set(APART)
    assert set(Base.metadata.tables) - decided == set(), (
        "A table is neither in a cycle's backup nor listed in pb/backup/schema.py (LEFT_OUT or APART): "
        "give it a foreign key to a cycle's table, or list it with the reason."
    )
    assert not exported & (set(LEFT_OUT) | set(APART))
    assert set(LEFT_OUT) | set(APART) <= set(Base.metadata.tables), "a listed table no longer exists"
    assert all(len(reason) > 40 for reason in (LEFT_OUT | APART).values())


def test_every_json_column_was_looked_at_for_the_ids_it_holds() -> None:
    found = {(table.name, column.name) for table in cycle_tables() for column in json_columns(table)}
    assert found - set(JSON_IDS) - set(JSON_WITHOUT_IDS) == set(), (
        "A JSON column of a cycle's table is in neither JSON_IDS nor JSON_WITHOUT_IDS (pb/backup/schema.py): "
        "if it holds ids of rows, an import must rewrite them."
    )
    assert not set(JSON_IDS) & set(JSON_WITHOUT_IDS)


def test_every_account_column_is_in_the_file_or_kept_back() -> None:
    columns = {column.name for column in User.__table__.columns}
    assert columns == {"id", *USER_FIELDS, *USER_SECRETS}, "decide whether a new account column goes in a backup"


def test_the_schema_has_the_shapes_an_import_relies_on() -> None:
    for table in cycle_tables():
        for fk in table.foreign_keys:
            assert fk.column.table.name in {USERS} | {t.name for t in cycle_tables()}, (table.name, fk.parent.name)
            assert len(fk.constraint.columns) == 1, f"{table.name}: a foreign key of several columns"
        assert all(fk.parent.nullable for fk in self_keys(table)), f"{table.name}: a link to itself must be nullable"
        key = new_key_column(table)
        assert key is None or random_key(key) or key is table.autoincrement_column, table.name
        for constraint in [*table.constraints, *table.indexes]:
            columns = list(constraint.columns)
            if (isinstance(constraint, UniqueConstraint) or getattr(constraint, "unique", False)) and len(columns) > 1:
                assert any(c.foreign_keys or c.primary_key for c in columns), f"{table.name}: unique across cycles"
