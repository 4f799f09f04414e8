"""The check-in desk checks eligibility as the vote's mandate requires, before it gives a voting code."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from pb.db import db
from pb.events import services
from pb.mandates.boundaries import VoteBoundaries
from pb.voting.models import VotingCode
from tests.conftest import HX, PASSWORD

CODE = re.compile(r'class="checked-in__code">([A-Z0-9-]+)<')
CHECKED = {"postcodes": ["CF11", "CF10 5"], "minimum_age": 16, "desk_checks_conditions": True}


def _at_the_desk(client, cycle, event, facilitator) -> str:  # type: ignore[no-untyped-def]
    """Commit what the test made, sign the facilitator in, and return the event's address."""
    db.session.commit()
    client.submit("/sign-in", {"email": facilitator.email, "password": PASSWORD})
    client.csrf = None
    return f"/cycles/{cycle.id}/events/{event.id}"


def _codes() -> int:
    return db.session.scalar(select(func.count()).select_from(VotingCode)) or 0


def test_the_desk_gives_a_code_only_to_people_who_meet_the_mandates_conditions(event_at_vote) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote(**CHECKED)
    assert services.desk_conditions(event) == services.DeskConditions(["CF11", "CF10 5"], 16)

    no_postcode = services.register_attendee(event, facilitator, name="Aled", old_enough=True)
    elsewhere = services.register_attendee(event, facilitator, name="Bethan", postcode="NP20 1AA", old_enough=True)
    too_young = services.register_attendee(event, facilitator, name="Cai", postcode="cf11 9aa")
    eligible = services.register_attendee(event, facilitator, name="Dilys", postcode="CF10 5AB", old_enough=True)

    assert no_postcode.code is None and "postcode in CF11, CF10 5" in no_postcode.no_code_reason
    assert elsewhere.code is None and "NP20 1AA is not in CF11, CF10 5" in elsewhere.no_code_reason
    assert too_young.code is None and "aged 16 or over" in too_young.no_code_reason
    assert eligible.code is not None and eligible.attendee.code_issued
    assert all(r.attendee.checked_in_at for r in (no_postcode, elsewhere, too_young, eligible))  # they came
    assert _codes() == 1
    # A district alone is enough for CF11, but says nothing of the sector CF10 5: the desk asks for the rest.
    district = services.register_attendee(event, facilitator, name="Elen", postcode="CF11", old_enough=True)
    half = services.register_attendee(event, facilitator, name="Eirlys", postcode="CF10", old_enough=True)
    assert district.code is not None
    assert half.code is None and "ask for the whole postcode, like CF10 5AB" in half.no_code_reason


def test_a_listed_attendee_gives_their_postcode_at_the_desk(event_at_vote) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote(**CHECKED)
    listed = services.register_attendee(event, facilitator, name="Elin", check_in=False).attendee
    checked = services.check_in_attendee(event, listed, facilitator, postcode="cf119zz", old_enough=True)
    assert checked.code is not None and listed.postcode == "CF11 9ZZ"


def test_without_the_clause_the_desk_checks_nothing(event_at_vote) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote(postcodes=["CF11"], minimum_age=16)
    assert services.desk_conditions(event) is None
    assert services.register_attendee(event, facilitator, name="Ffion", postcode="NP20 1AA").code is not None


def test_the_clause_is_shown_in_plain_words_on_who_decides_what(app) -> None:
    with app.test_request_context():
        clauses = dict(VoteBoundaries(budget=100, eligibility="both", **CHECKED).clauses(str))
        assert clauses["vote.desk_checks_conditions"] == (
            "At events, the check-in desk gives a voting code only to people who live in CF11, CF10 5 "
            "and are at least 16."
        )
        accounts_only = dict(VoteBoundaries(budget=100, eligibility="accounts", **CHECKED).clauses(str))
        assert "vote.desk_checks_conditions" not in accounts_only  # no codes, nothing for the desk to give


