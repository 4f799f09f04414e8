"""Every ballot format on a 320-pixel phone, with JavaScript on or off, in English or Welsh; voting codes."""

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
from pb.demo import DEMO_PASSWORD, seed_demo
from pb.voting.codes import issue_codes
from tests.browser.conftest import NO_SIDEWAYS_SCROLL, SMALL_TARGETS, _in_app_thread, axe_violations

pytestmark = pytest.mark.browser
SMALL_PHONE = {"width": 320, "height": 640}


@pytest.fixture
def formats_server(database_url: str) -> Iterator[dict[str, Any]]:
    """The demo, plus an open vote of each other format (open to codes too), with voting codes to use."""
    app = create_app("test", SQLALCHEMY_ENGINES={"default": database_url}, SERVER_NAME=None)
    made: dict[str, Any] = {}

    def seed() -> None:
        from pb.accounts.services import find_by_email
        from pb.cycles.models import StageKind
        from tests.voting.helpers import open_ballot

        seed_demo()
        commissioner = find_by_email("commissioner@example.org")
        representative = find_by_email("representative@example.org")
        for fmt, extra in (
            ("ranked", {"max_choices": 2}),
            ("cumulative", {"points": 5, "max_points_per_project": 4}),
            ("knapsack", {"cost_limit": 800_000}),
        ):
            cycle, proposals = open_ballot(
                commissioner, representative, title=f"Vote {fmt}", ballot_format=fmt, eligibility="both", **extra
            )
            stage = cycle.stage_of_kind(StageKind.VOTE)
            _batch, codes = issue_codes(stage, commissioner, 2, fmt)
            made[fmt] = {"cycle": cycle.id, "codes": codes, "projects": [p.title for p in proposals]}
        db.session.commit()

    _in_app_thread(app, seed)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"base": f"http://127.0.0.1:{server.server_port}", **made}
    server.shutdown()
    _in_app_thread(app, lambda: db.engine.dispose())


def _checked(page: Page) -> None:
    assert axe_violations(page) == []
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert page.evaluate(SMALL_TARGETS) == []


def _new_page(browser: Browser, *, javascript: bool = True) -> Page:
    context = browser.new_context(viewport=SMALL_PHONE, is_mobile=True, has_touch=True, java_script_enabled=javascript)
    return context.new_page()


def test_a_code_holder_ranks_projects_without_javascript_on_a_small_phone(formats_server, browser) -> None:
    base, vote = formats_server["base"], formats_server["ranked"]
    page = _new_page(browser, javascript=False)
    page.goto(f"{base}/cycles/{vote['cycle']}/vote")
    page.get_by_role("link", name="Enter a voting code").click()
    page.get_by_label("Voting code").fill(vote["codes"][0].lower())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Rank the projects you want funded")).to_be_visible()
    page.get_by_label(re.compile("Project 3")).select_option("1")
    page.get_by_label(re.compile("Project 1")).select_option("2")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".summary-list")).to_contain_text(re.compile(r"1\.\s*Project 3.*2\.\s*Project 1", re.S))
    page.get_by_role("button", name="Confirm my vote").click()
    expect(page.get_by_role("heading", name="Your vote has been cast")).to_be_visible()
    page.context.close()


def test_a_resident_shares_points_in_welsh_with_the_meter_updating(formats_server, browser) -> None:
    base, vote = formats_server["base"], formats_server["cumulative"]
    page = _new_page(browser)
    page.goto(f"{base}/sign-in")
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")  # waits for the page the link leads to
    page.goto(f"{base}/cycles/{vote['cycle']}/vote")
    page.get_by_role("link", name="Rhoi cod pleidleisio").click()
    expect(page.get_by_label("Cod pleidleisio")).to_be_visible()  # the code page has loaded
    _checked(page)
    page.get_by_label("Cod pleidleisio").fill(vote["codes"][0])
    page.get_by_role("button", name="Parhau").click()
    expect(page.get_by_role("heading", name="Rhannwch eich pwyntiau rhwng y prosiectau")).to_be_visible()
    _checked(page)
    page.get_by_label(re.compile("Project 1")).fill("3")
    page.get_by_label(re.compile("Project 2")).fill("1")
    page.get_by_label(re.compile("Project 2")).blur()
    expect(page.locator("#meter")).to_contain_text("1 o bwyntiau ar ôl", timeout=10_000)  # htmx updated it
    page.get_by_label(re.compile("Project 3")).fill("4")
    page.get_by_label(re.compile("Project 3")).blur()
    expect(page.locator("#meter")).to_contain_text("Tynnwch 3 o bwyntiau i barhau", timeout=10_000)
    page.get_by_role("button", name="Parhau").click()
    expect(page.locator(".error-summary")).to_be_focused()  # the error summary takes focus
    _checked(page)
    page.get_by_label(re.compile("Project 3")).fill("")
    page.get_by_label(re.compile("Project 3")).blur()
    expect(page.locator("#meter")).to_contain_text("1 o bwyntiau ar ôl", timeout=10_000)
    page.get_by_role("button", name="Parhau").click()
    expect(page.get_by_role("heading", name="Gwiriwch eich pleidlais cyn i chi ei hanfon")).to_be_visible()
    _checked(page)
    page.get_by_role("button", name="Cadarnhau fy mhleidlais").click()
    expect(page.get_by_role("heading", name="Mae eich pleidlais wedi'i bwrw")).to_be_visible()
    _checked(page)
    page.context.close()


def test_a_cost_limited_ballot_shows_what_is_left_and_the_codes_print_accessibly(formats_server, browser) -> None:
    base, vote = formats_server["base"], formats_server["knapsack"]
    page = _new_page(browser)
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill("resident@example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/cycles/{vote['cycle']}/vote")
    page.get_by_label(re.compile("Project 1")).check()
    expect(page.locator("#meter")).to_contain_text("£4,000 left.")
    page.get_by_label(re.compile("Project 3")).check()
    expect(page.locator("#meter")).to_contain_text("That is £1,000 too much")
    _checked(page)
    page.get_by_text("Filter the projects").click()
    page.get_by_label("Search").fill("Project 2")
    page.get_by_role("button", name="Show projects").click()
    expect(page.locator("main")).to_contain_text("Showing 1 of 3 projects.")
    expect(page.locator("main")).to_contain_text("2 projects you chose are hidden by your filters.")
    _checked(page)
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill("commissioner@example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/cycles/{vote['cycle']}/voting-codes")
    _checked(page)
    page.get_by_label("How many codes").fill("2")
    page.get_by_role("button", name="Make and print the codes").click()
    expect(page.get_by_role("heading", name="Print these codes now")).to_be_visible()
    assert page.locator("svg[role=img]").count() == 2
    assert axe_violations(page) == []
    page.context.close()


def test_a_qr_code_opens_the_code_page_with_the_code_filled_in(formats_server, browser) -> None:
    base, vote = formats_server["base"], formats_server["ranked"]
    page = _new_page(browser)
    page.goto(f"{base}/cycles/{vote['cycle']}/vote/code#{vote['codes'][1]}")
    expect(page.get_by_label("Voting code")).to_have_value(vote["codes"][1])
    _checked(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Rank the projects you want funded")).to_be_visible()
    page.context.close()
