"""A phone loses its connection while confirming a vote: cyd.js sends it again, and one ballot counts.

Playwright sends the first confirmation to the server and then drops the answer, as a phone on
bad wifi does after the server has already cast the ballot; the retry carries the same
submission token. A second test drops the connection before anything reaches the server, then
again and again, until cyd.js gives up and says so, and the voter sends it by hand once back online.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, Route, expect
from sqlalchemy import func, select

from pb.db import db
from pb.demo import DEMO_PASSWORD
from pb.voting.models import Ballot
from tests.browser.conftest import axe_violations, in_app

pytestmark = pytest.mark.browser


def _to_confirm(page: Page, base: str) -> None:
    page.goto(base + "/sign-in")
    page.get_by_label("Email address").fill("resident@example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(base + "/cycles/1/vote")
    page.get_by_label(re.compile("Community orchard")).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your vote before you send it")).to_be_visible()


def _ballots(live_app) -> list[int]:  # type: ignore[no-untyped-def]
    counted: list[int] = []
    in_app(live_app, lambda: counted.append(db.session.scalar(select(func.count()).select_from(Ballot)) or 0))
    return counted


def test_a_vote_whose_answer_is_lost_is_sent_again_and_counted_once(live_server: str, live_app, phone: Page) -> None:
    _to_confirm(phone, live_server)
    sent: list[str] = []

    def lose_the_first_answer(route: Route) -> None:
        sent.append(route.request.post_data or "")
        if len(sent) == 1:
            before = phone.context.cookies()
            route.fetch()  # the server casts the ballot…
            phone.context.clear_cookies()  # …and nothing of its answer arrives, not even its new cookie
            phone.context.add_cookies(before)  # type: ignore[arg-type]
            route.abort("internetdisconnected")
        else:
            route.continue_()

    phone.route("**/vote/confirm", lose_the_first_answer)
    phone.get_by_role("button", name="Confirm my vote").click()

    expect(phone.get_by_role("heading", name="Your vote has been cast")).to_be_visible()
    assert len(sent) == 2 and sent[0] == sent[1]  # the same form, with the same submission token
    assert _ballots(live_app) == [1]
    receipt = phone.locator(".receipt").inner_text()
    phone.get_by_role("link", name="Check your receipt").click()
    expect(phone.get_by_text(f"The ballot with receipt {receipt} is in the count.")).to_be_visible()


def test_a_phone_that_stays_offline_is_told_and_sends_the_vote_later(live_server: str, live_app, phone: Page) -> None:
    _to_confirm(phone, live_server)
    phone.route("**/vote/confirm", lambda route: route.abort("internetdisconnected"))
    phone.clock.install()  # the retries wait 0.5, 1, 2, 4, 8 and 8 seconds: run the clock on
    phone.get_by_role("button", name="Confirm my vote").click()
    expect(phone.get_by_text("The connection dropped. Sending your vote again…")).to_be_visible()
    gave_up = phone.get_by_role("alert").filter(has_text="Your vote could not be sent")
    # Each try sets the next one's timer only once its own request has failed, which takes real
    # time: run the clock a second at a time until cyd.js gives up, not for a fixed total at once.
    deadline = time.monotonic() + 30
    while not gave_up.is_visible() and time.monotonic() < deadline:
        phone.clock.run_for(1_000)
    expect(gave_up).to_be_visible()
    assert axe_violations(phone) == []
    assert _ballots(live_app) == [0]  # nothing reached the server, nothing is half-cast

    phone.unroute("**/vote/confirm")  # back online
    phone.get_by_role("button", name="Confirm my vote").click()
    expect(phone.get_by_role("heading", name="Your vote has been cast")).to_be_visible()
    assert _ballots(live_app) == [1]
