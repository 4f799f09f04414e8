from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from pb.accounts.models import Role
from pb.db import db
from pb.errors import InvalidInput, NotAuthorised, OutsideMandate
from pb.voting.codes import issue_codes, redeem_code, void_batch
from pb.voting.counts import active_ballots, turnout
from pb.voting.models import CodeStatus, VotingCode
from pb.voting.services import RECEIPT_ALPHABET, cast_ballot, check_receipt, current_choices
from tests.voting.conftest import vote_stage


def test_codes_are_long_unambiguous_and_stored_only_as_hashes(ballot, commissioner) -> None:
    cycle, _ = ballot(eligibility="codes")
    batch, codes = issue_codes(vote_stage(cycle), commissioner, 50, "Community centre")
    db.session.commit()
    assert len(set(codes)) == 50 and batch.size == 50
    for code in codes:
        plain = code.replace("-", "")
        assert len(plain) >= 8 and set(plain) <= set(RECEIPT_ALPHABET)
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    dump = "\n".join(str(row) for row in db.session.execute(text("SELECT * FROM voting_codes")))
    dump += "\n".join(str(row) for row in db.session.execute(text("SELECT * FROM code_batches")))
    assert not any(code.replace("-", "") in dump or code in dump for code in codes)


def test_a_code_votes_once_and_again_only_to_change_the_same_ballot(ballot, commissioner) -> None:
    cycle, (a, b, _c) = ballot(eligibility="codes")
    stage = vote_stage(cycle)
    _batch, (code, *_rest) = issue_codes(stage, commissioner, 3, "")
    voter = redeem_code(stage, code.lower().replace("-", " "))
    first = cast_ballot(stage, voter, [a.id])
    again = redeem_code(stage, code)
    assert again.key == voter.key
    cast_ballot(stage, again, [b.id])
    assert active_ballots(stage) == [[b.id]]
    assert not check_receipt(stage, first).counted
    assert turnout(stage) == 1
    assert db.session.scalars(select(VotingCode.status)).all().count(CodeStatus.USED) == 1


@pytest.mark.parametrize("typed", ["AAAA-BBBB-CCCC", "", "ABCD"])
def test_a_wrong_code_is_refused_beside_the_field(ballot, commissioner, typed) -> None:
    cycle, _ = ballot(eligibility="codes")
    issue_codes(vote_stage(cycle), commissioner, 2, "")
    with pytest.raises(InvalidInput) as refused:
        redeem_code(vote_stage(cycle), typed)
    assert refused.value.field == "code"


def test_a_withdrawn_batch_no_longer_votes(ballot, commissioner) -> None:
    cycle, (a, *_rest) = ballot(eligibility="codes")
    stage = vote_stage(cycle)
    batch, (used, unused) = issue_codes(stage, commissioner, 2, "Lost in the post")
    voter = redeem_code(stage, used)
    cast_ballot(stage, voter, [a.id])
    assert void_batch(batch, commissioner) == 1
    with pytest.raises(InvalidInput):
        redeem_code(stage, unused)
    assert active_ballots(stage) == [[a.id]]  # a code already used keeps its ballot


def test_only_commissioners_and_facilitators_issue_codes_and_only_where_the_mandate_uses_them(
    ballot, commissioner, resident, make_user
) -> None:
    cycle, _ = ballot(eligibility="both")
    facilitator = make_user(Role.FACILITATOR, cycle=cycle)
    assert issue_codes(vote_stage(cycle), facilitator, 1, "")
    with pytest.raises(NotAuthorised):
        issue_codes(vote_stage(cycle), resident, 1, "")
    accounts_only, _ = ballot(title="Accounts only")
    with pytest.raises(OutsideMandate) as refused:
        issue_codes(vote_stage(accounts_only), commissioner, 1, "")
    assert refused.value.clause == "vote.eligibility"


def test_a_code_linked_to_an_account_brings_its_ballot_and_cannot_vote_twice(ballot, commissioner, resident) -> None:
    cycle, (a, b, _c) = ballot(eligibility="both")
    stage = vote_stage(cycle)
    _batch, (code, other) = issue_codes(stage, commissioner, 2, "")
    anonymous = redeem_code(stage, code)
    receipt = cast_ballot(stage, anonymous, [a.id])
    linked = redeem_code(stage, code, resident)  # the same person signs in and enters the code
    assert linked.channel == "online" and linked.verified_by_code
    assert current_choices(stage, resident) == {a.id: 1}  # the code's ballot is now the account's
    assert check_receipt(stage, receipt).counted
    cast_ballot(stage, resident, [b.id])
    assert active_ballots(stage) == [[b.id]] and turnout(stage) == 1
    with pytest.raises(InvalidInput):
        redeem_code(stage, code)  # the code cannot vote on its own any more
    with pytest.raises(InvalidInput):
        redeem_code(stage, other, resident)  # nor can an account link a second code


def test_linking_a_code_to_an_account_that_has_voted_keeps_one_ballot(ballot, commissioner, resident) -> None:
    cycle, (a, b, _c) = ballot(eligibility="both")
    stage = vote_stage(cycle)
    _batch, (code,) = issue_codes(stage, commissioner, 1, "")
    cast_ballot(stage, resident, [a.id])
    cast_ballot(stage, redeem_code(stage, code), [b.id])
    assert len(active_ballots(stage)) == 2  # two channels, not yet known to be one person
    redeem_code(stage, code, resident)
    assert active_ballots(stage) == [[a.id]]
    assert turnout(stage) == 1


def test_a_code_makes_an_account_eligible_where_its_details_do_not(ballot, commissioner, resident) -> None:
    cycle, (a, *_rest) = ballot(eligibility="both", postcodes=["CF11"])
    stage = vote_stage(cycle)
    with pytest.raises(OutsideMandate):
        cast_ballot(stage, resident, [a.id])
    _batch, (code,) = issue_codes(stage, commissioner, 1, "")
    redeem_code(stage, code, resident)
    assert cast_ballot(stage, resident, [a.id])


def test_codes_do_not_work_where_the_mandate_takes_accounts_only(ballot, commissioner) -> None:
    cycle, _ = ballot()
    with pytest.raises(OutsideMandate):
        redeem_code(vote_stage(cycle), "ABCD-EFGH-JKMN")
