from __future__ import annotations

import re
from datetime import date

from flask import Flask

from pb import create_app
from pb.cycles.services import close_stage
from pb.db import db
from pb.voting.codes import issue_codes
from pb.voting.counts import active_ballots
from tests.conftest import HX, PASSWORD, Client
from tests.voting.conftest import vote_stage


def _sign_in(client, person) -> None:  # type: ignore[no-untyped-def]
    assert client.submit("/sign-in", {"email": person.email, "password": PASSWORD}).status_code == 303
    client.csrf = None


def _vote(client, cycle, data) -> str:  # type: ignore[no-untyped-def]
    """Choose, check, confirm: the whole flow without JavaScript; returns the receipt."""
    chosen = client.submit(f"/cycles/{cycle.id}/vote", {"action": "check", **data})
    assert chosen.status_code == 303 and chosen.headers["Location"].endswith("/vote/check"), chosen.get_data(True)
    check = client.get(f"/cycles/{cycle.id}/vote/check").get_data(as_text=True)
    submission = re.search(r'name="submission" value="([0-9a-f]+)"', check).group(1)
    confirmed = client.submit(f"/cycles/{cycle.id}/vote/confirm", {"submission": submission})
    assert confirmed.status_code == 303
    done = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    return done.split('class="receipt">')[1].split("<")[0]


def test_a_resident_chooses_checks_and_confirms_without_javascript(client, ballot, resident) -> None:
    cycle, (a, _b, c) = ballot()
    _sign_in(client, resident)
    chosen = client.submit(f"/cycles/{cycle.id}/vote", {"action": "check", "choices": [a.id, c.id]})
    check = client.get(chosen.headers["Location"])
    page = check.get_data(as_text=True)
    assert check.headers["Cache-Control"] == "no-store"
    assert "Check your vote before you send it" in page and "Project 1" in page and "Project 3" in page
    assert f'#project-{a.id}"' in page  # a Change link per choice
    submission = re.search(r'name="submission" value="([0-9a-f]+)"', page).group(1)
    first = client.submit(f"/cycles/{cycle.id}/vote/confirm", {"submission": submission})
    again = client.submit(f"/cycles/{cycle.id}/vote/confirm", {"submission": submission})  # a double tap
    assert first.headers["Location"] == again.headers["Location"]
    assert active_ballots(vote_stage(cycle)) == [[a.id, c.id]]
    done = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Your vote has been cast" in done
    ballot_page = client.get(f"/cycles/{cycle.id}/vote").get_data(as_text=True)
    assert "You have already voted." in ballot_page and f'value="{a.id}" id="choice-{a.id}" checked' in ballot_page
    assert "on a phone or computer you share, sign out when you have voted" in ballot_page  # it shows one's vote


def test_choices_never_travel_in_a_url(client, ballot, resident) -> None:
    cycle, (a, _b, _c) = ballot()
    _sign_in(client, resident)
    response = client.submit(f"/cycles/{cycle.id}/vote", {"action": "filter", "choices": [a.id], "q": "project"})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.endswith("/vote?q=project#projects") and "choices" not in location
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'value="{a.id}" id="choice-{a.id}" checked' in page  # the draft stays in the session
    details = client.submit(f"/cycles/{cycle.id}/vote", {"action": f"show-{a.id}", "choices": [a.id]})
    assert details.headers["Location"] == f"/cycles/{cycle.id}/proposals/{a.id}?from=ballot"
    project = client.get(details.headers["Location"]).get_data(as_text=True)
    assert f'href="/cycles/{cycle.id}/vote#project-{a.id}" class="back-link">Back to your ballot' in project
    assert "All proposals" in client.get(f"/cycles/{cycle.id}/proposals/{a.id}").get_data(as_text=True)


def test_the_meter_is_one_url_with_two_renderings(client, ballot, resident) -> None:
    cycle, (a, b, _c) = ballot(max_choices=1)
    _sign_in(client, resident)
    data = {"action": "update", "choices": [a.id, b.id]}
    fragment = client.submit(f"/cycles/{cycle.id}/vote", data, headers=HX)
    text = fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    assert text.lstrip().startswith('<div id="meter"') and "Remove 1 to continue." in text
    page = client.submit(f"/cycles/{cycle.id}/vote", data)  # without htmx: back to the page, choices kept
    assert page.status_code == 303
    assert "Remove 1 to continue." in client.get(page.headers["Location"]).get_data(as_text=True)


