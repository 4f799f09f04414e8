"""Kiosk mode: the services, then a kiosk device through the test client (with and without htmx)."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from pb.accounts.models import Role
from pb.audit.models import AuditEntry
from pb.cycles.models import StageKind
from pb.cycles.services import close_stage
from pb.db import db
from pb.errors import InvalidInput, NotAuthorised, OutsideMandate, StageNotOpen
from pb.events import kiosk as kiosks
from pb.events.kiosk_views import GRACE_SECONDS
from pb.events.models import Kiosk
from pb.events.services import create_event
from pb.voting.codes import issue_codes
from pb.voting.models import Ballot
from pb.voting.services import cast_ballot
from tests.conftest import CSRF_PATTERN, HX, PASSWORD, Client
from tests.events.conftest import ENDS, STARTS

PIN = "2468"
# All a kiosk's session may hold between voters ("_fresh" is Flask-Login's marker that nobody is signed in).
KIOSK_SESSION = {"kiosk", "csrf_token", "_permanent", "_fresh", "_flashes"}
RECEIPT = re.compile(r'class="receipt">([A-Z2-9]{5}-[A-Z2-9]{5})<')


# --- services -------------------------------------------------------------------------------------


def test_only_the_cycles_commissioners_and_the_events_facilitators_start_a_kiosk(
    event_at_vote, commissioner, resident, make_user
) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote()
    with pytest.raises(NotAuthorised):
        kiosks.start_kiosk(event, resident, "Door", PIN)
    with pytest.raises(NotAuthorised) as refused:
        kiosks.start_kiosk(event, make_user(Role.FACILITATOR, cycle=_cycle), "Door", PIN)
    assert refused.value.clause == "events.facilitators"
    kiosk, token = kiosks.start_kiosk(event, facilitator, "  Tablet   by the door ", PIN)
    by_commissioner, _token = kiosks.start_kiosk(event, commissioner, "", PIN)
    db.session.commit()
    assert kiosk.label == "Tablet by the door" and by_commissioner.label == "Kiosk 2"
    # Only the token's SHA-256 and the PIN's argon2 hash are kept.
    assert len(token) >= 40 and token not in kiosk.token_hash and kiosk.token_hash != by_commissioner.token_hash
    assert kiosk.pin_hash.startswith("$argon2") and PIN not in kiosk.pin_hash
    assert [k.id for k in kiosks.kiosks_of(event)] == [kiosk.id, by_commissioner.id]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "kiosk.start"))
    assert entry.actor_id == facilitator.id and entry.subject == f"kiosk {kiosk.id}"


def test_a_kiosk_needs_an_open_vote_that_takes_voting_codes(event_at_vote, commissioner) -> None:
    cycle, _proposals, event, facilitator = event_at_vote(eligibility="accounts")
    with pytest.raises(OutsideMandate) as refused:
        kiosks.start_kiosk(event, facilitator, "Door", PIN)
    assert refused.value.clause == "vote.eligibility"

    cycle, _proposals, event, facilitator = event_at_vote()
    close_stage(cycle.stage_of_kind(StageKind.VOTE), commissioner)
    with pytest.raises(StageNotOpen):
        kiosks.start_kiosk(event, facilitator, "Door", PIN)
    assert kiosks.kiosk_panel(event, facilitator).problem

    decision = cycle.stage_of_kind(StageKind.DECISION)
    later = create_event(
        decision, commissioner, title="Results", venue="Hub", starts_at=STARTS, ends_at=ENDS,
        facilitator_ids=[commissioner.id],
    )
    with pytest.raises(StageNotOpen) as refused:
        kiosks.start_kiosk(later, commissioner, "Door", PIN)
    assert refused.value.clause == "stage.kind"
    assert not kiosks.kiosk_panel(later, commissioner).shown


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "١٢٣٤", "", "12 34"])
def test_a_pin_is_four_to_eight_digits(event_at_vote, pin) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote()
    with pytest.raises(InvalidInput) as refused:
        kiosks.start_kiosk(event, facilitator, "Door", pin)
    assert refused.value.field == "kiosk_pin"


@pytest.mark.parametrize("pin", ["0000", "7777", "1234", "3456789", "9876", "43210"])
def test_a_pin_a_voter_would_try_first_is_refused(event_at_vote, pin) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote()
    with pytest.raises(InvalidInput) as refused:
        kiosks.start_kiosk(event, facilitator, "Door", pin)
    assert refused.value.field == "kiosk_pin" and "harder to guess" in refused.value.message
    assert not kiosks.guessable("2468") and not kiosks.guessable("1243")


def test_five_wrong_pins_lock_the_kiosk_until_a_facilitator_stops_it(event_at_vote) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote()
    kiosk, _token = kiosks.start_kiosk(event, facilitator, "Door", PIN)
    for tries_left in (4, 3, 2, 1):
        with pytest.raises(InvalidInput) as wrong:
            kiosks.check_pin(kiosk, "0000")
        assert f"{tries_left} more" in wrong.value.message and wrong.value.field == "pin"
    with pytest.raises(kiosks.KioskLocked):
        kiosks.check_pin(kiosk, "0000")
    assert kiosk.failed_pins == 5
    with pytest.raises(kiosks.KioskLocked):  # even the right PIN, now
        kiosks.leave_kiosk(kiosk, PIN)
    assert kiosk.stopped_at is None and kiosks.kiosk_panel(event, facilitator).running[0].locked
    assert kiosks.stop_kiosk(kiosk, facilitator) and not kiosks.stop_kiosk(kiosk, facilitator)
    assert kiosk.stopped_at is not None and kiosks.kiosks_of(event) == []
    kiosk_entries = select(AuditEntry.action).where(AuditEntry.action.like("kiosk.%")).order_by(AuditEntry.seq)
    actions = list(db.session.scalars(kiosk_entries))
    assert actions == ["kiosk.start", "kiosk.lock", "kiosk.stop"]


def test_wrong_pins_sent_at_the_same_moment_each_count(event_at_vote) -> None:
    from sqlalchemy import update

    _cycle, _proposals, event, facilitator = event_at_vote()
    kiosk, _token = kiosks.start_kiosk(event, facilitator, "Door", PIN)
    db.session.commit()
    assert kiosk.failed_pins == 0  # as this request read it, while four other tries were counted elsewhere
    with db.engine.begin() as others:
        others.execute(update(Kiosk).where(Kiosk.id == kiosk.id).values(failed_pins=4))
    with pytest.raises(kiosks.KioskLocked):
        kiosks.check_pin(kiosk, "0000")
    assert kiosk.failed_pins == 5
    with pytest.raises(kiosks.KioskLocked):
        kiosks.check_pin(kiosk, PIN)


def test_the_right_pin_ends_the_kiosk(event_at_vote) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote()
    kiosk, token = kiosks.start_kiosk(event, facilitator, "Door", PIN)
    with pytest.raises(InvalidInput):
        kiosks.leave_kiosk(kiosk, "1357")
    kiosks.leave_kiosk(kiosk, PIN)
    assert kiosk.stopped_at is not None
    with pytest.raises(kiosks.KioskEnded):
        kiosks.current_kiosk({"id": kiosk.id, "token": token})
    leave = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "kiosk.leave"))
    assert leave.actor_id is None and leave.subject == f"kiosk {kiosk.id}"


def test_a_device_is_a_kiosk_only_with_its_own_token(event_at_vote) -> None:
    _cycle, _proposals, event, facilitator = event_at_vote()
    kiosk, token = kiosks.start_kiosk(event, facilitator, "Door", PIN)
    assert kiosks.current_kiosk({"id": kiosk.id, "token": token}) is kiosk
    for forged in (
        {"id": kiosk.id, "token": token + "x"},
        {"id": kiosk.id + 1, "token": token},
        {"id": str(kiosk.id), "token": token},
        {"token": token},
        "a kiosk",
        None,
    ):
        with pytest.raises(kiosks.KioskEnded):
            kiosks.current_kiosk(forged)


def test_a_kiosk_ballot_carries_its_channel_and_event_and_nothing_about_the_voter(
    event_at_vote, commissioner
) -> None:
    cycle, proposals, event, facilitator = event_at_vote()
    vote = cycle.stage_of_kind(StageKind.VOTE)
    _batch, codes = issue_codes(vote, commissioner, 1, "Hub")
    kiosk, _token = kiosks.start_kiosk(event, facilitator, "Door", PIN)
    voter = kiosks.redeem_at_kiosk(kiosk, codes[0])
    assert voter.channel == "kiosk" and voter.event_id == event.id and voter.user is None
    cast_ballot(vote, voter, [proposals[0].id])
    db.session.commit()
    ballot = db.session.scalar(select(Ballot))
    assert (ballot.channel, ballot.event_id) == ("kiosk", event.id)
    assert kiosks.kiosk_ballots(event) == 1
    cast = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ballot.cast"))
    assert cast.detail == {"channel": "kiosk"} and cast.actor_id is None


# --- a kiosk device, through the client -------------------------------------------------------------


def _sign_in(client: Client, person) -> None:  # type: ignore[no-untyped-def]
    client.csrf = None
    client.submit("/sign-in", {"email": person.email, "password": PASSWORD})
    client.csrf = None


def _kiosk_token(client: Client) -> None:
    """A kiosk cannot open the sign-in page where the test client finds its CSRF token."""
    page = client.get("/kiosk/leave").get_data(as_text=True)
    match = CSRF_PATTERN.search(page)
    assert match, page
    client.csrf = match.group(1) or match.group(2)


def _become_kiosk(client: Client, cycle, event, facilitator, pin: str = PIN):  # type: ignore[no-untyped-def]
    _sign_in(client, facilitator)
    started = client.submit(
        f"/cycles/{cycle.id}/events/{event.id}/kiosks",
        {"kiosk_label": "Door", "kiosk_pin": pin, "kiosk_pin_again": pin},
    )
    assert started.status_code == 303 and started.headers["Location"] == "/kiosk", started.get_data(as_text=True)
    _kiosk_token(client)
    return started


def _vote(client: Client, cycle, code: str, choices: list[int]) -> str:  # type: ignore[no-untyped-def]
    """One voter's turn at the kiosk: code, choices, check, confirm; return the thank-you page."""
    entered = client.submit("/kiosk", {"code": code})
    assert entered.status_code == 303 and entered.headers["Location"] == f"/cycles/{cycle.id}/vote"
    chosen = client.submit(f"/cycles/{cycle.id}/vote", {"choices": [str(c) for c in choices], "action": "check"})
    assert chosen.headers["Location"] == f"/cycles/{cycle.id}/vote/check"
    check = client.get(chosen.headers["Location"])
    assert check.headers["Cache-Control"] == "no-store"
    submission = re.search(r'name="submission" value="([0-9a-f]+)"', check.get_data(as_text=True))[1]
    confirmed = client.submit(f"/cycles/{cycle.id}/vote/confirm", {"submission": submission})
    assert confirmed.status_code == 303 and confirmed.headers["Location"] == "/kiosk/thanks"
    thanks = client.get("/kiosk/thanks")
    assert thanks.status_code == 200 and thanks.headers["Cache-Control"] == "no-store"
    return thanks.get_data(as_text=True)


