from __future__ import annotations

import pytest

from pb.cycles.models import StageKind, StageState
from pb.errors import Conflict, NotAuthorised, OutsideMandate
from pb.mandates.models import Side
from pb.mandates.services import content_stamp, sign_mandate, update_mandate


def _vote(cycle):  # type: ignore[no-untyped-def]
    return cycle.stage_of_kind(StageKind.VOTE)


def test_every_stage_starts_with_a_draft_mandate_with_structured_boundaries(make_cycle) -> None:
    cycle = make_cycle(budget=2_500_000)
    vote = _vote(cycle)
    assert [s.mandate.version for s in cycle.stages] == [1, 1, 1, 1]
    assert all(s.state == StageState.DRAFT for s in cycle.stages)
    assert vote.mandate.boundaries.budget == 2_500_000
    assert vote.mandate.boundaries.binding is True
    assert "Unlawful" in cycle.stage_of_kind(StageKind.REVIEW).mandate.boundaries.rule_out_grounds


def test_a_mandate_is_agreed_only_when_both_sides_have_signed(make_cycle, commissioner, representative) -> None:
    stage = _vote(make_cycle())
    sign_mandate(stage, commissioner, Side.COMMISSIONERS, 1)
    assert stage.state == StageState.DRAFT and not stage.mandate.is_agreed
    sign_mandate(stage, representative, Side.RESIDENTS, 1)
    assert stage.state == StageState.AGREED and stage.mandate.is_agreed
    assert [(s.name, s.side) for s in stage.mandate.signatures] == [
        ("Carys Commissioner", Side.COMMISSIONERS),
        ("Rhys Representative", Side.RESIDENTS),
    ]


def test_a_cycle_can_require_more_resident_signatures(make_cycle, commissioner, representative, make_user) -> None:
    from pb.cycles.services import appoint_representative

    cycle = make_cycle(required_representatives=2)
    second = make_user(name="Second Rep")
    appoint_representative(cycle, commissioner, second.email)
    stage = _vote(cycle)
    sign_mandate(stage, commissioner, Side.COMMISSIONERS, 1)
    sign_mandate(stage, representative, Side.RESIDENTS, 1)
    assert not stage.mandate.is_agreed
    sign_mandate(stage, second, Side.RESIDENTS, 1)
    assert stage.mandate.is_agreed


def test_a_resident_cannot_sign_for_either_side(make_cycle, resident) -> None:
    stage = _vote(make_cycle())
    with pytest.raises(NotAuthorised) as residents:
        sign_mandate(stage, resident, Side.RESIDENTS, 1)
    assert residents.value.clause == "roles.representative"
    with pytest.raises(NotAuthorised):
        sign_mandate(stage, resident, Side.COMMISSIONERS, 1)


def test_nobody_signs_twice_or_signs_a_version_they_did_not_read(make_cycle, commissioner) -> None:
    stage = _vote(make_cycle())
    sign_mandate(stage, commissioner, Side.COMMISSIONERS, 1)
    with pytest.raises(Conflict):
        sign_mandate(stage, commissioner, Side.COMMISSIONERS, 1)
    with pytest.raises(Conflict):
        sign_mandate(stage, commissioner, Side.COMMISSIONERS, 7)


def test_changing_a_signed_mandate_makes_a_new_version_that_needs_new_signatures(
    make_cycle, agree, commissioner
) -> None:
    stage = agree(_vote(make_cycle()))
    assert stage.state == StageState.AGREED
    update_mandate(
        stage,
        commissioner,
        purpose="New purpose",
        roles="Everyone",
        boundaries={**stage.mandate.boundaries_data, "max_choices": 2},
    )
    assert stage.mandate.version == 2
    assert stage.mandate.signatures == []
    assert stage.state == StageState.DRAFT
    assert stage.agreed_mandate.version == 1  # the old agreement is kept, not rewritten
    assert stage.mandates[0].purpose != "New purpose"


def test_an_unsigned_draft_is_edited_in_place(make_cycle, representative) -> None:
    stage = _vote(make_cycle())
    update_mandate(
        stage,
        representative,
        purpose="Residents choose",
        roles="Residents vote",
        boundaries={**stage.mandate.boundaries_data, "max_choices": 5},
    )
    assert stage.mandate.version == 1
    assert stage.mandate.boundaries.max_choices == 5


def test_an_edit_started_before_someone_elses_change_saves_nothing(make_cycle, commissioner, representative) -> None:
    stage = _vote(make_cycle())
    opened = content_stamp(stage.mandate)
    words = {"roles": "Residents vote", "boundaries": stage.mandate.boundaries_data}
    update_mandate(stage, representative, purpose="Theirs", based_on=opened, **words)
    with pytest.raises(Conflict, match="Someone else saved a change"):
        update_mandate(stage, commissioner, purpose="Mine", based_on=opened, **words)
    assert stage.mandate.purpose == "Theirs"
    update_mandate(stage, commissioner, purpose="Mine", based_on=content_stamp(stage.mandate), **words)
    assert stage.mandate.purpose == "Mine" and stage.mandate.version == 1


