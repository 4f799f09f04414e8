from __future__ import annotations

from pb.cycles.models import StageKind
from pb.db import db
from pb.proposals.services import ProposalFields, submit_proposal
from tests.conftest import FULL_CYCLE, HX, PASSWORD


def _setup(make_cycle, walk_to, resident):  # type: ignore[no-untyped-def]
    cycle = make_cycle(kinds=FULL_CYCLE)
    walk_to(cycle, StageKind.PROPOSALS)
    proposal = submit_proposal(cycle, resident, ProposalFields(title="Benches", summary="Ten", cost=80_000))
    walk_to(cycle, StageKind.DELIBERATION)
    db.session.commit()
    return cycle, proposal


def _sign_in(client, person) -> None:  # type: ignore[no-untyped-def]
    client.csrf = None
    client.submit("/sign-in", {"email": person.email, "password": PASSWORD})
    client.csrf = None


def test_comments_and_answers_update_in_place(client, make_cycle, walk_to, resident, commissioner) -> None:
    cycle, proposal = _setup(make_cycle, walk_to, resident)
    base = f"/cycles/{cycle.id}/proposals/{proposal.id}"
    _sign_in(client, resident)
    asked = client.submit(f"{base}/comments", {"kind": "question", "body": "Who mends them?"}, headers=HX)
    assert asked.status_code == 200 and asked.headers["HX-Trigger"] == "comment-added"
    assert '<section id="discussion"' in asked.get_data(as_text=True)
    empty = client.submit(f"{base}/comments", {"kind": "comment", "body": ""})
    assert empty.status_code == 422 and "Write your comment." in empty.get_data(as_text=True)
    client.submit("/sign-out")
    _sign_in(client, commissioner)
    page = client.get(base).get_data(as_text=True)
    assert "Hide this comment" in page
    question_id = page.split('id="comment-')[1].split('"')[0]
    answered = client.submit(
        f"{base}/comments", {"kind": "comment", "body": "The parks team.", "parent_id": question_id}
    )
    assert answered.status_code == 303
    page = client.get(base).get_data(as_text=True)
    assert "Commissioner's answer" in page and "The parks team." in page


def test_support_toggles_with_htmx(client, make_cycle, walk_to, resident, make_user) -> None:
    cycle, proposal = _setup(make_cycle, walk_to, resident)
    _sign_in(client, make_user())
    url = f"/cycles/{cycle.id}/proposals/{proposal.id}/support"
    first = client.submit(url, {"supported": "yes"}, headers=HX).get_data(as_text=True)
    assert "<strong>1</strong> resident supports" in first and 'aria-pressed="true"' in first
    assert client.submit(url, {"supported": "no"}).status_code == 303


def test_a_moderator_hides_a_comment_and_the_note_is_public(
    client, make_cycle, walk_to, resident, commissioner
) -> None:
    from pb.deliberation.services import add_comment

    cycle, proposal = _setup(make_cycle, walk_to, resident)
    comment = add_comment(proposal, resident, "Nasty remark")
    db.session.commit()
    _sign_in(client, commissioner)
    hidden = client.submit(
        f"/cycles/{cycle.id}/proposals/{proposal.id}/comments/{comment.id}/hide",
        {"ground": "Abusive or discriminatory", "note": "Removed: abusive."},
    )
    assert hidden.status_code == 303
    client.submit("/sign-out")
    page = client.get(f"/cycles/{cycle.id}/proposals/{proposal.id}").get_data(as_text=True)
    assert "Nasty remark" not in page and "Removed: abusive." in page and "Abusive or discriminatory" in page
