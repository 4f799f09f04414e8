"""Removing an account's personal data: by its holder or an administrator; what goes, what stays, and who may."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pb.accounts import erasure, people
from pb.accounts.models import Role, User
from pb.accounts.roles import give_role
from pb.accounts.services import authenticate, sign_up
from pb.audit.models import AuditEntry
from pb.audit.services import verify
from pb.cycles.models import Endorsement, StageKind
from pb.db import db
from pb.errors import InvalidInput, NotAuthorised
from pb.proposals.models import ProposalDraft
from pb.voting.counts import active_ballots
from pb.voting.services import cast_ballot
from tests.conftest import HX, PASSWORD


@pytest.fixture
def voted(open_vote, resident):  # type: ignore[no-untyped-def]
    """An open vote the resident wrote a proposal for and voted in, with a draft and a date of birth of theirs."""
    from datetime import date

    cycle, proposals = open_vote()
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), resident, [proposals[0].id])
    resident.postcode, resident.date_of_birth = "CF11 6AB", date(1980, 5, 1)
    db.session.add(ProposalDraft(cycle_id=cycle.id, author_id=resident.id, data={"title": "Half an idea"}))
    db.session.commit()
    return cycle, proposals


def test_a_person_removes_their_account_and_what_they_said_in_public_and_their_vote_stay(
    app, voted, resident
) -> None:
    cycle, proposals = voted
    email = resident.email
    erasure.erase_own_account(resident, PASSWORD)
    db.session.commit()
    db.session.expire_all()
    person = db.session.get(User, resident.id)
    assert person.name == erasure.ERASED_NAME and person.email == f"erased-{person.id}@erased.invalid"
    assert (person.postcode, person.date_of_birth) == (None, None) and erasure.is_erased(person)
    with pytest.raises(InvalidInput):
        authenticate(email, PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(ProposalDraft)) == 0
    assert proposals[0].author.name == erasure.ERASED_NAME  # their proposal stands, from a former member
    assert active_ballots(cycle.stage_of_kind(StageKind.VOTE)) == [[proposals[0].id]]  # their vote still counts
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.erase"))
    assert entry.actor_id is None and entry.actor_name is None and entry.detail == {"user_id": person.id}
    assert verify().ok
    assert sign_up(email, "Rhian Resident", PASSWORD).id != person.id  # the address is free again


def test_a_wrong_password_or_a_role_keeps_the_account(make_user, resident) -> None:
    facilitator = make_user(Role.FACILITATOR)
    with pytest.raises(InvalidInput, match="password is not right") as wrong:
        erasure.erase_own_account(resident, "not my password")
    assert wrong.value.field == "password"
    with pytest.raises(InvalidInput, match="Ask an administrator"):
        erasure.erase_own_account(facilitator, PASSWORD)
    db.session.rollback()
    assert not erasure.is_erased(resident) and not erasure.is_erased(facilitator)


def test_an_administrator_removes_an_account_and_nothing_more_is_done_with_it(app, make_user, make_cycle,
                                                                              resident) -> None:
    admin = make_user(Role.ADMIN)
    cycle = make_cycle()
    councillor = make_user(Role.COUNCILLOR, cycle=cycle)
    db.session.add(Endorsement(cycle_id=cycle.id, user_id=councillor.id, statement="Vote!"))
    councillor.grants[:] = [g for g in councillor.grants if g.role == Role.RESIDENT]  # the role taken away first
    erasure.erase_account(admin, councillor)
    assert db.session.scalar(select(func.count()).select_from(Endorsement)) == 0
    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.erase"))
    assert entry.actor_id == admin.id and entry.role == "admin"
    with app.test_request_context():
        for attempt in (lambda: erasure.erase_account(admin, councillor),
                        lambda: people.change_details(admin, councillor, "Cerys", "cerys@example.org"),
                        lambda: people.send_reset_link_for(admin, councillor),
                        lambda: give_role(admin, councillor, Role.COMMISSIONER)):
            with pytest.raises(InvalidInput, match="removed"):
                attempt()
    assert resident.name == "Rhian Resident"


def test_only_an_administrator_removes_another_account_and_never_their_own_or_one_with_a_role(
    make_user, commissioner, resident
) -> None:
    admin, facilitator = make_user(Role.ADMIN), make_user(Role.FACILITATOR)
    with pytest.raises(NotAuthorised):
        erasure.erase_account(commissioner, resident)
    with pytest.raises(InvalidInput, match="your own account"):
        erasure.erase_account(admin, admin)
    with pytest.raises(InvalidInput, match="Take it away first"):
        erasure.erase_account(admin, facilitator)
    assert not any(erasure.is_erased(p) for p in (resident, facilitator, admin))


def test_the_reset_email_is_never_sent_to_a_removed_account(app, make_user, resident) -> None:
    from pb.accounts.password_reset import send_reset_link
    from pb.mail import outbox

    erasure.erase_account(make_user(Role.ADMIN), resident)
    with app.test_request_context():
        send_reset_link(resident.email)
    assert outbox() == []


# Views


def test_a_person_removes_their_own_account_from_your_account_with_and_without_htmx(
    client, login_as, resident
) -> None:
    login_as(resident)
    assert 'href="/account/remove"' in client.get("/account").get_data(as_text=True)
    page = client.get("/account/remove").get_data(as_text=True)
    assert "What goes" in page and "What stays" in page and "Remove my account" in page
    for headers in ({}, HX):
        for data, message in (({"password": ""}, "Enter your password."),
                              ({"password": "wrong password"}, "Your password is not right.")):
            refused = client.submit("/account/remove", data, headers=headers)
            assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    removed = client.submit("/account/remove", {"password": PASSWORD}, headers=HX)
    assert removed.status_code == 204 and removed.headers["HX-Redirect"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Your account has been removed, and you are signed out." in home and "Sign out" not in home
    assert client.get("/account").status_code == 302


def test_someone_with_a_role_is_told_to_ask_an_administrator_and_offered_no_form(client, login_as,
                                                                                make_user) -> None:
    facilitator = make_user(Role.FACILITATOR)
    login_as(facilitator)
    page = client.get("/account/remove").get_data(as_text=True)
    assert "Ask an administrator to take the role away first" in page and 'name="password"' not in page
    assert client.submit("/account/remove", {"password": PASSWORD}).status_code == 409
    assert not erasure.is_erased(facilitator)


def test_an_administrator_removes_an_account_from_the_persons_page(client, login_as, make_user,
                                                                   resident) -> None:
    admin = make_user(Role.ADMIN)
    login_as(admin)
    page = client.get(f"/people/{resident.id}").get_data(as_text=True)
    assert f'href="/people/{resident.id}/remove"' in page
    confirm = client.get(f"/people/{resident.id}/remove").get_data(as_text=True)
    assert "Remove Rhian Resident's account" in confirm and "What stays" in confirm
    removed = client.submit(f"/people/{resident.id}/remove")
    assert removed.status_code == 303
    page = client.get(removed.location).get_data(as_text=True)
    assert "The account has been removed: its personal data is gone." in page
    assert "Give a role" not in page and "Change" not in page and resident.email not in page
    again = client.get(f"/people/{resident.id}/remove").get_data(as_text=True)
    assert "nothing more can be done with it" in again and "Remove the account" not in again
    own = client.get(f"/people/{admin.id}/remove").get_data(as_text=True)
    assert "You cannot remove your own account from here." in own and "Remove the account" not in own
