"""A cycle's audit entries in a backup: out as first recorded, in appended to the target's chain.

The log is one chain for the whole installation, so a cycle's entries cannot be moved into
another chain as they are: their `seq` and `prev_hash` belong to the chain they were written
in. An import therefore appends each entry to the target's chain, in the original order, with
a new `seq`, `prev_hash` and `hash`, the target's ids for the cycle, its stage and the actor,
and everything else (`at`, names, role, action, subject, detail) as it was. The entry as first
recorded, with its own hash, is kept beside it in `AuditEntry.original`, and an export writes
that out again, so a cycle moved twice still carries its first installation's entries, each
of which anyone can check against its hash. Ids inside `subject` and `detail` are the first
installation's and are left as they are.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from pb.audit.models import AuditEntry
from pb.audit.services import as_dict, entries_for_cycle, entry_hash, newest_link
from pb.backup.errors import BackupError
from pb.db import session

RECORDED_FIELDS = ("seq", "at", "actor_id", "actor_name", "role", "action", "cycle_id", "stage_id", "subject",
                   "detail", "prev_hash", "hash")


def export_entries(cycle_id: int, user_ids: set[int], stage_ids: set[int]) -> list[dict[str, Any]]:
    """The cycle's entries: each as first recorded, with the stage and actor as ids of this file.

    `user_ids` and `stage_ids` are those the file holds; an actor whose account is gone is None.
    """
    return [
        {
            "stage_id": entry.stage_id if entry.stage_id in stage_ids else None,
            "actor_id": entry.actor_id if entry.actor_id in user_ids else None,
            "recorded": entry.original or as_dict(entry),
        }
        for entry in entries_for_cycle(cycle_id)
    ]


def actor_ids(cycle_id: int) -> set[int]:
    return {entry.actor_id for entry in entries_for_cycle(cycle_id) if entry.actor_id is not None}


def check_entries(items: Any) -> list[AuditEntry]:
    """The file's entries as first recorded, each checked against its own hash.

    Raises BackupError for an entry that is malformed or was changed after it was written.
    """
    if not isinstance(items, list):
        raise BackupError("The file's audit entries are not a list.")
    checked = []
    for number, item in enumerate(items, start=1):
        try:
            recorded = item["recorded"]
            entry = _entry(recorded)
        except (KeyError, TypeError, ValueError) as error:
            raise BackupError(f"Audit entry {number} in the file is not complete or not well formed.") from error
        if entry_hash(entry) != recorded["hash"]:
            raise BackupError(
                f"Audit entry {number} in the file (entry {recorded['seq']} where it was recorded) does not match "
                "its hash: it was changed after it was written."
            )
        checked.append(entry)
    return checked


def _entry(recorded: dict[str, Any]) -> AuditEntry:
    if set(recorded) != set(RECORDED_FIELDS) or not isinstance(recorded["detail"], dict):
        raise ValueError("unexpected fields")
    at = datetime.fromisoformat(recorded["at"])
    if at.tzinfo is None:
        raise ValueError("no time zone")
    return AuditEntry(**{**recorded, "at": at})


def import_entries(
    items: list[dict[str, Any]],
    recorded: list[AuditEntry],
    cycle_id: int,
    stage_map: dict[Any, Any],
    user_map: dict[Any, Any],
) -> int:
    """Append the file's entries to this installation's chain, in order; return how many.

    Runs in the caller's transaction, under the same lock as `pb.audit.services.record`.
    """
    db = session()
    seq, prev_hash = newest_link()
    for item, first in zip(items, recorded, strict=True):
        seq += 1
        entry = AuditEntry(
            seq=seq,
            at=first.at,
            actor_id=_mapped(item, "actor_id", user_map),
            actor_name=first.actor_name,
            role=first.role,
            action=first.action,
            cycle_id=cycle_id,
            stage_id=_mapped(item, "stage_id", stage_map),
            subject=first.subject,
            detail=first.detail,
            prev_hash=prev_hash,
            original=item["recorded"],
        )
        entry.hash = prev_hash = entry_hash(entry)
        db.add(entry)
    db.flush()
    return len(items)


def _mapped(item: dict[str, Any], name: str, mapping: dict[Any, Any]) -> Any:
    """The target's id for the entry's stage or actor (None stays None)."""
    value = item.get(name)
    if value is not None and value not in mapping:
        raise BackupError(f"An audit entry in the backup names {name[:-3]} {value}, which the backup does not hold.")
    return mapping.get(value)


def digest(recorded: list[AuditEntry]) -> str:
    """One fingerprint of the entries as first recorded, kept in the `cycle.imported` entry.

    That entry is in the target's chain, so `original` cannot be changed afterwards unnoticed.
    """
    return hashlib.sha256("\n".join(entry.hash for entry in recorded).encode()).hexdigest()
