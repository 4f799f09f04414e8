"""Writing proposals: drafts, the full set of fields, revisions, pictures, and answering the review."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from pb.cycles.models import StageKind
from pb.cycles.services import close_stage
from pb.errors import Conflict, InvalidInput, NotAuthorised, NotFound, OutsideMandate, StageNotOpen
from pb.mandates.services import update_mandate
from pb.priorities.services import agree_theme
from pb.proposals.models import ProposalStatus
from pb.proposals.review import respond_to_review, review_proposal
from pb.proposals.services import (
    Filters,
    ProposalFields,
    Upload,
    drafts_of,
    edit_proposal,
    find_proposals,
    get_draft,
    save_draft,
    submit_proposal,
)
from tests.conftest import FULL_CYCLE


def fields(**overrides) -> ProposalFields:  # type: ignore[no-untyped-def]
    return ProposalFields(**{"title": "Benches", "summary": "Ten benches by the river", "cost": 80_000, **overrides})


def jpeg_with_location() -> bytes:
    image = Image.new("RGB", (2400, 1200), "green")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (51.0, 28.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def proposing(make_cycle, walk_to):  # type: ignore[no-untyped-def]
    cycle = make_cycle(kinds=FULL_CYCLE, areas=["Riverside", "Grangetown"])
    walk_to(cycle, StageKind.PRIORITIES)
    return cycle


def test_a_proposal_carries_theme_area_contributions_and_both_languages(
    proposing, walk_to, commissioner, resident
) -> None:
    theme = agree_theme(proposing, commissioner, name="Green spaces")
    walk_to(proposing, StageKind.PROPOSALS)
    proposal = submit_proposal(
        proposing,
        resident,
        fields(
            theme_id=theme.id,
            area="Riverside",
            volunteer_hours=40,
            materials="Paint",
            space="Church hall",
            language="cy",
            title="Meinciau",
            summary="Deg mainc",
            title_translated="Benches",
            summary_translated="Ten benches",
        ),
    )
    assert (proposal.theme.name, proposal.area, proposal.volunteer_hours) == ("Green spaces", "Riverside", 40)
    assert proposal.wording("en").title == "Benches" and proposal.wording("en").lang == "en"
    assert proposal.wording("cy").title == "Meinciau" and proposal.wording("cy").lang == "cy"
    assert [r.note for r in proposal.revisions] == ["Submitted"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"summary": ""}, "summary"),
        ({"cost": None}, "cost"),
        ({"cost": 0}, "cost"),
        ({"cost": -1}, "cost"),
        ({"area": "Narnia"}, "area"),
        ({"theme_id": 9999}, "theme_id"),
        ({"summary_translated": "Deg mainc"}, "title_translated"),
        ({"title_translated": "Meinciau"}, "summary_translated"),
        ({"volunteer_hours": -3}, "volunteer_hours"),
        ({"title": "x" * 121}, "title"),
    ],
)
def test_incomplete_or_absurd_proposals_are_refused_by_field(proposing, walk_to, resident, overrides, field) -> None:
    walk_to(proposing, StageKind.PROPOSALS)
    with pytest.raises(InvalidInput) as refused:
        submit_proposal(proposing, resident, fields(**{"area": "Riverside", **overrides}))
    assert refused.value.field == field
    assert find_proposals(proposing) == []


def test_a_cost_above_the_whole_budget_is_refused(proposing, walk_to, resident) -> None:
    walk_to(proposing, StageKind.PROPOSALS)
    with pytest.raises(OutsideMandate) as refused:
        submit_proposal(proposing, resident, fields(area="Riverside", cost=proposing.budget + 1))
    assert refused.value.clause == "proposals.max_cost"


def test_drafts_are_private_and_go_once_submitted(proposing, walk_to, resident, make_user) -> None:
    walk_to(proposing, StageKind.PROPOSALS)
    draft = save_draft(proposing, resident, ProposalFields(title="Half an idea"))
    assert [d.id for d in drafts_of(proposing, resident)] == [draft.id]
    with pytest.raises(NotFound):
        get_draft(proposing, make_user(), draft.id)
    submit_proposal(proposing, resident, fields(area="Riverside"), draft=draft)
    assert drafts_of(proposing, resident) == []


def test_every_edit_is_a_visible_revision_until_the_stage_closes(
    proposing, walk_to, commissioner, resident, make_user
) -> None:
    stage = walk_to(proposing, StageKind.PROPOSALS)
    proposal = submit_proposal(proposing, resident, fields(area="Riverside"))
    edit_proposal(proposal, resident, fields(area="Riverside", cost=90_000, summary="Twelve benches"))
    assert [(r.number, r.note, r.snapshot["cost"]) for r in proposal.revisions] == [
        (1, "Submitted", 80_000),
        (2, "Edited by the proposer", 90_000),
    ]
    with pytest.raises(NotAuthorised) as not_theirs:
        edit_proposal(proposal, make_user(), fields(area="Riverside"))
    assert not_theirs.value.clause == "roles.author"
    close_stage(stage, commissioner)
    with pytest.raises(StageNotOpen):
        edit_proposal(proposal, resident, fields(area="Riverside", cost=1))
    assert proposal.cost == 90_000


def test_a_picture_is_resized_and_stripped_of_its_metadata(proposing, walk_to, resident) -> None:
    walk_to(proposing, StageKind.PROPOSALS)
    proposal = submit_proposal(
        proposing, resident, fields(area="Riverside"), image=Upload(jpeg_with_location(), "The riverbank")
    )
    assert proposal.image is not None and proposal.image.alt == "The riverbank"
    assert (proposal.image.width, proposal.image.height) == (1600, 800)
    assert b"SecretCam" not in proposal.image.data
    assert not Image.open(io.BytesIO(proposal.image.data)).getexif()


@pytest.mark.parametrize(
    ("data", "alt", "field"),
    [
        (b"GIF89a not really", "x", "image"),
        (b"<script>alert(1)</script>", "x", "image"),
        (b"\xff\xd8" + b"0" * (5 * 1024 * 1024), "x", "image"),
        (None, "", "image_alt"),
    ],
)
def test_bad_pictures_are_refused_and_nothing_is_written(proposing, walk_to, resident, data, alt, field) -> None:
    walk_to(proposing, StageKind.PROPOSALS)
    with pytest.raises(InvalidInput) as refused:
        submit_proposal(
            proposing,
            resident,
            fields(area="Riverside"),
            image=Upload(data if data is not None else jpeg_with_location(), alt),
        )
    assert refused.value.field == field


def test_finding_proposals_by_text_area_cost_and_status(proposing, walk_to, resident) -> None:
    walk_to(proposing, StageKind.PROPOSALS)
    benches = submit_proposal(proposing, resident, fields(area="Riverside"))
    mural = submit_proposal(
        proposing, resident, fields(title="Mural", summary="Paint the underpass", area="Grangetown", cost=300_000)
    )
    assert find_proposals(proposing, Filters(text="underpass")) == [mural]
    assert find_proposals(proposing, Filters(area="Riverside")) == [benches]
    assert find_proposals(proposing, Filters(max_cost=100_000)) == [benches]
    assert find_proposals(proposing, Filters(status=ProposalStatus.ELIGIBLE)) == []


def test_the_proposer_answers_the_review_once_and_may_revise(
    proposing, walk_to, commissioner, resident, make_user
) -> None:
    walk_to(proposing, StageKind.PROPOSALS)
    proposal = submit_proposal(proposing, resident, fields(area="Riverside"))
    walk_to(proposing, StageKind.REVIEW)
    review_proposal(proposal, commissioner, eligible=False, ground="Over the cost cap", reason="Too dear for now")
    with pytest.raises(NotAuthorised):
        respond_to_review(proposal, make_user(), response="Me too")
    respond_to_review(
        proposal, resident, response="Here is a cheaper version.", revision=fields(area="Riverside", cost=50_000)
    )
    assert (proposal.status, proposal.cost, proposal.ruling_ground) == (ProposalStatus.SUBMITTED, 50_000, None)
    assert proposal.revisions[-1].note == "Revised by the proposer after the review"
    with pytest.raises(Conflict):
        respond_to_review(proposal, resident, response="And again")


def test_the_review_mandate_can_close_the_door_to_answers(make_cycle, walk_to, commissioner, resident) -> None:
    cycle = make_cycle(kinds=FULL_CYCLE)
    review = cycle.stage_of_kind(StageKind.REVIEW)
    update_mandate(
        review,
        commissioner,
        purpose="p",
        roles="r",
        boundaries={**review.mandate.boundaries_data, "proposers_may_respond": False},
    )
    walk_to(cycle, StageKind.PROPOSALS)
    proposal = submit_proposal(cycle, resident, fields())
    walk_to(cycle, StageKind.REVIEW)
    review_proposal(proposal, commissioner, eligible=True)
    with pytest.raises(OutsideMandate) as refused:
        respond_to_review(proposal, resident, response="Thanks")
    assert refused.value.clause == "review.proposers_may_respond"
