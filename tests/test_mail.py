"""Email through a real SMTP server on loopback (aiosmtpd), and what happens when there is none."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event, update
from sqlalchemy.exc import OperationalError

from pb import mail
from pb.accounts.models import Role, User
from pb.db import db


class Inbox:
    """aiosmtpd's handler: keeps every message the server takes."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]  # aiosmtpd names it
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _through(app, port: int) -> None:  # type: ignore[no-untyped-def]
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SECURITY="none",
                      MAIL_FROM="Cyd Caerdydd <cyd@example.gov.uk>")


def test_a_message_goes_out_through_smtp_in_the_background(app, smtp_server) -> None:
    port, inbox = smtp_server
    _through(app, port)
    mail.send("rhian@example.org", "Choose a new password", "Héllo Rhian,\n\nhttp://localhost/account/reset/x\n")
    deadline = time.monotonic() + 10
    while not inbox.messages and time.monotonic() < deadline:
        time.sleep(0.02)
    ((recipients, message),) = inbox.messages
    assert recipients == ["rhian@example.org"]
    assert message["From"] == "Cyd Caerdydd <cyd@example.gov.uk>" and message["Subject"] == "Choose a new password"
    assert message["Message-ID"].endswith("@example.gov.uk>")
    body = message.get_payload(decode=True).decode(message.get_content_charset())
    assert body.splitlines() == ["Héllo Rhian,", "", "http://localhost/account/reset/x"]  # SMTP's own line ends


def test_waiting_says_when_the_server_cannot_be_reached_and_the_background_logs_it(app, caplog) -> None:
    _through(app, _free_port())  # nothing listens there
    with pytest.raises(OSError):
        mail.send("rhian@example.org", "A test", "Body", wait=True)
    with caplog.at_level(logging.ERROR, logger="pb.mail"):
        mail.send("rhian@example.org", "Choose a new password", "Body")
        deadline = time.monotonic() + 10
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.02)
    (record,) = caplog.records
    assert "An email (Choose a new password) could not be sent" in record.getMessage()
    assert "rhian@example.org" not in record.getMessage()  # personal data stays out of the log


def test_development_without_a_mail_server_writes_the_message_to_the_log(app, caplog) -> None:
    app.config["MAIL_BACKEND"] = "log"
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        mail.send("rhian@example.org", "Choose a new password", "http://localhost/account/reset/x")
    assert "http://localhost/account/reset/x" in caplog.text and mail.how_sent().startswith("the log")


def test_an_app_without_email_refuses_to_send(app) -> None:
    app.config["MAIL_BACKEND"] = None
    assert not mail.can_send()
    with pytest.raises(RuntimeError, match="MAIL_SERVER"):
        mail.send("rhian@example.org", "A test", "Body")


def test_the_command_line_sends_a_test_email_and_says_where(app, smtp_server) -> None:
    port, inbox = smtp_server
    _through(app, port)
    result = app.test_cli_runner().invoke(args=["pb", "send-test-email", "ops@example.gov.uk"])
    assert result.exit_code == 0, result.output
    assert f"Sent to ops@example.gov.uk through 127.0.0.1:{port} (none)" in result.output
    assert [recipients for recipients, _message in inbox.messages] == [["ops@example.gov.uk"]]
    app.config["MAIL_PORT"] = _free_port()
    failed = app.test_cli_runner().invoke(args=["pb", "send-test-email", "ops@example.gov.uk"])
    assert failed.exit_code == 1 and "could not be sent" in failed.output
    app.config["MAIL_BACKEND"] = None
    off = app.test_cli_runner().invoke(args=["pb", "send-test-email", "ops@example.gov.uk"])
    assert off.exit_code == 1 and "set MAIL_SERVER" in off.output


# A message and the change it tells of: held until the change is saved (pb/mail.py).


def test_a_message_sent_before_anything_is_written_goes_at_once(app, resident) -> None:
    db.session.get(User, resident.id)  # reading starts a transaction, and holds nothing back
    mail.send("rhian@example.org", "Choose a new password", "Body")
    assert [m["Subject"] for m in mail.outbox()] == ["Choose a new password"]


def test_a_message_about_a_change_goes_once_the_change_is_saved(app, resident) -> None:
    resident.name = "Rhian Jones"  # not yet flushed
    mail.send("old@example.org", "Your name has changed", "Body")
    resident.email = "rhian.jones@example.org"
    db.session.flush()
    mail.send("old@example.org", "Your address has changed", "Body")
    assert mail.outbox() == []
    db.session.commit()
    assert [m["Subject"] for m in mail.outbox()] == ["Your name has changed", "Your address has changed"]
    mail.send("rhian.jones@example.org", "After the commit", "Body")  # a new transaction, nothing written yet
    assert len(mail.outbox()) == 3


def test_a_savepoint_released_is_not_the_change_saved(app, resident) -> None:
    resident.name = "Rhian Jones"
    db.session.flush()
    mail.send("old@example.org", "Your name has changed", "Body")
    with db.session.begin_nested():  # as casting a ballot does, say
        resident.postcode = "CF10 1AA"
    mail.send("old@example.org", "Still part of the change", "Body")
    assert mail.outbox() == []
    db.session.rollback()
    assert mail.outbox() == []


def test_a_message_about_a_change_that_is_not_saved_is_never_sent(app, resident, caplog) -> None:
    db.session.execute(update(User).where(User.id == resident.id).values(name="Rhian Jones"))
    mail.send("old@example.org", "Your name has changed", "Body")
    with caplog.at_level(logging.WARNING, logger="pb.mail"):
        db.session.rollback()
    assert mail.outbox() == []
    assert "An email (Your name has changed) was not sent: saving the change it told of did not succeed." \
        in caplog.text
    assert "old@example.org" not in caplog.text
    db.session.commit()  # the next transaction holds nothing over from the last
    assert mail.outbox() == []


def test_when_saving_the_new_address_fails_the_old_one_is_told_nothing(app, client, login_as, make_user,
                                                                        resident) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # the 503 page, as production answers
    login_as(make_user(Role.ADMIN))
    old_email = resident.email
    details = {"name": resident.name, "email": "rhian.jones@example.org"}

    def lost(connection) -> None:  # type: ignore[no-untyped-def]
        connection.connection.dbapi_connection.rollback()  # the server is gone, and the transaction with it
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    event.listen(db.engine, "commit", lost)
    try:
        failed = client.submit(f"/people/{resident.id}/details", details)
    finally:
        event.remove(db.engine, "commit", lost)
    assert failed.status_code == 503 and mail.outbox() == []
    saved = client.submit(f"/people/{resident.id}/details", details)
    assert saved.status_code == 303
    assert [m["To"] for m in mail.outbox()] == [old_email]
