from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from pb.audit.models import AuditEntry
from pb.audit.services import verify
from pb.cycles.models import StageKind
from pb.cycles.services import close_stage
from pb.db import db
from pb.delivery import next_cycle, services
from pb.delivery.models import DeliveryStatus
from pb.errors import Conflict, InvalidInput, NotAuthorised, OutsideMandate, StageNotOpen
from pb.priorities.models import Theme
from pb.proposals.models import Proposal, ProposalStatus


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def _by_title(proposals: list[Proposal]) -> dict[str, Proposal]:
    return {p.title: p for p in proposals}


def _finish(cycle, commissioner, walk_to) -> None:  # type: ignore[no-untyped-def]
    walk_to(cycle, StageKind.ASSESSMENT)
    close_stage(cycle.stage_of_kind(StageKind.ASSESSMENT), commissioner)
    db.session.commit()


# Delivery --------------------------------------------------------------------------------------


def test_only_the_projects_the_decision_funded_are_delivered(decided_cycle) -> None:
    cycle, _proposals = decided_cycle()
    assert [p.title for p in services.funded_projects(cycle)] == ["Benches", "Bulbs"]


def test_commissioner_posts_updates_and_every_one_stays_in_the_history(decided_cycle, walk_to, commissioner) -> None:
    cycle, proposals = decided_cycle()
    benches = _by_title(proposals)["Benches"]
    walk_to(cycle, StageKind.DELIVERY)
    services.post_update(
        benches,
        commissioner,
        status=DeliveryStatus.IN_PROGRESS,
        body="Ordered from a local joiner.",
        milestone="Benches installed",
        milestone_due=date(2027, 5, 1),
        spend_to_date=120_000,
    )
    services.post_update(benches, commissioner, status=DeliveryStatus.DELIVERED, body="All six are in.")
    project = services.project_delivery(benches)
    assert [u.status for u in project.updates] == [DeliveryStatus.IN_PROGRESS, DeliveryStatus.DELIVERED]
    assert project.status == DeliveryStatus.DELIVERED
    assert [m.milestone for m in project.milestones] == ["Benches installed"]
    assert project.contributions.spent == 120_000  # the last spend reported stands until a new one
    assert project.contributions.funded == 300_000
    assert _actions().count("delivery.update") == 2


def test_a_resident_cannot_post_an_update(decided_cycle, walk_to, resident) -> None:
    cycle, proposals = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    with pytest.raises(NotAuthorised):
        services.post_update(proposals[0], resident, status=DeliveryStatus.IN_PROGRESS, body="Started")


def test_updates_wait_for_the_delivery_stage(decided_cycle, commissioner) -> None:
    _cycle, proposals = decided_cycle()  # the decision stage is still open
    with pytest.raises(StageNotOpen) as refusal:
        services.post_update(proposals[0], commissioner, status=DeliveryStatus.IN_PROGRESS, body="Started")
    assert refusal.value.clause == "stage.state"


def test_an_unfunded_project_gets_no_update(decided_cycle, walk_to, commissioner) -> None:
    cycle, proposals = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    with pytest.raises(Conflict) as refusal:
        services.post_update(
            _by_title(proposals)["Mural"], commissioner, status=DeliveryStatus.IN_PROGRESS, body="Started"
        )
    assert refusal.value.clause == "delivery.funded"


def test_an_update_says_what_happened_and_a_due_date_names_its_milestone(decided_cycle, walk_to, commissioner) -> None:
    cycle, proposals = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    with pytest.raises(InvalidInput) as empty:
        services.post_update(proposals[0], commissioner, status=DeliveryStatus.IN_PROGRESS, body="  ")
    assert empty.value.field == "body"
    with pytest.raises(InvalidInput) as unnamed:
        services.post_update(
            proposals[0], commissioner, status=DeliveryStatus.IN_PROGRESS, body="Soon", milestone_due=date(2027, 1, 1)
        )
    assert unnamed.value.field == "milestone"


