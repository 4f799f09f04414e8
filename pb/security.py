"""Strict security headers on every response, and sessions that end when left alone or grow old."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Response, current_app, flash, g, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user, logout_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

# How often a signed-in person's last-seen time is written. Writing it on every request would
# send a new session cookie with every response, signed and compressed again; so the idle
# timeout counts from a time up to this many seconds before the last request: it may end a
# session that much early, never late.
SEEN_EVERY = 60


def register_security_headers(app: Flask) -> None:
    """No inline script or style anywhere, no framing, no referrer leaks to other sites."""

    @app.after_request
    def add_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("HSTS"):
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if response.mimetype == "text/html" and current_user.is_authenticated:
            # A page for someone signed in never comes back from a cache: not to the next person at a
            # shared device who presses Back, nor on a tablet just turned into a kiosk.
            headers["Cache-Control"] = "no-store"
        return response


class CookieSessions(SecureCookieSessionInterface):
    """Signed-cookie sessions, except that a response may leave the browser's cookie as it was."""

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if g.get("leave_session_alone"):
            return
        super().save_session(app, session, response)


def leave_session_alone() -> None:
    """Send no session cookie with this response, whatever the request touched.

    For answers that run beside a person's own page requests, such as the ballot's meter: sessions
    live in the cookie, so an answer that arrived after the next page's would otherwise put back
    the session from before it (and the voter's *Check your answers* token with it).
    """
    g.leave_session_alone = True


def register_session_timeouts(app: Flask) -> None:
    """Sign a person out after SESSION_IDLE_TIMEOUT without a request, or SESSION_ABSOLUTE_TIMEOUT after sign-in.

    A shared device at a library or an event must not stay signed in for the next person.
    """
    app.session_interface = CookieSessions()

    @app.before_request
    def expire_session() -> None:
        if not current_user.is_authenticated:
            return
        now = int(time.time())
        started = session.setdefault("started_at", now)
        seen = session.get("seen_at", now)
        idle = app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
        absolute = app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
        if now - seen > idle or now - started > absolute:
            logout_user()
            session.clear()
            flash(_("You were signed out because the session was left for a while. Sign in again to continue."), "info")
            return
        if now - seen >= SEEN_EVERY or "seen_at" not in session:
            session["seen_at"] = now


# How long before the idle timeout a signed-in page warns, with a button to stay signed in:
# WCAG 2.2.1 (Timing Adjustable) asks for a warning and at least 20 seconds to extend.
WARN_BEFORE_IDLE_TIMEOUT = 120


def seconds_until_idle_timeout() -> int | None:
    """How long this signed-in session has before the idle timeout would end it; None if signed out."""
    if not current_user.is_authenticated:
        return None
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    return max(0, int(session.get("seen_at", time.time()) + idle - time.time()))


def seconds_until_absolute_timeout() -> int | None:
    """How long before SESSION_ABSOLUTE_TIMEOUT ends this session, whatever is done; None if signed out."""
    if not current_user.is_authenticated:
        return None
    absolute = current_app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds()
    return max(0, int(session.get("started_at", time.time()) + absolute - time.time()))


def note_still_here() -> None:
    """The person answered the idle warning: the idle timeout counts from now."""
    session["seen_at"] = int(time.time())
