"""An administrator looks after people's accounts: their name and email address, and a forgotten password.

People change their own name and address from *Your account* (pb/accounts/email_change.py);
this is where the council team does it for someone who asks, or who can no longer reach their
old inbox. Each change is in the audit log, naming the fields changed, not what they held.
"""

from __future__ import annotations

from pb.accounts import password_reset
from pb.accounts.email_change import refuse_if_taken, tell_old_address
from pb.accounts.erasure import refuse_if_erased
from pb.accounts.models import User
from pb.accounts.services import clean_name, normalise_email
from pb.audit.services import record
from pb.db import session
from pb.mandates.actions import Action
from pb.mandates.authority import require_cycle_action


def change_details(actor: User, person: User, name: str, email: str) -> list[str]:
    """An administrator gives `person` a new name or email address; the fields changed ("name", "email").

    When the address changes, the old one is told (if this installation sends email), so that
    nobody's account moves to another inbox unseen. Raises NotAuthorised, InvalidInput (an empty
    or too long name), or Conflict (another account has the address).
    """
    verdict = require_cycle_action(actor, Action.MANAGE_ACCOUNTS)
    refuse_if_erased(person)
    name, email = clean_name(name), normalise_email(email)
    refuse_if_taken(person, email)
    changed = [field for field, new in (("name", name), ("email", email)) if getattr(person, field) != new]
    if not changed:
        return []
    old_email = person.email
    person.name, person.email = name, email
    session().flush()
    record("account.change_details", actor=actor, role=verdict.role, subject=person.name,
           detail={"user_id": person.id, "changed": changed})
    if "email" in changed:
        tell_old_address(person, old_email, by_council=True)
    return changed


def send_reset_link_for(actor: User, person: User) -> None:
    """An administrator sends `person` the email a forgotten password gets (pb/accounts/password_reset.py).

    The administrator never sees the link: it goes to the account's own address. Raises
    NotAuthorised, or password_reset.NoEmail when this installation sends no email.
    """
    verdict = require_cycle_action(actor, Action.MANAGE_ACCOUNTS)
    refuse_if_erased(person)
    record("account.send_reset_link", actor=actor, role=verdict.role, subject=person.name,
           detail={"user_id": person.id})
    password_reset.send_reset_link(person.email)  # held until the entry is saved (pb/mail.py)