def test_a_late_meter_answer_cannot_undo_the_check_answers_step(client, ballot, resident) -> None:
    """The meter and the form's own submit can both be in flight; the meter's answer sets no cookie."""
    cycle, (a, b, _c) = ballot()
    _sign_in(client, resident)
    meter = client.submit(f"/cycles/{cycle.id}/vote", {"action": "update", "choices": [a.id]}, headers=HX)
    assert meter.status_code == 200 and "Set-Cookie" not in meter.headers
    checked = client.submit(f"/cycles/{cycle.id}/vote", {"action": "check", "choices": [a.id, b.id]})
    assert checked.headers["Location"] == f"/cycles/{cycle.id}/vote/check" and "Set-Cookie" in checked.headers
    late = client.submit(f"/cycles/{cycle.id}/vote", {"action": "update", "choices": [a.id]}, headers=HX)
    assert "Set-Cookie" not in late.headers
    page = client.get(checked.headers["Location"]).get_data(as_text=True)
    assert "Project 1" in page and "Project 2" in page  # still the choices sent with the form


def test_the_budget_meter_and_points_left_follow_the_choices(client, ballot, resident) -> None:
    cycle, (a, _b, c) = ballot(ballot_format="knapsack", cost_limit=800_000)
    _sign_in(client, resident)
    over = client.submit(f"/cycles/{cycle.id}/vote", {"action": "update", "choices": [a.id, c.id]}, headers=HX)
    assert "That is £1,000 too much" in over.get_data(as_text=True) and "meter--over" in over.get_data(as_text=True)
    refused = client.submit(f"/cycles/{cycle.id}/vote", {"action": "check", "choices": [a.id, c.id]})
    assert refused.status_code == 422
    assert "The projects you choose may cost at most £8,000 together." in refused.get_data(as_text=True)

    points, (p, q, _r) = ballot(ballot_format="cumulative", points=5, title="Points")
    meter = client.submit(
        f"/cycles/{points.id}/vote", {"action": "update", f"points-{p.id}": "2", f"points-{q.id}": "1"}, headers=HX
    )
    assert "You have given <strong>3</strong> of 5 points." in meter.get_data(as_text=True)
    assert "2 points left." in meter.get_data(as_text=True)


def test_a_ranked_ballot_is_cast_with_number_choices(client, ballot, resident) -> None:
    cycle, (a, b, c) = ballot(ballot_format="ranked", max_choices=2)
    _sign_in(client, resident)
    page = client.get(f"/cycles/{cycle.id}/vote").get_data(as_text=True)
    assert f'<select class="select ballot-item__input" id="rank-{a.id}"' in page
    shared = client.submit(f"/cycles/{cycle.id}/vote", {"action": "check", f"rank-{a.id}": "1", f"rank-{b.id}": "1"})
    assert shared.status_code == 422 and "Give each project you rank a different number" in shared.get_data(True)
    _vote(client, cycle, {f"rank-{c.id}": "1", f"rank-{a.id}": "2", f"rank-{b.id}": ""})
    assert active_ballots(vote_stage(cycle)) == [[c.id, a.id]]


def test_filters_narrow_the_list_and_keep_hidden_choices(client, ballot, resident) -> None:
    cycle, (a, b, c) = ballot(costs=(400_000, 30_000, 500_000))
    _sign_in(client, resident)
    page = client.get(f"/cycles/{cycle.id}/vote?max_cost=100000").get_data(as_text=True)
    assert "Showing 1 of 3 projects." in page and f"choice-{b.id}" in page and f"choice-{a.id}" not in page
    area = client.get(f"/cycles/{cycle.id}/vote?area=Butetown").get_data(as_text=True)
    assert "Showing 1 of 3 projects." in area
    kept = client.submit(f"/cycles/{cycle.id}/vote", {"action": "filter", "choices": [a.id, b.id], "q": "Project 2"})
    shown = client.get(kept.headers["Location"]).get_data(as_text=True)
    assert f'<input type="hidden" name="choices" value="{a.id}">' in shown
    assert "1 project you chose is hidden by your filters." in shown
    spaced = client.get(f"/cycles/{cycle.id}/vote?q=2++PROJECT").get_data(as_text=True)  # each word, any order
    assert "Showing 1 of 3 projects." in spaced and f"choice-{b.id}" in spaced
    _ = c


