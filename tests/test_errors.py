"""Error pages: a mandate's clause is cited with a way to read it; the app's own rules are said in words alone."""

from __future__ import annotations

from tests.conftest import HX


def test_a_refusal_by_the_mandate_cites_its_clause_and_leads_to_who_decides_what(
    client, login_as, open_vote, commissioner
) -> None:
    cycle, _ = open_vote()  # its vote asks voters nothing about themselves
    login_as(commissioner)
    for headers in ({}, HX):
        response = client.get(f"/cycles/{cycle.id}/dashboard/population", headers=headers)
        page = response.get_data(as_text=True)
        assert response.status_code == 403 and "mandate asks voters no questions about themselves." in page
        assert "The agreed mandate decides this: clause <code>vote.demographics</code>." in page
        assert f'href="/cycles/{cycle.id}/who-decides#stage-vote">Who decides what</a>' in page


def test_a_refusal_by_the_apps_own_rules_shows_no_code(client, login_as, open_vote, commissioner) -> None:
    cycle, _ = open_vote()
    login_as(commissioner)
    response = client.submit(f"/cycles/{cycle.id}/stages/decision/close")
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "stage.state" not in page and "clause" not in page
    assert f'<a href="/cycles/{cycle.id}">Go back to {cycle.title}</a>' in page


def test_a_stage_whose_mandate_is_not_agreed_yet_is_not_said_to_be_decided_by_it(
    client, login_as, make_cycle, commissioner
) -> None:
    cycle = make_cycle()  # every mandate still a draft
    login_as(commissioner)
    response = client.submit(f"/cycles/{cycle.id}/stages/proposals/open")
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "mandate" in page and "The agreed mandate decides this" not in page
