"""Paper ballots: numbered batches, double entry by two people, mismatches, spoilt ballots, the reconciliation."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from pb import create_app
from pb.accounts.models import Role, User
from pb.accounts.services import grant, sign_up
from pb.audit.models import AuditEntry
from pb.cycles.models import StageKind
from pb.cycles.services import close_stage
from pb.db import db
from pb.errors import (
    Conflict,
    InvalidBallot,
    InvalidInput,
    MandateNotAgreed,
    NotAuthorised,
    OutsideMandate,
    PBError,
    StageNotOpen,
)
from pb.events import paper, paper_checks
from pb.events.models import Event, PaperBallot, PaperEntry, PaperStatus
from pb.events.paper import format_serial, key_paper_ballot, parse_serial, print_paper_ballots
from pb.events.paper_checks import reconciliation, record_paper_count, resolve_paper_ballot
from pb.events.services import create_event
from pb.results.exports import turnout_by_channel
from pb.results.models import TallyRun
from pb.voting.counts import active_ballot_choices, turnout
from pb.voting.models import Ballot
from pb.voting.services import cast_ballot
from tests.conftest import PASSWORD
from tests.events.conftest import ENDS, STARTS
from tests.events.paper_helpers import paper_event
from tests.postgres import TEMPLATE
from tests.voting.helpers import open_ballot


@pytest.fixture
def at_event(commissioner, representative, make_user):  # type: ignore[no-untyped-def]
    def make(**boundaries):  # type: ignore[no-untyped-def]
        return paper_event(commissioner, representative, make_user, **boundaries)

    return make


def _vote(cycle):  # type: ignore[no-untyped-def]
    return cycle.stage_of_kind(StageKind.VOTE)


def test_batches_take_the_next_free_serials_of_the_vote(at_event, commissioner) -> None:
    cycle, _proposals, event, (ffion, _gareth) = at_event(printed=0)
    first = print_paper_ballots(event, ffion, 3)
    other = create_event(_vote(cycle), commissioner, title="Library", venue="Library", starts_at=STARTS,
                         ends_at=ENDS, facilitator_ids=[commissioner.id])
    second = print_paper_ballots(other, commissioner, 2000)
    third = print_paper_ballots(event, ffion, 1)
    assert [(b.first_serial, b.last_serial) for b in (first, second, third)] == [(1, 3), (4, 2003), (2004, 2004)]
    assert [b.id for b in paper.paper_batches(event)] == [first.id, third.id]
    for size in (0, 2001):
        with pytest.raises(InvalidInput) as refused:
            print_paper_ballots(event, ffion, size)
        assert refused.value.field == "size"


def test_a_batch_that_collides_with_one_printed_at_the_same_moment_takes_the_next_serials(
    at_event, monkeypatch
) -> None:
    _cycle, _proposals, event, (ffion, _gareth) = at_event(printed=5)
    stale = iter([1])  # as another request that read the serials before the first batch was saved
    real = paper.next_free_serial
    monkeypatch.setattr(paper, "next_free_serial", lambda stage: next(stale, None) or real(stage))
    batch = print_paper_ballots(event, ffion, 4)
    assert (batch.first_serial, batch.last_serial) == (6, 9)


def test_the_check_digit_catches_a_mistyped_or_swapped_digit_and_a_missing_one(app) -> None:
    assert format_serial(42) == f"0042-{paper.check_digit(42)}"
    shown = format_serial(1234)
    assert parse_serial(shown) == parse_serial(shown.replace("-", "")) == parse_serial(f" {shown} ") == 1234
    digits = shown.replace("-", "")
    typos = {digits[:i] + d + digits[i + 1:] for i in range(len(digits)) for d in "0123456789"} - {digits}
    swaps = {digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:] for i in range(len(digits) - 1)} - {digits}
    for typed in [*typos, *swaps, "1234", "12", "", "abcde", "٠٠٠٤٢٧"]:
        with pytest.raises(InvalidInput) as refused:
            parse_serial(typed)
        assert refused.value.field == "serial", typed


def test_two_people_keying_a_ballot_alike_count_it_with_the_online_ballots(at_event, resident) -> None:
    cycle, proposals, event, (ffion, gareth) = at_event()
    vote = _vote(cycle)
    cast_ballot(vote, resident, [proposals[2].id])
    choices = {proposals[0].id: 1, proposals[1].id: 1}
    first = key_paper_ballot(event, ffion, 7, choices)
    assert (first.round, first.outcome, first.paper_ballot.status) == (1, "first", PaperStatus.PENDING)
    assert len(active_ballot_choices(vote)) == 1  # nothing counted on one reading
    second = key_paper_ballot(event, gareth, 7, choices)
    assert (second.round, second.outcome, second.paper_ballot.status) == (2, "counted", PaperStatus.COUNTED)
    assert sorted(active_ballot_choices(vote), key=len) == [{proposals[2].id: 1}, choices]
    ballot = db.session.scalar(select(Ballot).where(Ballot.channel == "paper"))
    assert (ballot.event_id, ballot.replaced) == (event.id, False)
    assert turnout(vote) == 2 and turnout_by_channel(vote) == {"online": 1, "paper": 1}


def test_the_same_person_cannot_make_both_entries(at_event) -> None:
    _cycle, proposals, event, (ffion, _gareth) = at_event()
    key_paper_ballot(event, ffion, 3, {proposals[0].id: 1})
    with pytest.raises(Conflict) as refused:
        key_paper_ballot(event, ffion, 3, {proposals[0].id: 1})
    assert (refused.value.field, refused.value.clause) == ("serial", "paper.double_entry")
    assert "Someone else must key it" in refused.value.message and "0003-" in refused.value.message
    with pytest.raises(Conflict):  # said first, whatever the second reading holds
        key_paper_ballot(event, ffion, 3, {})
    assert paper_checks.get_paper_ballot(event, 3).status == PaperStatus.PENDING


def test_a_third_entry_is_refused(at_event, commissioner) -> None:
    _cycle, proposals, event, (ffion, gareth) = at_event()
    key_paper_ballot(event, ffion, 1, {proposals[0].id: 1})
    key_paper_ballot(event, gareth, 1, {proposals[0].id: 1})
    with pytest.raises(Conflict) as refused:
        key_paper_ballot(event, commissioner, 1, {proposals[0].id: 1})
    assert "keyed twice and is counted" in refused.value.message
    key_paper_ballot(event, ffion, 2, {proposals[0].id: 1})
    key_paper_ballot(event, gareth, 2, {proposals[1].id: 1})
    with pytest.raises(Conflict) as refused:
        key_paper_ballot(event, commissioner, 2, {proposals[0].id: 1})
    assert "resolves it" in refused.value.message


@pytest.mark.parametrize(
    ("choose", "status", "counted"),
    [("first", PaperStatus.COUNTED, {0}), ("second", PaperStatus.COUNTED, {1}),
     ("corrected", PaperStatus.COUNTED, {0, 1}), ("spoilt", PaperStatus.SPOILT, None)],
)
def test_a_mismatch_waits_until_a_facilitator_resolves_it(at_event, commissioner, choose, status, counted) -> None:
    cycle, proposals, event, (ffion, gareth) = at_event()
    key_paper_ballot(event, ffion, 5, {proposals[0].id: 1})
    keyed = key_paper_ballot(event, gareth, 5, {proposals[1].id: 1})
    assert (keyed.outcome, keyed.paper_ballot.status) == ("mismatch", PaperStatus.MISMATCH)
    assert active_ballot_choices(_vote(cycle)) == []
    compared = paper_checks.comparison(event, keyed.paper_ballot)
    assert compared.keyers == ["Ffion Facilitator", "Gareth Facilitator"]
    assert [(row.first, row.second, row.differs) for row in compared.rows] == [
        (1, None, True), (None, 1, True), (None, None, False)]
    how = {proposals[0].id: 1, proposals[1].id: 1} if choose == "corrected" else choose
    resolved = resolve_paper_ballot(event, commissioner, 5, how, spoilt_reason="Torn in half")
    assert resolved.status == status and resolved.resolved_by_id == commissioner.id and resolved.resolved_at
    ballots = active_ballot_choices(_vote(cycle))
    if counted is None:
        assert ballots == [] and resolved.spoilt_reason == "Torn in half"
    else:
        assert ballots == [{proposals[i].id: 1 for i in counted}]
    with pytest.raises(Conflict):
        resolve_paper_ballot(event, commissioner, 5, "first")


def test_resolving_as_spoilt_needs_a_reason_and_a_correction_must_be_within_the_limits(at_event,
                                                                                       commissioner) -> None:
    _cycle, proposals, event, (ffion, gareth) = at_event(max_choices=1)
    key_paper_ballot(event, ffion, 2, {proposals[0].id: 1})
    key_paper_ballot(event, gareth, 2, {proposals[1].id: 1})
    with pytest.raises(InvalidInput) as refused:
        resolve_paper_ballot(event, commissioner, 2, "spoilt", spoilt_reason="  ")
    assert refused.value.field == "spoilt_reason"
    with pytest.raises(InvalidBallot) as refused:
        resolve_paper_ballot(event, commissioner, 2, {proposals[0].id: 1, proposals[1].id: 1})
    assert refused.value.clause == "vote.max_choices"
    assert paper_checks.get_paper_ballot(event, 2).status == PaperStatus.MISMATCH


def test_spoilt_by_both_is_recorded_as_spoilt_and_by_one_is_a_mismatch(at_event) -> None:
    cycle, proposals, event, (ffion, gareth) = at_event()
    key_paper_ballot(event, ffion, 1, spoilt=True, spoilt_reason="No marks")
    both = key_paper_ballot(event, gareth, 1, spoilt=True, spoilt_reason="No marks")
    assert (both.outcome, both.paper_ballot.spoilt_reason) == ("spoilt", "No marks")
    key_paper_ballot(event, ffion, 2, spoilt=True, spoilt_reason="Name written on it")
    one = key_paper_ballot(event, gareth, 2, {proposals[0].id: 1})
    assert one.outcome == "mismatch" and paper_checks.comparison(event, one.paper_ballot).spoilt_differs
    resolved = resolve_paper_ballot(event, gareth, 2, "first")  # Gareth accepts Ffion's reading: spoilt
    assert (resolved.status, resolved.spoilt_reason) == (PaperStatus.SPOILT, "Name written on it")
    assert active_ballot_choices(_vote(cycle)) == []
    with pytest.raises(InvalidInput) as refused:
        key_paper_ballot(event, ffion, 3, spoilt=True)
    assert refused.value.field == "spoilt_reason"


@pytest.mark.parametrize(
    ("boundaries", "reading", "clause"),
    [({"max_choices": 2}, (1, 1, 1), "vote.max_choices"),
     ({"ballot_format": "knapsack", "cost_limit": 500_000}, (1, 1, 0), "vote.cost_limit"),
     ({"ballot_format": "ranked", "max_choices": 3}, (1, 1, 0), "vote.ballot_format"),
     ({"ballot_format": "cumulative", "points": 5}, (4, 2, 0), "vote.points"),
     ({"ballot_format": "cumulative", "points": 5, "max_points_per_project": 2}, (3, 0, 0),
      "vote.max_points_per_project")],
)
def test_a_reading_outside_the_vote_limits_cannot_be_keyed_as_valid(at_event, boundaries, reading, clause) -> None:
    _cycle, proposals, event, (ffion, _gareth) = at_event(**boundaries)
    choices = {p.id: value for p, value in zip(proposals, reading, strict=True) if value}
    with pytest.raises(InvalidBallot) as refused:
        key_paper_ballot(event, ffion, 4, choices)
    assert (refused.value.clause, refused.value.field) == (clause, "choices")
    assert "breaks the vote's rules" in refused.value.message and "Spoilt" in refused.value.message
    assert db.session.scalar(select(PaperBallot)) is None
    key_paper_ballot(event, ffion, 4, spoilt=True, spoilt_reason="Over the limit")  # recorded as spoilt instead


def test_a_serial_not_printed_for_this_event_is_refused_by_name(at_event, commissioner) -> None:
    cycle, proposals, event, (ffion, _gareth) = at_event(printed=10)
    other = create_event(_vote(cycle), commissioner, title="Library drop-in", venue="Library", starts_at=STARTS,
                         ends_at=ENDS, facilitator_ids=[commissioner.id, ffion.id])
    print_paper_ballots(other, commissioner, 5)
    with pytest.raises(InvalidInput) as refused:
        key_paper_ballot(event, ffion, 12, {proposals[0].id: 1})
    assert refused.value.field == "serial" and "Library drop-in" in refused.value.message
    assert format_serial(12) in refused.value.message
    with pytest.raises(InvalidInput) as refused:
        key_paper_ballot(event, ffion, 16, {proposals[0].id: 1})
    assert format_serial(16) in refused.value.message
    assert f"numbered {format_serial(1)} – {format_serial(10)}" in refused.value.message
    with pytest.raises(InvalidInput) as refused:
        key_paper_ballot(other, ffion, 3, {proposals[0].id: 1})
    assert "Voting day at the Hub" in refused.value.message


def test_only_the_people_running_the_event_handle_its_paper_ballots(at_event, make_user) -> None:
    cycle, proposals, event, (ffion, gareth) = at_event()
    key_paper_ballot(event, ffion, 1, {proposals[0].id: 1})
    key_paper_ballot(event, gareth, 1, {proposals[1].id: 1})
    outsider = make_user(Role.FACILITATOR, cycle=cycle)
    for attempt in (
        lambda who: print_paper_ballots(event, who, 5),
        lambda who: key_paper_ballot(event, who, 2, {proposals[0].id: 1}),
        lambda who: resolve_paper_ballot(event, who, 1, "first"),
        lambda who: record_paper_count(event, who, issued=1, returned=1),
    ):
        with pytest.raises(NotAuthorised) as refused:
            attempt(outsider)
        assert refused.value.clause == "events.facilitators"
        with pytest.raises(NotAuthorised):
            attempt(make_user())


def test_a_vote_for_account_holders_only_has_no_paper_ballots(commissioner, representative, make_user) -> None:
    _cycle, _proposals, event, (ffion, _gareth) = paper_event(commissioner, representative, make_user, printed=0,
                                                             eligibility="accounts")
    with pytest.raises(OutsideMandate) as refused:
        print_paper_ballots(event, ffion, 5)
    assert refused.value.clause == "vote.eligibility"


def test_ballots_are_printed_only_once_the_ballot_is_settled(make_cycle, walk_to, agree, commissioner) -> None:
    cycle = make_cycle()
    vote = _vote(cycle)
    from pb.mandates.services import update_mandate

    update_mandate(vote, commissioner, purpose="p", roles="r",
                   boundaries={**vote.mandate.boundaries_data, "eligibility": "codes"})
    event = create_event(vote, commissioner, title="Early", venue="Hall", starts_at=STARTS, ends_at=ENDS,
                         facilitator_ids=[commissioner.id])
    with pytest.raises(MandateNotAgreed):
        print_paper_ballots(event, commissioner, 5)
    for stage in cycle.stages:
        agree(stage)
    with pytest.raises(Exception) as refused:
        print_paper_ballots(event, commissioner, 5)
    assert getattr(refused.value, "clause", None) == "cycle.stage_order"
    walk_to(cycle, StageKind.VOTE)
    assert print_paper_ballots(event, commissioner, 5).first_serial == 1


def test_the_vote_cannot_close_while_a_paper_ballot_waits_and_then_counts_paper_with_online(
    at_event, commissioner, resident, make_user
) -> None:
    cycle, proposals, event, (ffion, gareth) = at_event(max_choices=1, budget=1_000_000)
    vote = _vote(cycle)
    cast_ballot(vote, resident, [proposals[1].id])  # online: Project 2
    for serial in (1, 2):  # paper: Project 3 twice, so it wins
        key_paper_ballot(event, ffion, serial, {proposals[2].id: 1})
    key_paper_ballot(event, gareth, 1, {proposals[2].id: 1})
    with pytest.raises(Conflict) as refused:
        close_stage(vote, commissioner)
    assert refused.value.clause == "paper.pending" and "1 paper ballot is still being keyed in" in refused.value.message
    key_paper_ballot(event, gareth, 2, {proposals[0].id: 1})  # a mismatch waits too
    with pytest.raises(Conflict):
        close_stage(vote, commissioner)
    resolve_paper_ballot(event, commissioner, 2, "first")
    # A ballot in the box that nobody has keyed yet would be lost too: the hand counts must balance.
    record_paper_count(event, ffion, issued=3, returned=3)
    with pytest.raises(Conflict) as refused:
        close_stage(vote, commissioner)
    assert refused.value.clause == "paper.reconciliation" and "1 returned ballot is not yet counted" in (
        refused.value.message)
    record_paper_count(event, ffion, issued=3, returned=2)  # the third was taken home after all
    close_stage(vote, commissioner)
    tally = db.session.scalar(select(TallyRun))
    assert tally.ballots_counted == 3
    assert tally.outcome["selected"][0] == str(proposals[2].id)
    assert turnout_by_channel(vote) == {"online": 1, "paper": 2}


def test_the_reconciliation_balances_only_when_every_returned_ballot_is_accounted_for(at_event,
                                                                                      commissioner) -> None:
    _cycle, proposals, event, (ffion, gareth) = at_event(printed=10)
    start = reconciliation(event)
    assert (start.printed, start.ranges, start.issued, start.keyed) == (10, ((1, 10),), None, 0)
    assert not start.balances and "not been counted by hand" in start.discrepancies[0]
    record_paper_count(event, ffion, issued=6, returned=4)
    for serial in (1, 2, 3):
        key_paper_ballot(event, ffion, serial, {proposals[0].id: 1})
    key_paper_ballot(event, gareth, 1, {proposals[0].id: 1})
    key_paper_ballot(event, gareth, 2, {proposals[1].id: 1})
    midway = reconciliation(event)
    assert (midway.keyed, midway.settled, midway.pending, midway.mismatches, midway.counted) == (3, 1, 1, 1, 1)
    assert midway.not_returned == 2 and not midway.balances
    assert "3 returned ballots are not yet counted or spoilt" in " ".join(midway.discrepancies)
    assert "1 ballot has been keyed once" in " ".join(midway.discrepancies)
    assert "1 ballot's two entries differ" in " ".join(midway.discrepancies)
    key_paper_ballot(event, gareth, 3, {proposals[0].id: 1})
    resolve_paper_ballot(event, commissioner, 2, "spoilt", spoilt_reason="Two ticks, one crossed out")
    key_paper_ballot(event, ffion, 4, spoilt=True, spoilt_reason="No marks")
    key_paper_ballot(event, gareth, 4, spoilt=True, spoilt_reason="No marks")
    done = reconciliation(event)
    assert (done.settled, done.spoilt, done.counted, done.keyed) == (2, 2, 2, 4)
    assert done.balances and done.discrepancies == ()
    record_paper_count(event, gareth, issued=12, returned=3)
    over = reconciliation(event)
    assert not over.balances
    assert any("12 ballots were handed out, but only 10 were printed" in d for d in over.discrepancies)
    assert any("1 more ballot is counted or spoilt than came back" in d for d in over.discrepancies)
    record_paper_count(event, gareth, issued=3, returned=4)
    assert any("4 ballots came back, but only 3 were handed out" in d for d in reconciliation(event).discrepancies)
    with pytest.raises(InvalidInput) as refused:
        record_paper_count(event, gareth, issued=-1, returned=4)
    assert refused.value.field == "issued"


def test_a_mistyped_serial_keyed_once_can_be_withdrawn(at_event, commissioner) -> None:
    _cycle, proposals, event, (ffion, gareth) = at_event()
    key_paper_ballot(event, ffion, 9, {proposals[0].id: 1})
    paper_checks.withdraw_paper_entry(event, commissioner, 9)
    assert db.session.scalar(select(PaperBallot)) is None
    key_paper_ballot(event, ffion, 8, {proposals[0].id: 1})
    key_paper_ballot(event, gareth, 8, {proposals[0].id: 1})
    with pytest.raises(Conflict):
        paper_checks.withdraw_paper_entry(event, commissioner, 8)


def test_the_audit_log_records_each_step_but_never_a_choice(at_event, commissioner) -> None:
    _cycle, proposals, event, (ffion, gareth) = at_event()
    key_paper_ballot(event, ffion, 1, {proposals[0].id: 1})
    key_paper_ballot(event, gareth, 1, {proposals[1].id: 1})
    resolve_paper_ballot(event, commissioner, 1, "second")
    record_paper_count(event, ffion, issued=1, returned=1)
    paper_entries = select(AuditEntry).where(AuditEntry.action.like("paper.%")).order_by(AuditEntry.seq)
    entries = db.session.scalars(paper_entries).all()
    assert [e.action for e in entries] == ["paper.print", "paper.key", "paper.key", "paper.resolve", "paper.count"]
    assert [e.actor_name for e in entries][1:3] == ["Ffion Facilitator", "Gareth Facilitator"]
    assert entries[3].detail == {"serial": 1, "reading": "second", "outcome": "counted"}
    assert {"serial", "round", "spoilt", "outcome"} == set(entries[1].detail)


def test_the_pdf_has_one_page_a_ballot_and_a_long_ballot_continues_on_a_second(app, at_event) -> None:
    from pb.events.paper_printing import ballots_pdf

    cycle, _proposals, event, _keyers = at_event(printed=3)
    pdf = ballots_pdf(cycle, _vote(cycle), paper.paper_batches(event)[0])
    assert pdf.startswith(b"%PDF") and b"/Count 3" in pdf
    cycle, _proposals, event, _keyers = at_event(printed=2, costs=tuple(range(10_000, 410_000, 10_000)))
    assert b"/Count 4" in ballots_pdf(cycle, _vote(cycle), paper.paper_batches(event)[0])


# --- at the same moment -------------------------------------------------------------------

KEYERS = 6


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_url(request: pytest.FixtureRequest) -> str:
    """A database that several threads use at once: SQLite's file, and PostgreSQL (tests/voting/conftest.py
    leaves the PostgreSQL one out, saying so, where Debian's postgresql is missing, and fails CI for it)."""
    if request.param == "sqlite":
        return request.getfixturevalue("database_url")
    cluster = request.getfixturevalue("postgres")
    return cluster.url(cluster.create(template=TEMPLATE))


