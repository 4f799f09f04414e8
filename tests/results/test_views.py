from __future__ import annotations

import re
from datetime import UTC, datetime

from pb.cycles.models import StageKind
from pb.cycles.services import close_stage
from pb.db import db
from pb.voting.services import cast_ballot


def test_results_before_the_count_say_when_they_will_be_and_lead_back_to_the_cycle(
    client, open_vote, make_cycle
) -> None:
    cycle, _ = open_vote()
    for page_name in ("results", "you-said-we-did", "results.csv"):
        url = f"/cycles/{cycle.id}/{page_name}"
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 404 and "<title>No results yet" in page, url
        assert "The votes have not been counted yet. They are counted as soon as the vote closes." in page
        assert f'<a href="/cycles/{cycle.id}">Go back to {cycle.title}</a>' in page

    vote = cycle.stage_of_kind(StageKind.VOTE)
    vote.closes_at = datetime(2027, 3, 1, 18, 0, tzinfo=UTC)
    db.session.commit()
    page = client.get(f"/cycles/{cycle.id}/results").get_data(as_text=True)
    assert "The vote is open until 1 March 2027, 18:00, and the votes are counted as soon as it closes." in page
    vote.opened_at, vote.closes_at = datetime(2025, 2, 1, tzinfo=UTC), datetime(2025, 3, 1, 18, 0, tzinfo=UTC)  # past
    db.session.commit()
    page = client.get(f"/cycles/{cycle.id}/results").get_data(as_text=True)
    assert "The vote was due to close on 1 March 2025, 18:00; the votes are counted as soon as a commissioner" in page

    not_yet = make_cycle(title="Still planning")
    page = client.get(f"/cycles/{not_yet.id}/results").get_data(as_text=True)
    assert "The vote has not opened." in page and "Go back to Still planning" in page
    assert "Go back to" not in client.get("/cycles/9999/results").get_data(as_text=True)  # no such cycle


def test_results_page_and_csv_after_the_count(client, open_vote, make_user, commissioner) -> None:
    cycle, (a, _b, _c) = open_vote()
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), make_user(), [a.id])
    close_stage(cycle.stage_of_kind(StageKind.VOTE), commissioner)
    db.session.commit()
    page = client.get(f"/cycles/{cycle.id}/results").get_data(as_text=True)
    assert "Ballots counted</dt><dd>1" in page and "Project 1" in page
    assert '<svg class="bar-chart"' in page  # a chart drawn without inline styles
    rule = "Most votes first: fund each project that still fits the budget"
    assert f"Counted by the rule “{rule}” (<code>greedy</code>)" in page
    assert ("Where projects tie, more support first, then the cheaper first, then the project whose id comes first "
            "as text (10 before 9) (<code>score-desc,cost-asc,id-asc</code>).") in page
    report = client.get(f"/cycles/{cycle.id}/report").get_data(as_text=True)
    assert "Where projects tie, more support first, then the cheaper first" in report
    download = client.get(f"/cycles/{cycle.id}/results.csv")
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="cycle-' in download.headers["Content-Disposition"]


def test_a_formula_in_a_title_never_runs_in_a_spreadsheet(open_vote, make_user, commissioner) -> None:
    from pb.results.exports import to_csv

    cycle, (a, _b, _c) = open_vote()
    a.title = '=HYPERLINK("http://evil.example")'
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), make_user(), [a.id])
    close_stage(cycle.stage_of_kind(StageKind.VOTE), commissioner)
    assert "'=HYPERLINK" in to_csv(cycle).decode()


def test_you_said_we_did_explains_every_departure_from_the_vote(client, open_vote, make_user, commissioner) -> None:
    from pb.cycles.services import open_stage
    from pb.results.services import Choice, record_decision

    cycle, (a, _b, _c) = open_vote(binding=False)
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), make_user(), [a.id])
    close_stage(cycle.stage_of_kind(StageKind.VOTE), commissioner)
    db.session.commit()
    before = client.get(f"/cycles/{cycle.id}/you-said-we-did").get_data(as_text=True)
    assert "has not recorded its decision yet" in before
    open_stage(cycle.stage_of_kind(StageKind.DECISION), commissioner)
    record_decision(cycle, commissioner, {a.id: Choice(False, "The land flooded.")})
    db.session.commit()
    page = client.get(f"/cycles/{cycle.id}/you-said-we-did").get_data(as_text=True)
    assert "the vote chose it" in page and "did not fund it, which is not what the vote said" in page
    assert "The land flooded." in page


