"""A resident signs in on a phone and votes in the demo cycle: choose, check, confirm, receipt."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import fits_a_phone, sign_in

pytestmark = pytest.mark.browser


def test_a_resident_signs_in_and_casts_a_ballot_on_a_phone(live_server: str, phone: Page) -> None:
    phone.goto(live_server + "/")
    sign_in(phone, live_server)
    phone.get_by_role("link", name="Grangetown Green Spaces 2026").click()
    phone.get_by_role("link", name="Vote", exact=True).click()
    expect(phone.get_by_role("heading", name="Choose the projects you want funded")).to_be_visible()
    fits_a_phone(phone)

    # The meter is a live region: htmx changes what is in it, never the region itself, which a
    # screen reader would take for a new one and not announce.
    phone.evaluate("document.getElementById('meter').dataset.first = 'yes'")
    phone.get_by_label(re.compile("Community orchard")).check()
    expect(phone.locator("#meter")).to_contain_text("You have chosen 1 of up to 3")  # htmx updated it
    phone.get_by_label(re.compile("Wildflower verges")).check()
    expect(phone.locator("#meter")).to_contain_text("You have chosen 2 of up to 3")
    expect(phone.locator("#meter[data-first=yes]")).to_have_attribute("aria-live", "polite")
    phone.get_by_role("button", name="Continue").click()

    expect(phone.get_by_role("heading", name="Check your vote before you send it")).to_be_visible()
    expect(phone.locator("main")).to_contain_text("Community orchard")
    fits_a_phone(phone)
    phone.get_by_role("link", name=re.compile("Change.*Wildflower")).click()  # change their mind
    phone.get_by_label(re.compile("Wildflower verges")).uncheck()
    phone.get_by_label(re.compile("Bike repair")).check()
    phone.get_by_role("button", name="Continue").click()
    expect(phone.locator("main")).to_contain_text("Bike repair")
    expect(phone.locator("main")).not_to_contain_text("Wildflower")
    phone.get_by_role("button", name="Confirm my vote").dblclick()  # a double tap casts once

    expect(phone.get_by_role("heading", name="Your vote has been cast")).to_be_visible()
    receipt = phone.locator(".receipt").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", receipt)
    fits_a_phone(phone)
    phone.get_by_role("link", name="Check your receipt").click()
    expect(phone.get_by_text(f"The ballot with receipt {receipt} is in the count.")).to_be_visible()
    fits_a_phone(phone)


def test_an_over_limit_ballot_without_javascript_is_refused_with_the_reason(live_server: str, browser) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server)
    page.goto(live_server + "/cycles/1/vote")
    for name in ("Community orchard", "Benches", "Bike repair", "Wildflower"):
        page.get_by_label(re.compile(name)).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator("#choices-error")).to_contain_text("Choose no more than 3 projects.")
    assert page.get_by_label(re.compile("Benches")).is_checked()  # nothing the voter chose is lost
    # (No axe here: with JavaScript off nothing can run in the page. The same HTML is checked with it on.)
    page.get_by_label(re.compile("Benches")).uncheck()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Confirm my vote").click()
    expect(page.get_by_role("heading", name="Your vote has been cast")).to_be_visible()
    context.close()


def test_a_meter_update_refused_says_why_above_the_ballot_and_keeps_the_meter(live_server: str, phone: Page) -> None:
    sign_in(phone, live_server)
    phone.goto(live_server + "/")
    phone.get_by_role("link", name="Grangetown Green Spaces 2026").click()
    phone.get_by_role("link", name="Vote", exact=True).click()
    phone.get_by_label(re.compile("Community orchard")).check()
    expect(phone.locator("#meter")).to_contain_text("You have chosen 1 of up to 3")
    phone.context.clear_cookies()  # signed out, in another tab say
    phone.get_by_label(re.compile("Wildflower verges")).check()
    expect(phone.locator("#messages .notification--error")).to_be_visible()  # the whole notice, in the alert region
    expect(phone.locator("#meter")).to_contain_text("You have chosen 1 of up to 3")
    fits_a_phone(phone)
