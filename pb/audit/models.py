"""The hash-chained audit log of every action that uses authority."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from pb.db import Base, utcnow


class AuditEntry(Base):
    """One entry; `hash` covers its fields and the previous entry's hash.

    `seq` is unique and consecutive, so two concurrent appends can never both extend the
    same entry: one of them fails and is retried or refused. Actor ids are plain integers,
    not foreign keys, so that the log outlives the accounts it mentions.

    `original` is set on an entry a cycle backup brought from another installation (or another
    place in this one): the entry as first recorded there, with its own seq, prev_hash and hash,
    so that it can still be checked and is exported again unchanged (pb/backup/audit.py). It is
    not one of the hashed fields: the `cycle.imported` entry that follows holds a digest of them.
    """

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None]
    actor_name: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60))
    cycle_id: Mapped[int | None] = mapped_column(index=True)
    stage_id: Mapped[int | None]
    subject: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    original: Mapped[dict[str, Any] | None]
