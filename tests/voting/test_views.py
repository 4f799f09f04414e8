from __future__ import annotations

from pb.cycles.models import StageKind
from pb.cycles.services import close_stage
from pb.db import db
from tests.conftest import HX, PASSWORD


def _voter(client, person) -> None:  # type: ignore[no-untyped-def]
    client.submit("/sign-in", {"email": person.email, "password": PASSWORD})
    client.csrf = None


def test_the_meter_is_one_url_with_two_renderings(client, open_vote, resident) -> None:
    cycle, (a, b, _c) = open_vote(max_choices=1)
    _voter(client, resident)
    url = f"/cycles/{cycle.id}/vote?choices={a.id}&choices={b.id}"
    fragment = client.get(url, headers=HX)
    assert "HX-Request" in fragment.headers["Vary"]
    text = fragment.get_data(as_text=True)
    assert text.lstrip().startswith('<div id="meter"') and "Remove 1 to continue." in text
    page = client.get(url).get_data(as_text=True)
    assert "<html" in page and "Remove 1 to continue." in page
    assert client.get(url).headers["Cache-Control"] == "no-store"


def test_a_ballot_naming_an_unknown_project_is_refused_on_the_page(client, open_vote, resident) -> None:
    cycle, (a, _b, _c) = open_vote()
    _voter(client, resident)
    for choices in ([a.id, 99_999], ["not-a-number"]):
        response = client.submit(f"/cycles/{cycle.id}/vote", {"choices": choices})
        assert response.status_code == 422
        assert "One of your choices is not on this ballot." in response.get_data(as_text=True)


def test_voting_after_the_vote_closes_is_refused_with_a_clear_message(
    client, open_vote, resident, commissioner
) -> None:
    cycle, (a, _b, _c) = open_vote()
    close_stage(cycle.stage_of_kind(StageKind.VOTE), commissioner)
    db.session.commit()
    _voter(client, resident)
    response = client.submit(f"/cycles/{cycle.id}/vote", {"choices": [a.id]})
    assert response.status_code == 409
    assert "The vote stage is not open." in response.get_data(as_text=True)
    assert "Voting has closed." in client.get(f"/cycles/{cycle.id}/vote").get_data(as_text=True)
    htmx = client.submit(f"/cycles/{cycle.id}/vote", {"choices": [a.id]}, headers=HX)
    assert htmx.headers["HX-Retarget"] == "#messages"
    assert "<html" not in htmx.get_data(as_text=True)


def test_the_receipt_check_shows_counted_without_the_choices(client, open_vote, resident) -> None:
    cycle, (a, _b, _c) = open_vote()
    _voter(client, resident)
    cast = client.submit(f"/cycles/{cycle.id}/vote", {"choices": [a.id]})
    done = client.get(cast.headers["Location"]).get_data(as_text=True)
    receipt = done.split('class="receipt">')[1].split("<")[0]
    client.submit("/sign-out")
    check = client.get(f"/cycles/{cycle.id}/receipt?code={receipt}", headers=HX).get_data(as_text=True)
    assert f"The ballot with receipt {receipt} is in the count." in check
    assert "Project 1" not in check
    unknown = client.get(f"/cycles/{cycle.id}/receipt?code=AAAAA-BBBBB").get_data(as_text=True)
    assert "No ballot has the receipt AAAAA-BBBBB." in unknown


def test_the_ballot_needs_a_signed_in_voter(client, open_vote) -> None:
    cycle, _ = open_vote()
    response = client.get(f"/cycles/{cycle.id}/vote")
    assert response.status_code == 302 and "/sign-in?next=" in response.headers["Location"]