def test_the_desk_page_asks_for_what_the_mandate_needs(client, event_at_vote) -> None:
    cycle, _proposals, event, facilitator = event_at_vote(**CHECKED)
    listed = services.register_attendee(event, facilitator, name="Gethin", check_in=False).attendee
    base = _at_the_desk(client, cycle, event, facilitator)
    desk = client.get(f"{base}/check-in").get_data(as_text=True)
    assert "this vote is for people who live in CF11, CF10 5" in desk
    assert "They say they are 16 or over" in desk and f'id="postcode-{listed.id}"' in desk

    refused = client.submit(f"{base}/attendees", {"name": "Heledd", "postcode": "CF11 1AA", "check_in": "y"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and not CODE.search(page) and "aged 16 or over" in page
    given = client.submit(f"{base}/attendees/{listed.id}/check-in", {"postcode": "CF11 2BB", "old_enough": "y"})
    assert CODE.search(given.get_data(as_text=True))


def test_an_over_long_postcode_on_a_listed_row_comes_back_beside_that_row(client, event_at_vote) -> None:
    cycle, _proposals, event, facilitator = event_at_vote(**CHECKED)
    listed = services.register_attendee(event, facilitator, name="Gwen", check_in=False).attendee
    base = _at_the_desk(client, cycle, event, facilitator)
    typed = "CF11 1AA PLEASE"
    for headers in ({}, HX):
        refused = client.submit(f"{base}/attendees/{listed.id}/check-in", {"postcode": typed, "old_enough": "y"},
                                headers=headers)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422 and not CODE.search(page)
        row = page[page.index(f'id="attendee-{listed.id}"'):]
        assert f'id="postcode-{listed.id}-error"' in row and "Enter a postcode like CF10 5AB" in row
        assert f'value="{typed}"' in row and 'aria-invalid="true"' in row  # what was typed is kept
        if not headers:
            assert f'href="#postcode-{listed.id}"' in page  # the error summary links to the field
    db.session.expire_all()
    assert listed.checked_in_at is None and listed.postcode is None and _codes() == 0  # nothing half-written


def test_someone_checked_in_without_a_code_is_given_one_once_the_desk_has_what_it_needs(client, event_at_vote) -> None:
    cycle, _proposals, event, facilitator = event_at_vote(**CHECKED)
    forgot = services.register_attendee(event, facilitator, name="Iolo", postcode="CF11 1AA")  # the age box
    assert forgot.code is None and forgot.attendee.checked_in_at is not None
    base = _at_the_desk(client, cycle, event, facilitator)
    assert "Give a voting code" in client.get(f"{base}/check-in").get_data(as_text=True)
    given = client.submit(f"{base}/attendees/{forgot.attendee.id}/check-in", {"old_enough": "y"})
    assert CODE.search(given.get_data(as_text=True)) and _codes() == 1
    again = client.submit(f"{base}/attendees/{forgot.attendee.id}/check-in", {"old_enough": "y"})
    assert again.status_code == 409 and "already checked in" in again.get_data(as_text=True) and _codes() == 1


def test_a_double_tap_on_check_in_checks_in_once_with_one_code(event_at_vote) -> None:
    from datetime import UTC, datetime

    import pytest
    from sqlalchemy import update

    from pb.errors import Conflict
    from pb.events.models import Attendee

    _cycle, _proposals, event, facilitator = event_at_vote()
    listed = services.register_attendee(event, facilitator, name="Jac", check_in=False).attendee
    db.session.commit()
    assert listed.checked_in_at is None  # the second tap read the row…
    with db.engine.begin() as first_tap:  # …then the first tap checked them in and gave a code
        first_tap.execute(update(Attendee).where(Attendee.id == listed.id)
                          .values(checked_in_at=datetime.now(UTC), code_issued=True))
    with pytest.raises(Conflict):
        services.check_in_attendee(event, listed, facilitator)
    db.session.rollback()
    assert _codes() == 0  # no second code (the first tap's own was made in its own request)
