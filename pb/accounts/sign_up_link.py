"""Creating an account where Cyd sends email: the address is shown to be the person's first.

*Create an account* asks for the email address alone, and the answer is the same whether or not
the address has an account: *Check your email*. A stranger who types someone's address learns
nothing, and cannot take it for an account. The email holds either a link to finish creating
the account (a token, pb/accounts/links.py, holding the address and the page to go back to), or,
when the address has an account already, links to sign in and to choose a new password. The
link's page asks for a name and a password and makes the account; once it exists, the link
works no more. It works for SIGN_UP_LINK_AGE.

No word the person typed but the address is put in the email, so the form cannot be used to
send a stranger a message. Where Cyd sends no email, the account is made at once from one page
(`services.sign_up`), and that page says when an address has an account already.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import gettext as _

from pb import mail
from pb.accounts.links import BrokenLink, NotALink, make_plain_token, read_plain_token
from pb.accounts.models import User
from pb.accounts.services import find_by_email, normalise_email, sign_up
from pb.errors import N_, Conflict
from pb.web import path_on_this_site

SALT = "cyd.sign-up"


@dataclass(frozen=True)
class SignUpLink:
    email: str
    next_path: str  # where the person was going when they signed up: a path on this site


class AccountExists(BrokenLink):
    """The link's address has an account now: the link has been used, or the account made another way."""

    status = 409
    title = N_("This address has an account already")

    def __init__(self, message: str, next_path: str) -> None:
        super().__init__(message)
        self.next_path = next_path  # so that signing in instead goes where the person was going


def link_age_seconds() -> int:
    return int(current_app.config["SIGN_UP_LINK_AGE"].total_seconds())


def link_age_hours() -> int:
    return link_age_seconds() // 3600


def send_sign_up_link(email: str, next_path: str = "") -> None:
    """Email `email` the link to finish creating an account, or, if it has one, how to sign in.

    The email is in the language of the page it was asked from. Whoever asks cannot tell which
    was sent: both go the same way, in the background (pb/mail.py).
    """
    email = normalise_email(email)
    if find_by_email(email) is not None:
        body = render_template("email/sign_up_account_exists.txt",
                               sign_in=mail.link_to("accounts.sign_in", next=_next_or_none(next_path)),
                               reset=mail.link_to("accounts.forgot_password"))
        mail.send(email, _("You have a Cyd account already"), body)
        return
    token = make_plain_token(SALT, email, path_on_this_site(next_path))
    body = render_template("email/sign_up.txt", link=mail.link_to("accounts.finish_sign_up", token=token),
                           hours=link_age_hours())
    mail.send(email, _("Finish creating your Cyd account"), body)


def read_link(token: str) -> SignUpLink:
    """What a sign-up link is for. Raises BrokenLink, or AccountExists once the address has an account."""
    try:
        values = read_plain_token(SALT, token, link_age_seconds())
    except NotALink:
        values = []
    if len(values) != 2 or not all(isinstance(v, str) for v in values):
        raise BrokenLink(_("The link may be too old, or it was not copied whole. Create your account again "
                           "to get a new one."))
    link = SignUpLink(email=values[0], next_path=path_on_this_site(values[1]))
    if find_by_email(link.email) is not None:
        raise _account_exists(link)
    return link


def finish_sign_up(token: str, name: str, password: str) -> User:
    """Make the link's account, a resident's.

    Raises as `read_link` does (AccountExists too if the same form, sent twice at once, made the
    account a moment ago), and InvalidInput as `services.sign_up` does.
    """
    link = read_link(token)
    try:
        return sign_up(link.email, name, password)
    except Conflict:
        raise _account_exists(link) from None


def _account_exists(link: SignUpLink) -> AccountExists:
    return AccountExists(_("%(email)s has an account already: the link has done its work. Sign in with it.",
                           email=link.email), link.next_path)


def _next_or_none(next_path: str) -> str | None:
    """`next_path` for a sign-in link, or None for none (the list of cycles, where sign-in goes anyway)."""
    return next_path if next_path and path_on_this_site(next_path) == next_path else None