def _at_once(app: Flask, work: Callable[[int], object]) -> list[object]:
    """Run `work(n)` for each keyer in its own app context (its own session), all at the same moment."""
    barrier = threading.Barrier(KEYERS)
    results: list[object] = [None] * KEYERS

    def run(n: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[n] = work(n)
                db.session.commit()
            except PBError as error:
                db.session.rollback()
                results[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(KEYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_keyers_saving_one_serial_at_once_make_one_first_and_one_second_entry(shared_url: str) -> None:
    app = create_app("test", SQLALCHEMY_ENGINES={"default": {"url": shared_url, "pool_size": KEYERS + 2}})
    with app.app_context():
        commissioner = sign_up("c@example.org", "Carys", PASSWORD)
        grant(commissioner, Role.COMMISSIONER)
        cycle, proposals = open_ballot(commissioner, sign_up("r@example.org", "Rhys", PASSWORD), eligibility="codes")
        keyers = [sign_up(f"k{n}@example.org", f"Keyer {n}", PASSWORD) for n in range(KEYERS)]
        for keyer in keyers:
            grant(keyer, Role.FACILITATOR, cycle.id)
        event = create_event(_vote(cycle), commissioner, title="Hub", venue="Hub", starts_at=STARTS, ends_at=ENDS,
                             facilitator_ids=[k.id for k in keyers])
        db.session.commit()
        event_id, keyer_ids, choice = event.id, [k.id for k in keyers], {proposals[0].id: 1}

    def printed(n: int) -> tuple[int, int]:
        batch = print_paper_ballots(db.session.get(Event, event_id), db.session.get(User, keyer_ids[n]), 10)
        return batch.first_serial, batch.last_serial

    ranges = _at_once(app, printed)
    assert sorted(ranges) == [(1 + 10 * n, 10 * (n + 1)) for n in range(KEYERS)], ranges  # type: ignore[type-var]

    def keyed(n: int) -> str:
        return key_paper_ballot(db.session.get(Event, event_id), db.session.get(User, keyer_ids[n]), 1, choice).outcome

    outcomes = _at_once(app, keyed)
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["counted", "first"], outcomes
    assert all(isinstance(o, Conflict) for o in outcomes if not isinstance(o, str)), outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PaperEntry)) == 2
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
        db.engine.dispose()


def test_an_entry_that_waited_for_the_lock_while_the_vote_closed_is_refused(at_event) -> None:
    from pb.cycles.models import Stage, StageState

    cycle, proposals, event, (ffion, _gareth) = at_event()
    vote = _vote(cycle)
    assert vote.state == StageState.OPEN  # as this request read it, before it queued for the paper lock…
    with db.engine.begin() as elsewhere:  # …the vote closed in another request
        elsewhere.execute(update(Stage).where(Stage.id == vote.id).values(state=StageState.CLOSED.value))
    with pytest.raises(StageNotOpen) as refused:
        key_paper_ballot(event, ffion, 1, {proposals[0].id: 1})
    assert refused.value.clause == "stage.state"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PaperBallot)) == 0


