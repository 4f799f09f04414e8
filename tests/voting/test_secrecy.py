"""Nobody reading the database can tell what a voter chose: read it raw after votes in both channels."""

from __future__ import annotations

from sqlalchemy import inspect, text

from pb.cycles.services import close_stage
from pb.db import db
from pb.results.exports import render_export
from pb.voting.codes import issue_codes, redeem_code
from pb.voting.services import cast_ballot
from tests.voting.conftest import vote_stage


def _rows(table: str) -> list[dict[str, object]]:
    return [dict(row) for row in db.session.execute(text(f"SELECT * FROM {table}")).mappings()]


def test_the_database_never_holds_a_ballot_beside_a_voters_identity_or_code(ballot, resident, commissioner) -> None:
    cycle, (a, b, _c) = ballot(eligibility="both", ballot_format="ranked", max_choices=2)
    stage = vote_stage(cycle)
    _batch, (code,) = issue_codes(stage, commissioner, 1, "Library")
    cast_ballot(stage, resident, {a.id: 1, b.id: 2})
    cast_ballot(stage, redeem_code(stage, code), {b.id: 1})
    db.session.commit()

    columns = {t: {c["name"] for c in inspect(db.engine).get_columns(t)} for t in ("ballots", "ballot_choices")}
    # `event_id` names the in-person event of a kiosk or paper ballot: a place, never a person.
    assert columns["ballots"] == {"id", "stage_id", "voter_key", "receipt", "channel", "event_id", "replaced",
                                  "submission"}
    assert columns["ballot_choices"] == {"ballot_id", "proposal_id", "points", "rank"}
    identity = {resident.email, resident.name, code, code.replace("-", "")}  # (no column could hold an id)
    for table in ("ballots", "ballot_choices"):
        for row in _rows(table):
            values = set(row.values())
            assert not identity & values, (table, row)
            assert not any(isinstance(v, str) and any(str(i) in v for i in identity if len(str(i)) > 3) for v in values)
    # Who voted is kept apart from what was chosen: no table links a person, or a code, to a ballot.
    (participation,) = _rows("participations")
    assert participation["user_id"] == resident.id and set(participation) == {
        "id",
        "stage_id",
        "user_id",
        "channel",
        "first_voted_at",
        "answered_questions",  # that they answered the optional questions about themselves, never what
    }
    assert {row["status"] for row in _rows("voting_codes")} == {"used"}
    assert set(_rows("voting_codes")[0]) == {"id", "stage_id", "batch_id", "code_hash", "status"}
    assert all(row["code_hash"] not in {b["voter_key"] for b in _rows("ballots")} for row in _rows("voting_codes"))
    # The audit log says that ballots were cast, never by whom or what.
    for entry in db.session.execute(text("SELECT * FROM audit_entries WHERE action LIKE 'ballot.%'")).mappings():
        assert entry["actor_id"] is None and entry["actor_name"] is None
        assert str(a.id) not in str(entry["detail"]) and "rank" not in str(entry["detail"])
    # No export identifies a voter.
    close_stage(stage, commissioner)
    keys = {row["voter_key"] for row in _rows("ballots")} | {row["receipt"] for row in _rows("ballots")}
    for fmt in ("csv", "json", "pb"):
        exported = render_export(cycle, fmt).decode()
        for secret in (resident.email, resident.name, code, code.replace("-", ""), *keys):
            assert secret not in exported, (fmt, secret)
