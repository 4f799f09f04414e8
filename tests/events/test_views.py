from __future__ import annotations

import re

from sqlalchemy import MetaData, select

from pb.accounts.models import Role
from pb.db import db
from pb.events.models import Attendee
from pb.voting.codes import normalise_code
from tests.conftest import HX, PASSWORD

CODE = re.compile(r'class="checked-in__code">([A-Z0-9-]+)<')


def _sign_in(client, person) -> None:  # type: ignore[no-untyped-def]
    client.submit("/sign-in", {"email": person.email, "password": PASSWORD})
    client.csrf = None


def test_a_commissioner_plans_an_event_through_the_page(client, event_at_vote, commissioner) -> None:
    cycle, _proposals, _event, facilitator = event_at_vote()
    _sign_in(client, commissioner)
    page = client.get(f"/cycles/{cycle.id}/events").get_data(as_text=True)
    assert "Plan an event" in page and "Ffion Facilitator" in page
    bad = client.submit(
        f"/cycles/{cycle.id}/events",
        {
            "stage": "vote",
            "title": "Fair",
            "venue": "Park",
            "starts_at": "2026-12-02T10:00",
            "ends_at": "2026-12-02T09:00",
            "facilitators": str(facilitator.id),
        },
    )
    assert bad.status_code == 422 and 'id="ends_at-error"' in bad.get_data(as_text=True)
    made = client.submit(
        f"/cycles/{cycle.id}/events",
        {
            "stage": "vote",
            "title": "Fair",
            "venue": "Park",
            "starts_at": "2026-12-02T10:00",
            "ends_at": "2026-12-02T12:00",
            "expected_attendance": "40",
            "facilitators": str(facilitator.id),
        },
    )
    assert made.status_code == 303
    dashboard = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Fair" in dashboard and "Park" in dashboard and "Ffion Facilitator" in dashboard
    assert 'hx-trigger="every 5s"' in dashboard and "Check people in" in dashboard


def test_residents_and_other_facilitators_cannot_open_the_dashboard(client, event_at_vote, make_user) -> None:
    cycle, _proposals, event, _facilitator = event_at_vote()
    _sign_in(client, make_user(Role.FACILITATOR, cycle=cycle))
    assert client.get(f"/cycles/{cycle.id}/events/{event.id}").status_code == 403
    assert client.get(f"/cycles/{cycle.id}/events/{event.id}/live").status_code == 403
    assert "Plan an event" not in client.get(f"/cycles/{cycle.id}/events").get_data(as_text=True)


def test_the_code_shows_once_and_is_stored_nowhere(client, app, event_at_vote) -> None:
    cycle, _proposals, event, facilitator = event_at_vote()
    _sign_in(client, facilitator)
    desk = f"/cycles/{cycle.id}/events/{event.id}/check-in"
    form = client.get(desk).get_data(as_text=True)
    submission = re.search(r'name="submission" type="hidden" value="([0-9a-f]+)"', form)[1]
    shown = client.submit(
        f"/cycles/{cycle.id}/events/{event.id}/attendees",
        {"name": "Ann Jones", "postcode": "CF10 5AB", "submission": submission, "check_in": "y"},
    )
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    page = shown.get_data(as_text=True)
    code = CODE.search(page)[1]
    assert "<svg" in page and "Ann Jones is checked in" in page
    again = client.get(desk).get_data(as_text=True)
    assert code not in again and normalise_code(code) not in again and "Ann Jones" in again
    assert code not in client.get(f"/cycles/{cycle.id}/events/{event.id}").get_data(as_text=True)
    # The same form sent again (a reload of the response) issues no second code.
    resent = client.submit(
        f"/cycles/{cycle.id}/events/{event.id}/attendees",
        {"name": "Ann Jones", "submission": submission, "check_in": "y"},
    )
    assert resent.status_code == 422 and "already sent" in resent.get_data(as_text=True)
    assert code not in resent.get_data(as_text=True)
    # No table holds the code, in either form.
    metadata = MetaData()
    metadata.reflect(db.engine)
    with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                text = " ".join(map(str, row))
                assert code not in text and normalise_code(code) not in text, table.name
    assert db.session.scalar(select(Attendee.code_issued))


