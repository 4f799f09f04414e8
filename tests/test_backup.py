"""A whole cycle backed up and restored: every row of every table comes back, under new ids."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import UniqueConstraint, func, select

from pb import create_app
from pb.accounts.models import Role, User
from pb.accounts.services import authenticate, find_by_email
from pb.audit.services import entries_for_cycle, verify
from pb.backup import BackupError, export_cycle, import_cycle
from pb.backup.export import content_digest
from pb.backup.schema import (
    APART,
    JSON_IDS,
    JSON_WITHOUT_IDS,
    LEFT_OUT,
    USER_FIELDS,
    USER_SECRETS,
    USERS,
    cycle_tables,
    foreign_key,
    globally_unique,
    json_columns,
    new_key_column,
    random_key,
    self_keys,
)
from pb.cycles.models import Cycle, Stage, StageKind
from pb.db import Base, db
from pb.deliberation.models import CommentKind
from pb.deliberation.services import add_comment, answer_merge, hide_comment, request_merge, set_support
from pb.delivery import pledges
from pb.delivery.models import DeliveryStatus
from pb.delivery.next_cycle import consent_to_carry_over, record_lesson
from pb.delivery.services import pledge, post_update, rate_project
from pb.errors import InvalidInput
from pb.events.kiosk import redeem_at_kiosk, start_kiosk, stop_kiosk
from pb.events.paper import key_paper_ballot, print_paper_ballots
from pb.events.paper_checks import record_paper_count
from pb.events.services import create_event, register_attendee
from pb.events.workshops import Link, add_idea, record_workshop
from pb.mandates.models import Side
from pb.mandates.services import discuss_mandate, sign_mandate, update_mandate
from pb.models import import_all_models
from pb.priorities.models import AssetType, NeedKind
from pb.priorities.services import agree_theme, record_need, support_need
from pb.proposals.models import Proposal
from pb.proposals.review import respond_to_review, review_proposal, revise_cost
from pb.proposals.services import ProposalFields, Upload, edit_proposal, fields_of, save_draft, submit_proposal
from pb.results.demographics import enter_population
from pb.results.services import Choice, record_decision
from pb.voting.codes import issue_codes, redeem_code
from pb.voting.demographics import record_answers, respondent_for
from pb.voting.services import cast_ballot
from tests.conftest import ON_POSTGRES
from tests.postgres import TEMPLATE

EVERY_STAGE = list(StageKind)
STARTS, ENDS = datetime(2026, 12, 1, 10, tzinfo=UTC), datetime(2026, 12, 1, 13, tzinfo=UTC)
# The tables the rich cycle below fills: the comparison is known to reach every one of them.
FILLED = {
    "cycles", "stages", "mandates", "signatures", "mandate_comments", "role_grants", "themes", "needs",
    "need_supports", "proposals", "proposal_revisions", "proposal_images", "proposal_drafts", "comments", "supports",
    "merge_requests", "events", "event_facilitators", "workshop_ideas", "attendees", "event_code_batches", "kiosks",
    "code_batches", "voting_codes", "code_links", "ballots", "ballot_choices", "participations", "paper_batches",
    "paper_ballots", "paper_entries", "paper_counts", "tally_runs", "project_decisions", "project_updates",
    "pledges", "assessments", "lessons", "carry_over_consents", "demographic_counts", "population_figures",
}


def _set(stage: Stage, commissioner: User, **boundaries: Any) -> None:
    mandate = stage.mandate
    update_mandate(stage, commissioner, purpose=mandate.purpose, roles=mandate.roles,
                   boundaries={**mandate.boundaries_data, **boundaries})


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def rich_cycle(make_cycle, walk_to, commissioner, representative, resident, make_user) -> Cycle:  # type: ignore[no-untyped-def]
    """A cycle through every stage, with at least one row in each table of FILLED."""
    neighbour, linked = make_user(name="Nia Neighbour"), make_user(name="Lowri Linked")
    cycle = make_cycle(title="Parks 2026", kinds=EVERY_STAGE, areas=["North", "South"])
    ffion = make_user(Role.FACILITATOR, cycle=cycle, name="Ffion Facilitator")
    gareth = make_user(Role.FACILITATOR, cycle=cycle, name="Gareth Facilitator")
    stages = {stage.kind: stage for stage in cycle.stages}
    sign_mandate(stages[StageKind.PRIORITIES], commissioner, Side.COMMISSIONERS, 1)
    _set(stages[StageKind.PRIORITIES], commissioner)  # a second version, after a signature of the first
    discuss_mandate(stages[StageKind.PRIORITIES], representative, "Residents are happy with this.")
    _set(stages[StageKind.DELIBERATION], commissioner, moderation_grounds=["Personal attack"])
    _set(stages[StageKind.REVIEW], commissioner, rule_out_grounds=["Unlawful"], may_revise_costs=True,
         proposers_may_respond=True)
    _set(stages[StageKind.VOTE], commissioner, binding=False, budget=cycle.budget, eligibility="both", max_choices=3,
         demographics=["age", "welsh"])

    walk_to(cycle, StageKind.PRIORITIES)
    theme = agree_theme(cycle, commissioner, name="Green spaces", description="Parks and verges")
    need = record_need(cycle, resident, kind=NeedKind.NEED, title="Bins", area="North", theme_id=theme.id)
    record_need(cycle, neighbour, kind=NeedKind.ASSET, asset_type=AssetType.PLACE, title="The hall", area="South")
    support_need(need, neighbour)

    walk_to(cycle, StageKind.PROPOSALS)

    def propose(author: User, title: str, cost: int) -> Any:
        return submit_proposal(cycle, author, ProposalFields(title=title, summary=f"{title} for the park", cost=cost,
                                                             area="North", theme_id=theme.id))

    benches = submit_proposal(
        cycle, resident,
        ProposalFields(title="Benches", summary="Six benches", cost=300_000, area="North", theme_id=theme.id,
                       title_translated="Meinciau", summary_translated="Chwe mainc", volunteer_hours=10),
        image=Upload(_jpeg(), "A bench by the path"),
    )
    bulbs, mural = propose(neighbour, "Bulbs", 100_000), propose(resident, "Mural", 200_000)
    pond, swings, casino = propose(neighbour, "Pond", 250_000), propose(neighbour, "Swings", 150_000), propose(
        resident, "Casino", 50_000)
    edit_proposal(benches, resident, ProposalFields(**{**_fields(benches), "description": "Oak, with backs."}))
    save_draft(cycle, resident, ProposalFields(title="Half an idea", theme_id=theme.id))

    walk_to(cycle, StageKind.DELIBERATION)
    comment = add_comment(benches, neighbour, "Lovely idea")
    add_comment(benches, resident, "Thank you", parent=comment)
    question = add_comment(bulbs, resident, "Which bulbs?", kind=CommentKind.QUESTION)
    add_comment(bulbs, commissioner, "Daffodils", parent=question)
    hide_comment(add_comment(pond, neighbour, "Rubbish, like you"), commissioner, ground="Personal attack",
                 note="Hidden")
    set_support(benches, neighbour, supported=True)
    merge = request_merge(swings, benches, neighbour, "Both are about seats")
    answer_merge(merge, neighbour, agree=True)
    answer_merge(merge, resident, agree=True)
    workshop = create_event(stages[StageKind.DELIBERATION], commissioner, title="Workshop", venue="Hall",
                            starts_at=STARTS, ends_at=ENDS, facilitator_ids=[ffion.id])
    record_workshop(workshop, ffion, notes="We talked about seats.", attendance=12)
    add_idea(workshop, ffion, "More bins", Link(need_id=need.id))
    add_idea(workshop, ffion, "Benches by the pond", Link(proposal_id=benches.id))

    walk_to(cycle, StageKind.REVIEW)
    for proposal in (benches, bulbs, mural, pond):
        review_proposal(proposal, commissioner, eligible=True)
    review_proposal(casino, commissioner, eligible=False, ground="Unlawful", reason="Gambling is not for this fund.")
    revise_cost(pond, commissioner, new_cost=260_000, reason="The liner costs more.")
    respond_to_review(pond, neighbour, response="Fair enough.")

    vote = walk_to(cycle, StageKind.VOTE)
    _batch, codes = issue_codes(vote, commissioner, 3, "Letters")
    evening = create_event(vote, commissioner, title="Voting day", venue="Hub", starts_at=STARTS, ends_at=ENDS,
                           facilitator_ids=[ffion.id, gareth.id])
    desk = register_attendee(evening, ffion, name="Ann Attendee", postcode="CF10 5AB")
    kiosk, _token = start_kiosk(evening, ffion, "By the door", "2468")
    cast_ballot(vote, redeem_at_kiosk(kiosk, desk.code or ""), [bulbs.id])
    stop_kiosk(kiosk, ffion)
    paper = print_paper_ballots(evening, ffion, 5)
    for keyer in (ffion, gareth):
        key_paper_ballot(evening, keyer, paper.first_serial, {benches.id: 1})
        key_paper_ballot(evening, keyer, paper.first_serial + 1, spoilt=True, spoilt_reason="Torn")
    record_paper_count(evening, ffion, issued=3, returned=2)
    cast_ballot(vote, resident, [benches.id, mural.id])
    receipt = cast_ballot(vote, resident, [benches.id])  # a revision: the first is kept, replaced
    answerer = respondent_for(vote, receipt, resident)
    assert answerer is not None
    assert record_answers(vote, answerer, {"age": "25_34", "welsh": "yes"}) == "counted"
    enter_population(vote, commissioner, {"welsh": {"yes": 11_00, "no": 89_00}}, "Census 2021")
    cast_ballot(vote, neighbour, [pond.id, bulbs.id], submission="a" * 32)
    cast_ballot(vote, redeem_code(vote, codes[0]), [pond.id])
    cast_ballot(vote, redeem_code(vote, codes[1], user=linked), [benches.id])

    walk_to(cycle, StageKind.DECISION)  # closing the vote counts it
    on_ballot = (benches, bulbs, mural, pond)
    record_decision(cycle, commissioner, {
        p.id: Choice(funded=p in (benches, bulbs), reason="As residents advised") for p in on_ballot
    })
    consent_to_carry_over(mural, resident)

    walk_to(cycle, StageKind.DELIVERY)
    post_update(benches, commissioner, status=DeliveryStatus.IN_PROGRESS, body="Ordered", milestone="Installed",
                milestone_due=date(2027, 3, 1), spend_to_date=120_000)
    post_update(bulbs, commissioner, status=DeliveryStatus.DELIVERED, body="Planted")
    pledge(bulbs, resident, hours=4)
    given = pledges.record_pledge(bulbs, commissioner, name="Mrs Jones", hours=2, materials="Spades")
    pledges.mark_given(bulbs, given.id, commissioner)
    record_lesson(cycle, commissioner, "Order bulbs early.")

    walk_to(cycle, StageKind.ASSESSMENT)
    rate_project(bulbs, resident, rating=4, comment="Pretty")
    db.session.commit()
    return cycle


def _fields(proposal: Any) -> dict[str, Any]:
    return fields_of(proposal).to_dict()


# --- comparing two backups, with the ids of each replaced by what the rows hold ---------------


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


def _without_import_entry(normal: dict[str, Any]) -> dict[str, Any]:
    *earlier, imported = normal["audit"]
    assert imported["recorded"]["action"] == "cycle.imported"
    return {**normal, "audit": earlier}


COPY_DRAWS_ANEW = frozenset((table.name, column.name) for table in cycle_tables() for column in globally_unique(table))


@pytest.fixture
def other_app(request: pytest.FixtureRequest, template_db: Path, tmp_path: Path) -> Iterator[Flask]:
    """A second installation, on a freshly migrated database of its own, with the same BALLOT_KEY_SECRET."""
    if ON_POSTGRES:
        cluster = request.getfixturevalue("postgres")
        name = cluster.create(template=TEMPLATE)
        url = cluster.url(name)
    else:
        path = tmp_path / "other.sqlite3"
        shutil.copyfile(template_db, path)
        url = f"sqlite:///{path}"
    other = create_app("test", SQLALCHEMY_ENGINES={"default": url})
    yield other
    with other.app_context():
        db.engine.dispose()
    if ON_POSTGRES:
        cluster.drop(name)


def _row_counts() -> dict[str, int]:
    import_all_models()
    return {name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()}


# --- the schema: every table and JSON column decided on ---------------------------------------


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


# --- round trips ------------------------------------------------------------------------------


def test_a_round_trip_into_an_empty_database_loses_nothing(rich_cycle, other_app) -> None:  # type: ignore[no-untyped-def]
    original = export_cycle(rich_cycle)
    filled = {name for name, rows in original["content"]["tables"].items() if rows}
    assert filled >= FILLED

    with other_app.app_context():
        restored = import_cycle(json.loads(json.dumps(original)))
        db.session.commit()
        again = export_cycle(restored.cycle)
        assert verify().ok

    assert _without_import_entry(normalised(again)) == normalised(original)
    assert restored.accounts_created == len(original["content"]["users"]) and restored.accounts_matched == 0
    assert restored.rows == {name: len(rows) for name, rows in original["content"]["tables"].items()}
    assert restored.same_ballot_key


def test_a_copy_beside_the_original_loses_nothing_but_its_credentials(rich_cycle) -> None:  # type: ignore[no-untyped-def]
    original = export_cycle(rich_cycle)
    copy = import_cycle(original, as_copy=True)
    db.session.commit()
    again = export_cycle(copy.cycle)

    assert copy.cycle.id != rich_cycle.id and copy.accounts_created == 0
    assert _without_import_entry(normalised(again, COPY_DRAWS_ANEW)) == normalised(original, COPY_DRAWS_ANEW)
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
    before = _row_counts()
    with pytest.raises(BackupError, match=r"seems to be here already.*--copy"):
        import_cycle(document)
    assert _row_counts() == before


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


# --- the audit log ----------------------------------------------------------------------------


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


# --- accounts ---------------------------------------------------------------------------------


def test_accounts_are_matched_by_email_or_created_without_a_password(rich_cycle, other_app) -> None:  # type: ignore[no-untyped-def]
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


# --- damaged files ----------------------------------------------------------------------------


def _damaged(document: dict[str, Any], damage: Callable[[dict[str, Any]], None], *, reseal: bool) -> dict[str, Any]:
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


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_file_is_refused_with_a_reason_and_changes_nothing(rich_cycle, damage) -> None:  # type: ignore[no-untyped-def]
    change, reseal, reason = DAMAGE[damage]
    document = _damaged(export_cycle(rich_cycle), change, reseal=reseal)
    before = _row_counts()
    with pytest.raises(BackupError, match=reason):
        import_cycle(document, as_copy=True)
    assert _row_counts() == before
    db.session.commit()
    assert _row_counts() == before and verify().ok


# --- the commands -----------------------------------------------------------------------------


def test_the_commands_export_and_import_a_cycle(app, rich_cycle, tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    target = tmp_path / "backup.json"
    cycle_id = rich_cycle.id
    with app.app_context():  # a session of its own, as the command has in production: it reads one snapshot
        exported = runner.invoke(args=["pb", "export-cycle", str(cycle_id), "--output", str(target)])
    assert exported.exit_code == 0, exported.output
    assert f"Wrote cycle {rich_cycle.id} to {target}" in exported.output and "ballot_choices" in exported.output
    assert target.stat().st_mode & 0o077 == 0  # personal data: only its owner may read it
    refused = runner.invoke(args=["pb", "import-cycle", str(target)])
    assert refused.exit_code == 1 and "--copy" in refused.output and "Traceback" not in refused.output
    imported = runner.invoke(args=["pb", "import-cycle", "--copy", str(target)])
    assert imported.exit_code == 0, imported.output
    assert f"Imported cycle {rich_cycle.id} of the backup as cycle" in imported.output
    assert "created without a password" in imported.output
    assert runner.invoke(args=["pb", "verify-audit"]).exit_code == 0


def test_the_commands_read_and_write_standard_streams(app, rich_cycle) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["pb", "export-cycle", str(rich_cycle.id), "--output", "-"])
    assert exported.exit_code == 0
    document = json.loads(exported.stdout)
    assert document["content"]["cycle_id"] == rich_cycle.id and "Wrote cycle" in exported.stderr
    imported = runner.invoke(args=["pb", "import-cycle", "--copy", "-"], input=exported.stdout)
    assert imported.exit_code == 0, imported.output


@pytest.mark.parametrize("cut", [0.5, 0.999])
def test_a_file_cut_short_is_refused_by_the_command_and_changes_nothing(app, rich_cycle, tmp_path, cut) -> None:  # type: ignore[no-untyped-def]
    text = json.dumps(export_cycle(rich_cycle))
    target = tmp_path / "short.json"
    target.write_text(text[: int(len(text) * cut)])
    before = _row_counts()
    result = app.test_cli_runner().invoke(args=["pb", "import-cycle", "--copy", str(target)])
    assert result.exit_code == 1 and "cut short" in result.output and "Traceback" not in result.output
    assert _row_counts() == before


def test_the_command_refuses_a_damaged_file_with_exit_code_1(app, rich_cycle, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "damaged.json"
    target.write_text(json.dumps(_damaged(export_cycle(rich_cycle), DAMAGE["missing parent"][0], reseal=True)))
    before = _row_counts()
    result = app.test_cli_runner().invoke(args=["pb", "import-cycle", "--copy", str(target)])
    assert result.exit_code == 1 and "refers to themes" in result.output and "Traceback" not in result.output
    assert _row_counts() == before


def test_exporting_a_cycle_that_does_not_exist_says_so(app) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["pb", "export-cycle", "999"])
    assert result.exit_code == 1 and "Traceback" not in result.output
