"""In-person events in Chromium: planning one on a laptop, the check-in desk on a phone, the projector's
live view updating itself, and a workshop's record reaching the proposal's public page.

The demo cycle's vote takes accounts only, so the desk runs in a second cycle whose vote also takes
voting codes. Everyone is set up through the services (`in_app`); every page is checked with axe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from pb.demo import DEMO_TITLE
from tests.browser.conftest import axe_violations, fits_a_phone, in_app, sign_in

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1280, "height": 800}
FACILITATOR = "facilitator@example.org"
CODE = re.compile(r"^[A-Z2-9]{4,6}(-[A-Z2-9]{4,6})+$")


@pytest.fixture
def events(live_app: Flask) -> dict[str, Any]:
    """A facilitator of both cycles; a cycle whose vote takes codes, with an event and a name on its list;
    an event in the demo cycle's open vote for the workshop."""
    made: dict[str, Any] = {}

    def work() -> None:
        from sqlalchemy import select

        from pb.accounts.models import Role
        from pb.accounts.services import find_by_email, grant
        from pb.cycles.models import Cycle, StageKind
        from pb.db import session
        from pb.events.services import create_event, register_attendee
        from tests.voting.helpers import open_ballot

        commissioner = find_by_email("commissioner@example.org")
        representative = find_by_email("representative@example.org")
        facilitator = find_by_email(FACILITATOR)  # the demo cycle's facilitator
        demo = session().scalar(select(Cycle).where(Cycle.title == DEMO_TITLE))
        # The desk checks that a person lives in the vote's areas before it gives them a code.
        codes, _proposals = open_ballot(commissioner, representative, title="Riverside votes", eligibility="both",
                                        postcodes=["CF10", "CF11"], desk_checks_conditions=True)
        for cycle in (demo, codes):
            grant(facilitator, Role.FACILITATOR, cycle.id)
        desk = create_event(
            codes.stage_of_kind(StageKind.VOTE), commissioner, title="Voting day at the Hub", venue="Riverside Hub",
            starts_at=datetime(2026, 12, 5, 10, tzinfo=UTC), ends_at=datetime(2026, 12, 5, 16, tzinfo=UTC),
            expected_attendance=60, facilitator_ids=[facilitator.id],
        )
        register_attendee(desk, facilitator, name="Gwen Davies", check_in=False)
        register_attendee(desk, facilitator, name="Dai Jones", postcode="CF11 6AB", check_in=False)
        workshop = create_event(
            demo.stage_of_kind(StageKind.VOTE), commissioner, title="Riverside walkabout", venue="Grange Gardens",
            starts_at=datetime(2026, 12, 1, 18, tzinfo=UTC), ends_at=datetime(2026, 12, 1, 20, tzinfo=UTC),
            facilitator_ids=[facilitator.id],
        )
        session().commit()
        made.update(demo=demo.id, codes=codes.id, desk=desk.id, workshop=workshop.id)

    in_app(live_app, work)
    return made


@pytest.fixture
def laptop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    yield page
    context.close()


def _accessible(page: Page) -> None:
    assert axe_violations(page) == []


def _mark(page: Page) -> None:
    """Leave a mark in the page's JavaScript: it survives htmx swaps and polling, not a page load."""
    page.evaluate("window.cydTestMark = 'still here'")


def _still_marked(page: Page) -> bool:
    return page.evaluate("window.cydTestMark === 'still here'")


