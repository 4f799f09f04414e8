"""A forgotten password, reset through a link sent by email.

The link carries a token (pb/accounts/links.py) sealed to the account's password, so it works
once: the new password changes the seal, which ends every link sent before it, as it ends every
session signed in with the old password. A link works for PASSWORD_RESET_LINK_AGE.

Whoever asks is told the same, whether or not the address has an account, and the page takes
as long either way (pb/mail.py sends in the background): a reset must not tell a stranger who
has an account.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _

from pb import mail
from pb.accounts.erasure import is_erased
from pb.accounts.links import BrokenLink, NotALink, make_token, read_token
from pb.accounts.models import User
from pb.accounts.services import find_by_email, set_password
from pb.errors import N_, PBError

SALT = "cyd.password-reset"  # so that no other token signed with SECRET_KEY can pass for a reset link



class NoEmail(PBError):
    """This installation sends no email (no MAIL_SERVER), so a password cannot be reset by email."""

    status = 503
    title = N_("Passwords cannot be reset by email here")


def link_age_seconds() -> int:
    return int(current_app.config["PASSWORD_RESET_LINK_AGE"].total_seconds())


def link_age_minutes() -> int:
    return link_age_seconds() // 60


def send_reset_link(email: str) -> None:
    """Email the account with this address a link to choose a new password; if there is none, do nothing.

    The email is in the language of the page it was asked from. Raises NoEmail when this
    installation sends no email.
    """
    if not mail.can_send():
        raise NoEmail(_("Ask the council team to set a new password for you."))
    user = find_by_email(email)
    if user is None or is_erased(user):
        return
    token = make_token(SALT, user)
    body = render_template("email/password_reset.txt", user=user, minutes=link_age_minutes(),
                           link=mail.link_to("accounts.reset_password", token=token))
    mail.send(user.email, _("Choose a new password for Cyd"), body)


def account_for_link(token: str) -> User:
    """The account a reset link is for.

    Raises BrokenLink if the token was not made here, is older than PASSWORD_RESET_LINK_AGE,
    or its account's password has changed since (the link has been used).
    """
    try:
        user, _extra = read_token(SALT, token, link_age_seconds())
    except NotALink:
        raise BrokenLink(_("The link may be too old, or it has been used already. Ask for a new one.")) from None
    return user


def reset_password(token: str, new: str) -> User:
    """Give the link's account the new password; the link, and every session of the account, stop working.

    Raises BrokenLink as `account_for_link` does, InvalidInput if `new` is too short.
    """
    user = account_for_link(token)
    set_password(user, new)
    return user
