"""Sign up, sign in and sign out."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, flash, g, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_url, login_user, logout_user

from pb import mail
from pb.accounts import email_change, erasure, password_reset, services
from pb.accounts.forms import (
    ChangePasswordForm,
    DetailsForm,
    EmailChangeForm,
    ForgotPasswordForm,
    NameForm,
    RemoveAccountForm,
    ResetPasswordForm,
    SignInForm,
)
from pb.accounts.links import BrokenLink
from pb.accounts.models import User
from pb.db import db
from pb.errors import PBError, to_messages
from pb.extensions import limiter
from pb.mandates.forms import ConfirmForm
from pb.security import note_still_here
from pb.unsent import words_sent
from pb.web import done, go_to, page_sent_from, path_on_this_site, render, show_on_form, wants_fragment

bp = Blueprint("accounts", __name__)


def _sign_in_limit() -> str:
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def _failures_limit() -> str:
    return str(current_app.config["SIGN_IN_FAILURE_LIMIT"])


def _account_key() -> str:
    # Back-off per account, whatever address the guesses come from.
    return "sign-in:" + services.normalise_email(request.form.get("email", ""))


def _own_account_key() -> str:
    # Guesses at a signed-in person's current password (someone else at their unlocked phone) count
    # against the account, with sign-in's back-off. The limiter asks before login_required has
    # turned anyone signed out away, so there may be no id.
    return f"password:{getattr(current_user, 'id', '')}"


def _asks_own_password(view: Callable[..., Response]) -> Callable[..., Response]:
    """Sign-in's limits on a form that asks a signed-in person for their password: each wrong guess
    (the view sets `g.wrong_current_password`) counts towards the account's back-off."""
    view = limiter.limit(_failures_limit, methods=["POST"], key_func=_own_account_key,
                         deduct_when=lambda _r: bool(g.get("wrong_current_password")))(view)
    return limiter.limit(_sign_in_limit, methods=["POST"])(view)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@limiter.limit(_failures_limit, methods=["POST"], key_func=_account_key, deduct_when=lambda r: r.status_code == 422)
def sign_in() -> Response:
    """Sign in with email and password."""
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data or "", form.password.data or "")
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            _start_session(user)
            return _redirect_next()
    return render("accounts/sign_in.html", form=form, status=422 if form.errors else 200)


def sign_in_to_continue() -> Response:
    """Someone signed out (perhaps a moment ago, by the idle timeout) asked for what needs an account.

    A page: to sign in, and back to it (under htmx, the whole page it is part of). A form sent:
    none of it is done, and what the person wrote is not lost. Under htmx the form stays on its
    page as it was, and a message says to copy it before signing in; otherwise the sign-in page
    comes back in the form's place (401) with the words to copy, and signing in goes back to the
    page the form was on.
    """
    if request.method == "GET":
        flash(_("Sign in to continue."), "info")
        # Under htmx this is a part of a page (a count that refreshes, say): back to the whole page.
        back_to = page_sent_from() if wants_fragment() else request.url
        return go_to(login_url("accounts.sign_in", next_url=back_to), code=302)  # Flask-Login's own code
    back = page_sent_from()
    if wants_fragment():
        return to_messages(render("accounts/_signed_out.html", next=back, status=401))
    unsent = words_sent()
    if not unsent:
        flash(_("Nothing was sent, because you are signed out. Sign in, then send it again."), "info")
    intro = _("Nothing was sent, because you are signed out. Copy what you wrote, then sign in and send it again.")
    return render("accounts/sign_in.html", form=SignInForm(formdata=None), next=back, unsent=unsent,
                  unsent_intro=intro, status=401)


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out() -> Response:
    """Sign out and forget the session."""
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("cycles.list_cycles"), code=303)


