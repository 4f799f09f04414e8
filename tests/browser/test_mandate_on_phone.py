"""A commissioner and a resident representative agree a mandate on their phones."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import NO_SIDEWAYS_SCROLL, PHONE, axe_violations, fits_a_phone, sign_in

pytestmark = pytest.mark.browser


def test_both_sides_discuss_amend_and_sign_on_a_phone(live_server: str, phone: Page) -> None:
    # The demo's decision stage is still to open: its mandate can change before it does.
    sign_in(phone, live_server, "commissioner@example.org")
    phone.goto(live_server + "/cycles/1/stages/decision/mandate/edit")
    assert axe_violations(phone) == []
    phone.get_by_label("Commissioners, with a public reason on an agreed ground").check()
    phone.get_by_role("button", name="Save the mandate").click()
    expect(phone.get_by_role("heading", name="Discussion of version 2")).to_be_visible()
    phone.get_by_role("button", name="Sign version 2 for the commissioners").click()
    phone.get_by_role("button", name="Sign out").click()

    sign_in(phone, live_server, "representative@example.org")
    phone.goto(live_server + "/cycles/1/stages/decision/mandate")
    phone.get_by_label("Add to the discussion").fill("Agreed, as long as every override is published.")
    phone.get_by_role("button", name="Add comment").click()
    expect(phone.get_by_text("Agreed, as long as every override is published.")).to_be_visible()
    phone.get_by_role("button", name="Sign version 2 for the residents").click()
    expect(phone.get_by_text("You have signed the mandate.")).to_be_visible()
    expect(phone.locator("main")).to_contain_text(re.compile(r"Version 2\s+agreed"))
    assert axe_violations(phone) == []

    phone.goto(live_server + "/cycles/1/who-decides")
    expect(phone.get_by_text("they may override the result of a binding vote only on these grounds")).to_be_visible()
    assert axe_violations(phone) == []
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    phone.get_by_role("link", name="Cymraeg").click()
    expect(phone.get_by_role("heading", name="Pwy sy'n penderfynu beth", level=1)).to_be_visible()
    expect(phone.locator("html")).to_have_attribute("lang", "cy")  # waits for the page the link leads to


def test_a_welsh_speaking_commissioner_writes_the_mandate_in_welsh_on_a_phone(live_server: str, phone: Page) -> None:
    sign_in(phone, live_server, "commissioner@example.org")
    phone.goto(live_server + "/cycles/1/stages/decision/mandate/edit")
    phone.get_by_role("link", name="Cymraeg").click()
    expect(phone.get_by_role("heading", name="Newid mandad y cam penderfyniad", level=1)).to_be_visible()
    expect(phone.get_by_role("heading", name="Ffiniau awdurdod")).to_be_visible()
    assert axe_violations(phone) == []
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)

    phone.get_by_label("Diben").fill("")
    phone.get_by_role("button", name="Cadw'r mandad").click()
    summary = phone.locator(".error-summary")
    expect(summary).to_contain_text("Mae problem wedi codi")
    expect(summary.get_by_role("link", name="Rhowch ddiben y cam hwn.")).to_be_visible()
    assert axe_violations(phone) == []
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)

    phone.get_by_label("Diben").fill("Mae'r comisiynwyr yn cofnodi'r penderfyniad ar bob prosiect.")
    phone.get_by_role("button", name="Cadw'r mandad").click()
    expect(phone.get_by_text("Mae angen i'r ddwy ochr lofnodi'r fersiwn hon")).to_be_visible()


def test_two_people_writing_one_mandate_at_once_neither_loses_their_words(
    live_server: str, browser: Browser, phone: Page
) -> None:
    other = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    editor = live_server + "/cycles/1/stages/decision/mandate/edit"
    for page, email in ((phone, "commissioner@example.org"), (other, "representative@example.org")):
        sign_in(page, live_server, email)
        page.goto(editor)
    other.get_by_label("Purpose", exact=True).fill("The representatives' purpose")
    other.get_by_role("button", name="Save the mandate").click()
    expect(other.get_by_text("Saved. Both sides need to sign this version")).to_be_visible()

    phone.get_by_label("Purpose", exact=True).fill("The commissioners' purpose")
    phone.get_by_role("button", name="Save the mandate").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(phone.locator(".error-summary")).to_contain_text("Someone else saved a change to this mandate")
    expect(phone.get_by_label("Purpose", exact=True)).to_have_value("The commissioners' purpose")
    fits_a_phone(phone)
    with phone.context.expect_page() as opened:  # their version, beside the page that keeps these words
        phone.get_by_role("link", name="See the mandate as it is now (opens in a new tab)").click()
    expect(opened.value.locator("main")).to_contain_text("The representatives' purpose")
    opened.value.close()

    phone.get_by_role("button", name="Save the mandate").click()  # having looked, on purpose
    expect(phone.get_by_text("Saved. Both sides need to sign this version")).to_be_visible()
    expect(phone.locator("main")).to_contain_text("The commissioners' purpose")
    other.context.close()
