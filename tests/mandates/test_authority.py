"""The one gate: each refusal names the clause that decides it."""

from __future__ import annotations

import pytest

from pb.cycles.models import StageKind
from pb.errors import InvalidBallot, MandateNotAgreed, NotAuthorised, OutsideMandate, StageNotOpen
from pb.mandates.authority import Action, require


def test_a_stage_cannot_open_until_its_mandate_is_agreed(make_cycle, commissioner) -> None:
    stage = make_cycle().stage_of_kind(StageKind.PROPOSALS)
    with pytest.raises(MandateNotAgreed) as refused:
        require(commissioner, Action.OPEN_STAGE, stage)
    assert refused.value.clause == "mandate.agreed"


def test_stages_open_in_order(make_cycle, agree, commissioner) -> None:
    cycle = make_cycle()
    review = agree(cycle.stage_of_kind(StageKind.REVIEW))
    with pytest.raises(StageNotOpen) as refused:
        require(commissioner, Action.OPEN_STAGE, review)
    assert refused.value.clause == "cycle.stage_order"


def test_only_commissioners_open_stages(make_cycle, agree, representative) -> None:
    stage = agree(make_cycle().stage_of_kind(StageKind.PROPOSALS))
    with pytest.raises(NotAuthorised) as refused:
        require(representative, Action.OPEN_STAGE, stage)
    assert refused.value.clause == "roles.commissioner"


def test_a_commissioner_of_one_cycle_is_not_one_of_another(make_cycle, agree, make_user) -> None:
    from pb.accounts.models import Role

    cycle = make_cycle()
    other_commissioner = make_user(Role.COMMISSIONER, cycle=make_cycle(title="Other"))
    stage = agree(cycle.stage_of_kind(StageKind.PROPOSALS))
    with pytest.raises(NotAuthorised):
        require(other_commissioner, Action.OPEN_STAGE, stage)


def test_ruling_out_on_a_ground_outside_the_mandate_is_refused(open_vote, commissioner, make_cycle, agree) -> None:
    from pb.cycles.services import close_stage, open_stage

    cycle = make_cycle()
    for stage in cycle.stages:
        agree(stage)
    open_stage(cycle.stages[0], commissioner)
    close_stage(cycle.stages[0], commissioner)
    review = open_stage(cycle.stages[1], commissioner)
    assert require(commissioner, Action.REVIEW_PROPOSAL, review, ground="Unlawful").clause == "review.rule_out_grounds"
    with pytest.raises(OutsideMandate) as refused:
        require(commissioner, Action.REVIEW_PROPOSAL, review, ground="We do not like it")
    assert refused.value.clause == "review.rule_out_grounds"


def test_a_ballot_over_the_mandates_limit_is_refused(open_vote, resident) -> None:
    cycle, proposals = open_vote(max_choices=2)
    vote = cycle.stage_of_kind(StageKind.VOTE)
    with pytest.raises(InvalidBallot) as refused:
        require(resident, Action.CAST_BALLOT, vote, choices=[p.id for p in proposals])
    assert refused.value.clause == "vote.max_choices"
    with pytest.raises(InvalidBallot) as empty:
        require(resident, Action.CAST_BALLOT, vote, choices=[])
    assert empty.value.clause == "vote.min_choices"


def test_actions_belong_to_their_stage(open_vote, resident) -> None:
    cycle, _ = open_vote()
    with pytest.raises(StageNotOpen) as refused:
        require(resident, Action.CAST_BALLOT, cycle.stage_of_kind(StageKind.PROPOSALS), choices=[])
    assert refused.value.clause == "stage.kind"


def test_the_gates_refusals_read_in_the_readers_language(app, make_cycle, agree, representative,
                                                         commissioner) -> None:
    from flask_babel import force_locale

    cycle = make_cycle()
    proposals = agree(cycle.stage_of_kind(StageKind.PROPOSALS))
    review = agree(cycle.stage_of_kind(StageKind.REVIEW))
    refusals: dict[str, list[str]] = {"en": [], "cy": []}
    for lang, seen in refusals.items():
        with app.test_request_context(), force_locale(lang):
            for user, action, stage in ((None, Action.OPEN_STAGE, proposals),
                                        (representative, Action.OPEN_STAGE, proposals),
                                        (commissioner, Action.OPEN_STAGE, review)):
                with pytest.raises((NotAuthorised, StageNotOpen)) as refused:
                    require(user, action, stage)
                seen.append(refused.value.message)
    assert refusals["en"] == ["Sign in to do this.", "Only the cycle's commissioners can do this.",
                              "Close the proposals stage before opening this one."]
    assert refusals["cy"] == ["Mewngofnodwch i wneud hyn.", "Dim ond comisiynwyr y cylch all wneud hyn.",
                              "Caewch y cam cynigion cyn agor yr un hwn."]