def test_a_commissioner_plans_an_event_on_a_laptop(live_server: str, laptop: Page, events) -> None:
    sign_in(laptop, live_server, "commissioner@example.org")
    laptop.goto(f"{live_server}/cycles/{events['demo']}")
    laptop.get_by_role("link", name="Events: plan them, check people in").click()
    expect(laptop.get_by_role("heading", name="Events", level=1)).to_be_visible()
    expect(laptop.locator("main")).to_contain_text("Riverside walkabout")
    _accessible(laptop)

    laptop.get_by_label("Stage").select_option(label="Vote")
    laptop.get_by_label("Name of the event").fill("Voting café at the library")
    laptop.get_by_label("Where").fill("Grangetown Library, Havelock Place")
    laptop.get_by_label("Starts").fill("2026-12-12T10:00")
    laptop.get_by_label("Ends").fill("2026-12-12T09:00")  # a slip: before it starts
    laptop.get_by_label("How many people you expect").fill("40")
    laptop.get_by_label("Ffion Facilitator").check()
    laptop.get_by_role("button", name="Plan the event").click()

    expect(laptop.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(laptop.locator("#ends_at-error")).to_contain_text("The event must end after it starts.")
    expect(laptop.get_by_label("Name of the event")).to_have_value("Voting café at the library")  # kept
    expect(laptop.get_by_label("Ffion Facilitator")).to_be_checked()
    _accessible(laptop)

    laptop.get_by_label("Ends").fill("2026-12-12T13:00")
    laptop.get_by_role("button", name="Plan the event").click()
    expect(laptop.get_by_text("The event is planned.")).to_be_visible()
    expect(laptop.get_by_role("heading", name="Voting café at the library", level=1)).to_be_visible()
    main = laptop.locator("main")
    expect(main).to_contain_text("Grangetown Library, Havelock Place")
    expect(main).to_contain_text("12 December 2026, 10:00")
    expect(main).to_contain_text("40 people")
    expect(main).to_contain_text("Ffion Facilitator")
    expect(laptop.locator("#event-counts")).to_contain_text("Checked in")
    _accessible(laptop)


def test_a_facilitator_checks_people_in_at_the_desk_on_a_phone(live_server: str, phone: Page, events) -> None:
    sign_in(phone, live_server, FACILITATOR)
    phone.goto(f"{live_server}/cycles/{events['codes']}/events/{events['desk']}")
    expect(phone.get_by_role("heading", name="Voting day at the Hub")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_role("link", name="Check people in").click()
    expect(phone.get_by_role("heading", name="Check-in", level=1)).to_be_visible()
    fits_a_phone(phone)

    # The search narrows the list as they type, through htmx: the page itself stays.
    desk_url = phone.url
    _mark(phone)
    phone.get_by_label("Find someone by name or postcode").press_sequentially("gwe", delay=50)
    expect(phone.locator("#attendees")).not_to_contain_text("Dai Jones")
    expect(phone.locator("#attendees")).to_contain_text("Gwen Davies")
    assert phone.url == desk_url and _still_marked(phone)
    phone.get_by_label("Find someone by name or postcode").fill("")
    phone.get_by_label("Find someone by name or postcode").press_sequentially("cf11", delay=50)
    expect(phone.locator("#attendees")).not_to_contain_text("Gwen Davies")
    expect(phone.locator("#attendees")).to_contain_text("Dai Jones")
    phone.get_by_label("Find someone by name or postcode").fill("nobody here")
    expect(phone.locator("#attendees")).to_contain_text("Nobody on the list matches")
    fits_a_phone(phone)

    # Someone not on the list: a name (and a postcode if they give one), checked in with a code.
    phone.get_by_label("Name", exact=True).fill("Huw Evans")
    phone.get_by_label("Postcode", exact=True).fill("cf10 5ab")
    phone.get_by_role("button", name="Check in and give a voting code").click()
    expect(phone.get_by_role("heading", name="Huw Evans is checked in")).to_be_visible()
    code = phone.locator(".checked-in__code").inner_text().strip()
    assert CODE.match(code), code
    expect(phone.locator(".checked-in__qr svg")).to_be_visible()
    expect(phone.locator("#event-counts")).to_contain_text(re.compile(r"Checked in\s*1"))
    fits_a_phone(phone)

    # Or printed on a card: on paper only the card, with the code and where to use it, and no name.
    expect(phone.get_by_role("button", name="Print a card")).to_be_visible()
    phone.emulate_media(media="print")
    expect(phone.locator(".checked-in__card")).to_be_visible()
    expect(phone.locator(".checked-in__card")).to_contain_text(code)
    expect(phone.locator(".checked-in__card")).not_to_contain_text("Huw")
    for hidden in ("#attendees", "#event-counts", "h1", ".site-header", "#checked-in-title"):
        expect(phone.locator(hidden)).to_be_hidden()
    phone.emulate_media(media="screen")

    # Shown once: a reload sends the same form again, which adds nobody and shows no code.
    phone.reload()
    expect(phone.locator("main")).to_contain_text("This form was already sent")
    assert code not in phone.content()
    fits_a_phone(phone)
    phone.goto(desk_url)
    expect(phone.locator("#attendees")).to_contain_text("Huw Evans")
    expect(phone.locator("#attendees")).to_contain_text("code given")
    assert code not in phone.content() and phone.locator(".checked-in__code").count() == 0
    fits_a_phone(phone)

    # Someone already on the list is checked in from it, with the postcode the desk asks for. A
    # postcode that cannot be one comes back beside her row, as typed, and nobody is checked in.
    row_postcode = phone.get_by_label("Postcode – Gwen Davies")
    row_postcode.fill("CF11 1AA FLAT 2")
    phone.get_by_role("button", name="Check in – Gwen Davies").click()
    expect(phone.locator(".error-summary")).to_contain_text("Enter a postcode like CF10 5AB")
    expect(phone.get_by_label("Postcode – Gwen Davies")).to_have_value("CF11 1AA FLAT 2")
    expect(phone.get_by_label("Postcode – Gwen Davies")).to_have_attribute("aria-invalid", "true")
    fits_a_phone(phone)
    phone.get_by_role("link", name=re.compile("^Enter a postcode like CF10 5AB, or its first half")).click()
    expect(phone.get_by_label("Postcode – Gwen Davies")).to_be_focused()
    phone.get_by_label("Postcode – Gwen Davies").fill("cf11 1aa")
    phone.get_by_role("button", name="Check in – Gwen Davies").click()
    expect(phone.get_by_role("heading", name="Gwen Davies is checked in")).to_be_visible()
    assert CODE.match(phone.locator(".checked-in__code").inner_text().strip())
    fits_a_phone(phone)


def test_the_live_view_updates_itself_after_a_ballot_is_cast(live_server: str, live_app: Flask, laptop: Page,
                                                            events) -> None:
    sign_in(laptop, live_server, FACILITATOR)
    laptop.goto(f"{live_server}/cycles/{events['codes']}/events/{events['desk']}")
    laptop.get_by_role("link", name="Live view for a projector").click()
    expect(laptop.get_by_role("heading", name="Voting day at the Hub", level=1)).to_be_visible()
    _accessible(laptop)
    before = laptop.locator("#live").inner_text()
    _mark(laptop)

    def cast() -> None:
        from pb.accounts.services import find_by_email
        from pb.cycles.models import Cycle, StageKind
        from pb.db import session
        from pb.voting.codes import issue_codes, redeem_code
        from pb.voting.services import ballot_options, cast_ballot

        vote = session().get(Cycle, events["codes"]).stage_of_kind(StageKind.VOTE)
        _batch, (code,) = issue_codes(vote, find_by_email("commissioner@example.org"), 1, "Letters")
        cast_ballot(vote, redeem_code(vote, code), [ballot_options(vote)[0].id])
        session().commit()

    in_app(live_app, cast)
    # Polled every 5 seconds: wait for the fragment to change, without a page load.
    laptop.wait_for_function("before => document.querySelector('#live').innerText !== before", arg=before,
                             timeout=15_000)
    after = laptop.locator("#live").inner_text()
    assert re.search(r"\b1\b", after) and _still_marked(laptop)
    _accessible(laptop)


def test_a_facilitator_records_a_workshop_and_its_idea_reaches_the_proposal(live_server: str, phone: Page,
                                                                             events) -> None:
    sign_in(phone, live_server, FACILITATOR)
    phone.goto(f"{live_server}/cycles/{events['demo']}/events/{events['workshop']}")
    expect(phone.get_by_role("heading", name="Workshop record")).to_be_visible()
    fits_a_phone(phone)
    phone.get_by_role("link", name="Notes, attendance and ideas raised").click()
    expect(phone.get_by_role("heading", name="Workshop record", level=1)).to_be_visible()
    fits_a_phone(phone)

    phone.get_by_label("Notes", exact=True).fill("We walked the river path. Older residents want somewhere to rest.")
    phone.get_by_label("How many people were in the room").fill("about 20")
    phone.get_by_role("button", name="Save the notes and attendance").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(phone.locator("#attendance-error")).to_contain_text("Enter a number of people, like 25")
    expect(phone.get_by_label("Notes", exact=True)).to_have_value(re.compile("somewhere to rest"))  # kept
    fits_a_phone(phone)
    phone.get_by_label("How many people were in the room").fill("20")
    phone.get_by_role("button", name="Save the notes and attendance").click()
    expect(phone.get_by_text("The workshop's notes and attendance are saved.")).to_be_visible()
    expect(phone.get_by_label("How many people were in the room")).to_have_value("20")

    # Adding an idea swaps the list of ideas in place (htmx).
    page_url = phone.url
    _mark(phone)
    idea = "A bench every few hundred metres along the river, facing the water."
    phone.get_by_label("The idea", exact=True).fill(idea)
    phone.get_by_label("Link it to", exact=True).select_option(label="Benches along the river path")
    phone.get_by_role("button", name="Add the idea").click()
    ideas = phone.locator("#ideas")
    expect(ideas).to_contain_text("Ideas raised in the room (1)")
    expect(phone.locator("#ideas-status")).to_have_text("The idea is recorded.")
    expect(ideas).to_contain_text("Linked to the proposal Benches along the river path")
    expect(phone.get_by_label("The idea", exact=True)).to_have_value("")
    assert phone.url == page_url and _still_marked(phone)
    fits_a_phone(phone)

    # An empty idea is refused in place, the chosen link kept.
    phone.get_by_label("Link it to", exact=True).select_option(label="Bike repair café")
    phone.get_by_role("button", name="Add the idea").click()
    expect(ideas.locator("#text-error")).to_contain_text("Write down the idea.")
    expect(phone.locator("#ideas-status")).to_have_text("")  # no stale "recorded" beside the error
    expect(phone.get_by_label("Link it to", exact=True)).to_have_value(re.compile(r"^proposal-\d+$"))
    assert _still_marked(phone)
    fits_a_phone(phone)

    # Residents see what came from the room on the proposal's page; the notes stay private.
    ideas.get_by_role("link", name="Benches along the river path").click()
    expect(phone.get_by_role("heading", name="Benches along the river path", level=1)).to_be_visible()
    expect(phone.get_by_role("heading", name="From workshops")).to_be_visible()
    main = phone.locator("main")
    expect(main).to_contain_text(idea)
    expect(main).to_contain_text("Raised at a workshop: Riverside walkabout, 1 December 2026")
    expect(main).not_to_contain_text("somewhere to rest")
    fits_a_phone(phone)
    proposal_url = phone.url
    phone.get_by_role("button", name="Sign out").click()
    phone.goto(proposal_url)
    expect(phone.get_by_text("Raised at a workshop: Riverside walkabout, 1 December 2026")).to_be_visible()
    fits_a_phone(phone)

