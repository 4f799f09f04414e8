"""A column's value in the file and back: JSON types only, and checked on the way in.

Datetimes are ISO 8601 in UTC with their offset, dates ISO 8601, enums their stored value,
binary data (pictures) base64, JSON columns as they are. Reading a value checks it against its
column, so a garbled file is refused with the column named rather than half-written.
"""

from __future__ import annotations

import base64
import binascii
import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Enum, Integer, LargeBinary, String


def encode(value: Any, column: Column[Any]) -> Any:
    """The value as the file holds it."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, enum.Enum):
        return value.value
    return value


def decode(value: Any, column: Column[Any]) -> Any:
    """The file's value as the column takes it. Raises ValueError saying what is wrong with it."""
    if value is None:
        if not column.nullable:
            raise ValueError("it is empty, and must not be")
        return None
    kind = column.type
    if isinstance(kind, JSON):
        return value
    if isinstance(kind, DateTime) or _is(kind, DateTime):
        return _datetime(value)
    if isinstance(kind, Date):
        return date.fromisoformat(_text(value))
    if isinstance(kind, LargeBinary):
        try:
            return base64.b64decode(_text(value), validate=True)
        except binascii.Error as error:
            raise ValueError("it is not base64") from error
    if isinstance(kind, Enum):
        if value not in kind.enums:
            raise ValueError(f"{value!r} is not one of {', '.join(kind.enums)}")
        return kind.enum_class(value) if kind.enum_class else value
    if isinstance(kind, Boolean):
        return _typed(value, bool)
    if isinstance(kind, Integer):
        if isinstance(value, bool):
            raise ValueError("it is not a whole number")
        return _typed(value, int)
    if isinstance(kind, String):
        text = _typed(value, str)
        if kind.length is not None and len(text) > kind.length:
            raise ValueError(f"it is longer than {kind.length} characters")
        return text
    return value


def _is(kind: Any, base: type) -> bool:
    """A TypeDecorator (UTCDateTime) counts as the type it decorates."""
    return isinstance(getattr(kind, "impl", None), base)


def _datetime(value: Any) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError("it has no time zone")
    return moment.astimezone(UTC)


def _text(value: Any) -> str:
    return _typed(value, str)


def _typed(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise ValueError(f"it should be {kind.__name__}, not {type(value).__name__}")
    return value