def test_a_resident_pledges_once_changes_it_and_marks_it_given(decided_cycle, walk_to, resident, neighbour) -> None:
    cycle, proposals = decided_cycle()
    bulbs = _by_title(proposals)["Bulbs"]
    walk_to(cycle, StageKind.DELIVERY)
    services.pledge(bulbs, resident, hours=4)
    services.pledge(bulbs, resident, hours=6, materials="A van for a day")
    services.pledge(bulbs, neighbour, hours=3, given=True)
    pledges = services.pledges_of(bulbs)
    assert len(pledges) == 2  # one a person a project
    mine = services.my_pledge(bulbs, resident)
    assert mine is not None and mine.hours == 6 and not mine.given and mine.given_at is None
    given = services.my_pledge(bulbs, neighbour)
    assert given is not None and given.given and given.given_at is not None
    contributions = services.project_delivery(bulbs).contributions
    assert (contributions.pledgers, contributions.hours_pledged, contributions.hours_given) == (2, 9, 3)
    assert contributions.materials == [("A van for a day", False)]
    services.withdraw_pledge(bulbs, resident)
    assert services.project_delivery(bulbs).contributions.hours_pledged == 3
    assert "delivery.pledge_withdraw" in _actions()


def test_a_pledge_gives_something(decided_cycle, walk_to, resident) -> None:
    cycle, proposals = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    with pytest.raises(InvalidInput) as nothing:
        services.pledge(proposals[0], resident, hours=0, materials=" ")
    assert nothing.value.field == "hours"
    with pytest.raises(InvalidInput):
        services.pledge(proposals[0], resident, hours=-2, materials="Paint")


def test_residents_cannot_pledge_where_the_mandate_asks_for_no_pledges(decided_cycle, walk_to, resident) -> None:
    cycle, proposals = decided_cycle(residents_may_pledge=False)
    walk_to(cycle, StageKind.DELIVERY)
    with pytest.raises(OutsideMandate) as refusal:
        services.pledge(proposals[0], resident, hours=2)
    assert refusal.value.clause == "delivery.residents_may_pledge"


def test_no_pledge_to_an_unfunded_project(decided_cycle, walk_to, resident) -> None:
    cycle, proposals = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    with pytest.raises(Conflict):
        services.pledge(_by_title(proposals)["Pond"], resident, hours=2)


def test_the_overview_puts_the_council_spend_beside_residents_contributions(
    decided_cycle, walk_to, commissioner, resident
) -> None:
    cycle, proposals = decided_cycle()
    by_title = _by_title(proposals)
    walk_to(cycle, StageKind.DELIVERY)
    services.post_update(
        by_title["Benches"], commissioner, status=DeliveryStatus.IN_PROGRESS, body="Started", spend_to_date=50_000
    )
    services.post_update(
        by_title["Bulbs"], commissioner, status=DeliveryStatus.DELIVERED, body="Planted", spend_to_date=90_000
    )
    services.pledge(by_title["Bulbs"], resident, hours=5, given=True)
    overview = services.delivery_overview(cycle)
    assert (overview.totals.funded, overview.totals.spent) == (400_000, 140_000)
    assert (overview.totals.hours_pledged, overview.totals.hours_given) == (5, 5)
    assert overview.counts[DeliveryStatus.DELIVERED] == 1 and overview.may_pledge
    delivered = services.delivery_overview(cycle, DeliveryStatus.DELIVERED)
    assert [p.proposal.title for p in delivered.projects] == ["Bulbs"]
    assert delivered.totals.spent == 140_000  # the totals cover every project, whatever the filter


# Co-assessment ---------------------------------------------------------------------------------


def _delivered(cycle, proposals, walk_to, commissioner) -> Proposal:  # type: ignore[no-untyped-def]
    bulbs = _by_title(proposals)["Bulbs"]
    walk_to(cycle, StageKind.DELIVERY)
    services.post_update(bulbs, commissioner, status=DeliveryStatus.DELIVERED, body="Planted")
    walk_to(cycle, StageKind.ASSESSMENT)
    return bulbs


