"""A resident records a need, writes a proposal with a draft, and joins the discussion, on a phone."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from pb.accounts.services import find_by_email
from pb.cycles.models import StageKind
from pb.cycles.services import close_stage, create_cycle, open_stage
from pb.db import db
from pb.mandates.models import Side
from pb.mandates.services import sign_mandate
from pb.proposals import services as proposal_services
from pb.proposals.models import Proposal
from tests.browser.conftest import NO_SIDEWAYS_SCROLL, axe_violations, in_app, sign_in

pytestmark = pytest.mark.browser


def _co_design_cycle() -> None:
    commissioner = find_by_email("commissioner@example.org")
    representative = find_by_email("representative@example.org")
    assert commissioner and representative
    cycle = create_cycle(commissioner, title="Riverside together", purpose="Shape the riverside", area="Riverside",
                         areas=["North bank", "South bank"], budget=2_000_000, template="co-design-panel",
                         kinds=[StageKind.PRIORITIES, StageKind.PROPOSALS, StageKind.DELIBERATION])
    from pb.cycles.services import appoint_representative

    appoint_representative(cycle, commissioner, representative.email)
    for stage in cycle.stages:
        sign_mandate(stage, commissioner, Side.COMMISSIONERS, stage.mandate.version)
        sign_mandate(stage, representative, Side.RESIDENTS, stage.mandate.version)
    open_stage(cycle.stages[0], commissioner)
    db.session.commit()


def _to_proposals() -> None:
    commissioner = find_by_email("commissioner@example.org")
    from pb.cycles.services import list_cycles

    cycle = next(c for c in list_cycles() if c.title == "Riverside together")
    close_stage(cycle.stages[0], commissioner)
    open_stage(cycle.stages[1], commissioner)
    db.session.commit()


def _benches() -> int:
    return len(list(db.session.scalars(select(Proposal).where(Proposal.title == "Benches on the north bank"))))


def test_a_resident_records_a_need_then_proposes_on_a_phone(live_app: Flask, live_server: str, phone: Page) -> None:
    in_app(live_app, _co_design_cycle)
    sign_in(phone, live_server)
    phone.get_by_role("link", name="Riverside together").click()
    phone.get_by_role("link", name="Needs, assets and themes").click()
    expect(phone.get_by_role("heading", name="Needs, assets and themes", level=1)).to_be_visible()
    assert axe_violations(phone) == []
    phone.get_by_label("In a few words").fill("Nowhere to sit by the water")
    phone.locator("#area").select_option("North bank")
    phone.get_by_role("button", name="Add it").click()
    expect(phone.get_by_role("heading", name="Nowhere to sit by the water")).to_be_visible()
    phone.get_by_role("button", name="This matters to me").click()
    expect(phone.get_by_text("1 resident says this matters")).to_be_visible()  # updated in place by htmx

    in_app(live_app, _to_proposals)
    phone.goto(live_server + "/cycles/2/proposals/new")
    assert axe_violations(phone) == []
    phone.get_by_label("Title", exact=True).fill("Benches on the north bank")
    phone.get_by_role("button", name="Save as draft").click()
    expect(phone.get_by_text("Your draft is saved. Only you can see it.")).to_be_visible()
    phone.get_by_label("Summary", exact=True).fill("Six benches facing the water.")
    phone.get_by_label("Estimated cost, in pounds").fill("six thousand")
    phone.get_by_role("button", name="Submit proposal").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(phone.get_by_text("What you wrote is saved as a draft.")).to_be_visible()
    assert phone.get_by_label("Summary", exact=True).input_value() == "Six benches facing the water."
    assert axe_violations(phone) == []
    phone.get_by_label("Estimated cost, in pounds").fill("6000")
    phone.locator("#area").select_option("North bank")
    phone.get_by_label("Volunteer hours residents would give").fill("30")
    phone.get_by_role("button", name="Submit proposal").click()

    expect(phone.get_by_role("heading", name="Benches on the north bank")).to_be_visible()
    expect(phone.get_by_text("30 volunteer hours")).to_be_visible()
    assert axe_violations(phone) == []
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)


def test_a_second_tap_while_a_slow_proposal_is_on_its_way_sends_nothing_more(
    live_app: Flask, live_server: str, phone: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_app(live_app, _co_design_cycle)
    in_app(live_app, _to_proposals)
    submit = proposal_services.submit_proposal

    def slow_submit(*args: object, **kwargs: object) -> object:  # slow data: the answer takes a while
        time.sleep(1.5)
        return submit(*args, **kwargs)

    monkeypatch.setattr(proposal_services, "submit_proposal", slow_submit)
    sign_in(phone, live_server)
    phone.goto(live_server + "/cycles/2/proposals/new")
    phone.get_by_label("Title", exact=True).fill("Benches on the north bank")
    phone.get_by_label("Summary", exact=True).fill("Six benches facing the water.")
    phone.get_by_label("Estimated cost, in pounds").fill("6000")
    phone.locator("#area").select_option("North bank")
    # Tap, and since nothing seems to happen, tap again (in the page: Playwright's own clicks wait for the page).
    phone.get_by_role("button", name="Submit proposal").evaluate(
        "button => { button.click(); setTimeout(() => button.click(), 400); }"
    )

    expect(phone.get_by_role("heading", name="Benches on the north bank")).to_be_visible()
    assert in_app(live_app, _benches) == 1