def test_a_code_voter_votes_without_an_account_and_the_device_forgets_the_code(
    client, ballot, commissioner, resident
) -> None:
    cycle, (a, b, _c) = ballot(eligibility="codes")
    _batch, (code,) = issue_codes(vote_stage(cycle), commissioner, 1, "")
    db.session.commit()
    start = client.get(f"/cycles/{cycle.id}/vote").get_data(as_text=True)
    assert "Enter a voting code" in start and "Sign in to vote" not in start
    client.submit(f"/cycles/{cycle.id}/vote/code", {"code": code})
    page = client.get(f"/cycles/{cycle.id}/vote").get_data(as_text=True)
    assert "Your vote is secret" in page and "sign out when you have voted" not in page  # the device forgets a code
    assert client.submit(f"/cycles/{cycle.id}/vote/forget").status_code == 303
    wrong = client.submit(f"/cycles/{cycle.id}/vote/code", {"code": "AAAA-AAAA-AAAA"})
    assert wrong.status_code == 422 and "That code is not right." in wrong.get_data(as_text=True)
    pasted = client.submit(f"/cycles/{cycle.id}/vote/code", {"code": "A" * 300})  # something else pasted
    assert pasted.status_code == 422
    assert "A voting code has 12 letters and numbers: this has 300 characters." in pasted.get_data(as_text=True)
    assert client.submit(f"/cycles/{cycle.id}/vote/code", {"code": code}).status_code == 303
    receipt = _vote(client, cycle, {"choices": [a.id]})
    assert "enter your voting code again" in client.get(f"/cycles/{cycle.id}/vote/done").get_data(as_text=True)
    assert "How to vote" in client.get(f"/cycles/{cycle.id}/vote").get_data(as_text=True)  # the code is forgotten
    client.submit(f"/cycles/{cycle.id}/vote/code", {"code": code})
    _vote(client, cycle, {"choices": [b.id]})
    assert active_ballots(vote_stage(cycle)) == [[b.id]]
    check = client.get(f"/cycles/{cycle.id}/receipt?code={receipt}").get_data(as_text=True)
    assert "was replaced by a later vote from the same voter" in check


def test_an_account_without_the_required_details_is_sent_to_add_them(client, ballot, resident) -> None:
    cycle, (a, *_rest) = ballot(postcodes=["CF11"], minimum_age=16)
    _sign_in(client, resident)
    page = client.get(f"/cycles/{cycle.id}/vote")
    assert page.status_code == 403 and "Add your postcode to your account to vote." in page.get_data(as_text=True)
    details = f"/account/details?next=/cycles/{cycle.id}/vote"
    bad = client.submit(details, {"postcode": "nowhere", "date_of_birth": "1990-01-01"})
    assert bad.status_code == 422 and "Enter a real postcode" in bad.get_data(as_text=True)
    saved = client.submit(details, {"postcode": "cf116ab", "date_of_birth": "1990-01-01"})
    assert saved.headers["Location"] == f"/cycles/{cycle.id}/vote"
    db.session.refresh(resident)
    assert (resident.postcode, resident.date_of_birth) == ("CF11 6AB", date(1990, 1, 1))
    assert _vote(client, cycle, {"choices": [a.id]})


def test_voting_after_the_vote_closes_is_refused_with_a_clear_message(client, ballot, resident, commissioner) -> None:
    cycle, (a, _b, _c) = ballot()
    close_stage(vote_stage(cycle), commissioner)
    db.session.commit()
    _sign_in(client, resident)
    response = client.submit(f"/cycles/{cycle.id}/vote", {"action": "check", "choices": [a.id]})
    assert response.status_code == 409
    assert "The vote stage is not open." in response.get_data(as_text=True)
    assert "Voting has closed." in client.get(f"/cycles/{cycle.id}/vote").get_data(as_text=True)
    htmx = client.submit(f"/cycles/{cycle.id}/vote", {"action": "update", "choices": [a.id]}, headers=HX)
    assert htmx.headers["HX-Retarget"] == "#messages" and "<html" not in htmx.get_data(as_text=True)


