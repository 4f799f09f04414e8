"""A cycle with a row in every table a backup holds, and a second installation to restore it into."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from pb import create_app
from pb.accounts.models import Role, User
from pb.cycles.endorsements import endorse
from pb.cycles.models import Cycle, Stage, StageKind
from pb.db import db
from pb.deliberation.models import CommentKind
from pb.deliberation.services import add_comment, answer_merge, hide_comment, request_merge, set_support
from pb.delivery import pledges
from pb.delivery.models import DeliveryStatus
from pb.delivery.next_cycle import consent_to_carry_over, record_lesson
from pb.delivery.services import pledge, post_update, rate_project
from pb.events.kiosk import redeem_at_kiosk, start_kiosk, stop_kiosk
from pb.events.paper import key_paper_ballot, print_paper_ballots
from pb.events.paper_checks import record_paper_count
from pb.events.services import create_event, register_attendee
from pb.events.workshops import Link, add_idea, record_workshop
from pb.mandates.models import Side
from pb.mandates.services import discuss_mandate, sign_mandate, update_mandate
from pb.priorities.models import AssetType, NeedKind
from pb.priorities.services import agree_theme, record_need, support_need
from pb.proposals.review import respond_to_review, review_proposal, revise_cost
from pb.proposals.services import ProposalFields, Upload, edit_proposal, fields_of, save_draft, submit_proposal
from pb.results.demographics import enter_population
from pb.results.services import Choice, record_decision
from pb.voting.codes import issue_codes, redeem_code
from pb.voting.demographics import record_answers, respondent_for
from pb.voting.services import cast_ballot
from tests.conftest import ON_POSTGRES
from tests.postgres import TEMPLATE

EVERY_STAGE = list(StageKind)
STARTS, ENDS = datetime(2026, 12, 1, 10, tzinfo=UTC), datetime(2026, 12, 1, 13, tzinfo=UTC)


def _set(stage: Stage, commissioner: User, **boundaries: Any) -> None:
    mandate = stage.mandate
    update_mandate(stage, commissioner, purpose=mandate.purpose, roles=mandate.roles,
                   boundaries={**mandate.boundaries_data, **boundaries})


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def rich_cycle(make_cycle, walk_to, commissioner, representative, resident, make_user) -> Cycle:  # type: ignore[no-untyped-def]
    """A cycle through every stage, with at least one row in each table of helpers.FILLED."""
    neighbour, linked = make_user(name="Nia Neighbour"), make_user(name="Lowri Linked")
    cycle = make_cycle(title="Parks 2026", kinds=EVERY_STAGE, areas=["North", "South"])
    ffion = make_user(Role.FACILITATOR, cycle=cycle, name="Ffion Facilitator")
    gareth = make_user(Role.FACILITATOR, cycle=cycle, name="Gareth Facilitator")
    endorse(cycle, make_user(Role.COUNCILLOR, cycle=cycle, name="Cerys Councillor"), "Vote in the parks!")
    stages = {stage.kind: stage for stage in cycle.stages}
    sign_mandate(stages[StageKind.PRIORITIES], commissioner, Side.COMMISSIONERS, 1)
    _set(stages[StageKind.PRIORITIES], commissioner)  # a second version, after a signature of the first
    discuss_mandate(stages[StageKind.PRIORITIES], representative, "Residents are happy with this.")
    _set(stages[StageKind.DELIBERATION], commissioner, moderation_grounds=["Personal attack"])
    _set(stages[StageKind.REVIEW], commissioner, rule_out_grounds=["Unlawful"], may_revise_costs=True,
         proposers_may_respond=True)
    _set(stages[StageKind.VOTE], commissioner, binding=False, budget=cycle.budget, eligibility="both", max_choices=3,
         demographics=["age", "welsh"])

    walk_to(cycle, StageKind.PRIORITIES)
    theme = agree_theme(cycle, commissioner, name="Green spaces", description="Parks and verges")
    need = record_need(cycle, resident, kind=NeedKind.NEED, title="Bins", area="North", theme_id=theme.id)
    record_need(cycle, neighbour, kind=NeedKind.ASSET, asset_type=AssetType.PLACE, title="The hall", area="South")
    support_need(need, neighbour)

    walk_to(cycle, StageKind.PROPOSALS)

    def propose(author: User, title: str, cost: int) -> Any:
        return submit_proposal(cycle, author, ProposalFields(title=title, summary=f"{title} for the park", cost=cost,
                                                             area="North", theme_id=theme.id))

    benches = submit_proposal(
        cycle, resident,
        ProposalFields(title="Benches", summary="Six benches", cost=300_000, area="North", theme_id=theme.id,
                       title_translated="Meinciau", summary_translated="Chwe mainc", volunteer_hours=10),
        image=Upload(_jpeg(), "A bench by the path"),
    )
    bulbs, mural = propose(neighbour, "Bulbs", 100_000), propose(resident, "Mural", 200_000)
    pond, swings, casino = propose(neighbour, "Pond", 250_000), propose(neighbour, "Swings", 150_000), propose(
        resident, "Casino", 50_000)
    edit_proposal(benches, resident, ProposalFields(**{**_fields(benches), "description": "Oak, with backs."}))
    save_draft(cycle, resident, ProposalFields(title="Half an idea", theme_id=theme.id))

    walk_to(cycle, StageKind.DELIBERATION)
    comment = add_comment(benches, neighbour, "Lovely idea")
    add_comment(benches, resident, "Thank you", parent=comment)
    question = add_comment(bulbs, resident, "Which bulbs?", kind=CommentKind.QUESTION)
    add_comment(bulbs, commissioner, "Daffodils", parent=question)
    hide_comment(add_comment(pond, neighbour, "Rubbish, like you"), commissioner, ground="Personal attack",
                 note="Hidden")
    set_support(benches, neighbour, supported=True)
    merge = request_merge(swings, benches, neighbour, "Both are about seats")
    answer_merge(merge, neighbour, agree=True)
    answer_merge(merge, resident, agree=True)
    workshop = create_event(stages[StageKind.DELIBERATION], commissioner, title="Workshop", venue="Hall",
                            starts_at=STARTS, ends_at=ENDS, facilitator_ids=[ffion.id])
    record_workshop(workshop, ffion, notes="We talked about seats.", attendance=12)
    add_idea(workshop, ffion, "More bins", Link(need_id=need.id))
    add_idea(workshop, ffion, "Benches by the pond", Link(proposal_id=benches.id))

    walk_to(cycle, StageKind.REVIEW)
    for proposal in (benches, bulbs, mural, pond):
        review_proposal(proposal, commissioner, eligible=True)
    review_proposal(casino, commissioner, eligible=False, ground="Unlawful", reason="Gambling is not for this fund.")
    revise_cost(pond, commissioner, new_cost=260_000, reason="The liner costs more.")
    respond_to_review(pond, neighbour, response="Fair enough.")

    vote = walk_to(cycle, StageKind.VOTE)
    _batch, codes = issue_codes(vote, commissioner, 3, "Letters")
    evening = create_event(vote, commissioner, title="Voting day", venue="Hub", starts_at=STARTS, ends_at=ENDS,
                           facilitator_ids=[ffion.id, gareth.id])
    desk = register_attendee(evening, ffion, name="Ann Attendee", postcode="CF10 5AB")
    kiosk, _token = start_kiosk(evening, ffion, "By the door", "2468")
    cast_ballot(vote, redeem_at_kiosk(kiosk, desk.code or ""), [bulbs.id])
    stop_kiosk(kiosk, ffion)
    paper = print_paper_ballots(evening, ffion, 5)
    for keyer in (ffion, gareth):
        key_paper_ballot(evening, keyer, paper.first_serial, {benches.id: 1})
        key_paper_ballot(evening, keyer, paper.first_serial + 1, spoilt=True, spoilt_reason="Torn")
    record_paper_count(evening, ffion, issued=3, returned=2)
    cast_ballot(vote, resident, [benches.id, mural.id])
    receipt = cast_ballot(vote, resident, [benches.id])  # a revision: the first is kept, replaced
    answerer = respondent_for(vote, receipt, resident)
    assert answerer is not None
    assert record_answers(vote, answerer, {"age": "25_34", "welsh": "yes"}) == "counted"
    enter_population(vote, commissioner, {"welsh": {"yes": 11_00, "no": 89_00}}, "Census 2021")
    cast_ballot(vote, neighbour, [pond.id, bulbs.id], submission="a" * 32)
    cast_ballot(vote, redeem_code(vote, codes[0]), [pond.id])
    cast_ballot(vote, redeem_code(vote, codes[1], user=linked), [benches.id])

    walk_to(cycle, StageKind.DECISION)  # closing the vote counts it
    on_ballot = (benches, bulbs, mural, pond)
    record_decision(cycle, commissioner, {
        p.id: Choice(funded=p in (benches, bulbs), reason="As residents advised") for p in on_ballot
    })
    consent_to_carry_over(mural, resident)

    walk_to(cycle, StageKind.DELIVERY)
    post_update(benches, commissioner, status=DeliveryStatus.IN_PROGRESS, body="Ordered", milestone="Installed",
                milestone_due=date(2027, 3, 1), spend_to_date=120_000)
    post_update(bulbs, commissioner, status=DeliveryStatus.DELIVERED, body="Planted")
    pledge(bulbs, resident, hours=4)
    given = pledges.record_pledge(bulbs, commissioner, name="Mrs Jones", hours=2, materials="Spades")
    pledges.mark_given(bulbs, given.id, commissioner)
    record_lesson(cycle, commissioner, "Order bulbs early.")

    walk_to(cycle, StageKind.ASSESSMENT)
    rate_project(bulbs, resident, rating=4, comment="Pretty")
    db.session.commit()
    return cycle


def _fields(proposal: Any) -> dict[str, Any]:
    return fields_of(proposal).to_dict()


@pytest.fixture
def other_app(request: pytest.FixtureRequest, template_db: Path, tmp_path: Path) -> Iterator[Flask]:
    """A second installation, on a freshly migrated database of its own, with the same BALLOT_KEY_SECRET."""
    if ON_POSTGRES:
        cluster = request.getfixturevalue("postgres")
        name = cluster.create(template=TEMPLATE)
        url = cluster.url(name)
    else:
        path = tmp_path / "other.sqlite3"
        shutil.copyfile(template_db, path)
        url = f"sqlite:///{path}"
    other = create_app("test", SQLALCHEMY_ENGINES={"default": url})
    yield other
    with other.app_context():
        db.engine.dispose()
    if ON_POSTGRES:
        cluster.drop(name)
