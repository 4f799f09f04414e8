"""`flask pb set-password`: an operator gives an account a password."""

from __future__ import annotations

from pb.accounts.services import authenticate, find_by_email
from pb.db import db
from tests.conftest import PASSWORD, Client


def test_an_account_an_import_made_can_be_signed_in_to_once_a_password_is_set(app, resident) -> None:
    resident.password_hash = "!"  # what import-cycle gives an account it creates (docs/backup.md)
    db.session.commit()
    app.test_client_class = Client
    client = app.test_client()
    assert client.submit("/sign-in", {"email": resident.email, "password": PASSWORD}).status_code == 422
    result = app.test_cli_runner().invoke(args=["pb", "set-password", resident.email.upper()],
                                          input="a password for them\na password for them\n")
    assert result.exit_code == 0, result.output
    assert f"Password set for {resident.email}" in result.output
    assert "a password for them" not in result.output  # asked for unseen
    assert client.submit("/sign-in", {"email": resident.email, "password": "a password for them"}).status_code == 303


def test_setting_a_password_signs_out_every_session_with_the_old_one(app, login_as, client, resident) -> None:
    login_as(resident)
    assert client.get("/account").status_code == 200
    result = app.test_cli_runner().invoke(args=["pb", "set-password", resident.email, "--password", "a new password!"])
    assert result.exit_code == 0, result.output
    assert client.get("/account").status_code == 302


def test_set_password_refuses_an_unknown_email_and_a_short_password_and_changes_nothing(app, resident) -> None:
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["pb", "set-password", "nobody@example.org", "--password", "a new password!"])
    assert unknown.exit_code == 1 and "No account has the email address nobody@example.org" in unknown.output
    short = runner.invoke(args=["pb", "set-password", resident.email, "--password", "short"])
    assert short.exit_code == 1 and "at least 10 characters. Nothing was changed." in short.output
    mismatched = runner.invoke(args=["pb", "set-password", resident.email], input="one password\nanother one\n")
    assert mismatched.exit_code != 0
    db.session.expire_all()
    assert authenticate(resident.email, PASSWORD) is find_by_email(resident.email)