def test_residents_rate_a_delivered_project_once_each_and_may_change_it(
    decided_cycle, walk_to, commissioner, resident, neighbour
) -> None:
    cycle, proposals = decided_cycle()
    bulbs = _delivered(cycle, proposals, walk_to, commissioner)
    services.rate_project(bulbs, resident, rating=2)
    services.rate_project(bulbs, resident, rating=4, comment="Lovely in spring")
    services.rate_project(bulbs, neighbour, rating=5)
    ratings = services.ratings_of(bulbs)
    assert (ratings.count, ratings.average) == (2, 4.5)
    assert ratings.by_rating == {5: 1, 4: 1, 3: 0, 2: 0, 1: 0}
    assert [a.comment for a in ratings.comments] == ["Lovely in spring"]
    assert _actions().count("assessment.rate") == 3


def test_only_delivered_projects_are_rated(decided_cycle, walk_to, commissioner, resident) -> None:
    cycle, proposals = decided_cycle()
    _delivered(cycle, proposals, walk_to, commissioner)
    with pytest.raises(Conflict) as refusal:
        services.rate_project(_by_title(proposals)["Benches"], resident, rating=3)  # never reported delivered
    assert refusal.value.clause == "assessment.delivered"


def test_a_rating_is_from_one_to_five(decided_cycle, walk_to, commissioner, resident) -> None:
    cycle, proposals = decided_cycle()
    bulbs = _delivered(cycle, proposals, walk_to, commissioner)
    with pytest.raises(InvalidInput) as refusal:
        services.rate_project(bulbs, resident, rating=6)
    assert refusal.value.field == "rating"


def test_ratings_wait_for_the_assessment_stage(decided_cycle, walk_to, commissioner, resident) -> None:
    cycle, proposals = decided_cycle()
    bulbs = _by_title(proposals)["Bulbs"]
    walk_to(cycle, StageKind.DELIVERY)
    services.post_update(bulbs, commissioner, status=DeliveryStatus.DELIVERED, body="Planted")
    with pytest.raises(StageNotOpen):
        services.rate_project(bulbs, resident, rating=4)


def test_the_mandate_can_keep_rating_to_representatives(
    decided_cycle, walk_to, commissioner, resident, representative
) -> None:
    cycle, proposals = decided_cycle(who_may_rate="representatives")
    bulbs = _delivered(cycle, proposals, walk_to, commissioner)
    with pytest.raises(OutsideMandate) as refusal:
        services.rate_project(bulbs, resident, rating=4)
    assert refusal.value.clause == "assessment.who_may_rate"
    services.rate_project(bulbs, representative, rating=4)
    assert services.ratings_of(bulbs).count == 1


def test_commissioners_publish_lessons_while_delivery_or_assessment_is_open(
    decided_cycle, walk_to, commissioner, resident
) -> None:
    cycle, _ = decided_cycle()
    with pytest.raises(StageNotOpen):
        next_cycle.record_lesson(cycle, commissioner, "Too early")
    walk_to(cycle, StageKind.DELIVERY)
    next_cycle.record_lesson(cycle, commissioner, "Order materials before the vote closes.")
    with pytest.raises(NotAuthorised):
        next_cycle.record_lesson(cycle, resident, "Not mine to publish")
    walk_to(cycle, StageKind.ASSESSMENT)
    next_cycle.record_lesson(cycle, commissioner, "Ask the schools earlier.")
    assert [lesson.body for lesson in next_cycle.lessons_of(cycle)] == [
        "Order materials before the vote closes.",
        "Ask the schools earlier.",
    ]


# Carrying over ---------------------------------------------------------------------------------


def test_only_the_proposer_consents_and_only_for_an_unfunded_proposal(
    decided_cycle, commissioner, resident, neighbour
) -> None:
    cycle, proposals = decided_cycle()
    by_title = _by_title(proposals)
    with pytest.raises(NotAuthorised) as not_theirs:
        next_cycle.consent_to_carry_over(by_title["Mural"], neighbour)
    assert not_theirs.value.clause == "roles.author"
    with pytest.raises(Conflict):
        next_cycle.consent_to_carry_over(by_title["Benches"], resident)  # funded
    next_cycle.consent_to_carry_over(by_title["Mural"], resident)
    offer = next_cycle.carry_over_offer(by_title["Mural"], resident)
    assert offer is not None and offer.consented and offer.may_consent
    assert next_cycle.carry_over_offer(by_title["Benches"], resident) is None
    next_cycle.consent_to_carry_over(by_title["Mural"], resident, consent=False)
    assert next_cycle.carry_over_candidates(cycle) == []
    assert _actions().count("proposal.carry_over_consent") == 2


