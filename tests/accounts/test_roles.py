"""Administrators give people roles and take them away; `flask pb grant-role` makes the first one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pb.accounts import roles
from pb.accounts.models import Role
from pb.accounts.services import find_by_email, has_role
from pb.audit.models import AuditEntry
from pb.audit.services import verify
from pb.db import db
from pb.errors import InvalidInput, NotAuthorised, NotFound


@pytest.fixture
def admin(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.ADMIN, name="Aled Admin")


def _log(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


# The services


def test_an_administrator_gives_a_role_in_one_cycle_and_it_is_logged(admin, resident, make_cycle) -> None:
    cycle, other = make_cycle(), make_cycle(title="Another")
    role_grant = roles.give_role(admin, resident, Role.FACILITATOR, cycle)
    db.session.commit()
    assert has_role(resident, Role.FACILITATOR, cycle.id) and not has_role(resident, Role.FACILITATOR, other.id)
    assert roles.role_held(role_grant) == f"Facilitator, in {cycle.title}"
    [entry] = _log("account.give_role")
    assert (entry.actor_id, entry.role, entry.cycle_id, entry.subject) == (admin.id, "admin", cycle.id, resident.name)
    assert entry.detail == {"user_id": resident.id, "role": "facilitator"}
    assert verify().ok


def test_a_role_in_every_cycle_reaches_cycles_made_later(admin, resident, make_cycle) -> None:
    roles.give_role(admin, resident, Role.COUNCILLOR)
    later = make_cycle(title="Made later")
    assert has_role(resident, Role.COUNCILLOR, later.id)


def test_nobody_but_an_administrator_gives_or_takes_away_roles(make_user, commissioner, resident) -> None:
    councillor = make_user(Role.COUNCILLOR)
    for actor in (commissioner, resident, councillor):
        with pytest.raises(NotAuthorised) as refused:
            roles.give_role(actor, resident, Role.COMMISSIONER)
        assert refused.value.clause == "roles.admin"
        with pytest.raises(NotAuthorised):
            roles.take_away_role(actor, councillor.grants[-1])
        with pytest.raises(NotAuthorised):
            roles.find_people(actor)
    assert not has_role(resident, Role.COMMISSIONER)
    assert has_role(councillor, Role.COUNCILLOR)


def test_roles_that_cannot_be_given_so_are_refused_on_their_field(admin, resident, make_cycle) -> None:
    cycle = make_cycle()
    refusals = [
        (lambda: roles.give_role(admin, resident, Role.RESIDENT), "role", "a resident already"),
        (lambda: roles.give_role(admin, resident, Role.ADMIN, cycle), "cycle", "choose every cycle"),
    ]
    roles.give_role(admin, resident, Role.COMMISSIONER)
    refusals.append((lambda: roles.give_role(admin, resident, Role.COMMISSIONER), "role", "in every cycle already"))
    refusals.append((lambda: roles.give_role(admin, resident, Role.COMMISSIONER, cycle), "role",
                     "in every cycle already"))
    roles.give_role(admin, resident, Role.FACILITATOR, cycle)
    refusals.append((lambda: roles.give_role(admin, resident, Role.FACILITATOR, cycle), "role",
                     "in this cycle already"))
    for attempt, field, words in refusals:
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert refused.value.field == field and words in refused.value.message
    assert len(_log("account.give_role")) == 2


def test_taking_a_role_away_ends_it_at_once_and_is_logged(admin, make_user, make_cycle) -> None:
    cycle = make_cycle()
    facilitator = make_user(Role.FACILITATOR, cycle=cycle)
    roles.take_away_role(admin, roles.held_role(facilitator, Role.FACILITATOR, cycle))
    db.session.commit()
    db.session.expire_all()
    assert not has_role(find_by_email(facilitator.email), Role.FACILITATOR, cycle.id)
    [entry] = _log("account.take_away_role")
    assert (entry.cycle_id, entry.detail) == (cycle.id, {"user_id": facilitator.id, "role": "facilitator"})


def test_the_resident_role_and_the_last_administrator_stay(admin, make_user, resident) -> None:
    with pytest.raises(InvalidInput, match="cannot be taken away"):
        roles.take_away_role(admin, resident.grants[0])
    with pytest.raises(InvalidInput, match="only administrator"):
        roles.take_away_role(admin, roles.held_role(admin, Role.ADMIN, None))
    second = make_user(Role.ADMIN)
    roles.take_away_role(second, roles.held_role(admin, Role.ADMIN, None))  # now there is another
    assert not has_role(admin, Role.ADMIN) and has_role(second, Role.ADMIN)
    assert has_role(resident, Role.RESIDENT)


def test_finding_people_by_name_or_email_address_with_the_total(admin, make_user) -> None:
    make_user(name="Gwen Jones")
    make_user(name="Gwenllian Evans")
    make_user(name="100% Sure")
    found = roles.find_people(admin, "  GWEN ")
    assert [p.name for p in found.people] == ["Gwen Jones", "Gwenllian Evans"] and found.total == 2
    assert [p.name for p in roles.find_people(admin, "%").people] == ["100% Sure"]  # a wildcard is a character
    assert roles.find_people(admin, "person2@example").total == 1
    assert [p.name for p in roles.find_people(admin, "gwen  jones").people] == ["Gwen Jones"]  # a double space
    assert [p.name for p in roles.find_people(admin, "Jones Gwen").people] == ["Gwen Jones"]  # words in any order
    assert roles.find_people(admin).total == 4
    make_user(name="Ŵyn Ŷd")
    assert [p.name for p in roles.find_people(admin, "ŵyn").people] == ["Ŵyn Ŷd"]  # beyond ASCII, on both databases


def test_the_list_comes_a_page_at_a_time_and_narrows_to_a_role(admin, make_user, commissioner) -> None:
    for n in range(roles.PEOPLE_PER_PAGE * 2 + 3):
        make_user(name=f"Resident {n:03}")
    first = roles.find_people(admin)
    everyone = first.total
    assert (first.page, first.pages, first.first, len(first.people)) == (1, 3, 1, roles.PEOPLE_PER_PAGE)
    last = roles.find_people(admin, page=3)
    assert (last.page, last.first, len(last.people)) == (3, 101, everyone - 100)
    pages = [first.people, roles.find_people(admin, page=2).people, last.people]
    assert len({p.id for page in pages for p in page}) == everyone  # nobody twice, nobody left out
    assert roles.find_people(admin, page=99).page == 3 and roles.find_people(admin, page=-1).page == 1
    commissioners = roles.find_people(admin, role=Role.COMMISSIONER)
    assert [p.id for p in commissioners.people] == [commissioner.id]
    assert roles.find_people(admin, "Resident 007", role=Role.ADMIN).total == 0
    assert [p.name for p in roles.find_people(admin, "Resident 007").people] == ["Resident 007"]
    empty = roles.find_people(admin, role=Role.FACILITATOR)
    assert (empty.total, empty.page, empty.pages, empty.people) == (0, 1, 1, [])


def test_one_of_someone_elses_roles_is_not_found_through_them(admin, make_user, resident) -> None:
    other = make_user(Role.COMMISSIONER)
    with pytest.raises(NotFound):
        roles.role_grant_of(resident, other.grants[-1].id)
    with pytest.raises(NotFound):
        roles.get_person(admin, 10_000)


# The command line


def test_grant_role_makes_the_first_administrator_and_revoke_role_undoes_a_role(app, resident, make_cycle) -> None:
    cycle = make_cycle()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["pb", "grant-role", resident.email.upper(), "admin"])
    assert result.exit_code == 0, result.output
    assert f"{resident.email} (Rhian Resident) now holds this role: Administrator, in every cycle." in result.output
    result = runner.invoke(args=["pb", "grant-role", resident.email, "councillor", "--cycle", str(cycle.id)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert has_role(resident, Role.ADMIN) and has_role(resident, Role.COUNCILLOR, cycle.id)
    assert [e.role for e in _log("account.give_role")] == ["operator", "operator"]
    assert _log("account.give_role")[0].actor_id is None

    result = runner.invoke(args=["pb", "revoke-role", resident.email, "councillor", "--cycle", str(cycle.id)])
    assert result.exit_code == 0 and "no longer holds this role: Councillor, in" in result.output
    db.session.expire_all()
    assert not has_role(resident, Role.COUNCILLOR, cycle.id)


def test_the_role_commands_refuse_what_they_cannot_do_and_change_nothing(app, resident, make_user,
                                                                         make_cycle) -> None:
    cycle = make_cycle()
    runner = app.test_cli_runner()
    cases = [
        (["grant-role", "nobody@example.org", "admin"], "No account has the email address nobody@example.org"),
        (["grant-role", resident.email, "commissioner", "--cycle", "999"], "There is no cycle 999"),
        (["grant-role", resident.email, "admin", "--cycle", str(cycle.id)], "choose every cycle"),
        (["revoke-role", resident.email, "facilitator"], "does not hold the facilitator role in every cycle"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["pb", *args])
        assert result.exit_code == 1, args
        assert message in result.output and "othing was changed" in result.output, result.output
    admin = make_user(Role.ADMIN)
    result = runner.invoke(args=["pb", "revoke-role", admin.email, "admin"])
    assert result.exit_code == 1 and "only administrator" in result.output and "Nothing was changed." in result.output
    bogus = runner.invoke(args=["pb", "grant-role", resident.email, "resident"])
    assert bogus.exit_code == 2  # not a role that is given
    db.session.expire_all()
    assert [g.role for g in find_by_email(resident.email).grants] == [Role.RESIDENT]


def test_taking_a_councillors_role_away_takes_down_their_endorsements_where_they_no_longer_hold_it(
    admin, resident, make_cycle
) -> None:
    from pb.cycles.endorsements import endorse, endorsements_of

    riverside, harbour = make_cycle(title="Riverside"), make_cycle(title="Harbour")
    in_harbour = roles.give_role(admin, resident, Role.COUNCILLOR, harbour)
    everywhere = roles.give_role(admin, resident, Role.COUNCILLOR)
    endorse(riverside, resident, "Vote for the river!")
    endorse(harbour, resident, "And the harbour.")
    assert [c.title for c in roles.take_away_role(admin, everywhere)] == ["Riverside"]
    assert endorsements_of(riverside) == [] and len(endorsements_of(harbour)) == 1  # still a councillor there
    assert [c.title for c in roles.take_away_role(admin, in_harbour)] == ["Harbour"]
    assert endorsements_of(harbour) == []
    (entry,) = [e for e in _log("cycle.withdraw_endorsement") if e.cycle_id == riverside.id]
    assert entry.actor_id == admin.id and entry.detail == {"user_id": resident.id, "because": "role_taken_away"}
    assert verify().ok
