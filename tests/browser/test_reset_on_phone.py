"""On a phone: a resident who has forgotten their password asks for a link, follows it from the email,
chooses a new password and is signed in with it. axe checks every page on the way, errors included."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from pb.demo import DEMO_PASSWORD
from tests.browser.conftest import fits_a_phone

pytestmark = pytest.mark.browser


def test_a_resident_resets_a_forgotten_password_from_the_sign_in_page(
    live_server: str, live_app: Flask, phone: Page
) -> None:
    phone.goto(live_server + "/sign-in")
    phone.get_by_role("link", name="Forgotten your password?").click()
    expect(phone.get_by_role("heading", name="Reset your password")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_label("Email address").fill("resident@example")
    phone.get_by_role("button", name="Send the link").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_label("Email address").fill("resident@example.org")
    phone.get_by_role("button", name="Send the link").click()
    expect(phone.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(phone.get_by_text("If resident@example.org has an account, we have sent it an email")).to_be_visible()
    fits_a_phone(phone)

    (message,) = live_app.extensions["cyd.outbox"]
    link = re.search(r"https?://\S+/account/reset/\S+", message.get_content())
    assert link, message.get_content()
    phone.goto(link[0])
    expect(phone.get_by_role("heading", name="Choose a new password")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_label("New password").fill("short")
    phone.get_by_role("button", name="Save the new password").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_role("link", name="Your password must be at least 10 characters.").click()
    expect(phone.get_by_label("New password")).to_be_focused()
    phone.get_by_label("New password").fill("a long new password")
    phone.get_by_role("button", name="Save the new password").click()
    expect(phone.get_by_text("Your password has been changed, and you are signed in.")).to_be_visible()
    expect(phone.get_by_role("button", name="Sign out")).to_be_visible()
    fits_a_phone(phone)

    phone.goto(link[0])  # the link has done its work
    expect(phone.get_by_role("heading", name="This link does not work")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_role("button", name="Sign out").click()
    phone.goto(live_server + "/sign-in")
    phone.get_by_label("Email address").fill("resident@example.org")
    phone.get_by_label("Password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_text("Enter a correct email address and password.").first).to_be_visible()