def test_a_decision_text_too_long_comes_back_on_the_form_with_what_was_written(
    client, login_as, open_vote, make_user, commissioner
) -> None:
    from pb.results.models import ProjectDecision

    cycle, (a, _b, _c) = _deciding(open_vote, make_user, commissioner)
    login_as(commissioner)
    pasted = "https://example.org/" + "a" * 2000
    response = client.submit(f"/cycles/{cycle.id}/decision", {f"funded-{a.id}": "yes", f"changes-{a.id}": pasted})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Write at most 2000 characters about" in page and pasted in page
    assert db.session.query(ProjectDecision).count() == 0


def test_the_decision_is_shown_to_check_before_it_is_published(
    client, login_as, open_vote, make_user, commissioner
) -> None:
    from pb.results.models import ProjectDecision

    cycle, (a, b, _c) = _deciding(open_vote, make_user, commissioner)
    login_as(commissioner)
    answers = {
        f"funded-{a.id}": "no", f"reason-{a.id}": "The land flooded.",
        f"funded-{b.id}": "yes", f"reason-{b.id}": "Residents asked at the event.", f"changes-{b.id}": "Smaller",
    }
    check = client.submit(f"/cycles/{cycle.id}/decision", answers)
    page = check.get_data(as_text=True)
    assert check.status_code == 200 and "Check the decision before you publish it" in page
    assert "It funds 1 project, costing £3,000 of the £10,000 budget." in page
    assert "Fund with changes" in page and "Changes: Smaller" in page and "Public reason: The land flooded." in page
    assert "the vote said the opposite" in page and 'name="publish" value="yes"' in page
    assert db.session.query(ProjectDecision).count() == 0  # nothing is published by looking

    # Change brings the form back with everything as written; nothing is recorded.
    again = client.submit(f"/cycles/{cycle.id}/decision", {**answers, "change": "yes"}).get_data(as_text=True)
    assert "Record the decision" in again and "The land flooded." in again and "Residents asked at the event." in again
    assert re.search(f'id="funded-{a.id}-no" name="funded-{a.id}" value="no"\\s+checked', again)
    assert db.session.query(ProjectDecision).count() == 0

    published = client.submit(f"/cycles/{cycle.id}/decision", {**answers, "publish": "yes"})
    assert published.status_code == 303 and published.headers["Location"].endswith(f"/cycles/{cycle.id}/results")
    funded = {d.proposal_id: d.funded for d in db.session.query(ProjectDecision)}
    assert funded[a.id] is False and funded[b.id] is True


def test_a_decision_that_breaks_the_rules_comes_back_to_the_form_not_to_the_check_page(
    client, login_as, open_vote, make_user, commissioner
) -> None:
    cycle, (a, _b, _c) = _deciding(open_vote, make_user, commissioner)
    login_as(commissioner)
    for extra in ({}, {"publish": "yes"}):  # a hand-made Publish is checked as hard as the form
        response = client.submit(f"/cycles/{cycle.id}/decision", {f"funded-{a.id}": "no", **extra})
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and "Give a public reason for departing from the vote" in page
        assert "Check the decision before you publish it" not in page


def _deciding(open_vote, make_user, commissioner):  # type: ignore[no-untyped-def]
    """An advisory vote counted with one ballot, for the first project, and its decision stage open."""
    from pb.cycles.services import open_stage

    cycle, proposals = open_vote(binding=False)
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), make_user(), [proposals[0].id])
    close_stage(cycle.stage_of_kind(StageKind.VOTE), commissioner)
    open_stage(cycle.stage_of_kind(StageKind.DECISION), commissioner)
    db.session.commit()
    return cycle, proposals
