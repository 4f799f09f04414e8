"""On a phone: an administrator makes a resident a councillor of the demo cycle, and that councillor
endorses it; the resident reads the endorsement. An administrator pages through a long list of people.
axe checks every page on the way, errors included."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from pb.accounts.services import sign_up
from pb.db import db
from tests.browser.conftest import PHONE, fits_a_phone, in_app, sign_in

pytestmark = pytest.mark.browser


def test_an_administrator_gives_a_role_and_the_councillor_endorses_the_cycle(
    live_server: str, phone: Page, browser: Browser
) -> None:
    sign_in(phone, live_server, "admin@example.org")
    phone.get_by_role("link", name="People and their roles").click()
    expect(phone.get_by_role("heading", name="People and their roles")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_label("Name or email address").fill("rhian")  # htmx finds as you type
    expect(phone.get_by_role("link", name="Carys Commissioner")).to_have_count(0)
    phone.get_by_role("link", name="Rhian Resident").click()
    expect(phone.get_by_role("heading", name="Rhian Resident")).to_be_visible()
    fits_a_phone(phone)

    phone.get_by_role("button", name="Give the role").click()  # no role chosen
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_label("Councillor").check()
    phone.get_by_label("In which cycle?").select_option(label="Grangetown Green Spaces 2026")
    phone.get_by_role("button", name="Give the role").click()
    expect(phone.get_by_text("Rhian Resident now holds this role: Councillor, in Grangetown Green Spaces 2026."))\
        .to_be_visible()
    expect(phone.get_by_role("button", name="Take this role away – Councillor, in Grangetown")).to_be_visible()
    fits_a_phone(phone)

    resident = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(resident, live_server)
    resident.get_by_role("link", name="Grangetown Green Spaces 2026").click()
    endorsements = resident.locator("#endorsements")
    expect(endorsements.get_by_role("heading", name="Cerys Councillor")).to_be_visible()  # the demo's own
    resident.get_by_label("What you would like residents to read").fill("x" * 1001)
    resident.get_by_role("button", name="Endorse this cycle").click()
    expect(resident.get_by_role("heading", name="There is a problem")).to_be_visible()
    fits_a_phone(resident)
    resident.get_by_label("What you would like residents to read").fill("I will be at the Hub tomorrow. Come and vote!")
    resident.get_by_role("button", name="Endorse this cycle").click()
    expect(resident.get_by_text("Your endorsement is on the cycle's page for everyone to read.")).to_be_visible()
    expect(endorsements.get_by_role("heading", name="Rhian Resident")).to_be_visible()
    expect(endorsements.get_by_role("paragraph").filter(has_text="I will be at the Hub tomorrow.")).to_be_visible()
    expect(resident.get_by_role("link", name="Dashboard: turnout, outcome and contributions")).to_be_visible()
    fits_a_phone(resident)
    resident.context.close()

    # The administrator takes the role away again.
    phone.get_by_role("button", name="Take this role away – Councillor, in Grangetown").click()
    expect(phone.get_by_text("Rhian Resident no longer holds this role")).to_be_visible()
    fits_a_phone(phone)


def test_an_administrator_changes_a_persons_email_and_sends_them_a_reset_link(
    live_server: str, live_app: Flask, phone: Page
) -> None:
    sign_in(phone, live_server, "admin@example.org")
    phone.get_by_role("link", name="People and their roles").click()
    phone.get_by_role("link", name="Rhian Resident").click()
    phone.get_by_role("link", name="Change the email address").click()
    expect(phone.get_by_role("heading", name="Change Rhian Resident's details")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_label("Email address").fill("commissioner@example.org")  # someone else's
    phone.get_by_role("button", name="Save the details").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_role("link", name="Another account has this email address already.").click()
    expect(phone.get_by_label("Email address")).to_be_focused()
    phone.get_by_label("Email address").fill("rhian.jones@example.org")
    phone.get_by_role("button", name="Save the details").click()
    expect(phone.get_by_text("Rhian Resident's details have been changed.")).to_be_visible()
    expect(phone.get_by_text("rhian.jones@example.org", exact=True)).to_be_visible()
    phone.get_by_role("button", name="Email a link to choose a new password").click()
    expect(phone.get_by_text("A link to choose a new password has been sent to rhian.jones@example.org."))\
        .to_be_visible()
    fits_a_phone(phone)
    assert [m["To"] for m in live_app.extensions["cyd.outbox"]] == ["resident@example.org", "rhian.jones@example.org"]


def test_an_administrator_pages_through_many_people_and_narrows_to_a_role(
    live_app: Flask, live_server: str, phone: Page
) -> None:
    def many_residents() -> None:
        for n in range(120):
            sign_up(f"neighbour{n}@example.org", f"Neighbour {n:03}", "correct horse battery")
        db.session.commit()

    in_app(live_app, many_residents)
    sign_in(phone, live_server, "admin@example.org")
    phone.goto(f"{live_server}/people")
    expect(phone.get_by_text("People 1 to 50 of")).to_be_visible()
    pages = phone.get_by_role("navigation", name="Pages of the list")
    expect(pages.get_by_role("link", name="Page 1")).to_have_attribute("aria-current", "page")
    fits_a_phone(phone)
    pages.get_by_role("link", name="Next page").click()
    expect(phone.get_by_text("People 51 to 100 of")).to_be_visible()
    expect(pages.get_by_role("link", name="Previous page")).to_be_visible()
    fits_a_phone(phone)

    phone.get_by_label("Holding the role").select_option(label="Commissioner")  # htmx narrows the list
    expect(phone.get_by_text("1 person", exact=True)).to_be_visible()
    expect(phone.get_by_role("link", name="Carys Commissioner")).to_be_visible()
    expect(pages).to_have_count(0)
    assert "role=commissioner" in phone.url

    phone.goto(f"{live_server}/language/cy?next=/people%3Fpage%3D3")
    expect(phone.get_by_role("navigation", name="Tudalennau'r rhestr")
           .get_by_role("link", name="Tudalen flaenorol")).to_be_visible()
    fits_a_phone(phone)
