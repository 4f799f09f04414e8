"""A forgotten password: the link by email, the new password, and what nobody else can learn or do with it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from pb import create_app
from pb.accounts import password_reset
from pb.accounts.links import BrokenLink
from pb.accounts.models import User
from pb.db import db
from pb.mail import outbox
from tests.conftest import HX, PASSWORD, Client

NEW_PASSWORD = "a brand new password"
LINK = re.compile(r"http://localhost(/account/reset/[\w.-]+)")


def _ask(client: Client, email: str, **kwargs) -> str:  # type: ignore[no-untyped-def]
    """Ask for a link; the page the person is shown."""
    sent = client.submit("/account/reset", {"email": email}, **kwargs)
    assert sent.status_code in (204, 303), sent.status_code
    return client.get("/account/reset/sent").get_data(as_text=True)


def _link(message) -> str:  # type: ignore[no-untyped-def]
    match = LINK.search(message.get_content())
    assert match, message.get_content()
    return match[1]


# Services


def test_a_link_is_sent_only_to_an_address_with_an_account(app, resident) -> None:
    with app.test_request_context():
        password_reset.send_reset_link("nobody@example.org")
        assert outbox() == []
        password_reset.send_reset_link(resident.email.upper())
    (message,) = outbox()
    assert message["To"] == resident.email and message["Subject"] == "Choose a new password for Cyd"
    assert message["From"] == app.config["MAIL_FROM"] and message["Message-ID"]
    body = message.get_content()
    assert f"Hello {resident.name}," in body and "works for 60 minutes, and only once" in body
    with app.test_request_context():
        assert password_reset.account_for_link(_link(message).rsplit("/", 1)[1]) == resident


def test_a_link_works_once(app, resident) -> None:
    with app.test_request_context():
        password_reset.send_reset_link(resident.email)
        token = _link(outbox()[0]).rsplit("/", 1)[1]
        password_reset.reset_password(token, NEW_PASSWORD)
        with pytest.raises(BrokenLink, match="used already"):
            password_reset.account_for_link(token)


def test_an_account_an_import_made_without_a_password_is_given_one_through_a_link(app, resident) -> None:
    resident.password_hash = "!"  # as `flask pb import-cycle` makes an account new to this installation
    db.session.commit()
    with app.test_request_context():
        password_reset.send_reset_link(resident.email)
        password_reset.reset_password(_link(outbox()[0]).rsplit("/", 1)[1], NEW_PASSWORD)
    assert resident.password_hash.startswith("$argon2")


def test_a_link_stops_working_when_the_password_changes_another_way(app, resident) -> None:
    from pb.accounts.services import set_password

    with app.test_request_context():
        password_reset.send_reset_link(resident.email)
        token = _link(outbox()[0]).rsplit("/", 1)[1]
        set_password(resident, "changed by the operator")
        with pytest.raises(BrokenLink):
            password_reset.account_for_link(token)


def test_a_link_too_old_a_forged_one_or_one_for_no_account_does_not_work(app, resident, monkeypatch) -> None:
    with app.test_request_context():
        password_reset.send_reset_link(resident.email)
        token = _link(outbox()[0]).rsplit("/", 1)[1]
        forged = URLSafeTimedSerializer("another site's key", salt=password_reset.SALT).dumps(
            [resident.id, resident.password_seal()])
        other_purpose = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="another purpose").dumps(
            [resident.id, resident.password_seal()])
        ours = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=password_reset.SALT)
        no_account = ours.dumps([resident.id + 1000, "x" * 20])
        not_a_pair = ours.dumps({"id": resident.id})
        for bad in (forged, other_purpose, no_account, not_a_pair, token[:-2], "", "not.a.token"):
            with pytest.raises(BrokenLink):
                password_reset.account_for_link(bad)
        monkeypatch.setitem(app.config, "PASSWORD_RESET_LINK_AGE", timedelta(seconds=-1))
        with pytest.raises(BrokenLink, match="too old"):
            password_reset.account_for_link(token)


def test_a_new_password_too_short_is_refused_and_the_link_still_works(app, resident) -> None:
    from pb.errors import InvalidInput

    with app.test_request_context():
        password_reset.send_reset_link(resident.email)
        token = _link(outbox()[0]).rsplit("/", 1)[1]
        with pytest.raises(InvalidInput, match="at least 10 characters"):
            password_reset.reset_password(token, "short")
        assert password_reset.account_for_link(token) == resident


def test_the_link_leads_to_the_public_url_not_to_the_host_the_request_named(app, resident) -> None:
    app.config["PUBLIC_URL"] = "https://cyd.example.gov.uk/"
    with app.test_request_context(headers={"Host": "evil.example"}):
        password_reset.send_reset_link(resident.email)
    assert "https://cyd.example.gov.uk/account/reset/" in outbox()[0].get_content()
    assert "evil.example" not in outbox()[0].get_content()


def test_without_email_there_is_no_link_to_send(app, resident) -> None:
    app.config["MAIL_BACKEND"] = None
    with app.test_request_context(), pytest.raises(password_reset.NoEmail):
        password_reset.send_reset_link(resident.email)


# Views


def test_the_sign_in_page_leads_to_a_reset(client) -> None:
    assert 'href="/account/reset"' in client.get("/sign-in").get_data(as_text=True)
    page = client.get("/account/reset").get_data(as_text=True)
    assert "Reset your password" in page and 'autocomplete="email"' in page


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(client, resident) -> None:
    for headers in ({}, HX):
        unknown = client.submit("/account/reset", {"email": "nobody@example.org"}, headers=headers)
        known = client.submit("/account/reset", {"email": resident.email}, headers=headers)
        assert (unknown.status_code, dict(unknown.headers).get("Location"), dict(unknown.headers).get("HX-Redirect")) \
            == (known.status_code, dict(known.headers).get("Location"), dict(known.headers).get("HX-Redirect"))
        assert known.status_code == (204 if headers else 303)
    for email in ("nobody@example.org", resident.email):
        page = _ask(client, email)
        assert f"If {email} has an account, we have sent it an email" in page
    assert [m["To"] for m in outbox()] == [resident.email] * 3


def test_a_person_resets_their_password_and_is_signed_in_with_it_and_out_everywhere_else(app, client,
                                                                                        resident) -> None:
    laptop = app.test_client()
    assert laptop.submit("/sign-in", {"email": resident.email, "password": PASSWORD}).status_code == 303
    _ask(client, resident.email)
    link = _link(outbox()[0])
    page = client.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert f"For the account of {resident.email}" in page.get_data(as_text=True)
    done = client.submit(link, {"password": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Your password has been changed, and you are signed in." in home and resident.name in home
    assert laptop.get("/account").status_code == 302  # signed in with the old password: signed out
    again = client.get(link)
    assert again.status_code == 400 and "This link does not work" in again.get_data(as_text=True)
    assert client.submit(link, {"password": "yet another password"}).status_code == 400
    db.session.expire_all()
    user = db.session.get(User, resident.id)
    from pb.accounts.services import authenticate

    assert authenticate(user.email, NEW_PASSWORD) == user


def test_reset_errors_come_back_on_the_form_with_and_without_htmx(client, resident) -> None:
    _ask(client, resident.email)
    link = _link(outbox()[0])
    for headers in ({}, HX):
        for data, message in (({"password": ""}, "Enter a new password."),
                              ({"password": "short"}, "at least 10 characters")):
            response = client.submit(link, data, headers=headers)
            page = response.get_data(as_text=True)
            assert response.status_code == 422 and "There is a problem" in page and message in page
            assert 'aria-invalid="true"' in page
    missing = client.submit("/account/reset", {"email": "not an address"})
    assert missing.status_code == 422 and "like name@example.com" in missing.get_data(as_text=True)
    assert client.submit(link, {"password": NEW_PASSWORD}).status_code == 303  # the link still works


def test_a_broken_link_says_what_to_do(client) -> None:
    for headers in ({}, HX):
        page = client.get("/account/reset/nonsense", headers=headers)
        text = page.get_data(as_text=True)
        assert page.status_code == 400 and "This link does not work" in text
        assert 'href="/account/reset"' in text and "Ask for a new link" in text


def test_the_email_is_in_the_language_it_was_asked_in(client, resident) -> None:
    client.set_cookie("lang", "cy")
    page = _ask(client, resident.email)
    assert "Gwiriwch eich e-bost" in page
    (message,) = outbox()
    assert message["Subject"] == "Dewiswch gyfrinair newydd ar gyfer Cyd"
    assert f"Helo {resident.name}," in message.get_content()


def test_without_email_the_page_says_to_ask_the_council(app, client, resident) -> None:
    app.config["MAIL_BACKEND"] = None
    page = client.get("/account/reset")
    assert page.status_code == 200 and "Ask the council team" in page.get_data(as_text=True)
    assert 'name="email"' not in page.get_data(as_text=True)
    refused = client.submit("/account/reset", {"email": resident.email})
    assert refused.status_code == 503 and outbox() == []


def test_links_asked_for_one_address_are_limited_whoever_asks(database_url) -> None:
    app = create_app("test", SQLALCHEMY_ENGINES={"default": database_url}, RATELIMIT_ENABLED=True,
                     SIGN_IN_RATE_LIMIT="100 per minute", PASSWORD_RESET_LIMIT="2 per hour")
    app.test_client_class = Client
    client = app.test_client()
    statuses = [client.submit("/account/reset", {"email": "Someone@example.org"},
                              environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code for n in range(3)]
    assert statuses == [303, 303, 429]
    assert client.submit("/account/reset", {"email": "another@example.org"}).status_code == 303


def test_production_with_a_mail_server_needs_a_sender_and_a_public_https_address(monkeypatch) -> None:
    from config import ProductionConfig

    for name, value in (("SECRET_KEY", "s"), ("BALLOT_KEY_SECRET", "b"), ("DATABASE_URL", "sqlite://"),
                        ("MAIL_SERVER", "smtp.example.gov.uk")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MAIL_FROM", raising=False)
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    with pytest.raises(RuntimeError, match="MAIL_FROM, PUBLIC_URL"):
        ProductionConfig.check()
    monkeypatch.setenv("MAIL_FROM", "Cyd <cyd@example.gov.uk>")
    monkeypatch.setenv("PUBLIC_URL", "http://cyd.example.gov.uk")
    with pytest.raises(RuntimeError, match="https://"):
        ProductionConfig.check()
    monkeypatch.setenv("PUBLIC_URL", "https://cyd.example.gov.uk")
    ProductionConfig.check()
