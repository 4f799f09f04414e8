"""Helpers every view uses: one URL with two renderings, one commit per request, loading or 404."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Response, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from pb.db import Base, session
from pb.errors import NotFound, PBError
from pb.extensions import htmx
from pb.unsent import remember_form

M = TypeVar("M", bound=Base)


def wants_fragment() -> bool:
    """True for an htmx request that is not a history restore (which needs the whole page)."""
    return bool(htmx) and not htmx.history_restore_request


def render(page: str, fragment: str | None = None, *, status: int = 200, **context: Any) -> Response:
    """Render the whole page, or only the fragment the page includes when htmx asks for it."""
    template = fragment if fragment and wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def done(endpoint: str, **values: Any) -> Response:
    """After a successful change: commit, then redirect (POST/redirect/GET).

    The commit is the last thing a request asks of the database: whatever fails before it
    (the database gone at any statement) leaves nothing written, and the person's retry starts
    afresh; nothing after it can fail and tell the person that a change that was made was not
    (tests/test_outages.py). So a view reads what it needs (ids for the redirect, what goes
    into the session) and makes its page before it commits.

    An htmx form that can show its result in place uses `updated()` instead; any other htmx
    request is sent to the new page as a whole (`HX-Redirect`).
    """
    session().commit()
    return go_to(url_for(endpoint, **values))


def go_to(location: str, *, code: int = 303) -> Response:
    """A redirect; to htmx, the whole page sent there (`HX-Redirect`), not the new page put inside a part of it."""
    if wants_fragment():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, code=code)


def updated(fragment: str, *, trigger: str, **context: Any) -> Response:
    """After a successful change made through htmx: the fragment as it now is, then the commit.

    `trigger` names the `HX-Trigger` event other parts of the page can listen for.
    """
    response = make_response(render_template(fragment, **context))
    response.vary.add("HX-Request")
    response.headers["HX-Trigger"] = trigger
    session().commit()  # last, as in `done()`
    return response


def commit_keeping_what_is_loaded() -> None:
    """Commit, then make a slow page (say, 2,000 voting codes) from what is loaded, without the database.

    For when the page takes seconds to make: committed first, SQLite's write lock is not held
    while it is made. Nothing expires at this commit, so the page asks the database nothing
    more, as if it had come first (`done()`); tests/test_outages.py checks it does not.
    """
    db = session()
    db.expire_on_commit = False
    try:
        db.commit()
    finally:
        db.expire_on_commit = True


def get_or_404(model: type[M], ident: Any) -> M:
    """Load one row by primary key, or raise NotFound."""
    row = session().get(model, ident)
    if row is None:
        raise NotFound(_("There is nothing with that number. It may have been removed."))
    return row


# The longest path a `next` may name: every page of the site is far shorter, and a link that
# carries one (pb/accounts/sign_up_link.py) stays a link a mail program shows whole.
LONGEST_NEXT = 2000


def path_on_this_site(target: str) -> str:
    """`target` if it is a path on this site, or the list of cycles: never send someone on to another site.

    Whitespace and control characters are refused too: a browser drops a tab or a newline from an
    address, so "/<tab>/elsewhere.example" would lead to another site, and a newline cannot be
    put in a Location header at all.
    """
    if (not target.startswith("/") or target.startswith("//") or "\\" in target or len(target) > LONGEST_NEXT
            or any(ord(c) < 0x21 or ord(c) == 0x7F for c in target)):
        return url_for("cycles.list_cycles")
    return target


def page_sent_from() -> str:
    """The page on this site a form was sent from (htmx's current URL, or the Referer), or the list of cycles."""
    sent_from = urlsplit(request.headers.get("HX-Current-URL") or request.referrer or "")
    if sent_from.netloc != request.host:
        return url_for("cycles.list_cycles")
    return path_on_this_site(sent_from.path + (f"?{sent_from.query}" if sent_from.query else ""))


def this_page() -> str:
    """The page to come back to from this answer: a page's own path, or for a form sent, the page the form was on.

    A form's answer stands at the form's address, which may take only POST, so a link back to
    "this page" (the language link, say) must not lead there.
    """
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    return page_sent_from()


def show_on_form(form: FlaskForm, error: PBError) -> bool:
    """Roll back, then put a domain error beside its form field; False if it has no field here.

    The rule for validation errors: the form comes back (status 422) with an error summary
    and the message beside the field, whatever the person typed kept. Errors with no field
    on the form are raised on to the error page, which gives back what the person wrote
    (pb/unsent.py) under the form's labels.
    """
    session().rollback()
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
        return True
    remember_form(form)
    return False
