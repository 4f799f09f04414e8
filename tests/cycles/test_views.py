"""The cycle's pages: opening a stage asks first."""

from __future__ import annotations

from pb.cycles.models import StageKind, StageState
from pb.db import db
from tests.conftest import HX


def test_opening_a_stage_asks_first_and_the_page_says_why_it_cannot_open(
    client, login_as, make_cycle, agree, commissioner, resident
) -> None:
    cycle = make_cycle()
    proposals, review = cycle.stage_of_kind(StageKind.PROPOSALS), cycle.stage_of_kind(StageKind.REVIEW)
    agree(proposals)
    login_as(commissioner)
    cycle_page = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert f'href="/cycles/{cycle.id}/stages/proposals/open"' in cycle_page  # a link to the page that asks
    for headers in ({}, HX):
        ask = client.get(f"/cycles/{cycle.id}/stages/proposals/open", headers=headers)
        page = ask.get_data(as_text=True)
        assert ask.status_code == 200 and "Open the proposals stage?" in page
        assert "the rules of its agreed mandate are fixed" in page and "Not yet" in page
        assert f'action="/cycles/{cycle.id}/stages/proposals/open"' in page
    assert proposals.state == StageState.AGREED  # asking opened nothing
    not_signed = client.get(f"/cycles/{cycle.id}/stages/review/open")
    assert not_signed.status_code == 409 and "Open the review stage?" not in not_signed.get_data(as_text=True)
    assert review.state == StageState.DRAFT
    assert client.submit(f"/cycles/{cycle.id}/stages/proposals/open").status_code == 303
    db.session.expire_all()
    assert cycle.stage_of_kind(StageKind.PROPOSALS).state == StageState.OPEN
    client.submit("/sign-out")
    client.csrf = None
    login_as(resident)
    assert client.get(f"/cycles/{cycle.id}/stages/review/open").status_code in (403, 409)