@bp.route("/account/details", methods=["GET", "POST"])
@login_required
def edit_details() -> Response:
    """A person's postcode and date of birth, which a vote's mandate may ask for."""
    form = DetailsForm(obj=None if request.method == "POST" else current_user)
    if form.validate_on_submit():
        try:
            services.update_details(current_user, form.postcode.data or "", form.date_of_birth.data)
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            db.session.commit()
            flash(_("Your details have been saved."), "success")
            return _redirect_next()
    return render("accounts/details.html", form=form, status=422 if form.errors else 200)


@bp.get("/account")
@login_required
def show_account() -> Response:
    """What the account holds, with the ways to change it."""
    return render("accounts/account.html")


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@_asks_own_password
def change_password() -> Response:
    """A new password, given the current one; every other session of the account ends."""
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current_password.data or "", form.new_password.data or "")
        except PBError as error:
            # Only a wrong guess at the current password counts towards the back-off, not a short new one.
            g.wrong_current_password = error.field == "current_password"
            if not show_on_form(form, error):
                raise
        else:
            _start_session(user)  # this session goes on under the new seal
            flash(_("Your password has been changed. You have been signed out everywhere else."), "success")
            return redirect(url_for("accounts.show_account"), code=303)
    return render("accounts/password.html", form=form, status=422 if form.errors else 200)


def _reset_limit() -> str:
    return str(current_app.config["PASSWORD_RESET_LIMIT"])


def _reset_address_key() -> str:
    # Links asked for one address count together, whoever asks and whether or not it has an account.
    return "reset:" + services.normalise_email(request.form.get("email", ""))


@bp.route("/account/reset", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_reset_address_key)
def forgot_password() -> Response:
    """Ask for a link to choose a new password; the answer is the same whether the address has an account."""
    if not mail.can_send():
        return render("accounts/reset_unavailable.html", status=200 if request.method == "GET" else 503)
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = services.normalise_email(form.email.data or "")
        password_reset.send_reset_link(email)
        session["reset_link_sent_to"] = email
        return go_to(url_for("accounts.reset_link_sent"))
    return render("accounts/forgot_password.html", form=form, status=422 if form.errors else 200)


@bp.get("/account/reset/sent")
def reset_link_sent() -> Response:
    """Check your email: said alike whether or not the address has an account."""
    return _kept_nowhere(render("accounts/reset_link_sent.html", email=session.pop("reset_link_sent_to", None),
                                minutes=password_reset.link_age_minutes()))


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def reset_password(token: str) -> Response:
    """The link from the email: choose a new password, and be signed in with it."""
    try:
        user = password_reset.account_for_link(token)
    except BrokenLink as error:
        return _kept_nowhere(render("accounts/link_broken.html", error=error, status=error.status,
                                   again=url_for("accounts.forgot_password"),
                                   minutes=password_reset.link_age_minutes()))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.reset_password(token, form.password.data or "")
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            _start_session(user)
            flash(_("Your password has been changed, and you are signed in. "
                    "You have been signed out everywhere else."), "success")
            return go_to(url_for("cycles.list_cycles"))
    return _kept_nowhere(render("accounts/reset_password.html", form=form, user=user,
                                status=422 if form.errors else 200))


def _kept_nowhere(response: Response) -> Response:
    # The page's address is a key to an account, or the page names an address someone typed:
    # no cache, shared or the browser's, may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/name", methods=["GET", "POST"])
@login_required
def change_name() -> Response:
    """The name shown beside what a person proposes and says."""
    form = NameForm(obj=None if request.method == "POST" else current_user)
    if form.validate_on_submit():
        try:
            services.change_own_name(current_user, form.name.data or "")
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("Your name has been changed."), "success")
            return done("accounts.show_account")
    return render("accounts/name.html", form=form, status=422 if form.errors else 200)


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
@_asks_own_password
def change_email() -> Response:
    """A new email address: confirmed from a link sent to it, where Cyd sends email."""
    form = EmailChangeForm()
    if form.validate_on_submit():
        new_email = services.normalise_email(form.email.data or "")
        try:
            sent = email_change.ask_to_change_email(current_user, new_email, form.password.data or "")
        except PBError as error:
            g.wrong_current_password = error.field == "password"  # guesses back off, as on sign-in
            if not show_on_form(form, error):
                raise
        else:
            if sent:
                session["email_link_sent_to"] = new_email
                return done("accounts.email_link_sent")
            flash(_("Your email address has been changed."), "success")
            return done("accounts.show_account")
    return render("accounts/email.html", form=form, sends_email=mail.can_send(), status=422 if form.errors else 200)


