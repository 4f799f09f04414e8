from __future__ import annotations

import pytest

from pb.accounts.models import Role
from pb.cycles.models import StageKind
from pb.deliberation.models import CommentKind
from pb.deliberation.services import (
    add_comment,
    answer_merge,
    discussion_of,
    hide_comment,
    request_merge,
    set_support,
    support_counts,
)
from pb.errors import InvalidInput, NotAuthorised, OutsideMandate, StageNotOpen
from pb.mandates.services import update_mandate
from pb.proposals.models import ProposalStatus
from pb.proposals.services import ProposalFields, submit_proposal
from tests.conftest import FULL_CYCLE


@pytest.fixture
def deliberating(make_cycle, walk_to, make_user):  # type: ignore[no-untyped-def]
    cycle = make_cycle(kinds=FULL_CYCLE)
    walk_to(cycle, StageKind.PROPOSALS)
    ann, ben = make_user(name="Ann"), make_user(name="Ben")
    first = submit_proposal(cycle, ann, ProposalFields(title="Benches", summary="By the river", cost=50_000))
    second = submit_proposal(cycle, ben, ProposalFields(title="Seats", summary="Along the river", cost=40_000))
    walk_to(cycle, StageKind.DELIBERATION)
    return cycle, first, second, ann, ben


def test_questions_get_answers_marked_as_the_commissioners(deliberating, commissioner, resident) -> None:
    _cycle, benches, *_ = deliberating
    question = add_comment(benches, resident, "Who maintains them?", kind=CommentKind.QUESTION)
    answer = add_comment(benches, commissioner, "The parks team, for ten years.", parent=question)
    assert (question.role, answer.role, answer.parent_id) == ("resident", "commissioner", question.id)
    assert discussion_of(benches, resident).comments[0].replies == [answer]
    with pytest.raises(InvalidInput):
        add_comment(benches, resident, "   ")


def test_the_mandate_decides_who_comments(make_cycle, walk_to, commissioner, resident, representative) -> None:
    cycle = make_cycle(kinds=FULL_CYCLE)
    stage = cycle.stage_of_kind(StageKind.DELIBERATION)
    update_mandate(
        stage,
        commissioner,
        purpose="Panel workshop",
        roles="The panel",
        boundaries={**stage.mandate.boundaries_data, "who_may_comment": "representatives"},
    )
    walk_to(cycle, StageKind.PROPOSALS)
    proposal = submit_proposal(cycle, resident, ProposalFields(title="T", summary="S", cost=100))
    walk_to(cycle, StageKind.DELIBERATION)
    with pytest.raises(OutsideMandate) as refused:
        add_comment(proposal, resident, "Can I say something?")
    assert refused.value.clause == "deliberation.who_may_comment"
    assert add_comment(proposal, representative, "The panel likes it.").role == "representative"


def test_a_hidden_comment_keeps_a_public_note_of_why(deliberating, commissioner, resident) -> None:
    _cycle, benches, *_ = deliberating
    comment = add_comment(benches, resident, "Rude words")
    with pytest.raises(NotAuthorised):
        hide_comment(comment, resident, ground="Abusive or discriminatory", note="No")
    with pytest.raises(OutsideMandate) as wrong_ground:
        hide_comment(comment, commissioner, ground="We disagree", note="Hidden")
    assert wrong_ground.value.clause == "deliberation.moderation_grounds"
    hide_comment(comment, commissioner, ground="Abusive or discriminatory", note="Removed for abusive language.")
    assert comment.is_hidden and comment.hidden_by_name == "Carys Commissioner"
    assert comment.hidden_note == "Removed for abusive language."


def test_only_the_moderators_the_mandate_names_may_hide(make_cycle, walk_to, commissioner, resident, make_user) -> None:
    cycle = make_cycle(kinds=FULL_CYCLE)
    stage = cycle.stage_of_kind(StageKind.DELIBERATION)
    update_mandate(
        stage,
        commissioner,
        purpose="p",
        roles="r",
        boundaries={**stage.mandate.boundaries_data, "moderators": "facilitators"},
    )
    facilitator = make_user(Role.FACILITATOR, cycle=cycle)
    walk_to(cycle, StageKind.PROPOSALS)
    proposal = submit_proposal(cycle, resident, ProposalFields(title="T", summary="S", cost=100))
    walk_to(cycle, StageKind.DELIBERATION)
    comment = add_comment(proposal, resident, "Spam spam")
    with pytest.raises(OutsideMandate) as refused:
        hide_comment(comment, commissioner, ground="Spam or advertising", note="Spam")
    assert refused.value.clause == "deliberation.moderators"
    hide_comment(comment, facilitator, ground="Spam or advertising", note="Spam")


def test_supports_count_once_each_and_can_be_taken_back(deliberating, resident, make_user) -> None:
    cycle, benches, *_ = deliberating
    set_support(benches, resident, supported=True)
    set_support(benches, resident, supported=True)
    set_support(benches, make_user(), supported=True)
    assert support_counts(cycle) == {benches.id: 2}
    set_support(benches, resident, supported=False)
    assert support_counts(cycle) == {benches.id: 1}


def test_merging_needs_both_authors_and_keeps_both_histories(deliberating, resident) -> None:
    _cycle, benches, seats, ann, ben = deliberating
    set_support(benches, resident, supported=True)
    request = request_merge(benches, seats, ann, "Both want seating by the river")
    assert request.source_consent_at is not None and request.merged_at is None
    with pytest.raises(NotAuthorised):
        answer_merge(request, resident, agree=True)
    answer_merge(request, ben, agree=True)
    assert request.merged_at is not None
    assert (benches.status, benches.merged_into_id) == (ProposalStatus.MERGED, seats.id)
    assert benches.revisions[-1].note.startswith("Merged into “Seats”")
    assert seats.revisions[-1].note.startswith("“Benches” merged into it")
    assert discussion_of(seats, resident).supporters == 1  # the support moved with it


def test_a_declined_merge_changes_nothing(deliberating, resident) -> None:
    _cycle, benches, seats, ann, ben = deliberating
    request = request_merge(benches, seats, resident, "They look alike")
    answer_merge(request, ann, agree=True)
    answer_merge(request, ben, agree=False)
    assert request.declined_at is not None and benches.status == ProposalStatus.SUBMITTED


def test_nobody_deliberates_outside_the_deliberation_stage(make_cycle, walk_to, resident) -> None:
    cycle = make_cycle(kinds=FULL_CYCLE)
    walk_to(cycle, StageKind.PROPOSALS)
    proposal = submit_proposal(cycle, resident, ProposalFields(title="T", summary="S", cost=100))
    with pytest.raises(StageNotOpen):
        add_comment(proposal, resident, "Too early")
