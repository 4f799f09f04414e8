"""A form that cannot be taken gives back what the person wrote, and saves none of it (pb/unsent.py).

Refusals beside a field keep the words in the form (the validation rule); these are the rest:
a stage that closed while they typed, a session that ran out, a page gone out of date.
"""

from __future__ import annotations

import re
import time

from flask import Flask
from sqlalchemy import func, select

from pb.cycles.models import StageKind
from pb.db import db
from pb.deliberation.models import Comment
from pb.unsent import Words, words_sent
from tests.conftest import HX, PASSWORD
from tests.deliberation.test_views import _setup, _sign_in

WRITTEN = "The benches by the pond\nare always full on Sundays."


def _comments() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment)) or 0


def _leave_alone(client) -> None:  # type: ignore[no-untyped-def]
    """As if the person had spent 31 minutes writing: the idle timeout signs them out at the next request."""
    client.token()  # fetched first, as the page with the form had it
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 31 * 60


def _given_back(page: str) -> list[tuple[str, str]]:
    """Each read-only box of words on the page: its label and its text."""
    pattern = r'<label class="label" for="unsent-\d+">([^<]*)</label>\s*<textarea[^>]*readonly>([^<]*)</textarea>'
    return re.findall(pattern, page)


def test_words_sent_are_answers_of_more_than_one_word_and_never_secrets(app: Flask) -> None:
    form = {
        "csrf_token": "a b",
        "password": "correct horse battery staple",
        "new_password": "another long pass phrase",
        "kiosk_pin_again": "2 4 6 8",
        "code": "ABCD EFGH JKMN",
        "kind": "comment",
        "parent_id": "12",
        "body": "  Two words  ",
        "postcode": "CF10 1AA",
    }
    with app.test_request_context("/", method="POST", data=form):
        assert words_sent() == [Words("Your words, part 1", "Two words"), Words("Your words, part 2", "CF10 1AA")]
    with app.test_request_context("/?body=two+words", method="GET"):
        assert words_sent() == []


