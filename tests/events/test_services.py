from __future__ import annotations

import pytest
from sqlalchemy import select

from pb.accounts.models import Role
from pb.cycles.models import StageKind
from pb.db import db
from pb.errors import Conflict, InvalidInput, NotAuthorised, StageNotOpen
from pb.events import live as live_counts
from pb.events import services
from pb.events.models import Attendee
from pb.voting.codes import code_hash, normalise_code, redeem_code
from pb.voting.models import CodeBatch, VotingCode
from pb.voting.services import cast_ballot
from tests.events.conftest import ENDS, STARTS


def test_commissioners_plan_events_run_by_facilitators_of_the_cycle(event_at_vote, commissioner, make_user) -> None:
    cycle, _proposals, event, facilitator = event_at_vote()
    assert [p.name for p in event.facilitators] == ["Ffion Facilitator"]
    assert facilitator in services.facilitator_choices(cycle) and commissioner in services.facilitator_choices(cycle)
    vote = cycle.stage_of_kind(StageKind.VOTE)
    with pytest.raises(NotAuthorised):
        services.create_event(
            vote, facilitator, title="T", venue="V", starts_at=STARTS, ends_at=ENDS, facilitator_ids=[facilitator.id]
        )
    stranger = make_user(Role.FACILITATOR, cycle=None, name="Global helper")
    with pytest.raises(InvalidInput) as refused:
        services.create_event(
            vote, commissioner, title="T", venue="V", starts_at=STARTS, ends_at=ENDS, facilitator_ids=[make_user().id]
        )
    assert refused.value.field == "facilitators"
    assert stranger in services.facilitator_choices(cycle)  # a facilitator everywhere is one here too
    with pytest.raises(InvalidInput) as refused:
        services.create_event(
            vote, commissioner, title="T", venue="V", starts_at=ENDS, ends_at=STARTS, facilitator_ids=[facilitator.id]
        )
    assert refused.value.field == "ends_at"


def test_only_the_events_own_facilitators_and_commissioners_run_it(event_at_vote, make_user) -> None:
    cycle, _proposals, event, facilitator = event_at_vote()
    other = make_user(Role.FACILITATOR, cycle=cycle)
    services.require_running(event, facilitator)
    with pytest.raises(NotAuthorised) as refused:
        services.require_running(event, other)
    assert refused.value.clause == "events.facilitators"
    with pytest.raises(NotAuthorised):
        services.register_attendee(event, make_user(), name="Someone")


def test_check_in_issues_one_code_kept_only_as_a_hash(event_at_vote) -> None:
    cycle, proposals, event, facilitator = event_at_vote()
    result = services.register_attendee(event, facilitator, name="  Ann   Jones ", postcode="cf105ab")
    db.session.commit()
    assert result.code and result.attendee.code_issued and result.attendee.checked_in_at is not None
    assert (result.attendee.name, result.attendee.postcode) == ("Ann Jones", "CF10 5AB")
    stored = db.session.scalars(select(VotingCode.code_hash)).all()
    assert code_hash(result.code) in stored and normalise_code(result.code) not in stored
    batch = db.session.scalar(select(CodeBatch))
    assert batch.size == 1 and "Voting day at the Hub" in batch.label
    counts = live_counts.event_counts(event)
    assert (counts.checked_in, counts.codes_issued, counts.codes_used, counts.expected) == (1, 1, 0, 80)

    vote = cycle.stage_of_kind(StageKind.VOTE)
    cast_ballot(vote, redeem_code(vote, result.code), [proposals[0].id])
    assert live_counts.event_counts(event).codes_used == 1
    with pytest.raises(Conflict):
        services.check_in_attendee(event, result.attendee, facilitator)


def test_a_form_sent_twice_checks_in_once(event_at_vote) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote()
    services.register_attendee(event, facilitator, name="Bob", submission="a" * 32)
    with pytest.raises(Conflict):
        services.register_attendee(event, facilitator, name="Bob", submission="a" * 32)
    assert live_counts.event_counts(event).codes_issued == 1
    assert len(db.session.scalars(select(Attendee)).all()) == 1


def test_registering_first_then_finding_and_checking_in(event_at_vote) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote()
    listed = services.register_attendee(event, facilitator, name="Carys Evans", check_in=False)
    services.register_attendee(event, facilitator, name="Dai Morgan", check_in=False)
    assert listed.code is None and listed.attendee.checked_in_at is None
    assert [a.name for a in services.find_attendees(event, facilitator, "carys")] == ["Carys Evans"]
    assert [a.name for a in services.find_attendees(event, facilitator, " carys  evans ")] == ["Carys Evans"]
    assert services.find_attendees(event, facilitator, "_") == []  # a wildcard is a character
    result = services.check_in_attendee(event, listed.attendee, facilitator)
    assert result.code and live_counts.event_counts(event).checked_in == 1


def test_no_code_where_the_vote_takes_only_accounts(event_at_vote) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote(eligibility="accounts")
    result = services.register_attendee(event, facilitator, name="Eve")
    assert result.code is None and "does not use voting codes" in result.no_code_reason
    assert not result.attendee.code_issued and live_counts.event_counts(event).codes_issued == 0


