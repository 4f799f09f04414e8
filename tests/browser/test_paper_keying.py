"""Two facilitators key a stack of paper ballots on laptops, keyboard only; one mismatch is resolved; it balances."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from pb import create_app
from pb.db import db
from pb.events.paper import format_serial
from tests.browser.conftest import NO_SIDEWAYS_SCROLL, PHONE, SMALL_TARGETS, _in_app_thread, axe_violations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def paper_server(database_url: str) -> Iterator[dict[str, Any]]:
    """An open vote (approval, up to 2 projects, open to codes) and an event run by two facilitators."""
    app = create_app("test", SQLALCHEMY_ENGINES={"default": database_url}, SERVER_NAME=None)
    made: dict[str, Any] = {}

    def seed() -> None:
        from pb.accounts.models import Role
        from pb.accounts.services import grant, sign_up
        from pb.cycles.models import StageKind
        from pb.events.paper import print_paper_ballots
        from pb.events.services import create_event
        from tests.events.conftest import ENDS, STARTS
        from tests.voting.helpers import open_ballot

        commissioner = sign_up("commissioner@example.org", "Carys Commissioner", PASSWORD)
        grant(commissioner, Role.COMMISSIONER)
        representative = sign_up("representative@example.org", "Rhys Representative", PASSWORD)
        cycle, proposals = open_ballot(commissioner, representative, title="Grangetown Green Spaces",
                                       eligibility="both", max_choices=2)
        keyers = []
        for email, name in (("ffion@example.org", "Ffion Facilitator"), ("gareth@example.org", "Gareth Facilitator")):
            keyers.append(sign_up(email, name, PASSWORD))
            grant(keyers[-1], Role.FACILITATOR, cycle.id)
        event = create_event(cycle.stage_of_kind(StageKind.VOTE), commissioner, title="Voting day at the Hub",
                             venue="Grangetown Hub", starts_at=STARTS, ends_at=ENDS,
                             facilitator_ids=[k.id for k in keyers])
        print_paper_ballots(event, keyers[0], 5)
        db.session.commit()
        made.update(cycle=cycle.id, event=event.id, projects=[p.title for p in proposals])

    _in_app_thread(app, seed)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    yield {**made, "base": base, "event_url": f"{base}/cycles/{made['cycle']}/events/{made['event']}"}
    server.shutdown()
    _in_app_thread(app, lambda: db.engine.dispose())


def _laptop(browser: Browser, email: str, base: str, viewport: dict[str, int] = LAPTOP) -> Page:
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(base + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def _checked(page: Page) -> None:
    assert axe_violations(page) == []
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert page.evaluate(SMALL_TARGETS) == []


def _key(page: Page, serial: int, ticks: tuple[int, ...] = (), spoilt: str = "", saved: bool = True) -> None:
    """Key one ballot by keyboard alone: the serial, Tab to each project (Space ticks it), Enter saves."""
    expect(page.get_by_label("Serial number")).to_be_focused()  # ready for the next ballot, no mouse needed
    page.keyboard.type(format_serial(serial))
    for n in range(1, 4):
        page.keyboard.press("Tab")
        if n in ticks:
            page.keyboard.press("Space")
    if spoilt:
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.type(spoilt)
    page.keyboard.press("Enter")
    if saved:
        expect(page.locator("#paper-keyed")).to_contain_text(f"Ballot {format_serial(serial)}")


def test_two_facilitators_key_a_stack_resolve_a_mismatch_and_the_reconciliation_balances(
    paper_server, browser
) -> None:
    ffion = _laptop(browser, "ffion@example.org", paper_server["base"])
    ffion.goto(paper_server["event_url"])
    expect(ffion.get_by_role("heading", name="Paper ballots")).to_be_visible()
    _checked(ffion)
    ffion.get_by_role("link", name="Key in paper ballots").click()
    expect(ffion.get_by_role("heading", name="Key in paper ballots")).to_be_visible()
    _checked(ffion)
    stack = {1: (1,), 2: (2, 3), 3: (3,)}
    for serial, ticks in stack.items():
        _key(ffion, serial, ticks)
        expect(ffion.locator("#paper-keyed")).to_contain_text("first entry saved")
    _key(ffion, 4, spoilt="No marks")

    gareth = _laptop(browser, "gareth@example.org", paper_server["base"])
    gareth.goto(paper_server["event_url"] + "/paper/key")
    _key(gareth, 1, (1,))
    expect(gareth.locator("#paper-keyed")).to_contain_text("the ballot is counted")
    _key(gareth, 2, (2,))  # misread: entry 1 says projects 2 and 3
    expect(gareth.locator("#paper-keyed")).to_contain_text("a mismatch")
    _key(gareth, 3, (3,))
    _key(gareth, 4, spoilt="No marks")
    expect(gareth.locator("#paper-keyed")).to_contain_text("recorded as spoilt")
    _key(gareth, 3, (3,), saved=False)  # the same ballot twice by mistake: refused, and kept on the form
    expect(gareth.locator(".error-summary")).to_contain_text("has been keyed twice and is counted")
    expect(gareth.locator(".error-summary")).to_be_focused()
    expect(gareth.get_by_label("Serial number")).to_have_value(format_serial(3))
    _checked(gareth)

    ffion.goto(paper_server["event_url"] + "/paper/mismatches")
    expect(ffion.get_by_role("heading", name="Mismatches (1)")).to_be_visible()
    row = ffion.locator("tr.paper-compare__differs")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(paper_server["projects"][2])
    expect(row).to_contain_text("Different")
    _checked(ffion)
    ffion.get_by_role("link", name=f"Resolve ballot {format_serial(2)}").click()
    # She keyed entry 1, and one person alone never decides a ballot: she is offered only Gareth's reading.
    expect(ffion.get_by_text("You keyed entry 1, so you may only accept entry 2.")).to_be_visible()
    expect(ffion.get_by_label("Entry 2")).to_be_visible()
    expect(ffion.get_by_label("Entry 1")).to_have_count(0)
    _checked(ffion)
    gareth.goto(paper_server["event_url"] + "/paper/mismatches")
    gareth.get_by_role("link", name=f"Resolve ballot {format_serial(2)}").click()
    gareth.get_by_label("Entry 1").check()  # with the paper in hand, he sees he misread it
    gareth.get_by_role("button", name="Resolve the ballot").click()
    expect(gareth.locator("#messages")).to_contain_text(f"Ballot {format_serial(2)} is counted.")
    expect(gareth.get_by_role("heading", name="Mismatches (0)")).to_be_visible()

    ffion.goto(paper_server["event_url"] + "/paper/mismatches")
    ffion.get_by_role("link", name="Reconciliation report").click()
    expect(ffion.get_by_text("It does not balance yet.")).to_be_visible()
    ffion.get_by_label("Ballots handed out").fill("5")
    ffion.get_by_label("Ballots returned").fill("4")
    ffion.get_by_role("button", name="Save the counts").click()
    expect(ffion.get_by_text("It balances.")).to_be_visible()
    summary = ffion.locator(".summary-list").inner_text()
    for label, value in (("Printed", "5"), ("Handed out", "5"), ("Returned", "4"), ("Not returned", "1"),
                         ("Keyed in", "4"), ("Counted after two entries", "3"), ("Spoilt", "1"),
                         ("In the vote's count", "3")):
        assert re.search(rf"^{re.escape(label)}\s+{value}\b", summary, re.M), (label, summary)
    _checked(ffion)

    ffion.goto(paper_server["event_url"] + "/paper")
    ffion.get_by_role("link", name=re.compile("^Print page")).click()
    expect(ffion.locator(".paper-ballot")).to_have_count(5)
    expect(ffion.locator(".paper-ballot__number").first).to_have_text(format_serial(1))
    _checked(ffion)
    ffion.emulate_media(media="print")
    assert ffion.evaluate("getComputedStyle(document.querySelector('.paper-ballot')).breakAfter") == "page"
    assert ffion.evaluate("getComputedStyle(document.querySelector('.print-instructions')).display") == "none"


def test_the_keying_page_fits_a_phone(paper_server, browser) -> None:
    phone = _laptop(browser, "ffion@example.org", paper_server["base"], PHONE)
    phone.goto(paper_server["event_url"] + "/paper/key")
    _key(phone, 5, (1, 2))
    expect(phone.locator("#paper-keyed")).to_contain_text("first entry saved")
    _checked(phone)
    phone.goto(paper_server["event_url"] + "/paper/mismatches")
    expect(phone.get_by_role("heading", name="Keyed once (1)")).to_be_visible()
    _checked(phone)
    phone.get_by_role("button", name=f"Withdraw the entry {format_serial(5)}").click()
    expect(phone.get_by_role("heading", name="Keyed once (0)")).to_be_visible()
