"""A resident votes on a phone and answers the optional questions; a commissioner enters the area's
population and sees who took part beside it — every page checked with axe at a phone's width."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import delete

from pb.cycles.models import StageKind
from pb.cycles.services import list_cycles
from pb.db import db
from pb.results.models import PopulationFigures
from pb.voting.demographics import SKIPPED
from pb.voting.models import DemographicCount
from tests.browser.conftest import fits_a_phone, in_app, sign_in

pytestmark = pytest.mark.browser
# Earlier voters' answers, so the comparison has enough people to show shares (the resident adds one).
EARLIER = {
    "age": {"16_24": 6, "25_34": 11, "35_44": 9, "45_54": 7, "55_64": 4, "65_74": 2, "75_over": 0,
            "under_16": 0, "prefer_not_to_say": 1, SKIPPED: 0},
    "disability": {"yes": 8, "no": 30, "prefer_not_to_say": 2, SKIPPED: 0},
}


def _ask_questions() -> None:
    """The demo vote's agreed mandate asks age and disability (set directly: the vote is already open),
    with none of the demo's made-up population figures: the commissioner enters them here."""
    (cycle,) = [c for c in list_cycles() if c.title == "Grangetown Green Spaces 2026"]
    vote = cycle.stage_of_kind(StageKind.VOTE)
    assert vote is not None and vote.agreed_mandate is not None
    db.session.execute(delete(PopulationFigures).where(PopulationFigures.stage_id == vote.id))
    vote.agreed_mandate.boundaries_data = {**vote.agreed_mandate.boundaries_data, "demographics": ["age", "disability"]}
    for question, counts in EARLIER.items():
        for answer, n in counts.items():
            db.session.add(DemographicCount(stage_id=vote.id, question=question, answer=answer, count=n))
    db.session.commit()


def test_a_resident_answers_after_voting_and_a_commissioner_compares_with_the_area(
    live_app: Flask, live_server: str, phone: Page, browser
) -> None:
    in_app(live_app, _ask_questions)
    sign_in(phone, live_server, "resident@example.org")
    phone.goto(live_server + "/cycles/1/vote")
    phone.get_by_label(re.compile("Community orchard")).check()
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_role("button", name="Confirm my vote").click()

    expect(phone.get_by_role("heading", name="Your vote has been cast")).to_be_visible()
    expect(phone.get_by_role("heading", name=re.compile("Help us see who took part"))).to_be_visible()
    expect(phone.get_by_role("link", name="Skip these questions")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_role("group", name="How old are you?").get_by_label("25 to 34").check()
    phone.get_by_role("group", name="Are you disabled?").get_by_label("Yes", exact=True).check()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator("#questions")).to_contain_text("Your answers have been added to the totals")  # htmx, in place
    expect(phone.get_by_role("button", name="Send my answers")).to_have_count(0)
    expect(phone.locator("#questions .notification")).to_be_focused()  # not lost to the top of the page
    fits_a_phone(phone)
    phone.reload()
    expect(phone.get_by_role("heading", name=re.compile("Help us see who took part"))).to_have_count(0)

    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    officer = context.new_page()
    sign_in(officer, live_server, "commissioner@example.org")
    officer.goto(live_server + "/cycles/1/dashboard")
    officer.get_by_role("link", name="Enter the area's population to compare with").click()
    expect(officer.get_by_role("heading", name="The area's population")).to_be_visible()
    fits_a_phone(officer)
    age = officer.get_by_role("group", name="Age")
    for label, value in (("Under 16", "18"), ("16 to 24", "12"), ("25 to 34", "15"), ("35 to 44", "14"),
                         ("45 to 54", "13"), ("55 to 64", "12"), ("65 to 74", "9"), ("75 or over", "7")):
        age.get_by_label(label, exact=True).fill(value)
    officer.get_by_label("Where the figures come from").fill("Census 2021, Cardiff")
    officer.get_by_role("button", name="Save the population figures").click()

    expect(officer.get_by_text("The population figures are saved.")).to_be_visible()
    table = officer.get_by_role("table", name=re.compile("Age: How old are you"))
    expect(table).to_be_visible()
    # 12 aged 25 to 34 (11 earlier and the resident) round to 10: 10 of 40 is 25%, against 15% of the area.
    row = table.get_by_role("row", name=re.compile("25 to 34"))
    expect(row).to_contain_text("10")
    expect(row).to_contain_text("25%")
    expect(row).to_contain_text("15%")
    expect(row).to_contain_text("+10")
    expect(table.get_by_role("row", name=re.compile("65 to 74"))).to_contain_text("fewer than 5")
    expect(officer.get_by_text("Area population: Census 2021, Cardiff.")).to_be_visible()
    fits_a_phone(officer)
    officer.set_viewport_size({"width": 320, "height": 640})  # a small, old phone: the tables still fit
    fits_a_phone(officer)
    context.close()
