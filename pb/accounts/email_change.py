"""A person changes the email address of their own account.

Where Cyd sends email, the new address must show it is theirs: a link goes to it (a token,
pb/accounts/links.py, holding the new address), and the address changes when the link is
confirmed, within EMAIL_CHANGE_LINK_AGE. A typing mistake cannot move an account to an inbox
nobody reads, or someone else's. An address another account has gets an email saying so
instead, and the person is told what they would be told of any address: that a link has gone
to it. So nobody signed in can learn, address by address, who has an account, as nobody signed
out can from *Create an account* (pb/accounts/sign_up_link.py). Where Cyd sends no email,
nothing could ever be sent to the address, so it changes at once, or is refused, with the
reason, if another account has it. Either way the person gives their password first, and the
old address is told of the change.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from pb import mail
from pb.accounts.links import BrokenLink, NotALink, make_token, read_token
from pb.accounts.models import User
from pb.accounts.services import check_password, find_by_email, normalise_email
from pb.db import session
from pb.errors import Conflict, InvalidInput

SALT = "cyd.email-change"



def link_age_hours() -> int:
    return int(current_app.config["EMAIL_CHANGE_LINK_AGE"].total_seconds() // 3600)


def ask_to_change_email(user: User, new_email: str, password: str) -> bool:
    """Change `user`'s address to `new_email`, or send the link that will: True if an email was sent.

    Where Cyd sends email, an address another account has is sent a notice instead of a link,
    and this returns True all the same. Raises InvalidInput (a wrong password; the address the
    account has already) or, where Cyd sends no email, Conflict (another account has it).
    """
    check_password(user, password, field="password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise InvalidInput(_("That is the address your account has already."), field="email")
    if not mail.can_send():
        refuse_if_taken(user, new_email)
        _change(user, new_email)
        return False
    if find_by_email(new_email) is not None:
        body = render_template("email/email_taken.txt", sign_in=mail.link_to("accounts.sign_in"))
        mail.send(new_email, _("This address has a Cyd account already"), body)
        return True
    link = mail.link_to("accounts.confirm_email", token=make_token(SALT, user, new_email))
    body = render_template("email/confirm_email.txt", user=user, link=link, hours=link_age_hours())
    mail.send(new_email, _("Confirm your new email address for Cyd"), body)
    return True


def change_in_link(token: str) -> tuple[User, str]:
    """The account a confirmation link is for, and the address it gives it. Raises BrokenLink."""
    try:
        user, extra = read_token(SALT, token, int(current_app.config["EMAIL_CHANGE_LINK_AGE"].total_seconds()))
    except NotALink:
        extra = []
    if len(extra) != 1 or not isinstance(extra[0], str):
        raise BrokenLink(_("The link may be too old, or the account's password has changed since it was "
                                "sent. Ask for a new one from Your account."))
    return user, extra[0]


def confirm_email_change(token: str) -> User:
    """Give the link's account its new address; a link used again changes nothing.

    Raises BrokenLink, or Conflict if another account has taken the address since.
    """
    user, new_email = change_in_link(token)
    if user.email != new_email:
        refuse_if_taken(user, new_email)
        _change(user, new_email)
    return user


def tell_old_address(person: User, old_email: str, *, by_council: bool) -> None:
    """Email the address an account had, saying it has changed: nobody's account moves to another inbox unseen.

    Nobody chose a language for this email, so it is in each of the site's, Welsh beside English.
    Where this installation sends no email, there is nobody to tell.
    """
    if not mail.can_send():
        return
    subjects, bodies = [], []
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            subjects.append(_("The email address of your Cyd account has changed"))
            bodies.append(render_template("email/email_changed.txt", person=person, old_email=old_email,
                                          by_council=by_council))
    mail.send(old_email, " / ".join(subjects), "\n\n――――――――――\n\n".join(bodies))


def refuse_if_taken(user: User, email: str) -> None:
    """Raises Conflict (on the form's email field) if an account other than `user`'s has `email`."""
    holder = find_by_email(email)
    if holder is not None and holder.id != user.id:
        raise Conflict(_("Another account has this email address already."), field="email")


def _change(user: User, new_email: str) -> None:
    old_email = user.email
    user.email = new_email
    session().flush()
    tell_old_address(user, old_email, by_council=False)
