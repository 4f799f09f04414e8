"""Links sent by email that act on an account: a token signed with SECRET_KEY, sealed to the account's password.

A token holds the account's id, its password seal (`User.password_seal`) and whatever the link
is for. It works for `max_age` seconds, and only while the password is the one it was made
under: a password reset ends every link sent before it, as it ends every session. Each kind
of link has its own salt, so no token passes for another kind. No table keeps tokens.

A link for an account not yet made (pb/accounts/sign_up_link.py) has no password to be sealed
to: `make_plain_token` signs what it holds, and nothing more.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from pb.accounts.models import User
from pb.db import session
from pb.errors import N_, PBError


class BrokenLink(PBError):
    """What a person is told of a link that does not work: the message says which kind, and what to do."""

    status = 400
    title = N_("This link does not work")


class NotALink(Exception):
    """The token was not made here for this kind of link, is too old, or its account's password has changed."""


def make_token(salt: str, user: User, *extra: Any) -> str:
    return make_plain_token(salt, user.id, user.password_seal(), *extra)


def read_token(salt: str, token: str, max_age: int) -> tuple[User, list[Any]]:
    """The account a token is for, and what else it holds. Raises NotALink."""
    try:
        user_id, seal, *extra = read_plain_token(salt, token, max_age)
    except ValueError:
        raise NotALink from None
    user = session().get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not isinstance(seal, str) or not hmac.compare_digest(seal, user.password_seal()):
        raise NotALink
    return user, extra


def make_plain_token(salt: str, *values: Any) -> str:
    return _serializer(salt).dumps(list(values))


def read_plain_token(salt: str, token: str, max_age: int) -> list[Any]:
    """What a token made by `make_plain_token` holds. Raises NotALink."""
    try:
        values = _serializer(salt).loads(token, max_age=max_age)
    except (BadSignature, ValueError, TypeError):
        raise NotALink from None
    if not isinstance(values, list):
        raise NotALink
    return values


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.config["SECRET_KEY"]), salt=salt)
