from __future__ import annotations

import io

import pytest

from pb.cycles.models import StageKind
from pb.db import db
from pb.proposals.services import ProposalFields, drafts_of, find_proposals, submit_proposal
from tests.conftest import FULL_CYCLE, HX, PASSWORD
from tests.proposals.test_writing import jpeg_with_location


@pytest.fixture
def proposing(make_cycle, walk_to, client, resident):  # type: ignore[no-untyped-def]
    cycle = make_cycle(kinds=FULL_CYCLE)
    walk_to(cycle, StageKind.PROPOSALS)
    client.submit("/sign-in", {"email": resident.email, "password": PASSWORD})
    client.csrf = None
    return cycle


FORM = {"language": "en", "title": "Benches", "summary": "Ten benches", "cost": "800", "volunteer_hours": "12"}


def test_a_draft_is_saved_and_reopened(client, proposing, resident) -> None:
    saved = client.submit(f"/cycles/{proposing.id}/proposals/new", {"action": "draft", "title": "Half an idea"})
    assert saved.status_code == 303 and "draft=" in saved.headers["Location"]
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert 'value="Half an idea"' in page and "Your draft is saved" in page


def test_a_failed_submission_keeps_everything_as_a_draft(client, proposing, resident) -> None:
    response = client.submit(
        f"/cycles/{proposing.id}/proposals/new",
        {**FORM, "cost": "lots", "description": "All along the river", "action": "submit"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter an amount in pounds" in page and "All along the river" in page
    assert "What you wrote is saved as a draft" in page
    assert drafts_of(proposing, resident)[0].data["description"] == "All along the river"


def test_submitting_with_a_picture(client, proposing) -> None:
    data = {
        **FORM,
        "action": "submit",
        "image_alt": "The riverbank",
        "image": (io.BytesIO(jpeg_with_location()), "river.jpg"),
    }
    response = client.submit(f"/cycles/{proposing.id}/proposals/new", data, content_type="multipart/form-data")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'alt="The riverbank"' in page and "12 volunteer hours" in page
    (proposal,) = find_proposals(proposing)
    image = client.get(f"/cycles/{proposing.id}/proposals/{proposal.id}/image")
    assert image.headers["Content-Type"] == "image/jpeg" and image.data.startswith(b"\xff\xd8")


def test_a_file_that_is_not_a_picture_is_refused_beside_its_field(client, proposing) -> None:
    data = {**FORM, "action": "submit", "image_alt": "x", "image": (io.BytesIO(b"%PDF-1.4"), "leaflet.pdf")}
    response = client.submit(f"/cycles/{proposing.id}/proposals/new", data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'id="image-error"' in response.get_data(as_text=True)


def test_short_link_edit_and_revisions(client, proposing, resident) -> None:
    proposal = submit_proposal(proposing, resident, ProposalFields(title="Benches", summary="Ten", cost=80_000))
    db.session.commit()
    short = client.get(f"/p/{proposal.id}")
    assert short.status_code == 301 and short.headers["Location"].endswith(
        f"/cycles/{proposing.id}/proposals/{proposal.id}"
    )
    edit = client.submit(f"/cycles/{proposing.id}/proposals/{proposal.id}/edit", {**FORM, "summary": "Twelve"})
    assert edit.status_code == 303
    page = client.get(f"/cycles/{proposing.id}/proposals/{proposal.id}").get_data(as_text=True)
    assert "Every version of this proposal (2)" in page and "Edited by the proposer" in page


def test_browsing_with_filters_is_one_url_with_two_renderings(client, proposing, resident) -> None:
    for title, cost in (("Benches", 80_000), ("Mural", 300_000)):
        submit_proposal(proposing, resident, ProposalFields(title=title, summary="s", cost=cost))
    db.session.commit()
    url = f"/cycles/{proposing.id}/proposals?q=mur&max_cost=5000"
    fragment = client.get(url, headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="results"') and "Mural" in fragment and "Benches" not in fragment
    page = client.get(url).get_data(as_text=True)
    assert "<html" in page and "Mural" in page and 'value="mur"' in page
    assert "Benches" in client.get(f"/cycles/{proposing.id}/proposals?max_cost=junk").get_data(as_text=True)


def test_the_proposal_page_says_so_before_anyone_types_when_the_stage_is_not_open(
    client, proposing, resident, commissioner
) -> None:
    from pb.cycles.services import close_stage

    close_stage(proposing.stage_of_kind(StageKind.PROPOSALS), commissioner)
    db.session.commit()
    for headers in ({}, HX):
        closed = client.get(f"/cycles/{proposing.id}/proposals/new", headers=headers)
        page = closed.get_data(as_text=True)
        assert closed.status_code == 409 and "not open" in page and 'name="title"' not in page


def test_words_written_as_the_stage_closes_stay_on_the_page_and_nothing_is_half_saved(
    client, proposing, resident, commissioner
) -> None:
    from pb.cycles.services import close_stage

    assert client.get(f"/cycles/{proposing.id}/proposals/new").status_code == 200  # the form, while it is open
    close_stage(proposing.stage_of_kind(StageKind.PROPOSALS), commissioner)
    db.session.commit()
    for action in ("submit", "draft"):
        late = client.submit(f"/cycles/{proposing.id}/proposals/new", {**FORM, "description": "By the weir",
                                                                        "action": action})
        page = late.get_data(as_text=True)
        assert late.status_code == 409 and 'class="error-summary"' in page and "not open" in page
        assert "By the weir" in page and "Nothing was saved. Copy what you wrote" in page
    assert find_proposals(proposing) == [] and drafts_of(proposing, resident) == []


def test_only_the_proposer_is_shown_the_edit_form(client, proposing, resident, make_user) -> None:
    proposal = submit_proposal(proposing, make_user(), ProposalFields(title="Someone else's", summary="S", cost=5))
    db.session.commit()
    url = f"/cycles/{proposing.id}/proposals/{proposal.id}/edit"
    for headers in ({}, HX):
        refused = client.get(url, headers=headers)
        assert refused.status_code == 403 and 'name="title"' not in refused.get_data(as_text=True)
    own = submit_proposal(proposing, resident, ProposalFields(title="Mine", summary="S", cost=5))
    db.session.commit()
    assert 'value="Mine"' in client.get(f"/cycles/{proposing.id}/proposals/{own.id}/edit").get_data(as_text=True)
