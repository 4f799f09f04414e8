"""A kiosk on a shared tablet: two voters one after another, the idle reset, the PIN, with axe-core on every screen."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from pb import create_app
from pb.db import db
from pb.demo import DEMO_PASSWORD, seed_demo
from tests.browser.conftest import NO_SIDEWAYS_SCROLL, _in_app_thread, axe_violations

pytestmark = pytest.mark.browser
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}
PIN = "2468"
FACILITATOR = "facilitator@example.org"
# On a kiosk every control — buttons, fields, the language link, the links between screens — is 44 px or more.
SMALL_TARGETS = """() => [...document.querySelectorAll('button, input:not([type=hidden]), select, summary, a')]
  .filter(e => e.offsetParent !== null && !e.classList.contains('skip-link'))
  .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
  .filter(([, r]) => r.width < 44 || r.height < 44).map(([html]) => html)"""


@pytest.fixture
def kiosk_server(database_url: str) -> Iterator[dict[str, Any]]:
    """An open vote that takes voting codes, an event in it run by a facilitator, and codes to vote with."""
    app = create_app("test", SQLALCHEMY_ENGINES={"default": database_url}, SERVER_NAME=None)
    made: dict[str, Any] = {"app": app}

    def seed() -> None:
        from pb.accounts.models import Role
        from pb.accounts.services import find_by_email, grant
        from pb.cycles.models import StageKind
        from pb.events.services import create_event
        from pb.voting.codes import issue_codes
        from tests.events.conftest import ENDS, STARTS
        from tests.voting.helpers import open_ballot

        seed_demo()
        commissioner = find_by_email("commissioner@example.org")
        representative = find_by_email("representative@example.org")
        cycle, proposals = open_ballot(
            commissioner, representative, title="Kiosk vote", eligibility="both", max_choices=2
        )
        facilitator = find_by_email(FACILITATOR)  # the demo cycle's facilitator
        grant(facilitator, Role.FACILITATOR, cycle.id)
        vote = cycle.stage_of_kind(StageKind.VOTE)
        event = create_event(
            vote, commissioner, title="Voting day", venue="Hub", starts_at=STARTS, ends_at=ENDS,
            facilitator_ids=[facilitator.id],
        )
        _batch, codes = issue_codes(vote, commissioner, 4, "Voting day")
        made.update(cycle=cycle.id, event=event.id, codes=codes, projects=[p.title for p in proposals])
        db.session.commit()

    _in_app_thread(app, seed)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    made["base"] = f"http://127.0.0.1:{server.server_port}"
    yield made
    server.shutdown()
    _in_app_thread(app, lambda: db.engine.dispose())


def _device(browser: Browser, viewport: dict[str, int] = TABLET, *, javascript: bool = True) -> Page:
    context = browser.new_context(viewport=viewport, has_touch=True, java_script_enabled=javascript)
    return context.new_page()


def _checked(page: Page) -> None:
    assert axe_violations(page) == []
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert page.evaluate(SMALL_TARGETS) == []


def _start_kiosk(page: Page, server: dict[str, Any]) -> None:
    base = server["base"]
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(FACILITATOR)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/cycles/{server['cycle']}/events/{server['event']}")
    page.get_by_label("Name of this kiosk").fill("Tablet by the door")
    page.get_by_label("Choose a PIN").fill(PIN)
    page.get_by_label("The PIN again").fill(PIN)
    page.get_by_role("button", name="Start a kiosk on this device").click()
    expect(page.get_by_role("heading", name="Vote here")).to_be_visible()


def _enter(page: Page, code: str) -> None:
    page.get_by_label("Voting code").fill(code)
    page.get_by_role("button", name="Start voting").click()
    expect(page.get_by_role("heading", name="Choose the projects you want funded")).to_be_visible()


def _nothing_of(page: Page, receipt: str) -> None:
    """Nothing the previous voter chose, or their receipt, is on the screen."""
    assert page.locator("input[type=checkbox]:checked").count() == 0
    assert receipt not in page.content()
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_have_count(0)


def test_two_voters_at_a_kiosk_tablet_never_see_each_others_choices(kiosk_server, browser) -> None:
    base, codes, projects = kiosk_server["base"], kiosk_server["codes"], kiosk_server["projects"]
    page = _device(browser)
    _start_kiosk(page, kiosk_server)
    _checked(page)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_text("Ffion Facilitator")).to_have_count(0)
    page.goto(f"{base}/cycles/{kiosk_server['cycle']}/events/{kiosk_server['event']}")  # the facilitator's page
    expect(page.get_by_role("heading", name="Vote here")).to_be_visible()

    # The first voter.
    _enter(page, codes[0])
    _checked(page)
    page.get_by_label(re.compile(projects[0])).check()
    expect(page.locator("#meter")).to_contain_text("You have chosen 1 of up to 2")  # htmx, as on a phone
    page.get_by_label(re.compile(projects[1])).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your vote before you send it")).to_be_visible()
    _checked(page)
    page.get_by_role("button", name="Confirm my vote").click()
    expect(page.get_by_role("heading", name="Thank you: your vote has been cast")).to_be_visible()
    receipt = page.locator(".receipt").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", receipt)
    _checked(page)
    page.go_back()  # Back from the receipt: the start screen, never the choices
    expect(page.get_by_role("heading", name="Vote here")).to_be_visible()
    _nothing_of(page, receipt)
    page.go_forward()
    expect(page.get_by_role("heading", name="Vote here")).to_be_visible()
    _nothing_of(page, receipt)

    # The second voter, who then tries Back as far as it goes.
    _enter(page, codes[1])
    _nothing_of(page, receipt)
    for _step in range(4):
        page.go_back()
        page.wait_for_load_state()
        _nothing_of(page, receipt)
        expect(page.get_by_role("heading", name=re.compile("Check your vote"))).to_have_count(0)
    page.goto(f"{base}/kiosk")
    page.get_by_label(re.compile(projects[2])).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Confirm my vote").click()
    expect(page.get_by_role("heading", name="Thank you: your vote has been cast")).to_be_visible()
    assert page.locator(".receipt").inner_text() != receipt
    page.reload()
    expect(page.get_by_role("heading", name="Vote here")).to_be_visible()

    ballots: list[tuple[str, int | None]] = []

    def read() -> None:
        from pb.voting.models import Ballot

        ballots.extend(db.session.execute(select(Ballot.channel, Ballot.event_id)).tuples())

    _in_app_thread(kiosk_server["app"], read)
    assert ballots == [("kiosk", kiosk_server["event"])] * 2
    page.context.close()


def test_a_kiosk_left_alone_asks_then_starts_again(kiosk_server, browser) -> None:
    app: Flask = kiosk_server["app"]
    # The warning 6 seconds before the reset at 12, on the page's own clock, moved on by the test.
    app.config["KIOSK_IDLE_SECONDS"] = 12
    projects = kiosk_server["projects"]
    page = _device(browser, PHONE)
    page.clock.install()
    _start_kiosk(page, kiosk_server)
    _enter(page, kiosk_server["codes"][2])
    page.get_by_label(re.compile(projects[0])).check()
    expect(page.locator("#meter")).to_contain_text("You have chosen 1")
    warning = page.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_hidden()
    page.clock.fast_forward(7_000)
    expect(warning).to_be_visible()
    expect(page.get_by_role("button", name="I am still here")).to_be_focused()
    assert axe_violations(page) == []
    page.get_by_role("button", name="I am still here").click()
    expect(warning).to_be_hidden()
    assert page.get_by_label(re.compile(projects[0])).is_checked()  # carrying on keeps the choices

    page.clock.fast_forward(13_000)  # and then nobody answers
    expect(page.get_by_role("heading", name="Vote here")).to_be_visible()
    expect(page.get_by_text("left for a while")).to_have_count(0)  # the page reset itself, first
    page.go_back()
    expect(page.get_by_role("heading", name="Vote here")).to_be_visible()
    assert page.locator("input[type=checkbox]:checked").count() == 0
    _enter(page, kiosk_server["codes"][2])  # the same voter comes back: nothing was kept
    assert page.locator("input[type=checkbox]:checked").count() == 0
    page.context.close()


def test_leaving_kiosk_mode_needs_the_facilitators_pin(kiosk_server, browser) -> None:
    page = _device(browser)
    _start_kiosk(page, kiosk_server)
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")  # waits for the page the link leads to
    _checked(page)
    page.get_by_role("link", name="English").click()
    page.get_by_role("link", name="Leave kiosk mode (facilitators)").click()
    expect(page.get_by_role("heading", name="Leave kiosk mode")).to_be_visible()
    _checked(page)
    page.get_by_label("PIN", exact=True).fill("1111")
    page.get_by_role("button", name="Leave kiosk mode").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#pin-error")).to_contain_text("That PIN is not right. You can try 4 more times.")
    _checked(page)
    page.get_by_label("PIN", exact=True).fill(PIN)
    page.get_by_role("button", name="Leave kiosk mode").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Kiosk mode has ended on this device. Sign in to continue.")).to_be_visible()
    page.goto(f"{kiosk_server['base']}/kiosk")
    expect(page.get_by_role("heading", name="Kiosk mode has ended on this device")).to_be_visible()
    assert axe_violations(page) == []
    page.context.close()


def test_without_javascript_the_receipt_returns_to_the_start_by_itself(kiosk_server, browser) -> None:
    kiosk_server["app"].config["KIOSK_THANKS_SECONDS"] = 2
    page = _device(browser, javascript=False)
    _start_kiosk(page, kiosk_server)
    _enter(page, kiosk_server["codes"][3])
    page.get_by_label(re.compile(kiosk_server["projects"][1])).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Confirm my vote").click()
    expect(page.get_by_role("heading", name="Thank you: your vote has been cast")).to_be_visible()
    expect(page.get_by_role("heading", name="Vote here")).to_be_visible(timeout=6000)  # <meta http-equiv=refresh>
    page.context.close()

