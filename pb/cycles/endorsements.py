"""Councillors' endorsements of a cycle: a public word that they stand behind it (docs/people.md).

The evidence behind co-production finds that councillors lend it legitimacy and bring residents
to it. A councillor of the cycle may endorse it, with a statement residents read on the cycle's
page, change the statement, or take the endorsement back; each is in the audit log.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Cycle, Endorsement
from pb.db import session, utcnow
from pb.errors import InvalidInput
from pb.mandates.actions import Action
from pb.mandates.authority import require_cycle_action

MAX_STATEMENT = 1000


def endorsements_of(cycle: Cycle) -> list[Endorsement]:
    """The cycle's endorsements, the first given first."""
    query = (
        select(Endorsement)
        .where(Endorsement.cycle_id == cycle.id)
        .options(joinedload(Endorsement.user))
        .order_by(Endorsement.endorsed_at, Endorsement.id)
    )
    return list(session().scalars(query))


def endorsement_by(cycle: Cycle, user: User) -> Endorsement | None:
    if not getattr(user, "is_authenticated", False):
        return None
    query = select(Endorsement).where(Endorsement.cycle_id == cycle.id, Endorsement.user_id == user.id)
    return session().scalar(query)


def endorse(cycle: Cycle, actor: User, statement: str) -> Endorsement:
    """A councillor endorses the cycle, or changes what their endorsement says.

    Raises NotAuthorised (not a councillor of the cycle) or InvalidInput (a statement too long).
    """
    verdict = require_cycle_action(actor, Action.ENDORSE_CYCLE, cycle)
    statement = statement.strip()
    if len(statement) > MAX_STATEMENT:
        raise InvalidInput(_("Keep the statement to %(num)d characters or fewer.", num=MAX_STATEMENT),
                           field="statement")
    endorsement = endorsement_by(cycle, actor)
    changed = endorsement is not None
    if endorsement is None:
        endorsement = Endorsement(cycle_id=cycle.id, user_id=actor.id, endorsed_at=utcnow())
        session().add(endorsement)
    endorsement.statement = statement
    session().flush()
    record("cycle.endorse", actor=actor, role=verdict.role, cycle_id=cycle.id, subject=actor.name,
           detail={"statement": statement, "changed": changed})
    return endorsement


def withdraw_endorsement(cycle: Cycle, actor: User) -> None:
    """A councillor takes their endorsement back. Raises NotAuthorised, or InvalidInput if they had none."""
    verdict = require_cycle_action(actor, Action.ENDORSE_CYCLE, cycle)
    endorsement = endorsement_by(cycle, actor)
    if endorsement is None:
        raise InvalidInput(_("You have not endorsed this cycle, so there is nothing to take back."))
    session().delete(endorsement)
    session().flush()
    record("cycle.withdraw_endorsement", actor=actor, role=verdict.role, cycle_id=cycle.id, subject=actor.name)


def take_down_endorsements_of_former_councillor(person: User, *, actor: User | None, acting_as: str) -> list[Cycle]:
    """After a councillor's role is taken away: their endorsements of cycles they are no longer a councillor of.

    "Councillor X endorses this cycle" would no longer be true. Each is taken down, in the audit
    log as withdrawn by whoever took the role away. Returns the cycles, by title.
    """
    from pb.accounts.models import Role
    from pb.accounts.services import has_role

    taken_down = []
    query = select(Endorsement).where(Endorsement.user_id == person.id).options(joinedload(Endorsement.cycle))
    for endorsement in session().scalars(query):
        if has_role(person, Role.COUNCILLOR, endorsement.cycle_id):
            continue
        taken_down.append(endorsement.cycle)
        session().delete(endorsement)
        record("cycle.withdraw_endorsement", actor=actor, role=acting_as, cycle_id=endorsement.cycle_id,
               subject=person.name, detail={"user_id": person.id, "because": "role_taken_away"})
    session().flush()
    return sorted(taken_down, key=lambda cycle: cycle.title)
