"""A resident follows a funded project, pledges time, rates it, and carries an unfunded idea over, on a phone."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from pb.accounts.services import find_by_email
from pb.cycles.models import StageKind, StageState
from pb.cycles.services import appoint_representative, close_stage, create_cycle, list_cycles, open_stage
from pb.db import db
from pb.delivery.models import DeliveryStatus
from pb.delivery.services import post_update
from pb.demo import DEMO_PASSWORD
from pb.mandates.models import Side
from pb.mandates.services import sign_mandate, update_mandate
from pb.proposals.review import review_proposal
from pb.proposals.services import ProposalFields, proposals_for, submit_proposal
from pb.results.services import Choice, record_decision
from tests.browser.conftest import NO_SIDEWAYS_SCROLL, axe_violations, in_app

pytestmark = pytest.mark.browser
TITLE = "Riverside delivered"


def _walk_to(cycle, kind: StageKind) -> None:  # type: ignore[no-untyped-def]
    commissioner = find_by_email("commissioner@example.org")
    for stage in cycle.stages:
        if stage.state == StageState.AGREED:
            open_stage(stage, commissioner)
        if stage.kind == kind:
            return
        if stage.state == StageState.OPEN:
            close_stage(stage, commissioner)


def decided_cycle() -> None:
    """Beside the demo: a cycle whose advisory vote is counted, decided and in delivery (and test_every_page.py)."""
    commissioner = find_by_email("commissioner@example.org")
    representative = find_by_email("representative@example.org")
    resident = find_by_email("resident@example.org")
    assert commissioner and representative and resident
    cycle = create_cycle(
        commissioner,
        title=TITLE,
        purpose="Make the riverside better",
        area="Riverside",
        budget=1_000_000,
        kinds=[
            StageKind.PROPOSALS,
            StageKind.REVIEW,
            StageKind.VOTE,
            StageKind.DECISION,
            StageKind.DELIVERY,
            StageKind.ASSESSMENT,
        ],
    )
    appoint_representative(cycle, commissioner, representative.email)
    vote = cycle.stage_of_kind(StageKind.VOTE)
    assert vote is not None
    update_mandate(
        vote,
        commissioner,
        purpose=vote.mandate.purpose,
        roles=vote.mandate.roles,
        boundaries={**vote.mandate.boundaries_data, "binding": False, "budget": 1_000_000},
    )
    for stage in cycle.stages:
        sign_mandate(stage, commissioner, Side.COMMISSIONERS, stage.mandate.version)
        sign_mandate(stage, representative, Side.RESIDENTS, stage.mandate.version)
    _walk_to(cycle, StageKind.PROPOSALS)
    planters = submit_proposal(
        cycle, resident, ProposalFields(title="Planters", summary="Planters by the path", cost=200_000)
    )
    lights = submit_proposal(
        cycle, resident, ProposalFields(title="Lights", summary="Lights under the bridge", cost=300_000)
    )
    _walk_to(cycle, StageKind.REVIEW)
    review_proposal(planters, commissioner, eligible=True)
    review_proposal(lights, commissioner, eligible=True)
    _walk_to(cycle, StageKind.DECISION)
    record_decision(
        cycle,
        commissioner,
        {planters.id: Choice(True, "The panel's choice"), lights.id: Choice(False, "Not this year")},
    )
    _walk_to(cycle, StageKind.DELIVERY)
    post_update(
        planters,
        commissioner,
        status=DeliveryStatus.IN_PROGRESS,
        body="Planters ordered.",
        milestone="Planters in place",
        spend_to_date=80_000,
    )
    db.session.commit()


def _to_assessment() -> None:
    commissioner = find_by_email("commissioner@example.org")
    cycle = next(c for c in list_cycles() if c.title == TITLE)
    planters = next(p for p in proposals_for(cycle) if p.title == "Planters")
    post_update(planters, commissioner, status=DeliveryStatus.DELIVERED, body="All planted.", spend_to_date=190_000)
    _walk_to(cycle, StageKind.ASSESSMENT)
    db.session.commit()


def test_a_resident_follows_pledges_rates_and_carries_over_on_a_phone(
    live_app: Flask, live_server: str, phone: Page
) -> None:
    in_app(live_app, decided_cycle)
    phone.goto(live_server + "/sign-in")
    phone.get_by_label("Email address").fill("resident@example.org")
    phone.get_by_label("Password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.get_by_role("link", name=TITLE).click()
    phone.get_by_role("link", name="Progress on funded projects, and what residents give").click()
    expect(phone.get_by_role("heading", name="Delivering what was funded")).to_be_visible()
    assert axe_violations(phone) == []
    phone.get_by_role("link", name="Planters").click()
    expect(phone.get_by_text("Planters ordered.")).to_be_visible()
    phone.get_by_label("Hours you will give").fill("6")
    phone.get_by_label("Materials, tools or space you will give").fill("Two wheelbarrows")
    phone.get_by_role("button", name="Pledge", exact=True).click()
    expect(phone.get_by_text("You pledged 6 hours and: Two wheelbarrows.")).to_be_visible()  # in place, by htmx
    assert axe_violations(phone) == []
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)

    in_app(live_app, _to_assessment)
    phone.reload()
    phone.get_by_label("4 – Good").check()
    phone.get_by_label("Your comment").fill("Bright and cared for.")
    phone.get_by_role("button", name="Send your rating").click()
    expect(phone.get_by_text("4.0 out of 5")).to_be_visible()
    expect(phone.locator(".comment", has_text="Bright and cared for.")).to_be_visible()
    assert axe_violations(phone) == []

    phone.get_by_role("link", name="The proposal, as residents wrote it").click()
    phone.get_by_role("link", name="All proposals").click()
    phone.get_by_role("link", name="Lights").click()
    phone.get_by_role("button", name="Carry it into the next cycle").click()
    expect(phone.get_by_text("The proposer has agreed to carry this proposal into the next cycle.")).to_be_visible()
    assert axe_violations(phone) == []
