"""A person changes their own name, and their email address through a link sent to the new one."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from pb.accounts import email_change
from pb.accounts.links import BrokenLink
from pb.accounts.models import User
from pb.accounts.services import set_password
from pb.db import db
from pb.errors import Conflict, InvalidInput
from pb.mail import outbox
from tests.conftest import HX, PASSWORD

LINK = re.compile(r"http://localhost(/account/email/confirm/[\w.-]+)")


def _link(message) -> str:  # type: ignore[no-untyped-def]
    match = LINK.search(message.get_content())
    assert match, message.get_content()
    return match[1]


def _token(message) -> str:  # type: ignore[no-untyped-def]
    return _link(message).rsplit("/", 1)[1]


# Services


def test_the_new_address_gets_a_link_and_the_address_changes_only_when_it_is_confirmed(app, resident) -> None:
    old = resident.email
    with app.test_request_context():
        assert email_change.ask_to_change_email(resident, " Rhian@New.example ", PASSWORD) is True
        assert resident.email == old
        (link,) = outbox()
        assert link["To"] == "rhian@new.example" and link["Subject"] == "Confirm your new email address for Cyd"
        assert "The link works for 24 hours." in link.get_content()
        email_change.confirm_email_change(_token(link))
        assert resident.email == "rhian@new.example"
        email_change.confirm_email_change(_token(link))  # used again: nothing more changes
    assert outbox() == [link]  # the old address is told once the change is saved, not before
    db.session.commit()
    notice = outbox()[1]
    assert len(outbox()) == 2 and notice["To"] == old
    assert f"changed from {old} to rhian@new.example" in notice.get_content()


def test_a_wrong_password_or_the_same_address_is_refused(app, resident) -> None:
    with app.test_request_context():
        for email, password, field in (("rhian@new.example", "not my password", "password"),
                                       (resident.email.upper(), PASSWORD, "email")):
            with pytest.raises(InvalidInput) as refused:
                email_change.ask_to_change_email(resident, email, password)
            assert refused.value.field == field
    assert outbox() == []


def test_an_address_another_account_has_is_told_so_and_nothing_changes(app, resident, make_user) -> None:
    other = make_user()
    old = resident.email
    with app.test_request_context():
        assert email_change.ask_to_change_email(resident, other.email.upper(), PASSWORD) is True
    (notice,) = outbox()
    body = notice.get_content()
    assert notice["To"] == other.email and notice["Subject"] == "This address has a Cyd account already"
    assert "nothing has changed" in body and "http://localhost/sign-in" in body
    assert not LINK.search(body) and resident.name not in body and old not in body
    assert (resident.email, other.email) == (old, other.email)


def test_without_email_an_address_another_account_has_is_refused_with_the_reason(app, resident, make_user) -> None:
    other = make_user()
    app.config["MAIL_BACKEND"] = None
    with app.test_request_context(), pytest.raises(Conflict) as refused:
        email_change.ask_to_change_email(resident, other.email, PASSWORD)
    assert refused.value.field == "email" and resident.email != other.email


def test_a_link_for_an_address_taken_since_or_after_a_new_password_or_too_old_does_not_work(app, resident,
                                                                                         make_user) -> None:
    with app.test_request_context():
        email_change.ask_to_change_email(resident, "rhian@new.example", PASSWORD)
        token = _token(outbox()[0])
        taker = make_user()
        taker.email = "rhian@new.example"
        with pytest.raises(Conflict):
            email_change.confirm_email_change(token)
        taker.email = "someone@else.example"
        app.config["EMAIL_CHANGE_LINK_AGE"] = timedelta(seconds=-1)
        with pytest.raises(BrokenLink):
            email_change.confirm_email_change(token)
        app.config["EMAIL_CHANGE_LINK_AGE"] = timedelta(hours=24)
        set_password(resident, "a new password here")
        with pytest.raises(BrokenLink):
            email_change.confirm_email_change(token)
        with pytest.raises(BrokenLink):
            email_change.confirm_email_change("not-a-token")


def test_without_email_the_address_changes_at_once(app, resident) -> None:
    app.config["MAIL_BACKEND"] = None
    with app.test_request_context():
        assert email_change.ask_to_change_email(resident, "rhian@new.example", PASSWORD) is False
    assert resident.email == "rhian@new.example"


# Views


def test_a_person_changes_their_name_with_and_without_htmx(client, login_as, resident) -> None:
    login_as(resident)
    assert 'href="/account/name"' in client.get("/account").get_data(as_text=True)
    assert 'value="Rhian Resident"' in client.get("/account/name").get_data(as_text=True)
    for headers in ({}, HX):
        refused = client.submit("/account/name", {"name": "  "}, headers=headers)
        assert refused.status_code == 422 and "Enter your name." in refused.get_data(as_text=True)
    saved = client.submit("/account/name", {"name": "Rhian Jones"}, headers=HX)
    assert saved.status_code == 204 and saved.headers["HX-Redirect"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert "Your name has been changed." in page and "Rhian Jones" in page


def test_a_person_changes_their_email_address_from_your_account(app, client, login_as, resident) -> None:
    login_as(resident)
    assert 'href="/account/email"' in client.get("/account").get_data(as_text=True)
    for headers in ({}, HX):
        refused = client.submit("/account/email", {"email": "nope", "password": ""}, headers=headers)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422 and "like name@example.com" in page and "Enter your password." in page
    wrong = client.submit("/account/email", {"email": "rhian@new.example", "password": "not it at all"})
    assert wrong.status_code == 422 and "Your password is not right." in wrong.get_data(as_text=True)
    sent = client.submit("/account/email", {"email": "rhian@new.example", "password": PASSWORD})
    assert sent.status_code == 303 and sent.location == "/account/email/sent"
    assert "We have sent a link to rhian@new.example." in client.get(sent.location).get_data(as_text=True)

    phone = app.test_client()  # the link opened on another device, signed out
    link = _link(outbox()[0])
    page = phone.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "will have the address rhian@new.example" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, resident.id).email != "rhian@new.example"  # reading the link changes nothing
    confirmed = phone.submit(link)
    assert confirmed.status_code == 303 and confirmed.location == "/sign-in"
    db.session.expire_all()
    assert db.session.get(User, resident.id).email == "rhian@new.example"
    broken = phone.get("/account/email/confirm/nonsense")
    assert broken.status_code == 400 and "This link does not work" in broken.get_data(as_text=True)


def test_the_page_answers_alike_whether_or_not_another_account_has_the_address(client, login_as, resident,
                                                                               make_user) -> None:
    other = make_user()
    login_as(resident)
    pages = []
    for email in ("rhian@new.example", other.email):
        for headers in ({}, HX):
            sent = client.submit("/account/email", {"email": email, "password": PASSWORD}, headers=headers)
            assert sent.status_code == (204 if headers else 303)
            assert (sent.headers.get("Location") or sent.headers["HX-Redirect"]) == "/account/email/sent"
        pages.append(client.get("/account/email/sent").get_data(as_text=True).replace(email, "ADDRESS"))
    assert pages[0] == pages[1] and "We have sent a link to ADDRESS." in pages[0]
    assert [m["Subject"] for m in outbox()] == ["Confirm your new email address for Cyd"] * 2 \
        + ["This address has a Cyd account already"] * 2
    db.session.expire_all()
    assert db.session.get(User, resident.id).email == resident.email
