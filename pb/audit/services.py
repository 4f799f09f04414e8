"""Append to and verify the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text

from pb.audit.models import AuditEntry
from pb.db import session, utcnow
from pb.mandates.actions import Action
from pb.mandates.authority import require_cycle_action

if TYPE_CHECKING:
    from pb.accounts.models import User
    from pb.cycles.models import Cycle, Stage

GENESIS = "0" * 64
_PG_AUDIT_LOCK = 7_370_001  # any fixed number: serialises appends on PostgreSQL


def record(
    action: str,
    *,
    actor: User | None,
    role: str | None = None,
    stage: Stage | None = None,
    cycle_id: int | None = None,
    subject: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry after the newest, in the caller's transaction.

    Never pass ballot content or a voter's identity. Raises IntegrityError (on flush or
    commit) if a concurrent append took the same place in the chain.
    """
    db = session()
    seq, prev_hash = newest_link()
    entry = AuditEntry(
        seq=seq + 1,
        at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else None,
        role=role,
        action=action,
        cycle_id=cycle_id if cycle_id is not None else (stage.cycle_id if stage else None),
        stage_id=stage.id if stage else None,
        subject=subject,
        detail=detail or {},
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(entry)
    db.add(entry)
    db.flush()
    return entry


def newest_link() -> tuple[int, str]:
    """The newest entry's seq and hash ((0, GENESIS) for an empty log), to append after.

    On PostgreSQL it first takes the log's lock for the rest of the transaction, so appends
    queue rather than fail; elsewhere a concurrent append fails on `seq`'s uniqueness.
    """
    db = session()
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    last = db.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over the entry's fields in a canonical JSON form, chained to the previous hash."""
    canonical = json.dumps(_hashed_fields(entry), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": _timestamp(entry.at),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "role": entry.role,
        "action": entry.action,
        "cycle_id": entry.cycle_id,
        "stage_id": entry.stage_id,
        "subject": entry.subject,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }


def _timestamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(entries: Iterable[AuditEntry] | None = None) -> Verification:
    """Check every link of the chain; report the first entry that does not fit."""
    if entries is None:
        entries = session().scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(1000)
    prev_hash, expected_seq, count = GENESIS, 1, 0
    for entry in entries:
        count += 1
        if entry.seq != expected_seq:
            return Verification(False, count, entry.seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return Verification(False, count, entry.seq, "it does not follow the entry before it")
        if entry_hash(entry) != entry.hash:
            return Verification(False, count, entry.seq, "its contents were changed after it was written")
        prev_hash, expected_seq = entry.hash, expected_seq + 1
    return Verification(True, count)


def entries_for_cycle(cycle_id: int) -> list[AuditEntry]:
    """Every entry of one cycle, oldest first, for the code that moves or checks a cycle (a backup, say)."""
    return list(session().scalars(select(AuditEntry).where(AuditEntry.cycle_id == cycle_id).order_by(AuditEntry.seq)))


def cycle_entries(actor: User | None, cycle: Cycle) -> list[AuditEntry]:
    """The cycle's entries, oldest first, for someone to read. Raises NotAuthorised unless `actor` may read its log."""
    require_cycle_action(actor, Action.READ_AUDIT_LOG, cycle)
    return entries_for_cycle(cycle.id)


COUNCIL_PAGE = 100  # entries of the council's log a page


def council_entries(actor: User | None, before: int | None = None) -> list[AuditEntry]:
    """The newest COUNCIL_PAGE entries of no one cycle (roles given everywhere, accounts, templates), newest first;
    with `before`, those older than that entry. Raises NotAuthorised unless `actor` is an administrator."""
    require_cycle_action(actor, Action.READ_COUNCIL_AUDIT_LOG)
    query = select(AuditEntry).where(AuditEntry.cycle_id.is_(None))
    if before is not None:
        query = query.where(AuditEntry.seq < before)
    return list(session().scalars(query.order_by(AuditEntry.seq.desc()).limit(COUNCIL_PAGE)))


def all_council_entries(actor: User | None) -> list[AuditEntry]:
    """Every entry of no one cycle, oldest first. Raises NotAuthorised unless `actor` is an administrator."""
    require_cycle_action(actor, Action.READ_COUNCIL_AUDIT_LOG)
    return list(session().scalars(select(AuditEntry).where(AuditEntry.cycle_id.is_(None)).order_by(AuditEntry.seq)))


def count_entries() -> int:
    return session().scalar(select(func.count()).select_from(AuditEntry)) or 0


def as_dict(entry: AuditEntry) -> dict[str, Any]:
    """The entry as exported: every hashed field plus its hash."""
    return {**_hashed_fields(entry), "hash": entry.hash}
