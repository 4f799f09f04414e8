"""The declarative base, the session used by services, and small column helpers."""

from __future__ import annotations

import enum
import functools
import logging
import select
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from flask import Flask
from flask_sqlalchemy_lite import SQLAlchemy
from sqlalchemy import JSON, ColumnElement, DateTime, Engine, Enum, MetaData, Pool, and_, event, func, or_
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """One base for every model, with a constraint naming convention Alembic can rely on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class _SQLAlchemy(SQLAlchemy):
    """flask-sqlalchemy-lite, with two changes to its teardown at the end of every request.

    - Closing the session never fails the response: if the database went away during the
      request (a restart, a failover), the rollback that closing does fails too; the pool has
      already thrown that connection away, and raising from a teardown would swap the response
      the app made (often its own error page) for the server's bare 500 page.
    - No teardown of async sessions where no async engine is configured: Flask runs an async
      teardown through asgiref, which starts an event loop in a new thread at the end of every
      request, about 0.65 ms of CPU each time, four fifths of what a request that does nothing
      costs (bench/load.py). Cyd opens no async session.
    """

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        teardowns = app.teardown_appcontext_funcs
        teardowns[:] = [
            _closing_quietly(f) if getattr(f, "__name__", "") == "_close_sessions" else f
            for f in teardowns
            if getattr(f, "__name__", "") != "_close_async_sessions" or app.config.get("SQLALCHEMY_ASYNC_ENGINES")
        ]


def _closing_quietly(close: Callable[[BaseException | None], None]) -> Callable[[BaseException | None], None]:
    @functools.wraps(close)
    def teardown(error: BaseException | None) -> None:
        try:
            close(error)
        except DBAPIError:
            logging.getLogger(__name__).warning("Closing the database session failed", exc_info=True)

    return teardown


db = _SQLAlchemy()

# A connection kept longer than this unused is made again rather than trusted (below).
IDLE_REPLACED_AFTER = 60.0


@event.listens_for(Pool, "checkin")
def _note_when_returned(dbapi_connection: Any, connection_record: Any) -> None:
    if connection_record is not None:
        connection_record.info["returned_at"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _replace_a_closed_connection(dbapi_connection: Any, connection_record: Any, proxy: Any) -> None:
    """A database server's connection that it has closed is replaced before a request uses it.

    When PostgreSQL restarts (or ends idle sessions), each backend writes a last message and
    closes its socket, so the pool's idle connection has something to read: an idle connection
    that is still good has nothing. Polling the socket answers without a round trip to the
    server, where SQLAlchemy's `pool_pre_ping` asks the server on every checkout (2–5 % of a
    vote's CPU, docs/load.md). A connection unused for IDLE_REPLACED_AFTER is
    made again, for a network that drops quiet connections without a word. Raising
    DisconnectionError makes the pool throw the connection away and hand out a new one.
    SQLite's connections have no server to lose.
    """
    fileno = getattr(dbapi_connection, "fileno", None)
    returned_at = connection_record.info.get("returned_at")  # none yet: a new connection (info goes with it)
    if fileno is None or returned_at is None:
        return
    idle = time.monotonic() - returned_at
    waiting = select.poll()
    try:
        waiting.register(fileno(), select.POLLIN | select.POLLPRI)
    except Exception as error:  # the driver has closed it already
        raise DisconnectionError("this database connection is closed") from error
    if idle > IDLE_REPLACED_AFTER or waiting.poll(0):
        raise DisconnectionError("the database server closed this connection, or it was unused too long")


def session() -> Session:
    """The request's session; services flush, the view (or CLI) commits once."""
    return db.session


def has_every_word(text: str, *columns: ColumnElement[Any]) -> ColumnElement[bool] | None:
    """Rows where each word of a search (split at any run of spaces) is in one of `columns`, in any
    case: "ann  jones" finds "Ann Jones", and "Jones Ann" too. `%` and `_` are only characters. None
    when the search has no words: nothing to filter by."""
    words = text.lower().split()
    if not words:
        return None

    def inside(word: str) -> str:
        return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    return and_(*(or_(*(func.lower(column).like(inside(word), escape="\\") for column in columns)) for word in words))


def utcnow() -> datetime:
    return datetime.now(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Foreign keys on, WAL with a busy timeout so readers never block the vote, and a lower() that
    knows more than ASCII, as PostgreSQL's does: a search for "ŵyn" finds "Ŵyn" (no index uses lower)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(text: object) -> object:
    return text.lower() if isinstance(text, str) else text


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_in_a_transaction(connection: Any, name: str) -> None:
    """Begin the transaction before a savepoint that would otherwise be its first write.

    Python's sqlite3 opens a transaction only at the first INSERT, UPDATE or DELETE, so a
    SAVEPOINT taken before one runs outside any transaction, and its RELEASE commits at once: a
    later rollback of the request would not undo it. IMMEDIATE: a savepoint is there to write,
    so take SQLite's write lock now (waiting for it, up to the busy timeout) rather than fail to
    upgrade a read later. Reads before the savepoint stay outside a transaction, as they always were.
    """
    if connection.dialect.name == "sqlite":
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection is not None and not dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def enum_type(enum_cls: type[enum.StrEnum]) -> Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint holding its values."""
    return Enum(
        enum_cls,
        name=_snake(enum_cls.__name__),
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda members: [m.value for m in members],
    )


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
