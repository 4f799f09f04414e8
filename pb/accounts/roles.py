"""Who holds which role: an administrator gives roles and takes them away (docs/people.md).

Every account is a resident's; the other roles are given here, everywhere or in one cycle, and
each change is in the audit log. `flask pb grant-role` gives the first administrator theirs.
Commissioners also appoint their cycle's resident representatives (`cycles.services`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from pb.accounts.erasure import refuse_if_erased
from pb.accounts.models import Role, RoleGrant, User
from pb.accounts.services import grant
from pb.audit.services import record
from pb.cycles.endorsements import take_down_endorsements_of_former_councillor
from pb.db import has_every_word, session
from pb.errors import InvalidInput, NotFound
from pb.mandates.actions import Action
from pb.mandates.authority import require_cycle_action

if TYPE_CHECKING:
    from pb.cycles.models import Cycle

# The roles an administrator gives, in the order the form offers them, with what each does.
ROLE_NAMES = {
    Role.REPRESENTATIVE: _l("Resident representative"),
    Role.FACILITATOR: _l("Facilitator"),
    Role.COMMISSIONER: _l("Commissioner"),
    Role.COUNCILLOR: _l("Councillor"),
    Role.ADMIN: _l("Administrator"),
}
ROLE_HINTS = {
    Role.REPRESENTATIVE: _l("Signs each stage's mandate on behalf of residents."),
    Role.FACILITATOR: _l("Runs in-person events: check-in, voting codes, kiosks and paper ballots."),
    Role.COMMISSIONER: _l("Sets up cycles, signs mandates, reviews proposals and records the decision."),
    Role.COUNCILLOR: _l("Observes every stage, sees the dashboard and the audit log, and may endorse the cycle."),
    Role.ADMIN: _l("Gives people roles and takes them away, in every cycle."),
}
PEOPLE_PER_PAGE = 50
OPERATOR = "operator"  # the role the audit log names for `flask pb grant-role` and `revoke-role`


def role_held(role_grant: RoleGrant) -> str:
    """A role in words, with where it is held: "Resident", "Commissioner, in every cycle", "Facilitator, in …"."""
    if role_grant.role == Role.RESIDENT:
        return _("Resident")
    where = role_grant.cycle.title if role_grant.cycle else _("every cycle")
    return _("%(role)s, in %(where)s", role=ROLE_NAMES[role_grant.role], where=where)


@dataclass(frozen=True)
class PeoplePage:
    """One page of the People list: who is on it, how many match in all, and which page of how many."""

    people: list[User]
    total: int
    page: int
    pages: int

    @property
    def first(self) -> int:
        """The position of the page's first person among all that match (1 for the first)."""
        return (self.page - 1) * PEOPLE_PER_PAGE + 1


def find_people(actor: User, text: str = "", *, role: Role | None = None, page: int = 1) -> PeoplePage:
    """Accounts whose name or email address holds each word of `text` (and who hold `role`, if given), by name.

    `page` counts from 1; a page past the last (of a list that has shrunk since, say) gives the last page.
    Raises NotAuthorised unless `actor` is an administrator.
    """
    require_cycle_action(actor, Action.MANAGE_ROLES)
    query = select(User)
    if (found := has_every_word(text, User.name, User.email)) is not None:
        query = query.where(found)
    if role is not None:
        query = query.where(User.id.in_(select(RoleGrant.user_id).where(RoleGrant.role == role)))
    total = session().scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PEOPLE_PER_PAGE))
    page = min(max(page, 1), pages)
    roles_and_cycles = selectinload(User.grants).joinedload(RoleGrant.cycle)  # the list names each role's cycle
    rows = (query.options(roles_and_cycles).order_by(func.lower(User.name), User.id)
            .offset((page - 1) * PEOPLE_PER_PAGE).limit(PEOPLE_PER_PAGE))
    return PeoplePage(list(session().scalars(rows)), total, page, pages)


def get_person(actor: User, user_id: int) -> User:
    """One account, for an administrator. Raises NotAuthorised or NotFound."""
    require_cycle_action(actor, Action.MANAGE_ROLES)
    person = session().get(User, user_id)
    if person is None:
        raise NotFound(_("There is no account with that number."))
    return person