def test_a_comment_sent_after_the_stage_closed_comes_back_to_copy(client, make_cycle, walk_to, resident) -> None:
    cycle, proposal = _setup(make_cycle, walk_to, resident)
    _sign_in(client, resident)
    walk_to(cycle, StageKind.VOTE)  # deliberation closes while the resident is writing
    db.session.commit()
    before = _comments()

    page_url = f"/cycles/{cycle.id}/proposals/{proposal.id}"
    response = client.submit(f"{page_url}/comments", {"kind": "comment", "body": WRITTEN},
                             headers={"Referer": f"http://localhost{page_url}"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f'<a href="{page_url}">Go back to the page the form was on</a>' in page
    assert "The deliberation stage is not open." in page
    assert "Nothing was saved. Copy what you wrote below" in page
    assert _given_back(page) == [("Your comment", WRITTEN)]  # under the form's own label
    assert _comments() == before

    hx = client.submit(f"{page_url}/comments", {"kind": "comment", "body": WRITTEN}, headers=HX)
    assert hx.status_code == 409 and hx.headers["HX-Retarget"] == "#messages"
    assert _given_back(hx.get_data(as_text=True)) == []  # the form stays on the page as it was
    assert _comments() == before


def test_signed_out_while_writing_the_sign_in_page_gives_the_words_back(client, make_cycle, walk_to, resident) -> None:
    cycle, proposal = _setup(make_cycle, walk_to, resident)
    page_url = f"/cycles/{cycle.id}/proposals/{proposal.id}"
    _sign_in(client, resident)
    _leave_alone(client)
    before = _comments()

    response = client.submit(
        f"{page_url}/comments", {"kind": "comment", "body": WRITTEN}, headers={"Referer": f"http://localhost{page_url}"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "signed out because the session was left for a while" in page
    assert "Nothing was sent, because you are signed out." in page
    assert _given_back(page) == [("Your words", WRITTEN)]
    assert f'action="/sign-in?next={page_url}"' in page  # back to the page, not to the form's address
    assert f"/language/cy?next={page_url}" in page
    assert _comments() == before

    client.csrf = None
    signed_in = client.submit(f"/sign-in?next={page_url}", {"email": resident.email, "password": PASSWORD})
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == page_url


def test_signed_out_while_writing_under_htmx_the_form_stays_and_a_message_says_so(
    client, make_cycle, walk_to, resident
) -> None:
    cycle, proposal = _setup(make_cycle, walk_to, resident)
    page_url = f"/cycles/{cycle.id}/proposals/{proposal.id}"
    _sign_in(client, resident)
    _leave_alone(client)

    response = client.submit(
        f"{page_url}/comments",
        {"kind": "comment", "body": WRITTEN},
        headers={**HX, "HX-Current-URL": f"http://localhost{page_url}"},
    )
    message = response.get_data(as_text=True)
    assert response.status_code == 401
    assert response.headers["HX-Retarget"] == "#messages" and response.headers["HX-Reswap"] == "innerHTML"
    # The whole notice, whatever part of its answer the form that asked would keep (hx-select).
    assert response.headers["HX-Reselect"] == ".notification" and 'class="notification' in message
    assert "What you wrote is still on this page: copy it" in message
    assert f'href="/sign-in?next={page_url}"' in message
    assert "<html" not in message


def test_a_form_sent_signed_out_with_nothing_written_says_nothing_was_sent(
    client, make_cycle, walk_to, resident
) -> None:
    cycle, proposal = _setup(make_cycle, walk_to, resident)
    response = client.submit(
        f"/cycles/{cycle.id}/proposals/{proposal.id}/support",
        {"supported": "yes"},
        headers={"Referer": "https://elsewhere.example/page"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Nothing was sent, because you are signed out. Sign in, then send it again." in page
    assert 'action="/sign-in?next=/"' in page  # never back to another site


def test_a_page_still_asks_a_signed_out_person_to_sign_in_and_come_back(client, make_cycle, walk_to, resident) -> None:
    cycle, proposal = _setup(make_cycle, walk_to, resident)
    response = client.get(f"/cycles/{cycle.id}/proposals/{proposal.id}/edit")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next=%2Fcycles%2F{cycle.id}%2Fproposals%2F{proposal.id}%2Fedit"
    assert "Sign in to continue." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_form_from_another_session_gives_the_words_back(client, make_cycle, walk_to, resident) -> None:
    cycle, proposal = _setup(make_cycle, walk_to, resident)
    _sign_in(client, resident)
    response = client.post(
        f"/cycles/{cycle.id}/proposals/{proposal.id}/comments",
        data={"csrf_token": "from-a-page-opened-before-signing-in", "body": WRITTEN},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This page was out of date" in page and "CSRF" not in page
    assert _given_back(page) == [("Your words", WRITTEN)]


def test_words_given_back_are_shown_as_text_never_as_markup(client, make_cycle, walk_to, resident) -> None:
    cycle, proposal = _setup(make_cycle, walk_to, resident)
    written = "Close the box </textarea><script>alert(1)</script>"
    response = client.submit(f"/cycles/{cycle.id}/proposals/{proposal.id}/comments", {"body": written},
                             headers={"Referer": "http://localhost/"})
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "<script>alert" not in page
    assert "Close the box &lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_part_of_a_page_asked_for_signed_out_sends_the_whole_page_to_sign_in(client, busy_cycle) -> None:
    cycle, ids = busy_cycle
    page_url = f"/cycles/{cycle.id}/events/{ids['event_id']}"
    response = client.get(f"{page_url}/live", headers={**HX, "HX-Current-URL": f"http://localhost{page_url}"})
    assert response.status_code == 204  # not the sign-in page swapped into the live count
    assert response.headers["HX-Redirect"] == f"/sign-in?next=%2Fcycles%2F{cycle.id}%2Fevents%2F{ids['event_id']}"
