from __future__ import annotations

import html

from pb.cycles.models import StageKind
from tests.conftest import HX, PASSWORD, VOTE_FORM


def _sign_in(client, person) -> None:  # type: ignore[no-untyped-def]
    client.csrf = None
    assert client.submit("/sign-in", {"email": person.email, "password": PASSWORD}).status_code == 303
    client.csrf = None


def test_the_editor_shows_every_boundary_of_the_stage_kind(client, make_cycle, commissioner) -> None:
    cycle = make_cycle(kinds=list(StageKind))
    _sign_in(client, commissioner)
    expected = {
        "priorities": ["Who may record needs and assets", "Who moderates"],
        "proposals": ["Most a single proposal may cost"],
        "deliberation": ["Who moderates comments", "Grounds on which a comment may be hidden"],
        "review": [
            "Grounds on which commissioners may rule a proposal out",
            "revise a proposal",
            "per cent",
            "respond to the review",
        ],
        "vote": [
            "Is the vote binding",
            "Budget residents allocate",
            "Ballot format",
            "Most projects a voter",
            "Counting rule",
        ],
        "decision": ["Who may override the result", "Grounds on which a result may be overridden"],
        "delivery": ["pledge time, materials or space"],
        "assessment": ["Who may rate and comment"],
    }
    for kind, labels in expected.items():
        page = client.get(f"/cycles/{cycle.id}/stages/{kind}/mandate/edit").get_data(as_text=True)
        for label in [*labels, "How many resident representatives must sign", "Risks both sides accept"]:
            assert label in page, (kind, label)


