"""On a phone: someone without an account, on their way to vote, creates one from the link emailed to
them, and comes back to the ballot signed in. axe checks every page on the way, errors included."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import fits_a_phone

pytestmark = pytest.mark.browser


def test_a_newcomer_creates_an_account_from_the_emailed_link_and_comes_back_to_the_ballot(
    live_server: str, live_app: Flask, phone: Page
) -> None:
    phone.goto(live_server + "/cycles/1/vote")
    phone.locator("#main").get_by_role("link", name="Create an account").click()
    expect(phone.get_by_role("heading", name="Create an account")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_label("Email address").fill("nia@example")
    phone.get_by_role("button", name="Send the link").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_label("Email address").fill("nia@example.org")
    phone.get_by_role("button", name="Send the link").click()
    expect(phone.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(phone.get_by_text("We have sent an email to nia@example.org.")).to_be_visible()
    fits_a_phone(phone)

    (message,) = live_app.extensions["cyd.outbox"]
    link = re.search(r"https?://\S+/sign-up/\S+", message.get_content())
    assert link, message.get_content()
    phone.goto(link[0])
    expect(phone.get_by_role("heading", name="Finish creating your account")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_label("Your name").fill("Nia Newydd")
    phone.get_by_label("Create a password").fill("short")
    phone.get_by_role("button", name="Create account").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_role("link", name="Your password must be at least 10 characters.").click()
    expect(phone.get_by_label("Create a password")).to_be_focused()
    phone.get_by_label("Create a password").fill("a long new password")
    phone.get_by_role("button", name="Create account").click()
    expect(phone.get_by_text("Your account has been created, and you are signed in.")).to_be_visible()
    # Back at the ballot (a browser keeps the error summary's #password through the redirect).
    expect(phone).to_have_url(re.compile(re.escape(live_server + "/cycles/1/vote") + "(#password)?$"))
    expect(phone.get_by_role("link", name=re.compile(r"^Nia Newydd\s*, your account$"))).to_be_visible()
    fits_a_phone(phone)

    phone.goto(link[0])  # the link has done its work
    expect(phone.get_by_role("heading", name="This address has an account already")).to_be_visible()
    expect(phone.get_by_text("nia@example.org has an account already")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_role("link", name="Sign in", exact=True).last.click()
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
