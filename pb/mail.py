"""Email: plain-text messages, sent through SMTP, written to the log, or kept in a list.

MAIL_BACKEND (config.py) chooses:

- "smtp": through MAIL_SERVER with the settings beside it (docs/deployment.md, "Email");
- "log": development without a MAIL_SERVER, so each message, links and all, is in the log of
  `make run`;
- "memory": the tests, which read `outbox()`;
- None: production without a MAIL_SERVER. Nothing can be sent (`can_send()` is False), and the
  pages that would send something say so.

Through SMTP a message is handed to a thread of the worker's own and the page answers at once:
a mail server can take seconds, or fail, and how long a page takes must not tell anyone
whether a message was sent (a password reset must not say whether an address has an account).
A message that cannot be sent is in the log.

A message sent once the request's transaction has written something (the old address told that
an account has a new one, a reset link an administrator sends, which the audit log records) is
held until that transaction commits, and dropped if it does not: nobody is told of a change that
was never saved. A message sent before anything was written (the reset link someone asks for
themselves) goes at once. "Written" means what the ORM writes: a flush, or an ORM insert, update
or delete statement; a write in SQL text or through the session's connection is not noticed, and
no code that sends email makes one.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from concurrent.futures import Future, ThreadPoolExecutor
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import current_app, url_for
from flask_babel import get_locale
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from pb.db import session as current_session
from pb.logs import SHOWS_LINKS

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 30  # seconds for each step of a conversation with the mail server
_SMTP_SETTINGS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_SECURITY", "MAIL_USERNAME", "MAIL_PASSWORD")


def can_send() -> bool:
    return current_app.config.get("MAIL_BACKEND") is not None


def how_sent() -> str:
    """Where messages go, in a few words (`flask pb send-test-email` says it)."""
    config = current_app.config
    backend = config.get("MAIL_BACKEND")
    if backend == "smtp":
        return f"{config['MAIL_SERVER']}:{config['MAIL_PORT']} ({config['MAIL_SECURITY']})"
    return {"log": "the log, since MAIL_SERVER is not set", "memory": "the test outbox"}.get(str(backend), "nowhere")


def link_to(endpoint: str, **values: Any) -> str:
    """An absolute link to put in an email: under PUBLIC_URL where it is set, else where this request came to.

    It opens its page in the email's language, which is the language of the page the email was
    asked from: on another device, or in the mail program's own browser, the site would otherwise
    speak that browser's language. A link in Welsh passes through the language switch first.
    """
    language = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    if language != current_app.config["BABEL_DEFAULT_LOCALE"]:
        endpoint, values = "accounts.choose_language", {"code": language, "next": url_for(endpoint, **values)}
    public = current_app.config.get("PUBLIC_URL")
    if public:
        return str(public).rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def outbox() -> list[EmailMessage]:
    """The messages sent by this app, with MAIL_BACKEND "memory"."""
    outbox: list[EmailMessage] = current_app.extensions.setdefault("cyd.outbox", [])
    return outbox


def send(to: str, subject: str, body: str, *, wait: bool = False) -> None:
    """Send one plain-text message to one address.

    With `wait`, through SMTP, return only once the server has taken it, and raise what went
    wrong (smtplib.SMTPException, OSError): `flask pb send-test-email` says so. Raises RuntimeError
    if this app sends no email (`can_send()`).
    """
    config = current_app.config
    if config.get("MAIL_BACKEND") is None:
        raise RuntimeError("This app sends no email: MAIL_SERVER is not set (docs/deployment.md).")
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=message["From"].addresses[0].domain or None)
    message.set_content(body)
    held = None if wait else _held(current_session())
    if held is not None:
        held.append(message)
    else:
        _hand_over(message, wait=wait)


def _hand_over(message: EmailMessage, *, wait: bool = False) -> None:
    config = current_app.config
    backend = config.get("MAIL_BACKEND")
    to, subject, body = message["To"], message["Subject"], message.get_content()
    if backend == "smtp":
        settings = {name: config[name] for name in _SMTP_SETTINGS}
        sending = _sender().submit(_deliver, settings, message)
        if wait:
            sending.result()
        else:
            sending.add_done_callback(lambda sent: _log_failure(sent, subject))
    elif backend == "log":
        # As it would be read, not as it is encoded (quoted-printable breaks a long link across lines);
        # a warning, so that `make run`'s terminal shows it whatever the log level.
        current_app.logger.warning("Email not sent, because MAIL_SERVER is not set.\nTo: %s\nSubject: %s\n\n%s",
                                   to, subject, body, extra={SHOWS_LINKS: True})  # its links whole (pb/logs.py)
    elif backend == "memory":
        outbox().append(message)
    else:
        raise RuntimeError(f"MAIL_BACKEND {backend!r} is not one Cyd knows (config.py).")


# Messages held until the session's transaction commits (in `Session.info`), and whether it has written.
_HELD, _WROTE = "cyd.mail.held", "cyd.mail.wrote"


def _held(session: Session) -> list[EmailMessage] | None:
    """Where to hold a message until `session` commits; None if it has written nothing, so the message goes now."""
    if not (session.info.get(_WROTE) or session.new or session.dirty or session.deleted):
        return None
    held: list[EmailMessage] = session.info.setdefault(_HELD, [])
    return held


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: object) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    """The change is saved: hand over what was held. Nothing raised here may reach the view, which
    would show an error page for a change that was made (pb/web.py, `done`).

    Releasing a savepoint fires this too, with the transaction still open: that saves nothing yet.
    """
    if session.in_nested_transaction():
        return
    session.info.pop(_WROTE, None)
    for message in session.info.pop(_HELD, []):
        try:
            _hand_over(message)
        except Exception:
            log.exception("An email (%s) could not be handed over after its change was saved.", message["Subject"])


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    """A transaction rolled back or closed without committing: what it held is not sent."""
    if transaction.parent is not None:
        return
    session.info.pop(_WROTE, None)
    dropped = session.info.pop(_HELD, [])
    for message in dropped:
        log.warning("An email (%s) was not sent: saving the change it told of did not succeed.", message["Subject"])


# One sending thread per worker process, made on its first message: a worker forked from the
# master (pb/serving.py) must not inherit the master's thread, which does not survive a fork.
_senders: dict[int, ThreadPoolExecutor] = {}


def _sender() -> ThreadPoolExecutor:
    pid = os.getpid()
    if pid not in _senders:
        _senders[pid] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cyd-mail")
    return _senders[pid]


def _deliver(settings: dict[str, Any], message: EmailMessage) -> None:
    host, port, security = settings["MAIL_SERVER"], settings["MAIL_PORT"], settings["MAIL_SECURITY"]
    context = ssl.create_default_context()
    if security == "tls":
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
    with server:
        if security == "starttls":
            server.starttls(context=context)
        if settings["MAIL_USERNAME"]:
            server.login(settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"] or "")
        server.send_message(message)


def _log_failure(sending: Future[None], subject: str) -> None:
    error = sending.exception()
    if error is not None:
        # The subject says which kind of message; the address is personal data, and stays out of the log.
        log.error("An email (%s) could not be sent: %r", subject, error)
