"""Accounts: sign-up, sign-in, password hashing (argon2id) and role grants."""

from __future__ import annotations

import hmac
import re
from datetime import date
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from pb.accounts.models import Role, RoleGrant, User
from pb.db import session
from pb.errors import Conflict, InvalidInput

MIN_PASSWORD_LENGTH = 10
NAME_LENGTH = 120


# argon2id at OWASP's recommended cost (Password Storage Cheat Sheet: 19 MiB, 2 passes, 1 lane),
# not argon2-cffi's default (64 MiB, 3 passes, 4 lanes). A final-hour crowd signs in in bursts:
# at the default, one sign-in took ~160 ms of CPU across both cores of a small server and
# twenty at once needed 1.3 GB; at this cost, ~20 ms and 380 MB. docs/deployment.md gives the
# reasons. Hashes made at another cost are re-made at this one at the next sign-in.
PASSWORD_COST = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}


@cache
def _hasher(fast: bool) -> PasswordHasher:
    # The test suite hashes hundreds of passwords; full-strength argon2 would dominate its run time.
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher(**PASSWORD_COST)


def hasher() -> PasswordHasher:
    return _hasher(_fast_hashes())


def _fast_hashes() -> bool:
    return bool(current_app.config.get("PASSWORD_HASH_FAST"))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def sign_up(email: str, name: str, password: str) -> User:
    """Create a resident's account.

    Raises InvalidInput for a short password, Conflict if the email is already registered.
    """
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("Your password must be at least %(num)d characters.", num=MIN_PASSWORD_LENGTH), field="password"
        )
    taken = Conflict(_("An account with that email address already exists. Sign in instead."), field="email")
    if find_by_email(email) is not None:
        raise taken
    user = User(email=email, name=name.strip(), password_hash=hasher().hash(password))
    user.grants.append(RoleGrant(role=Role.RESIDENT))
    try:
        with session().begin_nested():
            session().add(user)
            session().flush()
    except IntegrityError:
        if find_by_email(email) is None:
            raise
        raise taken from None  # the same form sent twice at once, by a double tap on a slow phone
    return user


# A real hash to check against when the email is unknown, so both paths take the same time: made
# once per hasher, since making it on every such sign-in would make an unknown email the slower one.
_DUMMY_PASSWORD = "not-a-real-password-at-all"


@cache
def _dummy_hash(fast: bool) -> str:
    return _hasher(fast).hash(_DUMMY_PASSWORD)


def authenticate(email: str, password: str) -> User:
    """Return the user whose email and password these are.

    Raises InvalidInput with one message for an unknown email or a wrong password.
    """
    user = find_by_email(email)
    stored = user.password_hash if user else _dummy_hash(_fast_hashes())
    try:
        hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        raise InvalidInput(_("Enter a correct email address and password."), field="email")
    if hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hasher().hash(password)
    return user


def find_by_email(email: str) -> User | None:
    return session().scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


@cache
def _user_with_grants() -> Select[tuple[User]]:
    """Built once, as cycles.services._cycle_with_stages is: every signed-in request makes this query."""
    return select(User).where(User.id == bindparam("user_id")).options(joinedload(User.grants))


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader, given what `User.get_id` put in the session ("id:seal").

    None, so signed out, if the seal no longer matches: the password has changed since. The
    person's roles come in the same query: most pages ask for them.
    """
    user_id, _sep, seal = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = session().execute(_user_with_grants(), {"user_id": int(user_id)}).unique().scalar_one_or_none()
    if user is None or not hmac.compare_digest(seal, user.password_seal()):
        return None
    return user


def change_password(user: User, current: str, new: str) -> None:
    """A signed-in person's new password, given their current one. Every other session of theirs ends.

    Raises InvalidInput if `current` is not their password or `new` is too short.
    """
    check_password(user, current, "current_password",
                   message=_("Your current password is not right. Check it and try again."))
    set_password(user, new, field="new_password")


def set_password(user: User, new: str, field: str = "password") -> None:
    """Give an account a new password (an operator's `flask pb set-password`, or change_password).

    Every session signed in with the old password ends (`User.get_id`). Raises InvalidInput if
    `new` is too short.
    """
    if len(new) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_("Your password must be at least %(num)d characters.", num=MIN_PASSWORD_LENGTH),
                           field=field)
    user.password_hash = hasher().hash(new)
    session().flush()


def clean_name(name: str) -> str:
    """A person's name as typed, without spaces around it. Raises InvalidInput if empty or too long."""
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise InvalidInput(_("Enter a name of up to %(num)d characters.", num=NAME_LENGTH), field="name")
    return name


def change_own_name(user: User, name: str) -> None:
    """A person's new name for their account. Raises InvalidInput (see clean_name)."""
    user.name = clean_name(name)
    session().flush()


def check_password(user: User, password: str, field: str, message: str | None = None) -> None:
    """Raises InvalidInput on `field` (with `message`, if given) unless `password` is the account's:
    asked before a change that matters."""
    try:
        hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise InvalidInput(message or _("Your password is not right. Check it and try again."), field=field) from None


def grant(user: User, role: Role, cycle_id: int | None = None) -> RoleGrant:
    """Give `user` a role, everywhere or in one cycle; granting twice changes nothing."""
    for existing in user.grants:
        if existing.role == role and existing.cycle_id == cycle_id:
            return existing
    role_grant = RoleGrant(role=role, cycle_id=cycle_id)
    user.grants.append(role_grant)
    session().flush()
    return role_grant


def has_role(user: User | None, role: Role, cycle_id: int | None = None) -> bool:
    """True if `user` holds `role` everywhere, or in the given cycle."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return any(g.role == role and (g.cycle_id is None or g.cycle_id == cycle_id) for g in user.grants)


def people_with_role(role: Role, cycle_id: int) -> list[User]:
    """Everyone who holds `role` in the cycle, including those who hold it everywhere."""
    query = (
        select(User)
        .join(RoleGrant)
        .where(RoleGrant.role == role, or_(RoleGrant.cycle_id == cycle_id, RoleGrant.cycle_id.is_(None)))
        .order_by(User.name)
    )
    return list(session().scalars(query).unique())


UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")


def update_details(user: User, postcode: str, date_of_birth: date | None) -> User:
    """Record a person's own postcode and date of birth, which a vote's mandate may check.

    Self-declared: see docs/voting.md. Raises InvalidInput for a postcode or date that cannot be right.
    """
    from pb.mandates.boundaries import normalise_postcode

    cleaned = normalise_postcode(postcode) if postcode.strip() else None
    if cleaned is not None and not UK_POSTCODE.match(cleaned):
        raise InvalidInput(_("Enter a real postcode, like CF11 6AB."), field="postcode")
    if date_of_birth is not None and not date(1900, 1, 1) <= date_of_birth <= date.today():
        raise InvalidInput(_("Enter a real date of birth, in the past."), field="date_of_birth")
    user.postcode = cleaned
    user.date_of_birth = date_of_birth
    session().flush()
    return user
