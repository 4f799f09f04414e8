"""On a phone: a commissioner downloads the demo cycle's mandates as a template, imports the file (a wrong
file first), and sets a cycle up from it; axe checks each page, the error included."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import fits_a_phone, sign_in

pytestmark = pytest.mark.browser


def test_a_commissioner_carries_a_cycles_mandates_into_a_new_one(live_server: str, phone: Page, tmp_path) -> None:
    sign_in(phone, live_server, "commissioner@example.org")
    phone.get_by_role("link", name="Grangetown Green Spaces 2026").click()
    phone.get_by_role("link", name="Who decides what, stage by stage").click()
    fits_a_phone(phone)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download these mandates as a template").click()
    exported = tmp_path / "grangetown.json"
    download.value.save_as(exported)
    wrong = tmp_path / "notes.json"
    wrong.write_text("my notes")

    phone.goto(live_server + "/")
    phone.get_by_role("link", name="Mandate templates: import one from another council").click()
    expect(phone.get_by_role("heading", name="Mandate templates", exact=True)).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_label("Template file").set_input_files(wrong)
    phone.get_by_role("button", name="Import the template").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_label("Template file").set_input_files(exported)
    phone.get_by_role("button", name="Import the template").click()
    expect(phone.get_by_text("“Grangetown Green Spaces 2026” is imported.")).to_be_visible()
    fits_a_phone(phone)

    phone.goto(live_server + "/cycles/new")
    phone.get_by_label("Start from").select_option(label="Grangetown Green Spaces 2026")
    phone.get_by_role("button", name="Use this starting point").click()
    expect(phone.locator(".inset strong")).to_have_text("Grangetown Green Spaces 2026.")
    phone.get_by_label("Title").fill("Riverside 2027")
    phone.get_by_label("What is this cycle for?").fill("Residents decide how the riverside improves.")
    phone.get_by_label("Area", exact=True).fill("Riverside")
    phone.get_by_label("Budget, in pounds").fill("20000")
    fits_a_phone(phone)
    phone.get_by_role("button", name="Create the cycle").click()
    expect(phone.get_by_role("heading", name="Riverside 2027")).to_be_visible()
    # The stages and their words came with the template: the demo's vote takes voting codes too.
    phone.get_by_role("link", name="Who decides what, stage by stage").click()
    who_may_vote = "Who may vote: Residents with an account that meets the conditions, or anyone with a voting code."
    expect(phone.get_by_text(who_may_vote)).to_be_visible()
    fits_a_phone(phone)