def test_a_bad_boundary_comes_back_beside_its_field_with_and_without_htmx(client, make_cycle, commissioner) -> None:
    cycle = make_cycle()
    _sign_in(client, commissioner)
    for headers in ({}, HX):
        response = client.submit(
            f"/cycles/{cycle.id}/stages/vote/mandate/edit",
            {**VOTE_FORM, "min_choices": "4", "max_choices": "2"},
            headers=headers,
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert 'id="max_choices-error"' in page and "at least the fewest" in page
        assert 'value="4"' in page  # what was typed is kept


def test_a_resident_cannot_open_the_editor(client, make_cycle, resident) -> None:
    cycle = make_cycle()
    _sign_in(client, resident)
    response = client.submit(f"/cycles/{cycle.id}/stages/vote/mandate/edit", VOTE_FORM)
    assert response.status_code == 403
    assert "Only the cycle&#39;s commissioners and the cycle&#39;s resident representatives" in response.get_data(
        as_text=True
    )


def test_discussion_with_htmx_returns_the_thread_alone(client, make_cycle, representative) -> None:
    cycle = make_cycle()
    _sign_in(client, representative)
    empty = client.submit(f"/cycles/{cycle.id}/stages/vote/mandate/discuss", {"body": "  "}, headers=HX)
    assert empty.status_code == 422 and "Write your comment." in empty.get_data(as_text=True)
    assert "<html" not in empty.get_data(as_text=True)
    posted = client.submit(f"/cycles/{cycle.id}/stages/vote/mandate/discuss", {"body": "Five choices?"})
    assert posted.status_code == 303
    in_place = client.submit(f"/cycles/{cycle.id}/stages/vote/mandate/discuss", {"body": "Or four?"}, headers=HX)
    fragment = in_place.get_data(as_text=True)
    assert in_place.status_code == 200 and in_place.headers["HX-Trigger"] == "mandate-discussed"
    assert fragment.lstrip().startswith('<section id="discussion"') and "Five choices?" in fragment
    assert "Or four?" in fragment
    page = client.get(f"/cycles/{cycle.id}/stages/vote/mandate").get_data(as_text=True)
    assert "Five choices?" in page and "Rhys Representative" in page


def test_starting_from_a_template(client, make_cycle, commissioner) -> None:
    cycle = make_cycle()
    _sign_in(client, commissioner)
    response = client.submit(f"/cycles/{cycle.id}/stages/vote/mandate/template", {"template": "advisory-consultation"})
    assert response.status_code == 303
    page = client.get(f"/cycles/{cycle.id}/stages/vote/mandate").get_data(as_text=True)
    assert "The vote is advisory" in page
    wrong = client.submit(f"/cycles/{cycle.id}/stages/vote/mandate/template", {"template": "co-assessment-review"})
    assert wrong.status_code == 422


def test_who_decides_what_is_public_and_tells_the_whole_story(client, open_vote, commissioner) -> None:
    from pb.db import db
    from pb.mandates.services import update_mandate

    cycle, _ = open_vote()
    vote = cycle.stage_of_kind(StageKind.VOTE)
    update_mandate(
        vote,
        commissioner,
        purpose="Residents choose which proposals are funded.",
        roles="Residents vote",
        boundaries=vote.mandate.boundaries_data,
        reason="Plainer wording for residents",
    )
    db.session.commit()
    page = client.get(f"/cycles/{cycle.id}/who-decides").get_data(as_text=True)
    assert "The result binds the council" in page
    assert "Carys Commissioner (commissioners)" in page and "Rhys Representative (residents)" in page
    assert "Plainer wording for residents" in page and "proposed, not yet agreed" in page
    assert "Commissioners may rule a proposal out only on these grounds" in page


def test_creating_a_cycle_from_a_template_in_a_chosen_order(client, commissioner) -> None:
    _sign_in(client, commissioner)
    form = client.get("/cycles/new?template=advisory-consultation").get_data(as_text=True)
    assert "Advisory consultation" in form
    response = client.submit(
        "/cycles/new",
        {
            "template": "advisory-consultation",
            "title": "Library hours",
            "purpose": "Decide opening hours",
            "area": "Canton",
            "budget": "20000",
            "required_representatives": "2",
            "place_priorities": "1",
            "place_proposals": "2",
            "place_deliberation": "3",
            "place_review": "4",
            "place_vote": "5",
            "place_decision": "6",
        },
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"].replace("http://localhost", "")).get_data(as_text=True)
    assert page.index("Priorities") < page.index("Deliberation") < page.index("Review") < page.index("Decision")
    vote = client.get("/cycles/1/stages/vote/mandate").get_data(as_text=True)
    assert "The vote is advisory" in vote
    assert "Still needed: 1 commissioner signature and 2 resident representative signatures." in " ".join(vote.split())


def test_two_stages_in_one_place_or_a_senseless_order_are_refused(client, commissioner) -> None:
    _sign_in(client, commissioner)
    base = {"title": "T", "purpose": "P", "area": "A", "budget": "100", "required_representatives": "1"}
    same = client.submit("/cycles/new", {**base, "place_proposals": "1", "place_vote": "1"})
    assert same.status_code == 422 and "different places" in same.get_data(as_text=True)
    backwards = client.submit("/cycles/new", {**base, "place_proposals": "2", "place_vote": "1"})
    assert backwards.status_code == 422
    assert "The proposals stage must come before the vote stage." in backwards.get_data(as_text=True)


def test_who_decides_what_reads_in_welsh_and_the_choice_is_remembered(client, open_vote) -> None:
    cycle, _ = open_vote()
    switch = client.get(f"/language/cy?next=/cycles/{cycle.id}/who-decides")
    assert switch.status_code == 303 and switch.headers["Location"] == f"/cycles/{cycle.id}/who-decides"
    page = html.unescape(client.get(f"/cycles/{cycle.id}/who-decides").get_data(as_text=True))
    assert '<html lang="cy">' in page
    assert "Pwy sy'n penderfynu beth" in page
    assert "Mae'r canlyniad yn rhwymo'r cyngor" in page
    assert "Mae pob pleidleisiwr yn dewis rhwng 1 a 3 o brosiectau." in page
    assert 'lang="en" hreflang="en">English</a>' in page
    client.get("/language/en?next=//evil.example")
    assert '<html lang="en">' in client.get(f"/cycles/{cycle.id}/who-decides").get_data(as_text=True)


def test_an_unknown_language_falls_back_to_english(client) -> None:
    response = client.get("/language/xx?next=/")
    assert "lang=en" in response.headers["Set-Cookie"]


def test_both_sides_choose_the_questions_voters_may_answer_as_checkboxes(client, make_cycle, commissioner) -> None:
    cycle = make_cycle()
    _sign_in(client, commissioner)
    editor = client.get(f"/cycles/{cycle.id}/stages/vote/mandate/edit").get_data(as_text=True)
    assert "which optional questions about themselves may voters answer" in editor
    assert 'type="checkbox" value="ethnic_group"' in editor and 'class="checkboxes__input"' in editor
    saved = client.submit(f"/cycles/{cycle.id}/stages/vote/mandate/edit",
                          {**VOTE_FORM, "demographics": ["welsh", "age"]})
    assert saved.status_code == 303
    vote = cycle.stage_of_kind(StageKind.VOTE)
    assert vote.mandate.boundaries.demographics == ["age", "welsh"]  # in the catalogue's order
    again = client.get(f"/cycles/{cycle.id}/stages/vote/mandate/edit").get_data(as_text=True)
    assert 'checked class="checkboxes__input" id="demographics-0" name="demographics" type="checkbox"' in again
    public = html.unescape(client.get(f"/cycles/{cycle.id}/who-decides").get_data(as_text=True))
    assert "optional questions about themselves (Age, Welsh language)" in public
    refused = client.submit(f"/cycles/{cycle.id}/stages/vote/mandate/edit",
                            {**VOTE_FORM, "demographics": ["religion"]})
    assert refused.status_code == 422 and 'id="demographics-error"' in refused.get_data(as_text=True)


def test_a_change_saved_by_the_other_side_meanwhile_is_not_overwritten_unseen(
    client, app, make_cycle, commissioner, representative
) -> None:
    import re

    cycle = make_cycle()
    url = f"/cycles/{cycle.id}/stages/vote/mandate/edit"
    _sign_in(client, commissioner)
    opened = re.search(r'name="based_on" type="hidden" value="(\w+)"', client.get(url).get_data(as_text=True))
    assert opened, "the editor carries the stamp of the mandate it opened"
    other = app.test_client()  # the representative, on their own phone, saves first
    _sign_in(other, representative)
    assert other.submit(url, {**VOTE_FORM, "purpose": "The representatives' words"}).status_code == 303

    for headers in ({}, HX):
        stale = client.submit(url, {**VOTE_FORM, "purpose": "The commissioners' words", "based_on": opened[1]},
                              headers=headers)
        page = stale.get_data(as_text=True)
        assert stale.status_code == 409 and 'class="error-summary"' in page
        assert "Someone else saved a change to this mandate" in page and "The commissioners&#39; words" in page
        assert "See the mandate as it is now" in page
    assert "The representatives&#39; words" in client.get(f"/cycles/{cycle.id}/stages/vote/mandate").get_data(True)

    # Having looked, saving again (the page now carries the new stamp) replaces it, on purpose.
    fresh = re.search(r'name="based_on" type="hidden" value="(\w+)"', page)
    assert fresh and fresh[1] != opened[1]
    saved = client.submit(url, {**VOTE_FORM, "purpose": "The commissioners' words", "based_on": fresh[1]})
    assert saved.status_code == 303
    assert "The commissioners&#39; words" in client.get(f"/cycles/{cycle.id}/stages/vote/mandate").get_data(True)
