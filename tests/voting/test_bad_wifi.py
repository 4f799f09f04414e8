"""Bad wifi never loses or doubles a ballot: a confirmation sent again after a dropped connection.

A connection can drop in two places. Before the request reaches the server, nothing happened and
the retry is a first send. After the server has cast the ballot but before its answer arrives,
the device still holds its old session cookie (the one with the ballot in progress), and sends
the same submission token again: the retry must cast nothing and answer with the same receipt.
These tests simulate the second, harder case by putting the old cookie back before the retry.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from pb.audit.models import AuditEntry
from pb.db import db
from pb.voting import services
from pb.voting.codes import issue_codes
from pb.voting.counts import active_ballots
from pb.voting.models import Ballot
from tests.conftest import HX, PASSWORD
from tests.voting.conftest import vote_stage


def _sign_in(client, person) -> None:  # type: ignore[no-untyped-def]
    assert client.submit("/sign-in", {"email": person.email, "password": PASSWORD}).status_code == 303
    client.csrf = None


def _to_check_page(client, cycle, data) -> str:  # type: ignore[no-untyped-def]
    """Choose and go on to "Check your answers"; return the page's submission token."""
    chosen = client.submit(f"/cycles/{cycle.id}/vote", {"action": "check", **data})
    assert chosen.status_code == 303, chosen.get_data(as_text=True)
    page = client.get(f"/cycles/{cycle.id}/vote/check").get_data(as_text=True)
    assert "data-retry" in page  # the confirm form asks cyd.js to resend it when the connection drops
    return re.search(r'name="submission" value="([0-9a-f]+)"', page).group(1)


def _lose_the_answer(client, send):  # type: ignore[no-untyped-def]
    """Send a request whose answer never reaches the device: its cookie stays as it was."""
    before = client.get_cookie("session")
    assert before is not None
    response = send()
    client.set_cookie("session", before.value)
    return response


def _receipt(client, location: str) -> str:  # type: ignore[no-untyped-def]
    page = client.get(location).get_data(as_text=True)
    return page.split('class="receipt">')[1].split("<")[0]


def _cast_entries(stage_id: int) -> int:
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action.in_(("ballot.cast", "ballot.revise")))
    return db.session.scalar(query) or 0


def _ballots(stage_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.stage_id == stage_id)) or 0


@pytest.mark.parametrize("htmx", [False, True], ids=["browser-resend", "cyd.js-retry"])
def test_a_confirmation_whose_answer_was_lost_is_retried_without_a_second_ballot(client, ballot, resident,
                                                                                  htmx) -> None:
    cycle, (a, b, _c) = ballot()
    stage = vote_stage(cycle)
    _sign_in(client, resident)
    submission = _to_check_page(client, cycle, {"choices": [a.id, b.id]})
    headers = HX if htmx else {}
    url = f"/cycles/{cycle.id}/vote/confirm"

    lost = _lose_the_answer(client, lambda: client.submit(url, {"submission": submission}, headers=headers))
    retry = client.submit(url, {"submission": submission}, headers=headers)

    if htmx:  # cyd.js sends as htmx does and follows HX-Redirect
        assert lost.status_code == retry.status_code == 204
        first, second = lost.headers["HX-Redirect"], retry.headers["HX-Redirect"]
    else:
        assert lost.status_code == retry.status_code == 303
        first, second = lost.headers["Location"], retry.headers["Location"]
    assert first == second and first.endswith("/vote/done")
    assert active_ballots(stage) == [[a.id, b.id]]
    assert _ballots(stage.id) == 1 and _cast_entries(stage.id) == 1
    receipt = _receipt(client, second)
    assert services.check_receipt(stage, receipt).counted  # the receipt the voter finally sees is the one counted


def test_a_code_voter_who_lost_the_answer_keeps_the_same_ballot_and_receipt(client, ballot, commissioner) -> None:
    cycle, (a, _b, c) = ballot(eligibility="codes")
    stage = vote_stage(cycle)
    _batch, (code,) = issue_codes(stage, commissioner, 1, "Library")
    db.session.commit()
    assert client.submit(f"/cycles/{cycle.id}/vote/code", {"code": code}).status_code == 303
    submission = _to_check_page(client, cycle, {"choices": [c.id]})
    url = f"/cycles/{cycle.id}/vote/confirm"

    # The first answer also made the device forget the code; lost, the device still has it.
    lost = _lose_the_answer(client, lambda: client.submit(url, {"submission": submission}))
    retry = client.submit(url, {"submission": submission})

    assert lost.headers["Location"] == retry.headers["Location"]
    assert active_ballots(stage) == [[c.id]] and _ballots(stage.id) == 1
    receipts = set(db.session.scalars(select(Ballot.receipt).where(Ballot.stage_id == stage.id)))
    assert receipts == {_receipt(client, retry.headers["Location"])}
    assert a.id not in active_ballots(stage)[0]


def test_a_database_failure_while_casting_writes_nothing_and_the_retry_casts_once(app, client, ballot, resident,
                                                                                  monkeypatch) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as production does: an error page, not a traceback
    cycle, (a, _b, _c) = ballot()
    stage = vote_stage(cycle)
    _sign_in(client, resident)
    submission = _to_check_page(client, cycle, {"choices": [a.id]})
    cast = services.cast_ballot
    calls = []

    def cast_then_lose_the_database(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        receipt = cast(*args, **kwargs)
        if len(calls) == 1:  # the connection to the database drops before the commit
            raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))
        return receipt

    monkeypatch.setattr(services, "cast_ballot", cast_then_lose_the_database)
    failed = client.submit(f"/cycles/{cycle.id}/vote/confirm", {"submission": submission})
    assert failed.status_code == 503 and failed.headers["Retry-After"]  # the database is away: try again soon
    assert "Traceback" not in failed.get_data(as_text=True)
    assert _ballots(stage.id) == 0 and _cast_entries(stage.id) == 0  # nothing half-written

    retry = client.submit(f"/cycles/{cycle.id}/vote/confirm", {"submission": submission})
    assert retry.status_code == 303 and retry.headers["Location"].endswith("/vote/done")
    assert active_ballots(stage) == [[a.id]] and _ballots(stage.id) == 1 and _cast_entries(stage.id) == 1