@bp.get("/account/email/sent")
@login_required
def email_link_sent() -> Response:
    return _kept_nowhere(render("accounts/email_sent.html", email=session.pop("email_link_sent_to", None),
                                hours=email_change.link_age_hours()))


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> Response:
    """The link sent to a new address: a button to confirm it (a mail server's link checker only reads)."""
    try:
        user, new_email = email_change.change_in_link(token)
    except BrokenLink as error:
        return _kept_nowhere(render("accounts/link_broken.html", error=error, status=error.status,
                                   again=url_for("accounts.change_email")))
    form = ConfirmForm()
    if form.validate_on_submit():
        email_change.confirm_email_change(token)
        flash(_("%(email)s is now your account's email address.", email=new_email), "success")
        signed_in_here = current_user.is_authenticated and current_user.id == user.id
        return done("accounts.show_account" if signed_in_here else "accounts.sign_in")
    return _kept_nowhere(render("accounts/email_confirm.html", form=form, user=user, new_email=new_email))


@bp.route("/account/remove", methods=["GET", "POST"])
@login_required
@_asks_own_password
def remove_account() -> Response:
    """A person removes their own account's personal data, giving their password; they are signed out."""
    user = current_user._get_current_object()
    if erasure.holds_other_roles(user):  # no form for what would be refused: an administrator acts first
        return render("accounts/remove.html", form=None, status=200 if request.method == "GET" else 409)
    form = RemoveAccountForm()
    if form.validate_on_submit():
        try:
            erasure.erase_own_account(user, form.password.data or "")
        except PBError as error:
            g.wrong_current_password = error.field == "password"  # guesses back off, as on sign-in
            if not show_on_form(form, error):
                raise
        else:
            logout_user()
            session.clear()
            flash(_("Your account has been removed, and you are signed out. Thank you for taking part."), "success")
            return done("cycles.list_cycles")
    return render("accounts/remove.html", form=form, status=422 if form.errors else 200)


@bp.get("/account/still-here")
def stay_signed_in() -> Response:
    """The idle warning's *Stay signed in* (static/js/cyd.js): the idle timeout counts from now.

    Someone the timeout has signed out already gets the message to copy what they wrote (401).
    """
    if not current_user.is_authenticated:
        message = _("You have been signed out. What you wrote is still on this page: copy it, then sign in.")
        response = render("accounts/_signed_out.html", message=message, next=page_sent_from(), status=401)
    else:
        note_still_here()
        response = make_response("", 204)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/language/<code>")
def choose_language(code: str) -> Response:
    """Switch between English and Welsh; remembered in a cookie for a year."""
    if code not in current_app.config["LANGUAGES"]:
        code = current_app.config["BABEL_DEFAULT_LOCALE"]
    response = redirect(path_on_this_site(request.args.get("next", "")), code=303)
    response.set_cookie(
        "lang",
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


def _start_session(user: User) -> None:
    # A fresh session on sign-in, so a session fixed before sign-in is worth nothing after it.
    session.clear()
    login_user(user)
    db.session.commit()  # last (pb/web.py): after it, nothing asks the database again


def _redirect_next() -> Response:
    return redirect(path_on_this_site(request.args.get("next", "")), code=303)


from pb.accounts import sign_up_views  # noqa: E402, F401  (its routes are on this blueprint)
