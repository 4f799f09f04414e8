"""A resident signs in on a phone and votes in the demo cycle."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from pb.demo import DEMO_PASSWORD
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def test_a_resident_signs_in_and_casts_a_ballot_on_a_phone(live_server: str, phone: Page) -> None:
    phone.goto(live_server + "/")
    assert axe_violations(phone) == []
    phone.get_by_role("link", name="Sign in").click()
    phone.get_by_label("Email address").fill("resident@example.org")
    phone.get_by_label("Password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Sign in").click()

    phone.get_by_role("link", name="Grangetown Green Spaces 2026").click()
    phone.get_by_role("link", name="Vote", exact=True).click()
    expect(phone.get_by_role("heading", name="Choose the projects you want funded")).to_be_visible()
    assert axe_violations(phone) == []

    phone.get_by_label(re.compile("Community orchard")).check()
    expect(phone.locator("#meter")).to_contain_text("You have chosen 1 of up to 3")  # htmx updated it
    phone.get_by_label(re.compile("Wildflower verges")).check()
    expect(phone.locator("#meter")).to_contain_text("You have chosen 2 of up to 3")
    phone.get_by_role("button", name="Cast my vote").click()

    expect(phone.get_by_role("heading", name="Your vote has been cast")).to_be_visible()
    receipt = phone.locator(".receipt").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", receipt)
    assert axe_violations(phone) == []
    # The page fits the phone: nothing scrolls sideways.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    phone.get_by_role("link", name="Check your receipt").click()
    expect(phone.get_by_text(f"The ballot with receipt {receipt} is in the count.")).to_be_visible()


def test_an_over_limit_ballot_without_javascript_is_refused_with_the_reason(live_server: str, browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/sign-in")
    page.get_by_label("Email address").fill("resident@example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + "/cycles/1/vote")
    for name in ("Community orchard", "Benches", "Bike repair", "Wildflower"):
        page.get_by_label(re.compile(name)).check()
    page.get_by_role("button", name="Cast my vote").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator("#choices-error")).to_contain_text("Choose no more than 3 projects.")
    assert page.get_by_label(re.compile("Benches")).is_checked()  # nothing the voter chose is lost
    context.close()
