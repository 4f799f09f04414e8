"""Creating an account: the one-page form, or the address first and the link sent to it (pb/accounts/sign_up_link.py).

Its routes are on the accounts blueprint (pb/accounts/views.py), which imports this module.
"""

from __future__ import annotations

from flask import Response, current_app, flash, request, session, url_for
from flask_babel import gettext as _

from pb import mail
from pb.accounts import services, sign_up_link
from pb.accounts.forms import FinishSignUpForm, SignUpEmailForm, SignUpForm
from pb.accounts.links import BrokenLink
from pb.accounts.views import _kept_nowhere, _redirect_next, _sign_in_limit, _start_session, bp
from pb.errors import PBError
from pb.extensions import limiter
from pb.web import go_to, render, show_on_form


def _sign_up_limit() -> str:
    return str(current_app.config["SIGN_UP_LIMIT"])


def _sign_up_address_key() -> str:
    # Links asked for one address count together, whoever asks and whether or not it has an account.
    return "sign-up:" + services.normalise_email(request.form.get("email", ""))


@bp.route("/sign-up", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@limiter.limit(_sign_up_limit, methods=["POST"], key_func=_sign_up_address_key,
               exempt_when=lambda: not mail.can_send())  # where it sends none, there are no links to count
def sign_up() -> Response:
    """Create a resident's account: from a link sent to the address, where Cyd sends email."""
    if mail.can_send():
        return _ask_for_sign_up_link()
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = services.sign_up(form.email.data or "", form.name.data or "", form.password.data or "")
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            _start_session(user)
            flash(_("Your account has been created."), "success")
            return _redirect_next()
    return render("accounts/sign_up.html", form=form, status=422 if form.errors else 200)


def _ask_for_sign_up_link() -> Response:
    form = SignUpEmailForm()
    if form.validate_on_submit():
        email = services.normalise_email(form.email.data or "")
        next_path = request.args.get("next")
        sign_up_link.send_sign_up_link(email, next_path or "")
        session["sign_up_link_sent_to"] = email
        return go_to(url_for("accounts.sign_up_link_sent", next=next_path))
    return render("accounts/sign_up.html", form=form, status=422 if form.errors else 200)


@bp.get("/sign-up/sent")
def sign_up_link_sent() -> Response:
    """Check your email: said alike whether or not the address has an account."""
    return _kept_nowhere(render("accounts/sign_up_sent.html", email=session.pop("sign_up_link_sent_to", None),
                                hours=sign_up_link.link_age_hours()))


@bp.route("/sign-up/<token>", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def finish_sign_up(token: str) -> Response:
    """The link from the email: a name and a password, and the account is made and signed in."""
    try:
        link = sign_up_link.read_link(token)
    except BrokenLink as error:
        return _sign_up_link_broken(error)
    form = FinishSignUpForm()
    if form.validate_on_submit():
        try:
            user = sign_up_link.finish_sign_up(token, form.name.data or "", form.password.data or "")
        except BrokenLink as error:  # the same form, sent twice at once, made the account a moment ago
            return _sign_up_link_broken(error)
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            _start_session(user)
            flash(_("Your account has been created, and you are signed in."), "success")
            return go_to(link.next_path)
    return _kept_nowhere(render("accounts/sign_up_finish.html", form=form, email=link.email,
                                status=422 if form.errors else 200))


def _sign_up_link_broken(error: BrokenLink) -> Response:
    if isinstance(error, sign_up_link.AccountExists):
        return _kept_nowhere(render("accounts/link_broken.html", error=error, status=error.status,
                                    again=url_for("accounts.sign_in", next=error.next_path), again_label=_("Sign in")))
    return _kept_nowhere(render("accounts/link_broken.html", error=error, status=error.status,
                                again=url_for("accounts.sign_up"), hours=sign_up_link.link_age_hours()))
