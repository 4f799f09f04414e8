from __future__ import annotations

import csv
import io

import pytest

from pb.cycles.models import StageKind
from pb.cycles.services import close_stage, open_stage
from pb.db import db
from pb.errors import OutsideMandate
from pb.results.exports import to_csv
from pb.results.services import Choice, latest_tally, record_decision, result_rows
from pb.voting.services import cast_ballot


def _count(cycle, commissioner):  # type: ignore[no-untyped-def]
    close_stage(cycle.stage_of_kind(StageKind.VOTE), commissioner)
    return latest_tally(cycle)


def test_closing_the_vote_counts_it_greedily_and_explains_each_fate(open_vote, make_user, commissioner) -> None:
    # Budget £10,000. A (£4,000) 3 votes, C (£5,000) 2 votes, B (£3,000) 1 vote:
    # A fits, C fits (£1,000 left), B does not fit and is skipped.
    cycle, (a, b, c) = open_vote(costs=(400_000, 300_000, 500_000), budget=1_000_000)
    vote = cycle.stage_of_kind(StageKind.VOTE)
    for choices in ([a.id, c.id], [a.id, c.id], [a.id, b.id]):
        cast_ballot(vote, make_user(), choices)
    tally = _count(cycle, commissioner)
    assert tally.rule == "greedy"
    assert tally.ballots_counted == 3
    assert tally.selected_ids == {a.id, c.id}
    assert len(tally.ballot_hash) == 64 and tally.tie_break

    _tally, rows = result_rows(cycle)
    assert [(r.proposal.id, r.votes, r.funded_by_vote) for r in rows] == [
        (a.id, 3, True),
        (c.id, 2, True),
        (b.id, 1, False),
    ]
    assert rows[2].explanation == "Not funded: £1,000 was left when its turn came, and it costs £3,000."


def test_the_count_is_stored_so_anyone_can_rerun_it(open_vote, make_user, commissioner) -> None:
    cycle, (a, b, _c) = open_vote()
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), make_user(), [a.id, b.id])
    tally = _count(cycle, commissioner)
    assert tally.parameters["budget"] == 1_000_000
    assert tally.parameters["mandate_version"] == 1
    assert sorted(tally.outcome["selected"]) == sorted([str(a.id), str(b.id)])


def test_a_binding_vote_leaves_commissioners_no_other_decision(open_vote, make_user, commissioner, agree) -> None:
    cycle, (a, _b, c) = open_vote(costs=(600_000, 600_000, 100_000))
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), make_user(), [a.id, c.id])
    _count(cycle, commissioner)
    open_stage(cycle.stage_of_kind(StageKind.DECISION), commissioner)
    with pytest.raises(OutsideMandate) as refused:
        record_decision(
            cycle, commissioner, {a.id: Choice(False, "Changed our minds", "Found unlawful after the vote")}
        )
    assert refused.value.clause == "decision.override_by"
    decisions = record_decision(cycle, commissioner)
    assert {d.proposal_id for d in decisions if d.funded} == {a.id, c.id}


def test_an_advisory_vote_lets_commissioners_depart_with_a_public_reason(open_vote, make_user, commissioner) -> None:
    from pb.errors import InvalidInput

    cycle, (a, _b, _c) = open_vote(costs=(600_000, 600_000, 100_000), binding=False)
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), make_user(), [a.id])
    _count(cycle, commissioner)
    open_stage(cycle.stage_of_kind(StageKind.DECISION), commissioner)
    with pytest.raises(InvalidInput):
        record_decision(cycle, commissioner, {a.id: Choice(False)})
    decisions = record_decision(cycle, commissioner, {a.id: Choice(False, "The site flooded in March.")})
    declined = next(d for d in decisions if d.proposal_id == a.id)
    assert (declined.funded, declined.reason) == (False, "The site flooded in March.")