def test_the_next_cycle_waits_until_this_one_has_finished(decided_cycle, commissioner) -> None:
    cycle, _ = decided_cycle()
    with pytest.raises(StageNotOpen) as refusal:
        next_cycle.start_next_cycle(
            cycle, commissioner, title="Next", purpose="p", area="a", budget=100, kinds=[StageKind.PROPOSALS]
        )
    assert refusal.value.clause == "cycle.finished"


def test_the_next_cycle_carries_themes_lessons_and_consented_proposals(
    decided_cycle, walk_to, commissioner, resident, neighbour
) -> None:
    cycle, proposals = decided_cycle()
    by_title = _by_title(proposals)
    next_cycle.consent_to_carry_over(by_title["Mural"], resident)  # "Pond" stays behind: no consent
    walk_to(cycle, StageKind.DELIVERY)
    next_cycle.record_lesson(cycle, commissioner, "Order materials early.")
    _finish(cycle, commissioner, walk_to)
    defaults = next_cycle.next_cycle_defaults(cycle)
    assert defaults["areas"] == ["North", "South"] and defaults["kinds"] == [s.kind for s in cycle.stages]

    nxt = next_cycle.start_next_cycle(
        cycle,
        commissioner,
        title="Green spaces 2028",
        purpose="Carry on",
        area=cycle.area,
        areas=cycle.areas,
        budget=cycle.budget,
        kinds=[StageKind.PROPOSALS, StageKind.REVIEW, StageKind.VOTE, StageKind.DECISION],
    )
    db.session.commit()
    themes = db.session.scalars(select(Theme).where(Theme.cycle_id == nxt.id)).all()
    assert [(t.name, t.description) for t in themes] == [("Green spaces", "Parks and verges")]
    carried = db.session.scalars(select(Proposal).where(Proposal.cycle_id == nxt.id)).all()
    assert [p.title for p in carried] == ["Mural"]
    mural = carried[0]
    assert mural.author_id == resident.id and mural.status == ProposalStatus.SUBMITTED
    assert mural.theme_id == themes[0].id and mural.area == "North" and mural.cost == 200_000
    note = mural.revisions[0].note
    assert f"cycle {cycle.id}" in note and f"proposal {by_title['Mural'].id}" in note
    came_from = next_cycle.carried_from(nxt)
    assert came_from is not None and came_from.from_cycle_id == cycle.id
    assert [lesson.body for lesson in next_cycle.lessons_of(came_from.from_cycle)] == ["Order materials early."]
    offer = next_cycle.carry_over_offer(by_title["Mural"], resident)
    assert offer is not None and offer.carried_to is not None and offer.carried_to.id == mural.id
    assert not offer.may_consent
    assert "cycle.carry_over" in _actions() and verify().ok


def test_a_finished_cycle_leads_to_one_next_cycle(decided_cycle, walk_to, commissioner, resident) -> None:
    cycle, proposals = decided_cycle()
    _finish(cycle, commissioner, walk_to)
    arguments = {"title": "Next", "purpose": "p", "area": "a", "budget": 100, "kinds": [StageKind.PROPOSALS]}
    next_cycle.start_next_cycle(cycle, commissioner, **arguments)
    with pytest.raises(Conflict):
        next_cycle.start_next_cycle(cycle, commissioner, **arguments)
    with pytest.raises(Conflict) as late:
        next_cycle.consent_to_carry_over(_by_title(proposals)["Mural"], resident)
    assert late.value.clause == "carry_over.started"


def test_only_a_commissioner_starts_the_next_cycle(decided_cycle, walk_to, commissioner, resident) -> None:
    cycle, _ = decided_cycle()
    _finish(cycle, commissioner, walk_to)
    with pytest.raises(NotAuthorised):
        next_cycle.start_next_cycle(
            cycle, resident, title="Next", purpose="p", area="a", budget=100, kinds=[StageKind.PROPOSALS]
        )
