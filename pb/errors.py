"""Domain errors, and how each becomes a friendly page or an htmx message fragment.

Services raise these; nothing else decides how a refusal looks. Every error carries a
plain-English message for the person, and an HTTP status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import Flask, Response, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, ServiceUnavailable

from pb.db import db
from pb.extensions import login_manager
from pb.security import leave_session_alone
from pb.unsent import words_sent

if TYPE_CHECKING:
    from pb.cycles.models import Cycle  # the models import this module

DATABASE_LOST = (OperationalError, InterfaceError)


def N_(message: str) -> str:
    """Mark a message for the catalogue; it is translated where it is shown (`_(error.title)`)."""
    return message


class PBError(Exception):
    """A refusal the person can understand and act on. Nothing has been written."""

    status = 400
    title = N_("There is a problem")

    def __init__(self, message: str, *, field: str | None = None, clause: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field  # the form field to show the message beside, if any
        self.clause = clause  # the mandate clause (or rule) that decided, if any


class NotFound(PBError):
    status = 404
    title = N_("Page not found")


class NotCounted(NotFound):
    """Results asked for before the count: the page says when there will be some."""

    title = N_("No results yet")


class NotAuthorised(PBError):
    """The person's role does not allow this action."""

    status = 403
    title = N_("You cannot do this")


class OutsideMandate(PBError):
    """The stage's agreed mandate forbids the action; `clause` names the clause that does."""

    status = 403
    title = N_("The mandate does not allow this")


class StageNotOpen(PBError):
    status = 409
    title = N_("This stage is not open")


class MandateNotAgreed(PBError):
    status = 409
    title = N_("The mandate is not agreed yet")


class InvalidInput(PBError):
    """Input that fails a domain rule (a form validates shape; this validates meaning)."""

    status = 422


class InvalidBallot(InvalidInput):
    title = N_("Your ballot could not be counted")


class Conflict(PBError):
    status = 409


def register_error_handlers(app: Flask) -> None:
    """Show domain and HTTP errors as a page; to htmx, as a message in the page's alert region."""

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def handle_database_error(error: OperationalError | InterfaceError) -> Response:
        """The database cannot be reached (a restart, a failover): a 503 page that needs no database."""
        app.logger.error("Database error on %s %s", request.method, request.path, exc_info=error)
        g._login_user = login_manager.anonymous_user()  # the page must not ask the database who is signed in
        leave_session_alone()  # the request failed: what it did to the session must not reach the browser
        unavailable = ServiceUnavailable()
        response = _error_response(unavailable.name, PBError(unavailable.description or ""), 503)
        response.headers["Retry-After"] = "5"
        return response

    def page_or_unavailable(make: Callable[[], Response]) -> Response:
        """An error page, or the 503 page if the database goes while it is made (it asks who is signed in)."""
        try:
            return make()
        except DATABASE_LOST as lost:
            return handle_database_error(lost)

    @app.errorhandler(PBError)
    def handle_pb_error(error: PBError) -> Response:
        def page() -> Response:
            db.session.rollback()  # nothing half-written is ever shown, let alone committed
            return _error_response(_(error.title), error, error.status, back=_cycle_of_the_page())

        return page_or_unavailable(page)

    @app.errorhandler(CSRFError)
    def handle_out_of_date_form(error: CSRFError) -> Response:
        # Its token belongs to another session: the person signed in or out since the page
        # opened (perhaps in another tab), or the browser lost its cookie.
        message = _(
            "This page was out of date, perhaps because you signed in or out since you opened it, so nothing "
            "was sent. Open the page again and send it once more."
        )
        return page_or_unavailable(lambda: _error_response(_("The form could not be sent"), PBError(message), 400))

    @app.errorhandler(429)
    def handle_too_many(error: HTTPException) -> Response:
        message = _("Too many attempts. Wait a few minutes, then try again.")
        return page_or_unavailable(lambda: _error_response(_("Too many attempts"), PBError(message), 429))

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Response:
        def page() -> Response:
            if (error.code or 500) >= 500:
                # Sessions live in the cookie: a request that failed on the server (a sign-in that had
                # begun a new session, say) sends none, so the person's retry has the session it had.
                leave_session_alone()
                db.session.rollback()  # a failed flush would fail the page's own reads
            title, message = HTTP_ERRORS.get(error.code or 500, (error.name, error.description or ""))
            back = _cycle_of_the_page() if (error.code or 500) < 500 else None
            response = _error_response(_(title), PBError(_(message)), error.code or 500, back=back)
            if isinstance(error, MethodNotAllowed) and error.valid_methods:
                response.headers["Allow"] = ", ".join(error.valid_methods)  # as a 405 must say
            return response

        return page_or_unavailable(page)


