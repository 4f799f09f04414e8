"""Removing a person's personal data from Cyd, at their request (docs/people.md, "Removing an account").

The account is emptied, not deleted: what the person gave a public process stays part of it, and
every row that names the account (a proposal, a comment, a pledge, a ballot's participation)
keeps its id, so the cycle's counts and history still add up. What goes:

- the name (now ERASED_NAME) and the email address (now one that cannot receive mail);
- the password, so nobody can sign in, and every session ends;
- the postcode and date of birth;
- every role but the resident's, which every account holds;
- what was private to the person: their proposal drafts; and their endorsements, which say
  nothing without their name.

What stays: their proposals, comments and the other things they said in public, now from
ERASED_NAME; their ballots, which never named them; and the audit log as it was written, since
its entries are chained by hash and cannot change. docs/people.md says this to the person
before they confirm.

A person who holds a role besides the resident's has acted for the council or for residents:
an administrator takes those roles away first, deliberately.
"""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import delete

from pb.accounts.models import Role, User
from pb.accounts.services import check_password
from pb.audit.services import record
from pb.cycles.models import Endorsement
from pb.db import session
from pb.errors import InvalidInput
from pb.mandates.actions import Action
from pb.mandates.authority import require_cycle_action
from pb.proposals.models import ProposalDraft

# Stored as data, so in both of the site's languages at once.
ERASED_NAME = "Former member · Cyn-aelod"
ERASED_DOMAIN = "erased.invalid"  # .invalid never resolves (RFC 2606): no email can reach it


def is_erased(user: User) -> bool:
    return user.email.endswith("@" + ERASED_DOMAIN)


def refuse_if_erased(person: User) -> None:
    """Raises InvalidInput if the account has been emptied: nothing may be given to it, or put back."""
    if is_erased(person):
        raise InvalidInput(_("This account has been removed: nothing more can be done with it."))


def erase_own_account(person: User, password: str) -> None:
    """A signed-in person removes their own personal data, giving their password.

    Raises InvalidInput for a wrong password, or if they hold a role besides the resident's.
    """
    check_password(person, password, field="password")
    if holds_other_roles(person):
        raise InvalidInput(_("You hold a role besides a resident's. Ask an administrator to take it away first, "
                             "then remove your account."))
    _erase(person)
    record("account.erase", actor=None, role="self", detail={"user_id": person.id})


def erase_account(actor: User, person: User) -> None:
    """An administrator removes a person's personal data, at the person's request.

    Raises NotAuthorised, or InvalidInput if it is their own account or the person holds a
    role besides the resident's.
    """
    verdict = require_cycle_action(actor, Action.MANAGE_ACCOUNTS)
    if person.id == actor.id:
        raise InvalidInput(_("You cannot remove your own account from here. Ask another administrator."))
    if holds_other_roles(person):
        raise InvalidInput(_("%(person)s holds a role besides a resident's. Take it away first, then remove "
                             "the account.", person=person.name))
    _erase(person)
    record("account.erase", actor=actor, role=verdict.role, detail={"user_id": person.id})


def holds_other_roles(person: User) -> bool:
    """True if the person holds a role besides the resident's: their account stays until it is taken away."""
    return any(g.role != Role.RESIDENT for g in person.grants)


def _erase(person: User) -> None:
    refuse_if_erased(person)
    person.name = ERASED_NAME
    person.email = f"erased-{person.id}@{ERASED_DOMAIN}"
    # Not a hash argon2 can read: every password is wrong, and the changed hash breaks every session's seal.
    person.password_hash = "erased:" + secrets.token_hex(16)
    person.postcode = None
    person.date_of_birth = None
    db = session()
    db.execute(delete(ProposalDraft).where(ProposalDraft.author_id == person.id))
    db.execute(delete(Endorsement).where(Endorsement.user_id == person.id))
    db.flush()
