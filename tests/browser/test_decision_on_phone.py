"""A commissioner records the council's decision on a phone: the form, a page to check it, then publishing."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from pb.accounts.services import find_by_email
from pb.cycles.models import StageKind
from pb.cycles.services import close_stage, get_cycle, open_stage
from pb.db import db
from pb.proposals.services import proposals_for
from pb.voting.services import cast_ballot
from tests.browser.conftest import fits_a_phone, in_app, sign_in

pytestmark = pytest.mark.browser


def _count_the_demo_vote() -> None:
    commissioner, resident = find_by_email("commissioner@example.org"), find_by_email("resident@example.org")
    cycle = get_cycle(1)
    vote, decision = cycle.stage_of_kind(StageKind.VOTE), cycle.stage_of_kind(StageKind.DECISION)
    assert commissioner and resident and vote and decision
    cast_ballot(vote, resident, [proposals_for(cycle)[0].id])
    close_stage(vote, commissioner)
    open_stage(decision, commissioner)
    db.session.commit()


def test_a_commissioner_checks_the_decision_before_publishing_it_on_a_phone(
    live_app: Flask, live_server: str, phone: Page
) -> None:
    in_app(live_app, _count_the_demo_vote)
    sign_in(phone, live_server, "commissioner@example.org")
    phone.goto(live_server + "/cycles/1/decision")
    changes = phone.get_by_label("changes, if you fund it with changes").first
    changes.fill("Planted in two phases, autumn and spring.")
    phone.get_by_role("button", name="Continue").click()

    expect(phone.get_by_role("heading", name="Check the decision before you publish it")).to_be_visible()
    expect(phone.get_by_text("Changes: Planted in two phases, autumn and spring.")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_role("button", name="Change the decision").click()
    expect(phone.get_by_label("changes, if you fund it with changes").first).to_have_value(
        "Planted in two phases, autumn and spring."
    )
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_role("button", name="Publish the decision").click()

    expect(phone.get_by_text("The decision has been recorded and published.")).to_be_visible()
    expect(phone.get_by_text("Planted in two phases, autumn and spring.")).to_be_visible()
    fits_a_phone(phone)
