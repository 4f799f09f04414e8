from __future__ import annotations

from pb.cycles.models import StageKind
from pb.cycles.services import close_stage, open_stage
from pb.db import db
from pb.proposals.services import ProposalFields, submit_proposal
from tests.conftest import HX, PASSWORD


def _review_open(make_cycle, agree, commissioner, resident):  # type: ignore[no-untyped-def]
    cycle = make_cycle()
    for stage in cycle.stages:
        agree(stage)
    open_stage(cycle.stages[0], commissioner)
    proposal = submit_proposal(
        cycle, resident, ProposalFields(title="<script>alert(1)</script> Benches", summary="s", cost=5000)
    )
    close_stage(cycle.stages[0], commissioner)
    open_stage(cycle.stage_of_kind(StageKind.REVIEW), commissioner)
    db.session.commit()
    return cycle, proposal


def test_a_review_error_comes_back_in_its_row_for_htmx_and_on_the_page_without(
    client, make_cycle, agree, commissioner, resident
) -> None:
    cycle, proposal = _review_open(make_cycle, agree, commissioner, resident)
    client.submit("/sign-in", {"email": commissioner.email, "password": PASSWORD})
    client.csrf = None
    url = f"/cycles/{cycle.id}/proposals/{proposal.id}/review"
    data = {f"p{proposal.id}-outcome": "ruled_out", f"p{proposal.id}-ground": "Unlawful", f"p{proposal.id}-reason": ""}
    fragment = client.submit(url, data, headers=HX)
    assert fragment.status_code == 422
    text = fragment.get_data(as_text=True)
    assert text.lstrip().startswith("<section") and "Explain, in public, why" in text
    page = client.submit(url, data)
    assert page.status_code == 422 and "<html" in page.get_data(as_text=True)
    # Text residents typed is shown as text, never run.
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Benches" in page.get_data(as_text=True)


def test_a_ground_outside_the_mandate_is_refused_with_its_clause(
    client, make_cycle, agree, commissioner, resident
) -> None:
    cycle, proposal = _review_open(make_cycle, agree, commissioner, resident)
    client.submit("/sign-in", {"email": commissioner.email, "password": PASSWORD})
    client.csrf = None
    response = client.submit(
        f"/cycles/{cycle.id}/proposals/{proposal.id}/review",
        {
            f"p{proposal.id}-outcome": "ruled_out",
            f"p{proposal.id}-ground": "Not our style",
            f"p{proposal.id}-reason": "We do not like it",
        },
    )
    assert response.status_code == 422
    assert "The mandate does not allow ruling a proposal out on that ground." in response.get_data(as_text=True)


def test_a_proposal_with_a_bad_cost_keeps_the_draft(client, make_cycle, agree, commissioner, resident) -> None:
    cycle = make_cycle()
    agree(cycle.stages[0])
    open_stage(cycle.stages[0], commissioner)
    db.session.commit()
    client.submit("/sign-in", {"email": resident.email, "password": PASSWORD})
    client.csrf = None
    for cost, message in (
        ("0", "more than £0"),
        ("-5", "more than £0"),
        ("abc", "Enter an amount in pounds"),
        ("", "Enter the estimated cost"),
        ("10.555", "pounds and pence"),
    ):
        response = client.submit(
            f"/cycles/{cycle.id}/proposals/new", {"title": "Benches", "summary": "Ten new benches", "cost": cost}
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and message in page, cost
        assert "Ten new benches" in page