def test_an_open_stage_changes_only_by_an_amendment_with_a_public_reason(open_vote, commissioner) -> None:
    from pb.errors import InvalidInput

    cycle, _ = open_vote()
    stage = _vote(cycle)
    terms = stage.mandate.boundaries_data
    with pytest.raises(InvalidInput) as no_reason:
        update_mandate(stage, commissioner, purpose="x", roles="y", boundaries=terms)
    assert no_reason.value.field == "amendment_reason"
    amendment = update_mandate(
        stage,
        commissioner,
        purpose="Residents choose what is funded.",
        roles="y",
        boundaries=terms,
        reason="Clearer wording",
    )
    assert amendment.version == 2 and amendment.is_amendment
    assert stage.state == StageState.OPEN  # the vote keeps running under version 1
    assert stage.agreed_mandate.version == 1


@pytest.mark.parametrize(
    "change",
    [
        {"counting_rule": "phragmen"},
        {"budget": 1},
        {"max_choices": 5},
        {"binding": False},
        {"ballot_format": "approval", "min_choices": 0},
    ],
)
def test_an_amendment_never_changes_the_rules_of_a_vote_in_progress(open_vote, commissioner, change) -> None:
    cycle, _ = open_vote()
    stage = _vote(cycle)
    with pytest.raises(OutsideMandate) as refused:
        update_mandate(
            stage,
            commissioner,
            purpose="p",
            roles="r",
            boundaries={**stage.mandate.boundaries_data, **change},
            reason="Because",
        )
    assert refused.value.clause.startswith("vote.")
    assert stage.mandate.version == 1


def test_an_amendment_may_extend_the_deadline_but_not_bring_it_forward(
    open_vote, commissioner, representative, agree
) -> None:
    from datetime import timedelta

    from pb.db import utcnow

    cycle, _ = open_vote()
    stage = _vote(cycle)
    terms = stage.mandate.boundaries_data
    later = utcnow() + timedelta(days=14)
    update_mandate(
        stage,
        commissioner,
        purpose="p",
        roles="r",
        boundaries=terms,
        closes_at=later,
        reason="More time for the library's paper ballots",
    )
    agree(stage)
    assert stage.agreed_mandate.version == 2 and stage.closes_at == later
    with pytest.raises(OutsideMandate) as refused:
        update_mandate(
            stage,
            commissioner,
            purpose="p",
            roles="r",
            boundaries=terms,
            closes_at=later - timedelta(days=7),
            reason="Sooner",
        )
    assert refused.value.clause == "mandate.closes_at"


def test_a_closed_stage_mandate_never_changes(make_cycle, agree, commissioner) -> None:
    from pb.cycles.services import close_stage, open_stage

    cycle = make_cycle()
    stage = agree(cycle.stages[0])
    open_stage(stage, commissioner)
    close_stage(stage, commissioner)
    with pytest.raises(OutsideMandate) as refused:
        update_mandate(stage, commissioner, purpose="p", roles="r", boundaries={}, reason="Too late")
    assert refused.value.clause == "mandate.locked"


def test_the_discussion_thread_belongs_to_the_draft_and_its_parties(
    make_cycle, commissioner, representative, resident
) -> None:
    from pb.errors import NotAuthorised
    from pb.mandates.services import discuss_mandate

    stage = _vote(make_cycle())
    discuss_mandate(stage, representative, "Can we allow five choices?")
    discuss_mandate(stage, commissioner, "Yes, if the budget stays the same.")
    assert [(c.author_name, c.role) for c in stage.mandate.comments] == [
        ("Rhys Representative", "representative"),
        ("Carys Commissioner", "commissioner"),
    ]
    with pytest.raises(NotAuthorised):
        discuss_mandate(stage, resident, "Me too")


def test_a_template_gives_a_stage_its_starting_text(make_cycle, commissioner) -> None:
    from pb.mandates.services import apply_template

    stage = _vote(make_cycle())
    apply_template(stage, commissioner, "advisory-consultation")
    assert stage.mandate.boundaries.binding is False
    assert stage.mandate.template == "advisory-consultation"


def test_boundaries_out_of_range_are_refused_with_their_field(make_cycle, commissioner) -> None:
    from pb.errors import InvalidInput

    stage = _vote(make_cycle())
    with pytest.raises(InvalidInput) as refused:
        update_mandate(
            stage,
            commissioner,
            purpose="p",
            roles="r",
            boundaries={**stage.mandate.boundaries_data, "min_choices": 4, "max_choices": 2},
        )
    assert refused.value.field == "max_choices"