def test_results_csv_has_a_row_a_project_and_no_voter_data(open_vote, make_user, commissioner) -> None:
    cycle, (a, b, c) = open_vote()
    voter = make_user(name="Secret Voter")
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), voter, [a.id])
    _count(cycle, commissioner)
    text = to_csv(cycle).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["project_id"] == str(a.id) and rows[0]["votes"] == "1"
    assert sorted(r["project_id"] for r in rows) == sorted(str(p.id) for p in (a, b, c))
    assert {r["title"] for r in rows} == {"Project 1", "Project 2", "Project 3"}
    assert "Secret Voter" not in text and voter.email not in text


def test_an_override_the_decision_mandate_allows_is_recorded_and_published(
    open_vote, make_user, commissioner, agree, client
) -> None:
    from pb.audit.services import entries_for_cycle
    from pb.errors import OutsideMandate
    from pb.mandates.services import update_mandate

    cycle, (a, _b, c) = open_vote(costs=(600_000, 600_000, 100_000))
    decision_stage = cycle.stage_of_kind(StageKind.DECISION)
    # The decision stage is still draft-able: both sides agree a mandate allowing overrides.
    update_mandate(
        decision_stage,
        commissioner,
        purpose="p",
        roles="r",
        boundaries={"override_by": "commissioners", "override_grounds": ["Found unlawful after the vote"]},
    )
    agree(decision_stage)
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), make_user(), [a.id, c.id])
    _count(cycle, commissioner)
    open_stage(decision_stage, commissioner)
    with pytest.raises(OutsideMandate) as wrong_ground:
        record_decision(cycle, commissioner, {a.id: Choice(False, "We prefer not to", "Too popular")})
    assert wrong_ground.value.clause == "decision.override_grounds"
    decisions = record_decision(
        cycle, commissioner, {a.id: Choice(False, "The land is contaminated.", "Found unlawful after the vote")}
    )
    override = next(d for d in decisions if d.proposal_id == a.id)
    assert (override.funded, override.override_ground) == (False, "Found unlawful after the vote")
    assert "decision.override" in [e.action for e in entries_for_cycle(cycle.id)]
    db.session.commit()
    page = client.get(f"/cycles/{cycle.id}/results").get_data(as_text=True)
    assert "Override of the binding vote" in page and "The land is contaminated." in page


def test_funding_with_changes_is_published_and_only_for_funded_projects(open_vote, make_user, commissioner) -> None:
    from pb.errors import InvalidInput
    from pb.results.exports import cycle_record

    cycle, (a, b, _c) = open_vote(costs=(600_000, 600_000, 100_000))
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), make_user(), [a.id])
    _count(cycle, commissioner)
    open_stage(cycle.stage_of_kind(StageKind.DECISION), commissioner)
    with pytest.raises(InvalidInput):
        record_decision(cycle, commissioner, {b.id: Choice(False, changes="Smaller")})
    for too_long in (Choice(True, changes="x" * 2001), Choice(False, reason="y" * 2001)):
        with pytest.raises(InvalidInput, match="at most 2000 characters") as refused:
            record_decision(cycle, commissioner, {a.id: too_long})
        assert refused.value.field in (f"changes-{a.id}", f"reason-{a.id}")
    decisions = record_decision(cycle, commissioner, {a.id: Choice(True, changes="Built in two phases.")})
    assert next(d for d in decisions if d.proposal_id == a.id).changes == "Built in two phases."
    project = next(p for p in cycle_record(cycle)["projects"] if p["id"] == a.id)
    assert (project["decision"], project["changes"]) == ("funded with changes", "Built in two phases.")


def test_equal_shares_add1_raises_shares_a_pound_at_a_time(open_vote, make_user, commissioner) -> None:
    # Budget £10,000; A (£6,000) has 3 of 4 voters, B (£5,000) 1, C (£3,000) 2.
    cycle, (a, b, c) = open_vote(costs=(600_000, 500_000, 300_000), rule="equalshares/add1")
    for choices in ([a.id, c.id], [a.id, c.id], [a.id], [b.id]):
        cast_ballot(cycle.stage_of_kind(StageKind.VOTE), make_user(), choices)
    tally = _count(cycle, commissioner)
    assert tally.rule == "equalshares/add1"
    assert tally.outcome["options"].get("increment") == 100
    assert a.id in tally.selected_ids and sum(p.cost for p in (a, b, c) if p.id in tally.selected_ids) <= 1_000_000
