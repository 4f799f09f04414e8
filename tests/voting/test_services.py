from __future__ import annotations

import pytest
from sqlalchemy import text

from pb.cycles.models import StageKind
from pb.cycles.services import close_stage
from pb.db import db
from pb.errors import InvalidBallot, StageNotOpen
from pb.proposals.models import ProposalStatus
from pb.voting.services import active_ballots, cast_ballot, check_receipt, current_choices, turnout


def _vote(cycle):  # type: ignore[no-untyped-def]
    return cycle.stage_of_kind(StageKind.VOTE)


def test_a_resident_casts_an_approval_ballot_and_gets_a_receipt(open_vote, resident) -> None:
    cycle, (a, _b, c) = open_vote()
    receipt = cast_ballot(_vote(cycle), resident, [a.id, c.id])
    assert len(receipt) == 11 and receipt[5] == "-"
    assert current_choices(_vote(cycle), resident) == {a.id, c.id}
    assert check_receipt(_vote(cycle), receipt.lower().replace("-", "")).counted


def test_a_new_ballot_replaces_the_old_one_and_the_old_receipt_says_so(open_vote, resident) -> None:
    cycle, (a, b, _c) = open_vote()
    first = cast_ballot(_vote(cycle), resident, [a.id])
    second = cast_ballot(_vote(cycle), resident, [b.id])
    assert active_ballots(_vote(cycle)) == [[b.id]]
    assert turnout(_vote(cycle)) == 1
    old, new = check_receipt(_vote(cycle), first), check_receipt(_vote(cycle), second)
    assert (old.found, old.counted, new.counted) == (True, False, True)


@pytest.mark.parametrize("case", ["over_limit", "unknown", "ruled_out", "twice"])
def test_bad_ballots_are_refused_and_nothing_is_written(open_vote, resident, commissioner, case) -> None:
    cycle, (a, b, c) = open_vote(max_choices=2)
    choices = {"over_limit": [a.id, b.id, c.id], "unknown": [a.id, 99_999], "ruled_out": [c.id], "twice": [a.id, a.id]}[
        case
    ]
    if case == "ruled_out":
        c.status, c.ruling_ground, c.ruling_reason = ProposalStatus.RULED_OUT, "Unlawful", "Not council land"
    with pytest.raises(InvalidBallot):
        cast_ballot(_vote(cycle), resident, choices)
    assert active_ballots(_vote(cycle)) == []
    assert turnout(_vote(cycle)) == 0


def test_nobody_votes_outside_the_vote_stage(open_vote, resident, commissioner) -> None:
    cycle, (a, *_rest) = open_vote()
    close_stage(_vote(cycle), commissioner)
    with pytest.raises(StageNotOpen):
        cast_ballot(_vote(cycle), resident, [a.id])


def test_the_database_never_holds_a_ballot_beside_the_voters_identity(open_vote, resident) -> None:
    cycle, (a, b, _c) = open_vote()
    cast_ballot(_vote(cycle), resident, [a.id, b.id])
    db.session.commit()
    ballot_columns = {row[1] for row in db.session.execute(text("PRAGMA table_info(ballots)"))}
    assert ballot_columns == {"id", "stage_id", "voter_key", "receipt", "channel", "replaced"}
    (row,) = db.session.execute(text("SELECT id, voter_key, receipt FROM ballots")).mappings()
    identity = {str(resident.id), resident.email, resident.name}
    assert not identity & set(row.values())
    assert not any(part in row["voter_key"] for part in (resident.email, resident.name))
    # The audit log records that a ballot was cast, never by whom or what.
    (audit,) = db.session.execute(text("SELECT * FROM audit_entries WHERE action = 'ballot.cast'")).mappings()
    assert audit["actor_id"] is None and audit["actor_name"] is None
    assert str(a.id) not in audit["detail"]
