"""Comparing backups, counting rows and damaging files, for the backup tests."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from pb.backup.export import content_digest
from pb.backup.schema import (
    JSON_IDS,
    USERS,
    cycle_tables,
    foreign_key,
    globally_unique,
    new_key_column,
)
from pb.db import Base, db
from pb.models import import_all_models

# The tables the rich cycle (conftest.py) fills: the comparison is known to reach every one of them.
FILLED = {
    "cycles", "endorsements", "stages", "mandates", "signatures", "mandate_comments", "role_grants", "themes", "needs",
    "need_supports", "proposals", "proposal_revisions", "proposal_images", "proposal_drafts", "comments", "supports",
    "merge_requests", "events", "event_facilitators", "workshop_ideas", "attendees", "event_code_batches", "kiosks",
    "code_batches", "voting_codes", "code_links", "ballots", "ballot_choices", "participations", "paper_batches",
    "paper_ballots", "paper_entries", "paper_counts", "tally_runs", "project_decisions", "project_updates",
    "pledges", "assessments", "lessons", "carry_over_consents", "demographic_counts", "population_figures",
}


def normalised(document: dict[str, Any], drawn_anew: frozenset[tuple[str, str]] = frozenset()) -> dict[str, Any]:
    """A backup with every id replaced by a fingerprint of the row it names (recursively).

    Two backups of the same cycle from two databases normalise alike however their ids were
    numbered, and any difference in any column of any row shows. `drawn_anew`: columns a copy
    draws afresh (receipts, code hashes), compared only for being there.
    """
    content = document["content"]
    tables = {table.name: table for table in cycle_tables()}
    emails = {person["id"]: person["email"] for person in content["users"]}
    by_value: dict[tuple[str, str], dict[Any, dict[str, Any]]] = {}
    memo: dict[tuple[str, str, Any], str] = {}

    def ref(name: str, column: str, value: Any) -> Any:
        if value is None or name == USERS:
            return emails.get(value)
        if (name, column) not in by_value:
            by_value[(name, column)] = {row[column]: row for row in content["tables"][name]}
        if (name, column, value) not in memo:
            canonical = json.dumps(row_of(name, by_value[(name, column)][value]), sort_keys=True)
            memo[(name, column, value)] = hashlib.sha256(canonical.encode()).hexdigest()[:16]
        return memo[(name, column, value)]

    def row_of(name: str, row: dict[str, Any]) -> dict[str, Any]:
        table, out = tables[name], {}
        for column in table.columns:
            value, fk = row[column.name], foreign_key(column)
            if fk is not None:
                out[column.name] = ref(fk.column.table.name, fk.column.name, value)
            elif column is not new_key_column(table):
                if (name, column.name) in drawn_anew:
                    value = value is not None
                elif (name, column.name) in JSON_IDS and value is not None:
                    value = JSON_IDS[(name, column.name)](value, lambda target, old: ref(target, "id", old))
                out[column.name] = value
        return out

    return {
        "tables": {name: sorted(json.dumps(row_of(name, row), sort_keys=True) for row in rows)
                   for name, rows in content["tables"].items()},
        "users": sorted(json.dumps({k: v for k, v in person.items() if k != "id"}, sort_keys=True)
                         for person in content["users"]),
        "audit": [{"recorded": item["recorded"], "stage": ref("stages", "id", item["stage_id"]),
                   "actor": emails.get(item["actor_id"])} for item in content["audit_entries"]],
        "skipped": content["skipped"],
    }


def without_import_entry(normal: dict[str, Any]) -> dict[str, Any]:
    *earlier, imported = normal["audit"]
    assert imported["recorded"]["action"] == "cycle.imported"
    return {**normal, "audit": earlier}


COPY_DRAWS_ANEW = frozenset((table.name, column.name) for table in cycle_tables() for column in globally_unique(table))


def row_counts() -> dict[str, int]:
    import_all_models()
    return {name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()}


def damaged(document: dict[str, Any], damage: Callable[[dict[str, Any]], None], *, reseal: bool) -> dict[str, Any]:
    copy = json.loads(json.dumps(document))
    damage(copy)
    if reseal:
        copy["sha256"] = content_digest(copy["content"])
    return copy


DAMAGE = {
    "wrong format": (lambda d: d.update(format="something-else"), False, "not a Cyd cycle backup"),
    "wrong version": (lambda d: d.update(version=99), False, "version 99 of the format"),
    "edited": (lambda d: d["content"]["tables"]["proposals"][0].update(cost=1), False, "checksum does not match"),
    "no content": (lambda d: d.pop("content"), False, "not complete"),
    "missing parent": (lambda d: d["content"]["tables"]["themes"].clear(), True, "refers to themes"),
    "bad value": (lambda d: d["content"]["tables"]["stages"][0].update(opened_at="yesterday"), True, "opened_at"),
    "naive time": (lambda d: d["content"]["tables"]["stages"][0].update(opened_at="2026-12-01T10:00:00"), True,
                   "no time zone"),
    "unknown enum": (lambda d: d["content"]["tables"]["stages"][0].update(kind="party"), True, "not one of"),
    "unknown table": (lambda d: d["content"]["tables"].update(cycle_carry_overs=[]), True, "cycle_carry_overs"),
    "unknown column": (lambda d: d["content"]["tables"]["cycles"][0].update(colour="red"), True, "colour"),
    "two cycles": (lambda d: d["content"]["tables"]["cycles"].append(d["content"]["tables"]["cycles"][0]), True,
                   "exactly one cycle"),
    "bad account": (lambda d: d["content"]["users"][0].pop("email"), True, "Account 1"),
    "tally naming a stranger": (lambda d: d["content"]["tables"]["tally_runs"][0]["outcome"]["selected"].append("999"),
                                True, "outcome names a row"),
    "dangling audit stage": (lambda d: d["content"]["audit_entries"][-1].update(stage_id=999), True, "stage 999"),
}
