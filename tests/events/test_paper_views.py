"""Paper ballot pages through the client, with and without htmx: print, key in, resolve, reconcile."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from pb.accounts.models import Role
from pb.cycles.models import StageKind
from pb.db import db
from pb.events.models import PaperBallot, PaperStatus
from pb.events.paper import format_serial, key_paper_ballot
from pb.events.paper_checks import record_paper_count
from pb.events.services import create_event
from pb.voting.counts import active_ballot_choices
from tests.conftest import HX, PASSWORD
from tests.events.conftest import ENDS, STARTS
from tests.events.paper_helpers import paper_event


@pytest.fixture
def at_event(commissioner, representative, make_user):  # type: ignore[no-untyped-def]
    def make(**boundaries):  # type: ignore[no-untyped-def]
        return paper_event(commissioner, representative, make_user, **boundaries)

    return make


def _sign_in(client, person) -> None:  # type: ignore[no-untyped-def]
    client.post("/sign-out", data={"csrf_token": client.token()})
    client.csrf = None
    assert client.submit("/sign-in", {"email": person.email, "password": PASSWORD}).status_code == 303
    client.csrf = None


def _base(cycle, event) -> str:  # type: ignore[no-untyped-def]
    return f"/cycles/{cycle.id}/events/{event.id}/paper"


def _status(serial: int) -> PaperStatus:
    db.session.expire_all()
    return db.session.scalar(select(PaperBallot.status).where(PaperBallot.serial == serial))


def test_a_facilitator_numbers_a_batch_and_prints_it(client, at_event) -> None:
    cycle, proposals, event, (ffion, _gareth) = at_event(printed=0, max_choices=2)
    _sign_in(client, ffion)
    base = _base(cycle, event)
    page = client.get(base).get_data(as_text=True)
    assert "No paper ballots have been printed" in page and "Number the ballots" in page
    refused = client.submit(f"{base}/batches", {"size": "2001"})
    assert refused.status_code == 422 and 'id="size-error"' in refused.get_data(as_text=True)
    assert 'value="2001"' in refused.get_data(as_text=True)
    made = client.submit(f"{base}/batches", {"size": "3"})
    assert made.status_code == 303
    printed = client.get(made.headers["Location"]).get_data(as_text=True)
    assert printed.count('class="paper-ballot"') == 3 and printed.count("Do not write your name on this ballot") == 3
    for serial in (1, 2, 3):
        assert f'<span class="paper-ballot__number">{format_serial(serial)}</span>' in printed
    assert "Put a tick in the box beside each project you want funded." in printed
    assert "Choose from 1 to 2 projects." in printed and all(p.title in printed for p in proposals)
    pdf = client.get(made.headers["Location"] + "/pdf")
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.data.startswith(b"%PDF")
    listed = client.get(base).get_data(as_text=True)
    assert f"{format_serial(1)} to {format_serial(3)}" in listed


def test_the_print_page_says_how_to_fill_in_each_format(client, at_event) -> None:
    for boundaries, words in (
        ({"ballot_format": "ranked", "max_choices": 2}, "Write 1 in the box beside your favourite project"),
        ({"ballot_format": "cumulative", "points": 7, "max_points_per_project": 3}, "You have 7 points to share out."),
        ({"ballot_format": "knapsack", "cost_limit": 700_000}, "Together they may cost at most £7,000."),
    ):
        cycle, _proposals, event, (ffion, _gareth) = at_event(printed=1, **boundaries)
        _sign_in(client, ffion)
        batches = client.get(_base(cycle, event)).get_data(as_text=True)
        link = re.search(r'href="([^"]+/paper/batches/\d+)"', batches)[1]
        assert words in client.get(link).get_data(as_text=True), boundaries


def test_two_facilitators_key_a_ballot_without_htmx(client, at_event) -> None:
    cycle, proposals, event, (ffion, gareth) = at_event()
    base = _base(cycle, event)
    entry = {"serial": format_serial(4), "choices": [str(proposals[0].id), str(proposals[2].id)]}
    _sign_in(client, ffion)
    saved = client.submit(f"{base}/key", entry)
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/paper/key")
    page = client.get(saved.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert f"Ballot {format_serial(4)}: first entry saved" in text and 'value=""' in text and " checked" not in text
    again = client.submit(f"{base}/key", entry)
    assert again.status_code == 422 and "Someone else must key it" in again.get_data(as_text=True)
    _sign_in(client, gareth)
    client.submit(f"{base}/key", entry)
    assert "It matches the first, so the ballot is counted" in client.get(f"{base}/key").get_data(as_text=True)
    assert _status(4) == PaperStatus.COUNTED
    assert active_ballot_choices(cycle.stage_of_kind(StageKind.VOTE)) == [{proposals[0].id: 1, proposals[2].id: 1}]


def test_keying_with_htmx_swaps_the_form_in_place_ready_for_the_next_ballot(client, at_event) -> None:
    cycle, proposals, event, (ffion, gareth) = at_event(ballot_format="ranked", max_choices=2)
    base = _base(cycle, event)
    _sign_in(client, ffion)
    page = client.get(f"{base}/key").get_data(as_text=True)
    assert 'id="paper-keying"' in page and 'id="paper-keyed" role="status"' in page and "<html" in page
    assert f'name="rank-{proposals[0].id}"' in page and "autofocus" in page
    reading = {"serial": format_serial(2).replace("-", ""), f"rank-{proposals[1].id}": "1",
               f"rank-{proposals[0].id}": "2"}
    fragment = client.submit(f"{base}/key", reading, headers=HX)
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and fragment.headers["HX-Trigger"] == "paper-keyed"
    assert "<html" not in text and 'hx-swap-oob="innerHTML"' in text and "first entry saved" in text
    assert 'name="serial"' in text and re.search(r'id="serial"[^>]*value=""', text.replace("\n", " "))
    _sign_in(client, gareth)
    swapped = client.submit(f"{base}/key", {**reading, f"rank-{proposals[0].id}": ""}, headers=HX)
    assert "it differs from the first: a mismatch" in swapped.get_data(as_text=True)
    assert _status(2) == PaperStatus.MISMATCH


def test_a_refused_entry_comes_back_with_everything_kept(client, at_event) -> None:
    cycle, proposals, event, (ffion, _gareth) = at_event(max_choices=1)
    base = _base(cycle, event)
    _sign_in(client, ffion)
    ticked = [str(proposals[0].id), str(proposals[1].id)]
    for headers in ({}, HX):
        refused = client.submit(f"{base}/key", {"serial": format_serial(3), "choices": ticked}, headers=headers)
        text = refused.get_data(as_text=True)
        assert refused.status_code == 422
        assert "This reading breaks the vote&#39;s rules: Choose no more than 1 project." in text
        assert 'href="#choices"' in text and f'value="{format_serial(3)}"' in text
        for pid in ticked:
            assert re.search(rf'value="{pid}" id="choice-{pid}" checked', text)
        assert ("<html" in text) == (headers == {})
    mistyped = client.submit(f"{base}/key", {"serial": "0003-0" if format_serial(3)[-1] != "0" else "0003-1",
                                             "choices": ticked[:1]})
    text = mistyped.get_data(as_text=True)
    assert mistyped.status_code == 422 and 'id="serial-error"' in text and 'aria-invalid="true"' in text
    assert re.search(rf'value="{ticked[0]}" id="choice-{ticked[0]}" checked', text)
    unreasoned = client.submit(f"{base}/key", {"serial": format_serial(3), "spoilt": "y"})
    assert unreasoned.status_code == 422 and 'id="spoilt_reason-error"' in unreasoned.get_data(as_text=True)
    not_here = client.submit(f"{base}/key", {"serial": format_serial(99), "choices": ticked[:1]})
    assert not_here.status_code == 422 and f"No ballot {format_serial(99)} was printed for this event" in (
        not_here.get_data(as_text=True))
    assert db.session.scalar(select(PaperBallot)) is None


def test_a_mismatch_is_shown_side_by_side_and_resolved_through_the_page(client, at_event) -> None:
    cycle, proposals, event, (ffion, gareth) = at_event()
    key_paper_ballot(event, ffion, 6, {proposals[0].id: 1})
    key_paper_ballot(event, gareth, 6, {proposals[0].id: 1, proposals[1].id: 1})
    key_paper_ballot(event, ffion, 7, {proposals[2].id: 1})
    db.session.commit()
    _sign_in(client, ffion)
    base = _base(cycle, event)
    listed = client.get(f"{base}/mismatches").get_data(as_text=True)
    assert "Mismatches (1)" in listed and "Keyed once (1)" in listed
    assert "Entry 1 <span" in listed and "(Ffion Facilitator)" in listed and "(Gareth Facilitator)" in listed
    row = re.search(r'<tr class="paper-compare__differs">(.*?)</tr>', listed, re.S)[1]
    assert proposals[1].title in row and "Not ticked" in row and "Ticked" in row and "<strong>Different</strong>" in row
    assert listed.count("<strong>Different</strong>") == 1
    page = client.get(f"{base}/ballots/6")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Resolve the ballot" in text
    # Ffion keyed entry 1: she is offered only what she may do, and told why.
    assert "You keyed entry 1, so you may only accept entry 2." in text
    assert 'value="second"' in text and not re.search(r'value="(first|correct|spoilt)"', text)
    assert 'name="spoilt_reason"' not in text and 'name="choices"' not in text
    unchosen = client.submit(f"{base}/ballots/6/resolve", {"spoilt_reason": "x"})
    assert unchosen.status_code == 422 and 'id="choose-error"' in unchosen.get_data(as_text=True)
    own = client.submit(f"{base}/ballots/6/resolve", {"choose": "correct", "choices": [str(proposals[0].id)]})
    assert own.status_code == 422 and "you may only accept the other entry" in own.get_data(as_text=True)
    resolved = client.submit(f"{base}/ballots/6/resolve", {"choose": "second"})
    assert resolved.status_code == 303 and resolved.headers["Location"].endswith("/paper/mismatches")
    assert f"Ballot {format_serial(6)} is counted." in client.get(f"{base}/mismatches").get_data(as_text=True)
    assert _status(6) == PaperStatus.COUNTED
    withdrawn = client.submit(f"{base}/ballots/7/withdraw", headers=HX)
    assert withdrawn.status_code == 204 and withdrawn.headers["HX-Redirect"].endswith("/paper/mismatches")
    assert _status(7) is None
    assert client.get(f"{base}/ballots/7").status_code == 404


def test_the_reconciliation_report_records_the_hand_counts_and_says_whether_it_balances(client, at_event) -> None:
    cycle, proposals, event, (ffion, gareth) = at_event()
    key_paper_ballot(event, ffion, 1, {proposals[0].id: 1})
    key_paper_ballot(event, gareth, 1, {proposals[0].id: 1})
    db.session.commit()
    _sign_in(client, gareth)
    base = _base(cycle, event)
    report = client.get(f"{base}/reconciliation").get_data(as_text=True)
    assert "It does not balance yet." in report and "not been counted by hand" in report
    refused = client.submit(f"{base}/count", {"issued": "many", "returned": "1"})
    assert refused.status_code == 422 and 'id="issued-error"' in refused.get_data(as_text=True)
    assert 'value="1"' in refused.get_data(as_text=True)
    saved = client.submit(f"{base}/count", {"issued": "3", "returned": "1"})
    assert saved.status_code == 303
    report = client.get(f"{base}/reconciliation").get_data(as_text=True)
    assert "It balances." in report and "The counts are recorded." in report
    assert re.search(r"Not returned</dt><dd>2<", report) and re.search(r"In the vote's count</dt><dd>1<", report)


def test_the_dashboard_shows_the_paper_panel_only_at_events_of_the_vote(client, at_event, commissioner) -> None:
    cycle, proposals, event, (ffion, _gareth) = at_event(printed=4)
    key_paper_ballot(event, ffion, 1, {proposals[0].id: 1})
    db.session.commit()
    _sign_in(client, ffion)
    dashboard = client.get(f"/cycles/{cycle.id}/events/{event.id}").get_data(as_text=True)
    assert "Paper ballots" in dashboard and "Key in paper ballots" in dashboard and "Reconciliation report" in dashboard
    assert re.search(r"Printed</dt><dd>4<", dashboard) and re.search(r"Waiting to be checked</dt><dd>1<", dashboard)
    decision = cycle.stage_of_kind(StageKind.DECISION)
    elsewhere = create_event(decision, commissioner, title="Decision day", venue="Hall", starts_at=STARTS,
                             ends_at=ENDS, facilitator_ids=[ffion.id])
    db.session.commit()
    other = client.get(f"/cycles/{cycle.id}/events/{elsewhere.id}").get_data(as_text=True)
    assert "Decision day" in other and "Paper ballots" not in other
    assert client.get(f"/cycles/{cycle.id}/events/{elsewhere.id}/paper").status_code == 404


def test_residents_and_other_facilitators_are_refused_every_paper_page(client, at_event, make_user) -> None:
    cycle, proposals, event, (ffion, gareth) = at_event(printed=2)
    key_paper_ballot(event, ffion, 1, {proposals[0].id: 1})
    key_paper_ballot(event, gareth, 1, {proposals[1].id: 1})
    db.session.commit()
    base = _base(cycle, event)
    batch = re.compile(r"/paper/batches/(\d+)")
    _sign_in(client, ffion)
    batch_id = batch.search(client.get(base).get_data(as_text=True))[1]
    gets = ["", f"/batches/{batch_id}", f"/batches/{batch_id}/pdf", "/key", "/mismatches", "/ballots/1",
            "/reconciliation"]
    posts = [("/batches", {"size": "5"}), ("/key", {"serial": format_serial(2), "choices": str(proposals[0].id)}),
             ("/ballots/1/resolve", {"choose": "first"}), ("/ballots/1/withdraw", {}),
             ("/count", {"issued": "1", "returned": "1"})]
    for person in (make_user(Role.FACILITATOR, cycle=cycle), make_user()):
        _sign_in(client, person)
        for path in gets:
            assert client.get(base + path).status_code == 403, path
        for path, data in posts:
            assert client.submit(base + path, data).status_code == 403, path
            assert client.submit(base + path, data, headers=HX).status_code == 403, path
    assert _status(1) == PaperStatus.MISMATCH and _status(2) is None


def test_closing_the_vote_waits_for_paper_then_the_results_show_every_channel(
    client, at_event, commissioner, resident
) -> None:
    from pb.voting.services import cast_ballot

    cycle, proposals, event, (ffion, gareth) = at_event()
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), resident, [proposals[0].id])
    key_paper_ballot(event, ffion, 1, {proposals[1].id: 1})
    db.session.commit()
    _sign_in(client, commissioner)
    asked_first = client.get(f"/cycles/{cycle.id}/stages/vote/close")  # the page that asks says so before
    asked = asked_first.get_data(as_text=True)
    assert asked_first.status_code == 409 and "1 paper ballot is still being keyed in" in asked
    assert "The vote cannot close yet" in asked and "Close the vote stage" not in asked
    assert f'href="/cycles/{cycle.id}/events/{event.id}/paper/reconciliation">Reconciliation of {event.title}' in asked
    refused = client.submit(f"/cycles/{cycle.id}/stages/vote/close")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "1 paper ballot is still being keyed in" in text
    assert "paper.pending" not in text  # said in words alone
    key_paper_ballot(event, gareth, 1, {proposals[1].id: 1})
    db.session.commit()
    unbalanced = client.submit(f"/cycles/{cycle.id}/stages/vote/close")  # nobody has counted the box yet
    assert unbalanced.status_code == 409 and "do not balance yet" in unbalanced.get_data(as_text=True)
    record_paper_count(event, ffion, issued=1, returned=1)
    db.session.commit()
    cycle_page = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert f'href="/cycles/{cycle.id}/stages/vote/close"' in cycle_page  # a link to the page that asks first
    ask = client.get(f"/cycles/{cycle.id}/stages/vote/close")
    page = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Close the vote stage?" in page and "This cannot be undone" in page
    assert f'action="/cycles/{cycle.id}/stages/vote/close"' in page and "Keep it open" in page
    assert cycle.stage_of_kind(StageKind.VOTE).is_open  # asking closed nothing
    _sign_in(client, resident)
    resident_asks = client.get(f"/cycles/{cycle.id}/stages/vote/close")
    assert resident_asks.status_code == 403 and "Close the vote stage?" not in resident_asks.get_data(True)
    _sign_in(client, commissioner)
    assert client.submit(f"/cycles/{cycle.id}/stages/vote/close").status_code == 303
    results = client.get(f"/cycles/{cycle.id}/results").get_data(as_text=True)
    assert re.search(r'On paper</th><td class="numeric">1<', results)
    assert re.search(r'Online, with an account</th><td class="numeric">1<', results)


def test_someone_who_keyed_neither_entry_is_offered_every_way_to_resolve_it(client, at_event, commissioner) -> None:
    cycle, proposals, event, (ffion, gareth) = at_event()
    key_paper_ballot(event, ffion, 6, {proposals[0].id: 1})
    key_paper_ballot(event, gareth, 6, {proposals[1].id: 1})
    db.session.commit()
    _sign_in(client, commissioner)
    text = client.get(f"{_base(cycle, event)}/ballots/6").get_data(as_text=True)
    assert all(f'value="{way}"' in text for way in ("first", "second", "correct", "spoilt"))
    assert 'name="spoilt_reason"' in text and "so you may only accept" not in text


def test_whoever_keyed_both_entries_may_not_settle_the_ballot() -> None:
    from types import SimpleNamespace

    from pb.events.paper_checks import ALL_RESOLUTIONS, allowed_resolutions

    ffion, gareth, carys = (SimpleNamespace(id=n) for n in (1, 2, 3))
    entries = [SimpleNamespace(entered_by_id=1), SimpleNamespace(entered_by_id=2)]
    assert allowed_resolutions(entries, ffion) == ("second",)
    assert allowed_resolutions(entries, gareth) == ("first",)
    assert allowed_resolutions(entries, carys) == ALL_RESOLUTIONS
    assert allowed_resolutions([SimpleNamespace(entered_by_id=1)] * 2, ffion) == ()