def test_a_keyer_settles_a_mismatch_only_by_accepting_the_other_entry(at_event, commissioner) -> None:
    _cycle, proposals, event, (ffion, gareth) = at_event()
    key_paper_ballot(event, ffion, 3, {proposals[0].id: 1})
    key_paper_ballot(event, gareth, 3, {proposals[1].id: 1})
    for own in ("first", "spoilt", {proposals[2].id: 1}):
        with pytest.raises(NotAuthorised) as refused:
            resolve_paper_ballot(event, ffion, 3, own, spoilt_reason="Torn")
        assert refused.value.clause == "paper.double_entry"
    with pytest.raises(NotAuthorised):
        resolve_paper_ballot(event, gareth, 3, "second")
    assert resolve_paper_ballot(event, ffion, 3, "second").status == PaperStatus.COUNTED  # she accepts his


def test_a_ballot_keyed_once_never_shows_what_it_says(client, at_event) -> None:
    cycle, proposals, event, (ffion, gareth) = at_event()
    key_paper_ballot(event, ffion, 4, {proposals[2].id: 1})
    db.session.commit()
    client.submit("/sign-in", {"email": gareth.email, "password": PASSWORD})
    client.csrf = None
    base = f"/cycles/{cycle.id}/events/{event.id}/paper"
    ballot = client.get(f"{base}/ballots/4").get_data(as_text=True)
    assert "stays hidden until someone else keys it" in ballot
    listed = client.get(f"{base}/mismatches").get_data(as_text=True)
    assert "Keyed once (1)" in listed
    for text in (ballot, listed):
        assert "Ticked" not in text and proposals[2].title not in text