def test_check_in_only_while_the_stage_is_open(event_at_vote, commissioner) -> None:
    from pb.cycles.services import close_stage

    cycle, _proposals, event, facilitator = event_at_vote()
    close_stage(cycle.stage_of_kind(StageKind.VOTE), commissioner)
    with pytest.raises(StageNotOpen):
        services.register_attendee(event, facilitator, name="Late")
    services.require_running(event, facilitator)  # the dashboard still opens


def test_running_counts_only_where_the_mandate_allows_them(event_at_vote, resident) -> None:
    cycle, proposals, event, _facilitator = event_at_vote()
    vote = cycle.stage_of_kind(StageKind.VOTE)
    cast_ballot(vote, resident, [proposals[1].id])
    live = live_counts.live_view(event)
    assert live.running is None and live.by_channel == {"online": 1}


def test_running_counts_shown_when_allowed(commissioner, representative, make_user, resident) -> None:
    from tests.events.conftest import STARTS as starts
    from tests.voting.helpers import open_ballot

    cycle, proposals = open_ballot(commissioner, representative, eligibility="both", show_running_counts=True)
    vote = cycle.stage_of_kind(StageKind.VOTE)
    event = services.create_event(
        vote,
        commissioner,
        title="Count",
        venue="Hall",
        starts_at=starts,
        ends_at=ENDS,
        facilitator_ids=[commissioner.id],
    )
    cast_ballot(vote, resident, [proposals[1].id])
    running = live_counts.live_view(event).running
    assert running is not None and running[0] == (proposals[1], 1) and {v for _p, v in running[1:]} == {0}


def test_the_vote_mandate_says_whether_running_counts_may_be_shown(app) -> None:
    from dataclasses import fields

    from pb.mandates.boundaries import VoteBoundaries

    spec = next(f for f in fields(VoteBoundaries) if f.name == "show_running_counts")
    assert spec.metadata["input"] == "bool" and spec.metadata["locked_while_open"]
    assert spec.metadata["label"] == "May running counts be shown during voting?"
    with app.test_request_context():
        hidden = dict(VoteBoundaries(budget=100).clauses(str))["vote.show_running_counts"]
        shown = dict(VoteBoundaries(budget=100, show_running_counts=True).clauses(str))["vote.show_running_counts"]
    assert "No count" in hidden and "may be shown" in shown


def test_the_live_view_counts_the_events_own_kiosk_and_paper_ballots_apart(event_at_vote, commissioner,
                                                                           resident) -> None:
    from pb.voting.codes import issue_codes
    from pb.voting.counts import turnout
    from pb.voting.services import Voter, paper_voter_key

    cycle, proposals, event, _facilitator = event_at_vote()
    vote = cycle.stage_of_kind(StageKind.VOTE)
    elsewhere = services.create_event(vote, commissioner, title="Library", venue="Library", starts_at=STARTS,
                                      ends_at=ENDS, facilitator_ids=[commissioner.id])
    _batch, (code,) = issue_codes(vote, commissioner, 1, "Kiosk")
    at_kiosk = redeem_code(vote, code)
    cast_ballot(vote, Voter(at_kiosk.key, "kiosk", code_id=at_kiosk.code_id, event_id=event.id), [proposals[0].id])
    cast_ballot(vote, Voter(paper_voter_key(vote, 7), "paper", event_id=event.id), [proposals[1].id])
    cast_ballot(vote, resident, [proposals[2].id])

    live = live_counts.live_view(event)
    assert live.here == {"kiosk": 1, "paper": 1}
    assert live.by_channel == {"kiosk": 1, "paper": 1, "online": 1}
    assert live_counts.live_view(elsewhere).here == {"kiosk": 0, "paper": 0}
    assert turnout(vote) == 3  # an account, a code (at the kiosk) and a paper ballot


def test_codes_handed_out_at_the_desk_keep_no_order_of_who_got_which(event_at_vote) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote()
    codes = [services.register_attendee(event, facilitator, name=f"Resident {n}").code for n in range(20)]
    (batch,) = db.session.scalars(select(CodeBatch)).all()  # one batch for the event, not one a check-in
    assert batch.size == 20 and live_counts.event_counts(event).codes_issued == 20
    ids = [db.session.scalar(select(VotingCode.id).where(VotingCode.code_hash == code_hash(c))) for c in codes]
    assert len(set(ids)) == 20 and min(ids) >= 2**30  # random ids, above any numbered in order
    assert ids != sorted(ids)  # in the order of check-in they are not in order (the chance they were: 1 in 20!)


@pytest.mark.parametrize(("typed", "kept"), [("cf105ab", "CF10 5AB"), (" cf10 ", "CF10"), ("", None)])
def test_the_desk_takes_a_postcode_or_its_first_half(event_at_vote, typed: str, kept: str | None) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote()
    assert services.register_attendee(event, facilitator, name="Ann", postcode=typed).attendee.postcode == kept


@pytest.mark.parametrize("typed", ["hello", "12345", "CF10 5A", "ZZ"])
def test_the_desk_refuses_what_cannot_be_a_postcode_and_adds_nobody(event_at_vote, typed: str) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote()
    with pytest.raises(InvalidInput, match="Enter a postcode like CF10 5AB, or its first half") as refused:
        services.register_attendee(event, facilitator, name="Ann", postcode=typed)
    assert refused.value.field == "postcode" and db.session.scalars(select(Attendee)).all() == []