def test_the_receipt_check_shows_counted_without_the_choices(client, ballot, resident) -> None:
    cycle, (a, _b, _c) = ballot()
    _sign_in(client, resident)
    receipt = _vote(client, cycle, {"choices": [a.id]})
    client.submit("/sign-out")
    check = client.get(f"/cycles/{cycle.id}/receipt?code={receipt}", headers=HX).get_data(as_text=True)
    assert f"The ballot with receipt {receipt} is in the count." in check and "Project 1" not in check
    unknown = client.get(f"/cycles/{cycle.id}/receipt?code=AAAAA-BBBBB").get_data(as_text=True)
    assert "No ballot has the receipt AAAAA-BBBBB." in unknown
    for headers in ({}, HX):  # Check pressed with nothing typed says what to do; the page opened afresh does not
        assert "Enter the receipt code you were given" in client.get(
            f"/cycles/{cycle.id}/receipt?code=+", headers=headers).get_data(as_text=True)
    assert "Enter the receipt code" not in client.get(f"/cycles/{cycle.id}/receipt").get_data(as_text=True)


def test_every_voting_page_is_in_welsh_with_the_language_remembered(client, ballot, resident) -> None:
    cycle, (a, *_rest) = ballot(ballot_format="knapsack")
    _sign_in(client, resident)
    client.get(f"/language/cy?next=/cycles/{cycle.id}/vote")
    ballot_page = client.get(f"/cycles/{cycle.id}/vote").get_data(as_text=True)
    assert '<html lang="cy">' in ballot_page and "Dewiswch y prosiectau" in ballot_page
    assert 'lang="en" hreflang="en">English</a>' in ballot_page  # the switch back, marked as English
    chosen = client.submit(f"/cycles/{cycle.id}/vote", {"action": "check", "choices": [a.id]})
    assert "Gwiriwch eich pleidlais" in client.get(chosen.headers["Location"]).get_data(as_text=True)
    assert "Rhowch eich cod pleidleisio" in client.get(f"/cycles/{cycle.id}/vote/code").get_data(as_text=True)
    assert "Gwirio derbynneb" in client.get(f"/cycles/{cycle.id}/receipt").get_data(as_text=True)


def test_code_entry_is_rate_limited(database_url: str, ballot, commissioner) -> None:
    cycle, _ = ballot(eligibility="codes")
    app: Flask = create_app(
        "test",
        SQLALCHEMY_ENGINES={"default": database_url},
        RATELIMIT_ENABLED=True,
        VOTING_CODE_RATE_LIMIT="3 per minute",
    )
    app.test_client_class = Client
    client = app.test_client()
    statuses = [
        client.submit(f"/cycles/{cycle.id}/vote/code", {"code": "AAAA-BBBB-CCCC"}).status_code for _ in range(4)
    ]
    assert statuses == [422, 422, 422, 429]


def test_codes_are_printed_once_as_cards_or_a_pdf(client, ballot, commissioner, resident) -> None:
    cycle, _ = ballot(eligibility="both")
    _sign_in(client, commissioner)
    cards = client.submit(f"/cycles/{cycle.id}/voting-codes", {"size": "3", "label": "Library", "layout": "cards"})
    page = cards.get_data(as_text=True)
    assert cards.status_code == 200 and cards.headers["Cache-Control"] == "no-store"
    codes = re.findall(r'class="code-card__code">([A-Z2-9-]{14})<', page)
    assert len(codes) == 3 and page.count('<svg role="img"') == 3 and "style=" not in page
    pdf = client.submit(f"/cycles/{cycle.id}/voting-codes", {"size": "2", "label": "Post", "layout": "pdf"})
    assert pdf.data.startswith(b"%PDF") and pdf.headers["Content-Type"] == "application/pdf"
    listing = client.get(f"/cycles/{cycle.id}/voting-codes").get_data(as_text=True)
    assert "Library" in listing and codes[0] not in listing  # never shown again
    client.submit(f"/cycles/{cycle.id}/voting-codes", {"size": "2", "label": "", "layout": "letters"})
    assert "<td>2 codes<br>" in client.get(f"/cycles/{cycle.id}/voting-codes").get_data(as_text=True)
    client.get("/language/cy?next=/")  # a batch nobody named is named in the reader's language
    assert "<td>2 codes<br>" not in client.get(f"/cycles/{cycle.id}/voting-codes").get_data(as_text=True)
    client.get("/language/en?next=/")
    client.submit("/sign-out")
    client.csrf = None
    _sign_in(client, resident)
    assert client.get(f"/cycles/{cycle.id}/voting-codes").status_code == 403