# The errors Werkzeug raises itself (no page at that address, a method a page does not take, a
# request too large), in words for people and in the page's language: Werkzeug's own are English.
HTTP_ERRORS = {
    400: (N_("The request could not be understood"),
          N_("Something in the address or the form was not as Cyd expects, so nothing was done. Go back and try "
             "again.")),
    404: (N_("Page not found"),
          N_("If you typed the web address, check it is correct. If you pasted it, check you copied the whole "
             "address.")),
    405: (N_("This page cannot be opened this way"),
          N_("It is the answer to a form, which cannot be opened again on its own: perhaps the page was reloaded "
             "or bookmarked. Go back, or start again from the list of cycles.")),
    413: (N_("What you sent is too large"),
          N_("Send a smaller file, or less text, and try again.")),
    500: (N_("Sorry, there is a problem with the service"),
          N_("Nothing you sent was saved. Try again in a few minutes.")),
}


def _cycle_of_the_page() -> Cycle | None:
    """The cycle whose page could not be shown, if its address names one that exists: the error page
    leads back to it."""
    cycle_id = (request.view_args or {}).get("cycle_id")
    if not isinstance(cycle_id, int):
        return None
    from pb.cycles.models import Cycle  # the models import this module

    try:
        return db.session.get(Cycle, cycle_id)
    except DATABASE_LOST:
        raise  # the 503 page, which needs no database
    except SQLAlchemyError:  # a transaction the failed request left broken: the page goes without the link
        db.session.rollback()
        return None


def _mandate_stage(clause: str | None) -> str | None:
    from pb.mandates.boundaries import mandate_stage  # the models it reads import this module

    return mandate_stage(clause)


def _error_response(title: str, error: PBError, status: int, back: Cycle | None = None) -> Response:
    if request.path == "/api" or request.path.startswith("/api/"):  # the open data API answers in JSON only
        return _json_error(error.message or title, status)
    htmx = request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"
    template = "errors/_message.html" if htmx else "errors/error.html"
    unsent = [] if htmx else words_sent()  # an htmx form stays on its page as it was
    response = make_response(render_template(
        template, title=title, error=error, unsent=unsent, back=back, clause_stage=_mandate_stage(error.clause)
    ), status)
    response.vary.add("HX-Request")
    return to_messages(response) if htmx else response


def to_messages(response: Response) -> Response:
    """An answer to htmx that goes into the page's `#messages` alert region, not the element that asked.

    The whole notification goes there, whatever part of its own answer the element that asked
    would have kept (`hx-select`, which a live region's forms use: see templates/voting/_meter.html).
    """
    response.headers["HX-Retarget"] = "#messages"
    response.headers["HX-Reswap"] = "innerHTML"
    response.headers["HX-Reselect"] = ".notification"
    return response


def _json_error(message: str, status: int) -> Response:
    """An error of the open data API (pb/api): `{"error": …}`, as its OpenAPI document says.

    Its own refusals are answered in pb/api/views.py; these are the app's (no such path, a
    method it does not take, the database unreachable), which never reach a blueprint's handler.
    """
    response = jsonify({"error": message})
    response.status_code = status
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store"
    return response
