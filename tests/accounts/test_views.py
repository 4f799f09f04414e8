from __future__ import annotations

import pytest
from flask import session
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from pb import create_app
from pb.accounts import views
from pb.accounts.models import User
from pb.db import db
from tests.conftest import HX, PASSWORD, Client


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, resident) -> None:
    response = client.submit("/sign-in", {"email": resident.email, "password": "wrong password!"})
    assert response.status_code == 422
    assert "Enter a correct email address and password." in response.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused(client, resident) -> None:
    response = client.post("/sign-in", data={"email": resident.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "This page was out of date" in response.get_data(as_text=True)


def test_sign_in_never_redirects_to_another_site(client, resident) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/%09/evil.example", "/%0D%0A/evil.example",
                   "/\\evil.example", "/x%0Aabc", "/" + "x" * 2001):
        response = client.submit(f"/sign-in?next={target}", {"email": resident.email, "password": PASSWORD})
        client.csrf = None  # signing in starts a new session, with a new token
        assert response.status_code == 303, target
        assert response.headers["Location"] == "/", target
    response = client.submit("/sign-in?next=/cycles/1%3Fq%3Dpark", {"email": resident.email, "password": PASSWORD})
    assert response.headers["Location"] == "/cycles/1?q=park"  # a page of this site is kept


def test_sign_in_starts_a_new_session(client, resident) -> None:
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.submit("/sign-in", {"email": resident.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session


def test_a_sign_in_the_database_fails_halfway_through_can_simply_be_sent_again(app, client, resident,
                                                                             monkeypatch) -> None:
    """The new session had begun when the database went: the 503 must not hand the browser that session.

    It has no CSRF token, so the person's retry (the same form, its token from before) would be
    refused as a forged request.
    """
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as production does: an error page, not a traceback
    def lose_the_database(user, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("SELECT", {}, Exception("the database system is shutting down"))

    monkeypatch.setattr(views, "login_user", lose_the_database)
    form = {"email": resident.email, "password": PASSWORD}
    for headers in ({}, HX):
        failed = client.submit("/sign-in", form, headers=headers)
        assert failed.status_code == 503 and failed.headers["Retry-After"]
        assert "Set-Cookie" not in failed.headers  # the browser keeps the session it had, token and all

    monkeypatch.undo()  # the database is back
    again = client.submit("/sign-in", form)
    assert again.status_code == 303
    assert resident.name in client.get("/").get_data(as_text=True)


def test_a_server_error_leaves_the_session_as_it_was(app, client, monkeypatch) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    token = client.token()

    def break_down() -> None:
        session.clear()  # what the request did before it failed
        raise RuntimeError("a bug")

    app.before_request_funcs.setdefault(None, []).append(break_down)
    failed = client.get("/")
    assert failed.status_code == 500 and "Set-Cookie" not in failed.headers
    app.before_request_funcs[None].remove(break_down)
    assert client.submit("/sign-in", {"email": "x@example.org", "password": "nope nope nope"}).status_code == 422
    assert client.token() == token


def test_a_bug_after_a_failed_write_still_gets_the_apps_error_page(app, login_as, resident) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = login_as(resident)

    def fail_to_write() -> None:
        person = current_user._get_current_object()
        db.session.add(User(email=person.email, name="Twin", password_hash="x"))  # the email is taken
        db.session.expire(person)  # the page will have to read the person again
        db.session.flush()

    app.before_request_funcs.setdefault(None, []).append(fail_to_write)
    failed = client.get("/")
    app.before_request_funcs[None].remove(fail_to_write)
    assert failed.status_code == 500 and 'class="heading-l"' in failed.get_data(as_text=True)  # not a bare 500


def test_sign_in_is_rate_limited(database_url) -> None:
    app = create_app(
        "test", SQLALCHEMY_ENGINES={"default": database_url}, RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="3 per minute"
    )
    app.test_client_class = Client
    client = app.test_client()
    statuses = [
        client.submit("/sign-in", {"email": "x@example.org", "password": "nope nope nope"}).status_code
        for _ in range(4)
    ]
    assert statuses == [422, 422, 422, 429]


def test_every_response_has_strict_security_headers(client) -> None:
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_sign_out_needs_a_post(login_as, resident) -> None:
    client = login_as(resident)
    assert client.get("/sign-out").status_code == 405
    assert client.submit("/sign-out").status_code == 303
    assert "Sign in" in client.get("/").get_data(as_text=True)


def test_a_session_left_alone_or_too_old_signs_out(client, resident, app) -> None:
    import time

    client.submit("/sign-in", {"email": resident.email, "password": PASSWORD})
    assert resident.name in client.get("/").get_data(as_text=True)
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 31 * 60
    page = client.get("/").get_data(as_text=True)
    assert "signed out because the session was left" in page and resident.name not in page

    client.csrf = None
    client.submit("/sign-in", {"email": resident.email, "password": PASSWORD})
    with client.session_transaction() as session:
        session["started_at"] = int(time.time()) - 9 * 3600  # active all along, but signed in too long ago
    assert resident.name not in client.get("/").get_data(as_text=True)


def test_the_last_seen_time_is_written_once_a_minute_not_on_every_request(client, resident) -> None:
    import time

    from pb.security import SEEN_EVERY

    client.submit("/sign-in", {"email": resident.email, "password": PASSWORD})
    client.get("/")
    with client.session_transaction() as session:
        seen = session["seen_at"]
    assert "Set-Cookie" not in client.get("/").headers  # nothing changed: the browser keeps its cookie

    with client.session_transaction() as session:
        session["seen_at"] = seen - SEEN_EVERY
    assert "Set-Cookie" in client.get("/").headers
    with client.session_transaction() as session:
        assert session["seen_at"] >= int(time.time()) - 1


def test_production_refuses_to_start_without_its_secrets(monkeypatch) -> None:
    import pytest

    from config import ProductionConfig

    for name in ("SECRET_KEY", "BALLOT_KEY_SECRET", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, BALLOT_KEY_SECRET, DATABASE_URL"):
        create_app(ProductionConfig)


def _backing_off_client(database_url: str, *emails: str) -> Client:
    """A client of an app whose limits are on, with three failures on one account allowed, and these accounts."""
    app = create_app("test", SQLALCHEMY_ENGINES={"default": database_url}, RATELIMIT_ENABLED=True,
                     SIGN_IN_RATE_LIMIT="100 per minute", SIGN_IN_FAILURE_LIMIT="3 per 15 minutes")
    app.test_client_class = Client
    with app.app_context():
        from pb.accounts.services import sign_up

        for email in emails:
            sign_up(email, email.split("@")[0].title(), PASSWORD)
        db.session.commit()
    return app.test_client()  # type: ignore[return-value]


def test_repeated_failures_on_one_account_back_off_whatever_the_address(database_url) -> None:
    client = _backing_off_client(database_url, "target@example.org", "other@example.org")
    failures = [client.submit("/sign-in", {"email": "Target@example.org", "password": "guess number x"},
                              environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code for n in range(3)]
    assert failures == [422, 422, 422]
    locked = client.submit("/sign-in", {"email": "target@example.org", "password": PASSWORD})
    assert locked.status_code == 429  # even the right password waits out the back-off
    assert "Too many attempts. Wait a few minutes" in locked.get_data(as_text=True)
    assert client.submit("/sign-in", {"email": "other@example.org", "password": PASSWORD}).status_code == 303


def test_behind_a_proxy_each_resident_has_their_own_sign_in_limit(database_url) -> None:
    """The proxy's X-Forwarded-For names the client; with no proxy configured it is ignored."""

    def attempts(proxy_hops: int) -> list[int]:
        app = create_app("test", SQLALCHEMY_ENGINES={"default": database_url}, RATELIMIT_ENABLED=True,
                         SIGN_IN_RATE_LIMIT="2 per minute", PROXY_HOPS=proxy_hops)
        app.test_client_class = Client
        client = app.test_client()
        proxy = {"REMOTE_ADDR": "10.0.0.1"}  # every request arrives from the proxy
        return [client.submit("/sign-in", {"email": f"x{n}@example.org", "password": "nope nope nope"},
                              environ_base=proxy, headers={"X-Forwarded-For": f"203.0.113.{n % 3}"}).status_code
                for n in range(6)]

    assert attempts(proxy_hops=1) == [422] * 6  # three residents, two attempts each: nobody is over
    assert attempts(proxy_hops=0) == [422, 422, 429, 429, 429, 429]  # the header is not trusted: one address


def test_your_account_shows_what_it_holds_and_is_for_the_signed_in_only(client, login_as, resident) -> None:
    assert client.get("/account").status_code == 302
    login_as(resident)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/account"' in page  # the name in the header leads there
    page = client.get("/account").get_data(as_text=True)
    assert resident.email in page and "Not given" in page
    assert 'href="/account/password"' in page and "/account/details?next=/account" in page


def test_changing_your_password_keeps_you_signed_in_here_and_signs_you_out_elsewhere(app, resident) -> None:
    app.test_client_class = Client
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        assert device.submit("/sign-in", {"email": resident.email, "password": PASSWORD}).status_code == 303
        device.csrf = None
    changed = phone.submit("/account/password", {"current_password": PASSWORD, "new_password": "a brand new password"})
    assert changed.status_code == 303 and changed.headers["Location"] == "/account"
    assert "signed out everywhere else" in phone.get("/account").get_data(as_text=True)
    assert laptop.get("/account").status_code == 302  # signed out: back to sign in
    phone.csrf = None
    phone.submit("/sign-out")
    phone.csrf = None
    assert phone.submit("/sign-in", {"email": resident.email, "password": PASSWORD}).status_code == 422
    assert phone.submit("/sign-in", {"email": resident.email, "password": "a brand new password"}).status_code == 303


def test_password_change_errors_come_back_on_the_form_with_and_without_htmx(client, login_as, resident) -> None:
    login_as(resident)
    for headers in ({}, HX):
        wrong = client.submit("/account/password", {"current_password": "not my password", "new_password": "short"},
                              headers=headers)
        page = wrong.get_data(as_text=True)
        assert wrong.status_code == 422
        assert "There is a problem" in page and "Error:" in page
        assert "Your password must be at least 10 characters." in page  # the form's check comes first
        wrong = client.submit("/account/password",
                              {"current_password": "not my password", "new_password": "long enough now"},
                              headers=headers)
        assert wrong.status_code == 422
        assert "Your current password is not right." in wrong.get_data(as_text=True)
    assert client.submit("/sign-out").status_code == 303
    client.csrf = None
    assert client.submit("/sign-in", {"email": resident.email, "password": PASSWORD}).status_code == 303


def test_a_password_change_needs_its_csrf_token(client, login_as, resident) -> None:
    login_as(resident)
    refused = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "a new password!"})
    assert refused.status_code == 400


def test_guesses_at_the_current_password_back_off(database_url) -> None:
    """Someone at another's unlocked phone cannot try password after password."""
    client = _backing_off_client(database_url, "phone@example.org")
    assert client.submit("/sign-in", {"email": "phone@example.org", "password": PASSWORD}).status_code == 303
    client.csrf = None
    guesses = [client.submit("/account/password", {"current_password": f"guess number {n}",
                                                   "new_password": "a new password!"}).status_code for n in range(3)]
    assert guesses == [422, 422, 422]
    locked = client.submit("/account/password", {"current_password": PASSWORD, "new_password": "a new password!"})
    assert locked.status_code == 429


@pytest.mark.parametrize(("url", "form"), [
    ("/account/email", {"email": "elsewhere@example.org"}),
    ("/account/remove", {}),
])
def test_guesses_at_the_password_on_other_forms_that_ask_for_it_back_off(database_url, url, form) -> None:
    client = _backing_off_client(database_url, "phone@example.org")
    assert client.submit("/sign-in", {"email": "phone@example.org", "password": PASSWORD}).status_code == 303
    client.csrf = None
    guesses = [client.submit(url, {**form, "password": f"guess number {n}"}).status_code for n in range(3)]
    assert guesses == [422, 422, 422]
    assert client.submit(url, {**form, "password": PASSWORD}).status_code == 429


def test_a_new_password_too_short_is_not_counted_as_a_guess(database_url) -> None:
    client = _backing_off_client(database_url, "typist@example.org")
    assert client.submit("/sign-in", {"email": "typist@example.org", "password": PASSWORD}).status_code == 303
    client.csrf = None
    too_short = [client.submit("/account/password", {"current_password": PASSWORD, "new_password": "short"}).status_code
                 for _ in range(4)]
    assert too_short == [422] * 4
    changed = client.submit("/account/password", {"current_password": PASSWORD, "new_password": "long enough at last"})
    assert changed.status_code == 303


def test_the_sign_in_and_sign_up_pages_say_who_is_signed_in_already(client, resident) -> None:
    for url in ("/sign-in", "/sign-up"):
        assert "You are signed in as" not in client.get(url).get_data(as_text=True)
    client.submit("/sign-in", {"email": resident.email, "password": PASSWORD})
    sign_in_page = client.get("/sign-in").get_data(as_text=True)
    assert f"You are signed in as {resident.name}." in sign_in_page
    assert "To use another account, sign in with it below." in sign_in_page
    sign_up_page = client.get("/sign-up").get_data(as_text=True)
    assert f"You are signed in as {resident.name}." in sign_up_page
    assert "Creating another account signs you in with it instead." in sign_up_page


def test_a_signed_in_page_carries_the_idle_warning_and_staying_signed_in_restarts_the_clock(client, resident) -> None:
    import re
    import time

    signed_out = client.get("/").get_data(as_text=True)
    assert "data-session-left" not in signed_out and 'id="session-warning"' not in signed_out
    client.submit("/sign-in", {"email": resident.email, "password": PASSWORD})
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 40  # within SEEN_EVERY: this page writes no new time
    page = client.get("/").get_data(as_text=True)
    left = int(re.search(r'data-session-left="(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert 30 * 60 - 42 <= left <= 30 * 60 - 40
    assert 'data-session-idle="1800"' in page and 'data-session-warn="120"' in page
    assert "you will be signed out in 2 minutes" in page and "Stay signed in" in page
    ends = int(re.search(r'data-session-ends="(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert 8 * 3600 - 5 <= ends <= 8 * 3600  # counted from sign-in, a moment ago
    assert "Cyd signs everyone out 8 hours after they signed in" in page and "I understand" in page

    stayed = client.get("/account/still-here")
    assert stayed.status_code == 204 and stayed.headers["Cache-Control"] == "no-store"
    with client.session_transaction() as session:
        assert session["seen_at"] >= int(time.time()) - 1

    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 31 * 60
    too_late = client.get("/account/still-here", headers={"Referer": "http://localhost/cycles/1"})
    assert too_late.status_code == 401
    message = too_late.get_data(as_text=True)
    assert "You have been signed out. What you wrote is still on this page" in message
    assert 'href="/sign-in?next=/cycles/1"' in message