def _session_keys(client: Client) -> set[str]:
    with client.session_transaction() as session:
        return set(session.keys())


def test_starting_a_kiosk_signs_the_facilitator_out_and_their_pages_are_out_of_reach(
    client, event_at_vote, commissioner
) -> None:
    cycle, _proposals, event, facilitator = event_at_vote()
    _sign_in(client, facilitator)
    dashboard = client.get(f"/cycles/{cycle.id}/events/{event.id}")
    assert "Start a kiosk on this device" in dashboard.get_data(as_text=True)
    # Their pages are never kept by the browser, so Back on the new kiosk cannot bring them back…
    for url in (f"/cycles/{cycle.id}/events/{event.id}", f"/cycles/{cycle.id}/events/{event.id}/workshop",
                f"/cycles/{cycle.id}"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    started = _become_kiosk(client, cycle, event, facilitator)
    assert started.headers["Clear-Site-Data"] == '"cache"'  # …and whatever a cache held goes when it starts
    assert _session_keys(client) <= KIOSK_SESSION
    start = client.get("/kiosk")
    page = start.get_data(as_text=True)
    assert start.status_code == 200 and start.headers["Cache-Control"] == "no-store"
    assert "Vote here" in page and 'data-kiosk-idle="90"' in page and "js/kiosk.js" in page
    assert facilitator.name not in page
    assert not any(link in page for link in ("Sign in", "Sign out", "Create an account", "/account"))
    assert 'class="skip-link"' in page and "Cymraeg" in page
    theirs = [
        f"/cycles/{cycle.id}/events/{event.id}",
        f"/cycles/{cycle.id}/events/{event.id}/check-in",
        f"/cycles/{cycle.id}/events/{event.id}/live",
        f"/cycles/{cycle.id}/events",
        f"/cycles/{cycle.id}/voting-codes",
        f"/cycles/{cycle.id}",
        f"/cycles/{cycle.id}/vote/done",
        "/account/details",
        "/sign-in",
        "/sign-up",
        "/",
        "/no-such-page",
    ]
    for url in theirs:
        response = client.get(url)
        assert (response.status_code, response.headers.get("Location")) == (303, "/kiosk"), url
        assert facilitator.name not in response.get_data(as_text=True)
        fragment = client.get(url, headers=HX)
        assert (fragment.status_code, fragment.headers.get("HX-Redirect")) == (204, "/kiosk"), url
    for url in ("/sign-out", f"/cycles/{cycle.id}/events/{event.id}/kiosks", f"/cycles/{cycle.id}/voting-codes"):
        assert client.submit(url, {"size": "5"}).headers.get("Location") == "/kiosk", url
    # No voter yet: the ballot itself waits for a code.
    assert client.get(f"/cycles/{cycle.id}/vote").headers["Location"] == "/kiosk"
    # The language switch still works.
    switched = client.get("/language/cy?next=/kiosk")
    assert switched.status_code == 303 and switched.headers["Location"] == "/kiosk"
    assert [k.started_by_id for k in kiosks.kiosks_of(event)] == [facilitator.id]


def test_the_start_form_says_what_is_wrong_on_the_dashboard(client, event_at_vote, resident) -> None:
    cycle, _proposals, event, facilitator = event_at_vote()
    url = f"/cycles/{cycle.id}/events/{event.id}/kiosks"
    _sign_in(client, facilitator)
    different = client.submit(url, {"kiosk_label": "Door", "kiosk_pin": "1234", "kiosk_pin_again": "4321"})
    page = different.get_data(as_text=True)
    assert different.status_code == 422 and "The two PINs are different" in page and 'class="error-summary"' in page
    short = client.submit(url, {"kiosk_pin": "12", "kiosk_pin_again": "12"})
    assert short.status_code == 422 and 'id="kiosk_pin-error"' in short.get_data(as_text=True)
    assert "Voting day at the Hub" in short.get_data(as_text=True)  # the dashboard, with the form's errors
    assert kiosks.kiosks_of(event) == []
    assert "Vote here" not in client.get("/kiosk", follow_redirects=True).get_data(as_text=True)  # still no kiosk
    _sign_in(client, resident)
    assert client.submit(url, {"kiosk_pin": PIN, "kiosk_pin_again": PIN}).status_code == 403


def test_a_vote_for_account_holders_only_says_why_there_is_no_kiosk(client, event_at_vote) -> None:
    cycle, _proposals, event, facilitator = event_at_vote(eligibility="accounts")
    _sign_in(client, facilitator)
    page = client.get(f"/cycles/{cycle.id}/events/{event.id}").get_data(as_text=True)
    assert "A kiosk cannot start now." in page and "only account holders vote" in page
    assert "Start a kiosk on this device" not in page
    refused = client.submit(
        f"/cycles/{cycle.id}/events/{event.id}/kiosks", {"kiosk_pin": PIN, "kiosk_pin_again": PIN}
    )
    assert refused.status_code == 403 and _session_keys(client) >= {"_user_id"}  # still signed in


def test_two_voters_one_after_the_other_never_see_each_others_choices(
    client, event_at_vote, commissioner
) -> None:
    cycle, proposals, event, facilitator = event_at_vote()
    first_code, second_code = issue_codes(cycle.stage_of_kind(StageKind.VOTE), commissioner, 2, "Hub")[1]
    db.session.commit()
    _become_kiosk(client, cycle, event, facilitator)

    client.submit("/kiosk", {"code": first_code})
    ballot = client.get(f"/cycles/{cycle.id}/vote")
    page = ballot.get_data(as_text=True)
    assert ballot.status_code == 200 and ballot.headers["Cache-Control"] == "no-store"
    assert 'autocomplete="off"' in page and "Start again" in page and 'id="kiosk-reset"' in page
    assert "Stop voting with this code" not in page and "More about this project" not in page
    assert f'href="/cycles/{cycle.id}"' not in page and "A good idea for the neighbourhood." in page
    assert 'id="kiosk-idle"' in page and "Are you still there?" in page
    assert client.submit("/kiosk/start-again").headers["Location"] == "/kiosk"  # changed their mind at once
    thanks = _vote(client, cycle, first_code, [proposals[0].id, proposals[1].id])
    receipt = RECEIPT.search(thanks)[1]
    assert 'http-equiv="refresh" content="30;url=/kiosk"' in thanks and 'data-kiosk-return="30"' in thanks
    assert _session_keys(client) <= KIOSK_SESSION

    # A reload, or Back to any page of the first voter, finds the start screen.
    for url in ("/kiosk/thanks", f"/cycles/{cycle.id}/vote/check", f"/cycles/{cycle.id}/vote", "/kiosk"):
        response = client.get(url, follow_redirects=True)
        page = response.get_data(as_text=True)
        assert "Vote here" in page and receipt not in page and "checked" not in page, url

    thanks = _vote(client, cycle, second_code, [proposals[2].id])
    assert receipt not in thanks and RECEIPT.search(thanks)[1] != receipt
    ballots = list(db.session.scalars(select(Ballot)))
    assert len(ballots) == 2 and {(b.channel, b.event_id) for b in ballots} == {("kiosk", event.id)}
    other = client.application.test_client()  # the dashboard, on another device
    _sign_in(other, facilitator)
    dashboard = other.get(f"/cycles/{cycle.id}/events/{event.id}").get_data(as_text=True)
    assert "2 votes cast at this event's kiosks." in dashboard and "Door" in dashboard


def test_the_ballot_at_a_kiosk_works_with_htmx(client, event_at_vote, commissioner) -> None:
    cycle, proposals, event, facilitator = event_at_vote()
    code = issue_codes(cycle.stage_of_kind(StageKind.VOTE), commissioner, 1, "Hub")[1][0]
    db.session.commit()
    _become_kiosk(client, cycle, event, facilitator)
    entered = client.submit("/kiosk", {"code": code}, headers=HX)
    assert entered.status_code == 204 and entered.headers["HX-Redirect"] == f"/cycles/{cycle.id}/vote"
    meter = client.submit(
        f"/cycles/{cycle.id}/vote", {"choices": [str(proposals[0].id)], "action": "update"}, headers=HX
    )
    fragment = meter.get_data(as_text=True)
    assert meter.status_code == 200 and fragment.lstrip().startswith('<div id="meter"') and "<html" not in fragment
    assert meter.headers["Cache-Control"] == "no-store"
    wrong = client.submit("/kiosk", {"code": "AAAA-BBBB-CCCC"}, headers=HX)
    assert wrong.status_code == 422 and "That code is not right" in wrong.get_data(as_text=True)
    restarted = client.submit("/kiosk/start-again", headers=HX)
    assert restarted.status_code == 204 and restarted.headers["HX-Redirect"] == "/kiosk"
    assert "ballot" not in _session_keys(client) and "code_voter" not in _session_keys(client)


def test_a_kiosk_left_alone_forgets_the_voter(client, app, event_at_vote, commissioner) -> None:
    cycle, proposals, event, facilitator = event_at_vote()
    code = issue_codes(cycle.stage_of_kind(StageKind.VOTE), commissioner, 1, "Hub")[1][0]
    db.session.commit()
    _become_kiosk(client, cycle, event, facilitator)
    client.submit("/kiosk", {"code": code})
    client.submit(f"/cycles/{cycle.id}/vote", {"choices": [str(proposals[0].id)], "action": "filter"})

    def away(seconds: int) -> None:
        with client.session_transaction() as session:
            session["kiosk"] = {**session["kiosk"], "seen": int(time.time()) - seconds}

    away(80)  # under the limit: the voter carries on, the choice kept
    ballot = client.get(f"/cycles/{cycle.id}/vote").get_data(as_text=True)
    assert "checked" in ballot
    # Without JavaScript the page goes back to the start once the server has let the ballot go.
    assert f'http-equiv="refresh" content="{90 + GRACE_SECONDS + 2};url=/kiosk"' in ballot
    away(90 + GRACE_SECONDS)  # the page's own reset, sent at 90 seconds but slow to arrive, still finds the ballot
    assert "checked" in client.get(f"/cycles/{cycle.id}/vote").get_data(as_text=True)
    away(91 + GRACE_SECONDS)
    gone = client.get(f"/cycles/{cycle.id}/vote")
    assert gone.status_code == 303 and gone.headers["Location"] == "/kiosk"
    assert not {"ballot", "code_voter"} & _session_keys(client)
    start = client.get("/kiosk").get_data(as_text=True)
    assert "left for a while" in start and "checked" not in start
    assert client.get(f"/cycles/{cycle.id}/vote").headers["Location"] == "/kiosk"  # the code is forgotten too
    # The keep-alive of the idle warning counts as a request; the limit comes from the config.
    client.submit("/kiosk", {"code": code})
    app.config["KIOSK_IDLE_SECONDS"] = 30
    away(25)
    assert client.get("/kiosk/still-here").status_code == 204
    assert 'data-kiosk-idle="30" data-kiosk-warn="15"' in client.get(f"/cycles/{cycle.id}/vote").get_data(as_text=True)
    away(31 + GRACE_SECONDS)
    assert client.get("/kiosk/still-here", headers=HX).headers["HX-Redirect"] == "/kiosk"
    # A receipt whose thank-you screen never loaded is forgotten too, not shown to the next person.
    with client.session_transaction() as session:
        session["receipt"] = {"cycle": cycle.id, "code": "ABCDE-23456", "submission": "x", "channel": "kiosk"}
    away(31 + GRACE_SECONDS)
    client.get("/kiosk")
    assert "receipt" not in _session_keys(client)
    assert "ABCDE-23456" not in client.get("/kiosk/thanks").get_data(as_text=True)


def test_leaving_kiosk_mode_needs_the_pin(client, event_at_vote) -> None:
    cycle, _proposals, event, facilitator = event_at_vote()
    _become_kiosk(client, cycle, event, facilitator)
    assert "Leave kiosk mode (facilitators)" in client.get("/kiosk").get_data(as_text=True)
    wrong = client.submit("/kiosk/leave", {"pin": "1111"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and 'class="error-summary"' in page and 'aria-invalid="true"' in page
    assert "That PIN is not right. You can try 4 more times." in page and wrong.headers["Cache-Control"] == "no-store"
    assert db.session.get(Kiosk, kiosks.kiosks_of(event)[0].id).failed_pins == 1  # counted, and committed
    assert client.submit("/kiosk/leave", {"pin": ""}).status_code == 422
    right = client.submit("/kiosk/leave", {"pin": PIN})
    assert right.status_code == 303 and right.headers["Location"] == "/sign-in"
    assert "kiosk" not in _session_keys(client) and kiosks.kiosks_of(event) == []
    assert "Kiosk mode has ended on this device" in client.get("/sign-in").get_data(as_text=True)
    # The facilitator has to sign in again for their own pages.
    assert client.get(f"/cycles/{cycle.id}/events/{event.id}").headers["Location"].startswith("/sign-in")
    assert client.get("/kiosk").headers["Location"] == "/kiosk/ended"


def test_five_wrong_pins_at_the_kiosk_lock_it(client, event_at_vote) -> None:
    cycle, _proposals, event, facilitator = event_at_vote()
    _become_kiosk(client, cycle, event, facilitator)
    for _try in range(5):
        last = client.submit("/kiosk/leave", {"pin": "9999"})
    assert last.status_code == 422 and "now locked" in last.get_data(as_text=True)
    locked = client.submit("/kiosk/leave", {"pin": PIN})
    assert locked.status_code == 422 and "Too many wrong PINs" in locked.get_data(as_text=True)
    assert "Vote here" in client.get("/kiosk").get_data(as_text=True)  # still a kiosk, still voting
    other = client.application.test_client()
    _sign_in(other, facilitator)
    assert "PIN locked" in other.get(f"/cycles/{cycle.id}/events/{event.id}").get_data(as_text=True)


def test_a_kiosk_stopped_from_the_dashboard_ends_at_its_next_request(
    client, event_at_vote, commissioner, make_user
) -> None:
    cycle, _proposals, event, facilitator = event_at_vote()
    _become_kiosk(client, cycle, event, facilitator)
    kiosk = kiosks.kiosks_of(event)[0]
    other = client.application.test_client()
    _sign_in(other, make_user(Role.FACILITATOR, cycle=cycle))  # a facilitator of the cycle, not of this event
    stop = f"/cycles/{cycle.id}/events/{event.id}/kiosks/{kiosk.id}/stop"
    assert other.submit(stop).status_code == 403
    _sign_in(other, commissioner)
    stopped = other.submit(stop)
    assert stopped.status_code == 303
    assert "Door is stopped" in other.get(stopped.headers["Location"]).get_data(as_text=True)
    assert other.submit(stop, headers=HX).headers["HX-Redirect"] == f"/cycles/{cycle.id}/events/{event.id}"
    assert other.submit(f"/cycles/{cycle.id}/events/{event.id}/kiosks/{kiosk.id + 99}/stop").status_code == 404

    ended = client.get("/kiosk")
    assert ended.status_code == 303 and ended.headers["Location"] == "/kiosk/ended"
    page = client.get("/kiosk/ended").get_data(as_text=True)
    assert "Kiosk mode has ended on this device" in page and 'data-kiosk-idle' not in page
    assert "kiosk" not in _session_keys(client)
    assert client.get(f"/cycles/{cycle.id}").status_code == 200  # an ordinary device again, signed out


def test_an_htmx_request_from_a_stopped_kiosk_is_sent_to_the_plain_page(client, event_at_vote) -> None:
    cycle, _proposals, event, facilitator = event_at_vote()
    _become_kiosk(client, cycle, event, facilitator)
    kiosks.stop_kiosk(kiosks.kiosks_of(event)[0], facilitator)
    db.session.commit()
    answer = client.submit(f"/cycles/{cycle.id}/vote", {"action": "update"}, headers=HX)
    assert answer.status_code == 204 and answer.headers["HX-Redirect"] == "/kiosk/ended"


def test_a_device_that_is_not_a_kiosk_has_no_kiosk_pages(client, resident) -> None:
    _sign_in(client, resident)
    for url in ("/kiosk", "/kiosk/leave", "/kiosk/thanks", "/kiosk/still-here"):
        response = client.get(url)
        assert response.status_code == 303 and response.headers["Location"] in ("/kiosk/ended", "/kiosk"), url
    assert client.submit("/kiosk/start-again").headers["Location"] == "/kiosk/ended"
    assert client.submit("/kiosk", {"code": "ABCD-EFGH-JKMN"}).headers["Location"] == "/kiosk/ended"
    page = client.get("/kiosk/ended").get_data(as_text=True)
    assert "not running as a kiosk" in page and resident.name in page  # nothing changed for this person


def test_codes_and_pins_typed_at_a_kiosk_are_rate_limited_per_kiosk(event_at_vote, database_url) -> None:
    from pb import create_app

    cycle, _proposals, event, facilitator = event_at_vote()
    limited = create_app(
        "test",
        SQLALCHEMY_ENGINES={"default": database_url},
        RATELIMIT_ENABLED=True,
        KIOSK_CODE_RATE_LIMIT="2 per minute",
        KIOSK_PIN_RATE_LIMIT="2 per minute",
    )
    limited.test_client_class = Client
    device = limited.test_client()
    _become_kiosk(device, cycle, event, facilitator)
    codes = [device.submit("/kiosk", {"code": "AAAA-BBBB-CCCC"}).status_code for _ in range(3)]
    pins = [device.submit("/kiosk/leave", {"pin": "1111"}).status_code for _ in range(3)]
    assert codes == [422, 422, 429] and pins == [422, 422, 429]
    refused = device.submit("/kiosk", {"code": "AAAA-BBBB-CCCC"})
    assert refused.headers["Cache-Control"] == "no-store" and "Sign in" not in refused.get_data(as_text=True)


def test_a_kiosk_confirmation_whose_answer_was_lost_is_cast_once(client, event_at_vote, commissioner) -> None:
    cycle, proposals, event, facilitator = event_at_vote()
    code = issue_codes(cycle.stage_of_kind(StageKind.VOTE), commissioner, 1, "Hub")[1][0]
    db.session.commit()
    _become_kiosk(client, cycle, event, facilitator)
    client.submit("/kiosk", {"code": code})
    chosen = client.submit(f"/cycles/{cycle.id}/vote", {"choices": [str(proposals[1].id)], "action": "check"})
    check = client.get(chosen.headers["Location"]).get_data(as_text=True)
    submission = re.search(r'name="submission" value="([0-9a-f]+)"', check)[1]
    before = client.get_cookie("session")
    lost = client.submit(f"/cycles/{cycle.id}/vote/confirm", {"submission": submission}, headers=HX)
    client.set_cookie("session", before.value)  # the tablet never got the answer, nor its cookie
    retry = client.submit(f"/cycles/{cycle.id}/vote/confirm", {"submission": submission}, headers=HX)
    assert lost.headers["HX-Redirect"] == retry.headers["HX-Redirect"] == "/kiosk/thanks"
    ballots = db.session.scalars(select(Ballot).where(Ballot.stage_id == cycle.stage_of_kind(StageKind.VOTE).id))
    assert [(b.channel, b.event_id, b.replaced) for b in ballots] == [("kiosk", event.id, False)]
    assert RECEIPT.search(client.get("/kiosk/thanks").get_data(as_text=True))
