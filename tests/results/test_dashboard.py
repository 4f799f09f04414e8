from __future__ import annotations

from pb.accounts.models import Role
from pb.cycles.models import StageKind
from pb.cycles.services import close_stage
from pb.db import db
from pb.results.dashboard import NOT_KNOWN, dashboard
from pb.voting.services import cast_ballot
from tests.conftest import PASSWORD


def test_the_dashboard_counts_channels_districts_days_and_contributions(open_vote, make_user, commissioner) -> None:
    cycle, (a, b, _c) = open_vote()
    a.volunteer_hours, b.volunteer_hours = 40, 10
    voters = [make_user() for _ in range(3)]
    voters[0].postcode, voters[1].postcode = "CF11 6AB", "cf11 7zz"
    for voter in voters:
        cast_ballot(cycle.stage_of_kind(StageKind.VOTE), voter, [a.id])
    close_stage(cycle.stage_of_kind(StageKind.VOTE), commissioner)
    board = dashboard(cycle)
    assert board.ballots == 3 and board.by_channel == {"online": 3}
    assert board.by_area == {"CF11": 2, NOT_KNOWN: 1}
    assert sum(n for _day, n in board.by_day) == 3
    # Greedy funds A (3 votes), then B, which still fits (it had no votes; C no longer fits).
    assert (board.funded, board.budget_used) == (2, a.cost + b.cost)
    assert (board.volunteer_hours_offered, board.volunteer_hours_funded) == (50, 50)


def test_only_commissioners_representatives_and_councillors_see_it(
    client, open_vote, commissioner, representative, make_user, make_cycle
) -> None:
    cycle, _ = open_vote()
    db.session.commit()
    for person, status in (
        (commissioner, 200),
        (representative, 200),
        (make_user(), 403),
        (make_user(Role.COMMISSIONER, cycle=None), 200),
        (make_user(Role.COUNCILLOR, cycle=cycle), 200),
        (make_user(Role.COUNCILLOR, cycle=make_cycle(title="Another")), 403),
    ):
        client.csrf = None
        client.submit("/sign-in", {"email": person.email, "password": PASSWORD})
        response = client.get(f"/cycles/{cycle.id}/dashboard")
        assert response.status_code == status
        if status == 200:
            assert "Ballots by channel" in response.get_data(as_text=True)
        client.submit("/sign-out")


def test_the_dashboard_names_the_unknown_district_and_the_days_in_the_readers_language(
    client, login_as, open_vote, make_user, commissioner
) -> None:
    from flask_babel import format_date

    from pb.db import utcnow

    cycle, (a, _b, _c) = open_vote()
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), make_user(), [a.id])  # no postcode: district not known
    db.session.commit()
    login_as(commissioner)
    english = client.get(f"/cycles/{cycle.id}/dashboard").get_data(as_text=True)
    assert '<th scope="row">not known</th>' in english
    assert f'<th scope="row">{format_date(utcnow(), "d MMMM yyyy")}</th>' in english  # not 2026-12-07
    client.get("/language/cy?next=/")
    welsh = client.get(f"/cycles/{cycle.id}/dashboard").get_data(as_text=True)
    assert '<th scope="row">not known</th>' not in welsh and '<th scope="row">anhysbys</th>' in welsh


def test_ballots_count_on_the_councils_day_not_utcs(open_vote, make_user, monkeypatch) -> None:
    from datetime import UTC, date, datetime

    import pb.audit.services

    cycle, (a, _b, _c) = open_vote()
    vote = cycle.stage_of_kind(StageKind.VOTE)
    for at in (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), datetime(2026, 7, 1, 23, 30, tzinfo=UTC)):  # 00:30 BST
        monkeypatch.setattr(pb.audit.services, "utcnow", lambda at=at: at)
        cast_ballot(vote, make_user(), [a.id])
    assert dashboard(cycle).by_day == [(date(2026, 7, 1), 1), (date(2026, 7, 2), 1)]