def test_checking_in_someone_on_the_list_with_and_without_htmx(client, event_at_vote) -> None:
    from pb.events.services import register_attendee

    cycle, _proposals, event, facilitator = event_at_vote()
    first = register_attendee(event, facilitator, name="Carys", check_in=False).attendee
    second = register_attendee(event, facilitator, name="Dai", check_in=False).attendee
    db.session.commit()
    _sign_in(client, facilitator)
    base = f"/cycles/{cycle.id}/events/{event.id}"
    found = client.get(f"{base}/check-in?q=car", headers=HX).get_data(as_text=True)
    assert found.lstrip().startswith('<div id="attendees"') and "Carys" in found and "Dai" not in found
    plain = client.submit(f"{base}/attendees/{first.id}/check-in")
    assert (
        plain.status_code == 200
        and "<html" in plain.get_data(as_text=True)
        and CODE.search(plain.get_data(as_text=True))
    )
    fragment = client.submit(f"{base}/attendees/{second.id}/check-in", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="checked-in"') and CODE.search(fragment)
    counts = client.get(base, headers=HX).get_data(as_text=True)
    assert counts.lstrip().startswith('<div id="event-counts"') and "<html" not in counts
    assert re.search(r"Checked in</dt><dd>2", counts) and re.search(r"given out here</dt><dd>2", counts)


def test_a_check_ins_address_opened_again_goes_back_to_the_desk_and_shows_no_code(client, event_at_vote) -> None:
    from pb.events.services import register_attendee

    cycle, _proposals, event, facilitator = event_at_vote()
    listed = register_attendee(event, facilitator, name="Carys").attendee  # checked in: the code was shown
    db.session.commit()
    _sign_in(client, facilitator)
    base = f"/cycles/{cycle.id}/events/{event.id}"
    for url in (f"{base}/attendees", f"{base}/attendees/{listed.id}/check-in"):
        reopened = client.get(url)
        assert (reopened.status_code, reopened.headers["Location"]) == (303, f"{base}/check-in"), url
        assert client.get(url, headers=HX).headers["HX-Redirect"] == f"{base}/check-in"
    assert client.get(f"{base}/attendees/{listed.id + 1000}/check-in").status_code == 404
    desk = client.get(f"{base}/check-in").get_data(as_text=True)
    assert not CODE.search(desk)


def test_the_live_view_polls_and_hides_running_counts_unless_allowed(client, event_at_vote, resident) -> None:
    from pb.cycles.models import StageKind
    from pb.voting.services import cast_ballot

    cycle, proposals, event, facilitator = event_at_vote()
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), resident, [proposals[0].id])
    db.session.commit()
    _sign_in(client, facilitator)
    page = client.get(f"/cycles/{cycle.id}/events/{event.id}/live").get_data(as_text=True)
    assert "<html" in page and 'hx-trigger="every 5s"' in page
    # Every channel of the whole vote is shown, the unused ones as 0; this event had no kiosk or paper votes.
    assert "Online, with an account: <strong>1</strong>" in page and "On paper: <strong>0</strong>" in page
    assert re.search(r"Votes at a kiosk here</dt><dd>0", page)
    assert "Votes for each project" not in page and proposals[0].title not in page
    fragment = client.get(f"/cycles/{cycle.id}/events/{event.id}/live", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="live"') and "<html" not in fragment


def test_only_the_events_own_people_check_in_through_the_desk(client, event_at_vote, make_user) -> None:
    from pb.events.services import register_attendee

    cycle, _proposals, event, facilitator = event_at_vote()
    listed = register_attendee(event, facilitator, name="Gwen", check_in=False).attendee
    db.session.commit()
    _sign_in(client, make_user(Role.FACILITATOR, cycle=cycle))
    base = f"/cycles/{cycle.id}/events/{event.id}"
    assert client.get(f"{base}/check-in").status_code == 403
    refused = client.submit(f"{base}/attendees/{listed.id}/check-in")
    assert refused.status_code == 403 and not CODE.search(refused.get_data(as_text=True))
    assert client.submit(f"{base}/attendees", {"name": "Huw", "check_in": "y"}).status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(Attendee.checked_in_at).where(Attendee.id == listed.id)) is None


def test_withdrawing_a_desk_batch_asks_first_because_it_is_everyones_at_the_event(
    client, event_at_vote, commissioner
) -> None:
    from pb.events.services import register_attendee
    from pb.voting.models import CodeStatus, VotingCode

    cycle, _proposals, event, _facilitator = event_at_vote()
    register_attendee(event, commissioner, name="Ann", check_in=True)
    db.session.commit()
    _sign_in(client, commissioner)
    codes = client.get(f"/cycles/{cycle.id}/voting-codes").get_data(as_text=True)
    assert "Check-in desk of Voting day at the Hub" in codes
    batch_id = int(re.search(r"/voting-codes/(\d+)/void", codes)[1])
    asked = client.submit(f"/cycles/{cycle.id}/voting-codes/{batch_id}/void", headers=HX)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Withdraw the check-in desk" in page
    assert "This withdraws 1 code given out at the check-in desk of Voting day at the Hub" in page
    assert db.session.scalar(select(VotingCode.status)) == CodeStatus.UNUSED  # nothing withdrawn yet
    done = client.submit(f"/cycles/{cycle.id}/voting-codes/{batch_id}/void", {"confirm": "yes"})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(VotingCode.status)) == CodeStatus.VOID
    assert "1 unused codes withdrawn." in client.get(done.headers["Location"]).get_data(as_text=True)
