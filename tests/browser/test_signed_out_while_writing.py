"""A representative is signed out by the idle timeout while writing on a phone, and loses nothing."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from pb.demo import DEMO_PASSWORD
from tests.browser.conftest import PHONE, fits_a_phone, sign_in

pytestmark = pytest.mark.browser

MANDATE = "/cycles/1/stages/decision/mandate"
WRITTEN = "Every override should be published within a week, with the reasons in full."


def _write_then_wait_too_long(live_app: Flask, page: Page, live_server: str, *, who: str = "representative",
                              url: str = MANDATE, field: str = "Add to the discussion", send: str = "Add comment",
                              ) -> None:
    sign_in(page, live_server, f"{who}@example.org")
    page.goto(live_server + url)
    page.get_by_label(field, exact=True).fill(WRITTEN)
    live_app.config["SESSION_IDLE_TIMEOUT"] = timedelta(seconds=1)  # as if the writing had taken half an hour
    time.sleep(2.5)  # not page.wait_for_timeout, which never ends on a page without JavaScript
    page.get_by_role("button", name=send).click()


def _sign_in_again(live_app: Flask, page: Page, who: str = "representative") -> None:
    live_app.config["SESSION_IDLE_TIMEOUT"] = timedelta(minutes=30)
    page.get_by_label("Email address").fill(f"{who}@example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_with_javascript_the_words_stay_in_the_form_and_a_message_says_to_copy_them(
    live_app: Flask, live_server: str, phone: Page
) -> None:
    _write_then_wait_too_long(live_app, phone, live_server)
    expect(phone.locator("#messages")).to_contain_text("Nothing was sent, because you are signed out.")
    expect(phone.get_by_label("Add to the discussion")).to_have_value(WRITTEN)
    fits_a_phone(phone)

    phone.locator("#messages").get_by_role("link", name="Sign in").click()
    _sign_in_again(live_app, phone)
    expect(phone).to_have_url(live_server + MANDATE)


def test_a_plain_form_brings_the_sign_in_page_with_the_words_to_copy(
    live_app: Flask, live_server: str, phone: Page
) -> None:
    edit = "/cycles/1/stages/decision/mandate/edit"
    _write_then_wait_too_long(live_app, phone, live_server, who="commissioner", url=edit, field="Purpose",
                              send="Save the mandate")
    expect(phone.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    words = phone.get_by_label("Your words, part 1")
    expect(words).to_have_value(WRITTEN)
    expect(words).not_to_be_editable()
    expect(phone.get_by_label("Your words, part 2")).to_have_value(re.compile("^Commissioners: count the votes"))
    fits_a_phone(phone)
    _sign_in_again(live_app, phone, "commissioner")
    expect(phone).to_have_url(live_server + edit)  # back to the page the form was on


def test_without_javascript_the_sign_in_page_gives_the_words_back(
    live_app: Flask, live_server: str, browser: Browser
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)
    page = context.new_page()
    _write_then_wait_too_long(live_app, page, live_server)
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_text("signed out because the session was left for a while")).to_be_visible()
    words = page.get_by_label("Your words")
    expect(words).to_have_value(WRITTEN)
    expect(words).not_to_be_editable()
    # (No axe here: with JavaScript off nothing can run in the page. The same page is checked with it on, above.)
    _sign_in_again(live_app, page)
    expect(page).to_have_url(live_server + MANDATE)  # back to the page the form was on
    context.close()


def test_the_page_warns_before_the_idle_timeout_and_the_person_stays_signed_in(
    live_app: Flask, live_server: str, phone: Page
) -> None:
    sign_in(phone, live_server, "representative@example.org")
    live_app.config["SESSION_IDLE_TIMEOUT"] = timedelta(seconds=124)  # the warning comes 2 minutes before: soon
    phone.goto(live_server + MANDATE)
    phone.get_by_label("Add to the discussion").fill(WRITTEN)
    warning = phone.get_by_role("alertdialog", name="You will be signed out soon")
    expect(warning).to_be_visible(timeout=10_000)
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()
    fits_a_phone(phone)

    with phone.expect_response(lambda response: response.url.endswith("/account/still-here")) as answer:
        warning.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 204
    expect(warning).to_be_hidden()
    expect(phone.get_by_label("Add to the discussion")).to_have_value(WRITTEN)
    live_app.config["SESSION_IDLE_TIMEOUT"] = timedelta(minutes=30)
    phone.get_by_role("button", name="Add comment").click()
    expect(phone.locator("#discussion")).to_contain_text(WRITTEN)  # still signed in: the comment is in


def test_typing_for_minutes_tells_the_server_the_person_is_still_there(live_server: str, phone: Page) -> None:
    sign_in(phone, live_server, "representative@example.org")
    phone.clock.install()
    phone.goto(live_server + MANDATE)
    box = phone.get_by_label("Add to the discussion")
    asked = []
    phone.on("request", lambda request: asked.append(request.url) if request.url.endswith("/still-here") else None)
    box.fill("Every override")  # a moment after the page came: the server has just heard from it
    box.press("End")
    assert asked == []
    phone.clock.fast_forward("06:00")  # six minutes of writing, with no request
    with phone.expect_response(lambda response: response.url.endswith("/account/still-here")) as answer:
        box.fill(WRITTEN)
    assert answer.value.status == 204
    assert len(asked) == 1  # the early typing asked nothing
    expect(phone.get_by_role("alertdialog")).to_have_count(0)

    # Signing out while such a call is on its way waits for it: its answer must not sign the person back in.
    held = []
    phone.route("**/account/still-here", lambda route: held.append(route))
    signed_out = []
    phone.on("request", lambda request: signed_out.append(1) if request.url.endswith("/sign-out") else None)
    phone.clock.fast_forward("06:00")
    box.fill(WRITTEN + " More.")
    for _ in range(50):
        if held:
            break
        phone.wait_for_timeout(100)
    assert len(held) == 1  # the call is out, and held there
    phone.get_by_role("button", name="Sign out").click()
    phone.wait_for_timeout(300)
    assert signed_out == []  # held back while the call is out
    held[0].continue_()
    expect(phone.get_by_text("You have signed out.")).to_be_visible()
    phone.goto(live_server + "/account")
    expect(phone.get_by_role("heading", name="Sign in", level=1)).to_be_visible()


def test_the_page_warns_before_the_limit_after_sign_in_which_nothing_extends(
    live_app: Flask, live_server: str, phone: Page
) -> None:
    sign_in(phone, live_server, "representative@example.org")
    live_app.config["SESSION_ABSOLUTE_TIMEOUT"] = timedelta(minutes=1, seconds=30)  # less than the warning's 2
    phone.goto(live_server + MANDATE)
    warning = phone.get_by_role("alertdialog", name="You will be signed out soon")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("what you wrote is given back to you")
    expect(warning.get_by_role("button", name="Stay signed in")).to_have_count(0)
    expect(warning.get_by_role("button", name="I understand")).to_be_focused()
    fits_a_phone(phone)
    warning.get_by_role("button", name="I understand").click()
    expect(warning).to_be_hidden()
    phone.get_by_label("Add to the discussion").fill(WRITTEN)  # the page goes on working until the limit