def give_role(actor: User, person: User, role: Role, cycle: Cycle | None = None) -> RoleGrant:
    """An administrator gives `person` a role, in every cycle (`cycle` None) or in one.

    Raises NotAuthorised, or InvalidInput (a role that cannot be given so, or one they hold already).
    """
    verdict = require_cycle_action(actor, Action.MANAGE_ROLES)
    return _give(person, role, cycle, actor=actor, acting_as=verdict.role)


def give_role_at_the_command_line(person: User, role: Role, cycle: Cycle | None = None) -> RoleGrant:
    """`flask pb grant-role`: whoever runs it holds the server already, so no role is asked of them."""
    return _give(person, role, cycle, actor=None, acting_as=OPERATOR)


def take_away_role(actor: User, role_grant: RoleGrant) -> list[Cycle]:
    """An administrator takes a role away. Raises NotAuthorised, or InvalidInput (see `_take_away`).

    Returns the cycles whose endorsement by the person was taken down with a councillor's role.
    """
    verdict = require_cycle_action(actor, Action.MANAGE_ROLES)
    return _take_away(role_grant, actor=actor, acting_as=verdict.role)


def take_away_role_at_the_command_line(role_grant: RoleGrant) -> list[Cycle]:
    """`flask pb revoke-role`, as `give_role_at_the_command_line`."""
    return _take_away(role_grant, actor=None, acting_as=OPERATOR)


def role_grant_of(person: User, grant_id: int) -> RoleGrant:
    """One of `person`'s roles. Raises NotFound if it is not theirs (or no longer exists)."""
    found = next((g for g in person.grants if g.id == grant_id), None)
    if found is None:
        raise NotFound(_("%(name)s does not hold that role any more.", name=person.name))
    return found


def held_role(person: User, role: Role, cycle: Cycle | None) -> RoleGrant | None:
    """The grant of exactly this role, everywhere (`cycle` None) or in this cycle."""
    cycle_id = cycle.id if cycle else None
    return next((g for g in person.grants if g.role == role and g.cycle_id == cycle_id), None)


def _give(person: User, role: Role, cycle: Cycle | None, *, actor: User | None, acting_as: str) -> RoleGrant:
    refuse_if_erased(person)
    if role not in ROLE_NAMES:
        raise InvalidInput(_("Everyone with an account is a resident already. Choose another role."), field="role")
    if role == Role.ADMIN and cycle is not None:
        raise InvalidInput(_("Administrators look after the people of every cycle: choose every cycle."),
                           field="cycle")
    if held_role(person, role, None) is not None:
        raise InvalidInput(_("%(person)s has this role in every cycle already.", person=person.name), field="role")
    if cycle is not None and held_role(person, role, cycle) is not None:
        raise InvalidInput(_("%(person)s has this role in this cycle already.", person=person.name), field="role")
    role_grant = grant(person, role, cycle.id if cycle else None)
    record("account.give_role", actor=actor, role=acting_as, cycle_id=cycle.id if cycle else None,
           subject=person.name, detail={"user_id": person.id, "role": role.value})
    return role_grant


def _take_away(role_grant: RoleGrant, *, actor: User | None, acting_as: str) -> list[Cycle]:
    """Refuses the resident role (every account's) and the last administrator's, so someone can always give roles.

    A councillor's endorsements of cycles they are no longer a councillor of come down with the role.
    """
    person = role_grant.user
    if role_grant.role == Role.RESIDENT:
        raise InvalidInput(_("Everyone with an account is a resident: that role cannot be taken away."))
    if role_grant.role == Role.ADMIN and _administrators() == 1:
        raise InvalidInput(_("%(person)s is the only administrator. Make someone else an administrator first, "
                             "so that someone can still give people roles.", person=person.name))
    cycle_id = role_grant.cycle_id
    person.grants.remove(role_grant)
    session().flush()
    record("account.take_away_role", actor=actor, role=acting_as, cycle_id=cycle_id,
           subject=person.name, detail={"user_id": person.id, "role": role_grant.role.value})
    if role_grant.role != Role.COUNCILLOR:
        return []
    return take_down_endorsements_of_former_councillor(person, actor=actor, acting_as=acting_as)


def _administrators() -> int:
    query = select(func.count()).select_from(RoleGrant).where(RoleGrant.role == Role.ADMIN)
    return session().scalar(query) or 0
