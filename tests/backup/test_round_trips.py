"""A whole cycle backed up and restored: every row of every table comes back, under new ids."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from pb.accounts.models import User
from pb.accounts.services import authenticate, find_by_email
from pb.audit.services import entries_for_cycle, verify
from pb.backup import BackupError, export_cycle, import_cycle
from pb.backup.export import content_digest
from pb.backup.schema import (
    USER_FIELDS,
)
from pb.cycles.models import StageKind
from pb.db import db
from pb.errors import InvalidInput
from pb.proposals.models import Proposal
from pb.voting.services import cast_ballot
from tests.backup.helpers import COPY_DRAWS_ANEW, FILLED, normalised, row_counts, without_import_entry


def test_a_round_trip_into_an_empty_database_loses_nothing(rich_cycle, other_app) -> None:  # type: ignore[no-untyped-def]
    original = export_cycle(rich_cycle)
    filled = {name for name, rows in original["content"]["tables"].items() if rows}
    assert filled >= FILLED

    with other_app.app_context():
        restored = import_cycle(json.loads(json.dumps(original)))
        db.session.commit()
        again = export_cycle(restored.cycle)
        assert verify().ok

    assert without_import_entry(normalised(again)) == normalised(original)
    assert restored.accounts_created == len(original["content"]["users"]) and restored.accounts_matched == 0
    assert restored.rows == {name: len(rows) for name, rows in original["content"]["tables"].items()}
    assert restored.same_ballot_key


def test_a_copy_beside_the_original_loses_nothing_but_its_credentials(rich_cycle) -> None:  # type: ignore[no-untyped-def]
    original = export_cycle(rich_cycle)
    copy = import_cycle(original, as_copy=True)
    db.session.commit()
    again = export_cycle(copy.cycle)

    assert copy.cycle.id != rich_cycle.id and copy.accounts_created == 0
    assert without_import_entry(normalised(again, COPY_DRAWS_ANEW)) == normalised(original, COPY_DRAWS_ANEW)
    receipts = [{row["receipt"] for row in doc["content"]["tables"]["ballots"]} for doc in (original, again)]
    assert receipts[0] and not receipts[0] & receipts[1]
    assert normalised(export_cycle(rich_cycle)) == normalised(original)  # the original is untouched
    assert verify().ok


def test_the_comparison_notices_one_changed_value(rich_cycle) -> None:  # type: ignore[no-untyped-def]
    original = export_cycle(rich_cycle)
    changed = json.loads(json.dumps(original))
    changed["content"]["tables"]["ballot_choices"][0]["points"] += 1
    assert normalised(changed) != normalised(original)
    moved = json.loads(json.dumps(original))
    choices = moved["content"]["tables"]["paper_entries"][0]["choices"]
    moved["content"]["tables"]["paper_entries"][0]["choices"] = {str(int(k) + 1): v for k, v in choices.items()}
    assert normalised(moved) != normalised(original)


def test_the_copys_results_name_its_own_projects(rich_cycle) -> None:  # type: ignore[no-untyped-def]
    from pb.results.services import result_rows

    copy = import_cycle(export_cycle(rich_cycle), as_copy=True).cycle
    _tally, rows = result_rows(copy)
    _original_tally, original_rows = result_rows(rich_cycle)
    own = {proposal.id for proposal in db.session.scalars(select(Proposal).where(Proposal.cycle_id == copy.id))}
    assert {row.proposal.id for row in rows} <= own
    def fates(result: list[Any]) -> list[tuple[Any, ...]]:
        return [(r.proposal.title, r.votes, r.funded_by_vote, r.explanation, r.decision and r.decision.funded)
                for r in result]

    assert fates(rows) == fates(original_rows) and any(row.funded_by_vote for row in rows)


def test_a_cycle_already_in_the_database_is_refused_and_nothing_changes(rich_cycle) -> None:  # type: ignore[no-untyped-def]
    document = export_cycle(rich_cycle)
    before = row_counts()
    with pytest.raises(BackupError, match=r"seems to be here already.*--copy"):
        import_cycle(document)
    assert row_counts() == before


def test_an_open_vote_with_ballots_in_it_is_refused(app, commissioner, representative) -> None:  # type: ignore[no-untyped-def]
    from tests.voting.helpers import open_ballot

    cycle, proposals = open_ballot(commissioner, representative)
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), commissioner, [proposals[0].id])
    db.session.commit()
    document = export_cycle(cycle)
    with pytest.raises(BackupError, match="vote is open and people have voted"):
        import_cycle(document, as_copy=True)


def test_an_open_vote_nobody_has_voted_in_yet_is_restored(busy_cycle) -> None:  # type: ignore[no-untyped-def]
    cycle, _ids = busy_cycle
    copy = import_cycle(export_cycle(cycle), as_copy=True).cycle
    vote = copy.stage_of_kind(StageKind.VOTE)
    assert vote is not None and vote.is_open and copy.title == cycle.title


def test_imported_entries_join_the_chain_and_keep_the_entries_as_first_recorded(rich_cycle, other_app) -> None:  # type: ignore[no-untyped-def]
    original = export_cycle(rich_cycle)
    first = [item["recorded"] for item in original["content"]["audit_entries"]]
    with other_app.app_context():
        restored = import_cycle(original)
        db.session.commit()
        there = entries_for_cycle(restored.cycle.id)
        assert verify().ok and verify().entries == len(first) + 1
        assert [e.action for e in there] == [r["action"] for r in first] + ["cycle.imported"]
        assert all(e.cycle_id == restored.cycle.id for e in there)
        assert [e.original for e in there[:-1]] == first and there[-1].original is None
        assert {e.stage_id for e in there} - {None} <= {s.id for s in restored.cycle.stages}
        imported = there[-1]
        assert imported.detail["audit_entries"] == len(first) and imported.detail["from_cycle"] == rich_cycle.id
        moved_on = export_cycle(restored.cycle)
    # Back into the first installation, as a copy: the entries are still those first recorded here.
    twice = import_cycle(moved_on, as_copy=True)
    db.session.commit()
    recorded = [e.original or {} for e in entries_for_cycle(twice.cycle.id)]
    assert recorded[: len(first)] == first
    assert recorded[len(first)]["action"] == "cycle.imported" and verify().ok


def test_an_audit_entry_changed_in_the_file_is_refused(rich_cycle) -> None:  # type: ignore[no-untyped-def]
    document = export_cycle(rich_cycle)
    document["content"]["audit_entries"][3]["recorded"]["actor_name"] = "Someone else"
    document["sha256"] = content_digest(document["content"])  # even with the file's checksum redone
    with pytest.raises(BackupError, match=r"Audit entry 4 .* does not match its hash"):
        import_cycle(document, as_copy=True)


def test_accounts_are_matched_by_email_or_created_without_a_password_until_one_is_set(rich_cycle, other_app) -> None:  # type: ignore[no-untyped-def]
    document = export_cycle(rich_cycle)
    people = document["content"]["users"]
    assert people and all(set(person) == {"id", *USER_FIELDS} for person in people)
    assert "password" not in json.dumps(document)
    with other_app.app_context():
        known = User(email=people[0]["email"].upper(), name="Already here", password_hash="x")
        db.session.add(known)
        db.session.commit()
        restored = import_cycle(document)
        db.session.commit()
        assert (restored.accounts_matched, restored.accounts_created) == (1, len(people) - 1)
        assert find_by_email(people[0]["email"]).name == "Already here"  # the target's own details stay
        created = find_by_email(people[1]["email"])
        assert created is not None and created.name == people[1]["name"]
        with pytest.raises(InvalidInput):
            authenticate(created.email, "correct horse battery")
        given = other_app.test_cli_runner().invoke(args=["pb", "set-password", created.email],
                                                   input="a password given\na password given\n")
        assert given.exit_code == 0, given.output
        db.session.expire_all()
        assert authenticate(created.email, "a password given").id == created.id  # now they can sign in
