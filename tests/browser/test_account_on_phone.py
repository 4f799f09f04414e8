"""A resident finds their account from the header and changes their password on a phone."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from pb.demo import DEMO_PASSWORD
from tests.browser.conftest import PHONE, fits_a_phone, sign_in

pytestmark = pytest.mark.browser

YOUR_ACCOUNT = re.compile(r"^Rhian Resident\s*, your account$")  # the name in the header, said in full


def test_a_resident_changes_their_password_and_their_other_phone_is_signed_out(
    live_server: str, phone: Page, browser: Browser
) -> None:
    other = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    for page in (phone, other):
        sign_in(page, live_server)
        expect(page.get_by_role("link", name=YOUR_ACCOUNT)).to_be_visible()

    phone.get_by_role("link", name=YOUR_ACCOUNT).click()
    expect(phone.get_by_role("heading", name="Your account")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_role("link", name="Change your password").click()
    expect(phone.get_by_role("heading", name="Change your password")).to_be_visible()
    fits_a_phone(phone)

    phone.get_by_label("Current password").fill("not my password")
    phone.get_by_label("New password").fill("a brand new password")
    phone.get_by_role("button", name="Change your password").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_role("link", name="Your current password is not right.").click()  # the summary leads to the field
    expect(phone.get_by_label("Current password")).to_be_focused()

    phone.get_by_label("Current password").fill(DEMO_PASSWORD)
    phone.get_by_label("New password").fill("a brand new password")
    phone.get_by_role("button", name="Change your password").click()
    expect(phone.get_by_text("Your password has been changed.")).to_be_visible()
    expect(phone.get_by_role("heading", name="Your account")).to_be_visible()

    other.goto(live_server + "/account")
    expect(other.get_by_role("heading", name="Sign in")).to_be_visible()
    other.context.close()


def test_a_resident_removes_their_account_and_cannot_sign_in_again(live_server: str, phone: Page) -> None:
    sign_in(phone, live_server)
    phone.get_by_role("link", name=YOUR_ACCOUNT).click()
    phone.get_by_role("link", name="Remove your account").click()
    expect(phone.get_by_role("heading", name="Remove your account")).to_be_visible()
    expect(phone.get_by_role("heading", name="What stays")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_role("button", name="Remove my account").click()  # no password
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_label("Your password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Remove my account").click()
    expect(phone.get_by_text("Your account has been removed, and you are signed out.")).to_be_visible()
    expect(phone.get_by_role("button", name="Sign out")).to_have_count(0)
    fits_a_phone(phone)
    phone.goto(live_server + "/sign-in")
    phone.get_by_label("Email address").fill("resident@example.org")
    phone.get_by_label("Password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_text("Enter a correct email address and password.").first).to_be_visible()


def test_a_resident_moves_their_account_to_a_new_email_address(live_server: str, live_app: Flask,
                                                                phone: Page, browser: Browser) -> None:
    sign_in(phone, live_server)
    phone.get_by_role("link", name=YOUR_ACCOUNT).click()
    phone.get_by_role("link", name="Change your email address").click()
    expect(phone.get_by_role("heading", name="Change your email address")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_label("New email address").fill("rhian@new.example")
    phone.get_by_label("Your password").fill("not my password")
    phone.get_by_role("button", name="Change your email address").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_label("Your password").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="Change your email address").click()
    expect(phone.get_by_role("heading", name="Check your email")).to_be_visible()
    fits_a_phone(phone)

    (message,) = live_app.extensions["cyd.outbox"]
    link = re.search(r"https?://\S+/account/email/confirm/\S+", message.get_content())
    assert message["To"] == "rhian@new.example" and link
    other = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()  # the phone with the mail
    other.goto(link[0])
    expect(other.get_by_role("heading", name="Confirm your new email address")).to_be_visible()
    fits_a_phone(other)
    other.get_by_role("button", name="Confirm the new address").click()
    expect(other.get_by_text("rhian@new.example is now your account's email address.")).to_be_visible()
    other.get_by_label("Email address").fill("rhian@new.example")  # the sign-in page, on that phone
    other.get_by_label("Password").fill(DEMO_PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    expect(other.get_by_role("button", name="Sign out")).to_be_visible()
    other.context.close()
