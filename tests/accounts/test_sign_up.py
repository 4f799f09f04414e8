"""Creating an account: where Cyd sends email, from a link sent to the address, so that nobody learns
who has an account or takes someone else's address; where it sends none, on one page."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from pb import create_app
from pb.accounts import services, sign_up_link
from pb.accounts.links import BrokenLink
from pb.accounts.models import Role, User
from pb.accounts.services import authenticate, has_role, sign_up
from pb.db import db
from pb.errors import Conflict, InvalidInput
from pb.mail import outbox
from tests.conftest import HX, PASSWORD, Client

LINK = re.compile(r"http://localhost(/sign-up/[\w.-]+)")
TAPS = 8


def _link(message) -> str:  # type: ignore[no-untyped-def]
    match = LINK.search(message.get_content())
    assert match, message.get_content()
    return match[1]


def _token(message) -> str:  # type: ignore[no-untyped-def]
    return _link(message).rsplit("/", 1)[1]


def _accounts() -> int:
    return db.session.query(User).count()


# Services


def test_a_new_address_is_sent_a_link_and_no_account_is_made_until_it_is_followed(app) -> None:
    before = _accounts()
    with app.test_request_context():
        sign_up_link.send_sign_up_link(" Ann@Example.org ", "/cycles/1/vote")
        (message,) = outbox()
        assert message["To"] == "ann@example.org" and message["Subject"] == "Finish creating your Cyd account"
        assert "The link works for 24 hours." in message.get_content()
        assert _accounts() == before
        link = sign_up_link.read_link(_token(message))
        assert (link.email, link.next_path) == ("ann@example.org", "/cycles/1/vote")
        user = sign_up_link.finish_sign_up(_token(message), " Ann Jones ", PASSWORD)
    assert (user.email, user.name) == ("ann@example.org", "Ann Jones")
    assert has_role(user, Role.RESIDENT) and authenticate("ann@example.org", PASSWORD) == user


def test_an_address_with_an_account_is_told_how_to_sign_in_and_given_no_link(app, resident) -> None:
    with app.test_request_context():
        sign_up_link.send_sign_up_link(resident.email.upper())
    (message,) = outbox()
    body = message.get_content()
    assert message["To"] == resident.email and message["Subject"] == "You have a Cyd account already"
    assert "http://localhost/sign-in" in body and "http://localhost/account/reset" in body
    assert not LINK.search(body) and resident.name not in body


def test_a_link_works_until_its_account_is_made(app) -> None:
    with app.test_request_context():
        sign_up_link.send_sign_up_link("ann@example.org")
        token = _token(outbox()[0])
        sign_up_link.finish_sign_up(token, "Ann", PASSWORD)
        with pytest.raises(sign_up_link.AccountExists, match="has an account already"):
            sign_up_link.finish_sign_up(token, "Ann again", "another long password")
    assert db.session.query(User).filter_by(email="ann@example.org").one().name == "Ann"


def test_a_link_too_old_forged_or_for_another_purpose_does_not_work(app, monkeypatch) -> None:
    with app.test_request_context():
        sign_up_link.send_sign_up_link("ann@example.org")
        token = _token(outbox()[0])
        forged = URLSafeTimedSerializer("another site's key", salt=sign_up_link.SALT).dumps(["x@example.org", "/"])
        other_purpose = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="cyd.password-reset").dumps(
            ["x@example.org", "/"])
        ours = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=sign_up_link.SALT)
        for bad in (forged, other_purpose, ours.dumps({"email": "x@example.org"}), ours.dumps([1, 2]),
                    ours.dumps(["x@example.org"]), token[:-2], "", "not.a.token"):
            with pytest.raises(BrokenLink):
                sign_up_link.read_link(bad)
        monkeypatch.setitem(app.config, "SIGN_UP_LINK_AGE", timedelta(seconds=-1))
        with pytest.raises(BrokenLink, match="too old"):
            sign_up_link.read_link(token)


def test_a_link_leads_back_only_to_a_page_of_this_site(app) -> None:
    with app.test_request_context():
        for target in ("https://elsewhere.example/", "//elsewhere.example/", "/\\elsewhere.example", ""):
            outbox().clear()
            sign_up_link.send_sign_up_link("ann@example.org", target)
            assert sign_up_link.read_link(_token(outbox()[0])).next_path == "/"


def test_a_short_password_makes_no_account_and_the_link_still_works(app) -> None:
    with app.test_request_context():
        sign_up_link.send_sign_up_link("ann@example.org")
        token = _token(outbox()[0])
        with pytest.raises(InvalidInput, match="at least 10 characters"):
            sign_up_link.finish_sign_up(token, "Ann", "short")
        assert sign_up_link.read_link(token).email == "ann@example.org"
    assert db.session.query(User).filter_by(email="ann@example.org").count() == 0


# Views, where Cyd sends email


def test_the_form_asks_for_the_address_alone_and_the_answer_is_the_same_for_an_address_with_an_account(
    client, resident
) -> None:
    page = client.get("/sign-up").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' not in page and 'name="name"' not in page
    for headers in ({}, HX):
        new = client.submit("/sign-up", {"email": "newcomer@example.org"}, headers=headers)
        known = client.submit("/sign-up", {"email": resident.email}, headers=headers)
        assert (new.status_code, new.headers.get("Location"), new.headers.get("HX-Redirect")) \
            == (known.status_code, known.headers.get("Location"), known.headers.get("HX-Redirect"))
        assert new.status_code == (204 if headers else 303)
    pages = []
    for email in ("newcomer@example.org", resident.email):
        client.submit("/sign-up", {"email": email})
        pages.append(client.get("/sign-up/sent").get_data(as_text=True).replace(email, "ADDRESS"))
    assert pages[0] == pages[1] and "Check your email" in pages[0] and "We have sent an email to ADDRESS." in pages[0]
    subjects = ["Finish creating your Cyd account", "You have a Cyd account already"]
    assert [m["Subject"] for m in outbox()] == subjects * 3


def test_a_person_follows_the_link_chooses_a_name_and_password_and_is_signed_in_where_they_were_going(
    client, resident
) -> None:
    client.submit("/sign-up?next=/cycles/7", {"email": "Newcomer@example.org"})
    link = _link(outbox()[0])
    page = client.get(link)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Finish creating your account" in text and "For newcomer@example.org." in text
    done = client.submit(link, {"name": "Nia Newcomer", "password": PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/cycles/7"
    client.csrf = None  # signing in starts a new session, with a new token
    home = client.get("/").get_data(as_text=True)
    assert "Your account has been created, and you are signed in." in home and "Nia Newcomer" in home
    again = client.get(link)
    text = again.get_data(as_text=True)
    assert again.status_code == 409 and "newcomer@example.org has an account already" in text
    assert "This address has an account already" in text and 'href="/sign-in?next=/cycles/7"' in text
    assert client.submit(link, {"name": "Someone", "password": "another long password"}).status_code == 409
    assert db.session.query(User).filter_by(email="newcomer@example.org").one().name == "Nia Newcomer"


def test_on_the_way_to_a_page_every_way_back_leads_there(client, resident) -> None:
    sent = client.submit("/sign-up?next=/cycles/7/vote", {"email": resident.email})
    assert sent.headers["Location"] == "/sign-up/sent?next=/cycles/7/vote"
    page = client.get(sent.headers["Location"])
    assert page.headers["Cache-Control"] == "no-store"  # it names the address typed
    assert 'href="/sign-up?next=/cycles/7/vote"' in page.get_data(as_text=True)  # Try again with another address
    (known,) = outbox()
    assert "http://localhost/sign-in?next=/cycles/7/vote" in known.get_content()
    client.submit("/sign-up?next=https://elsewhere.example/", {"email": resident.email})
    assert "http://localhost/sign-in\n" in outbox()[1].get_content()  # never another site's


def test_a_signed_in_person_is_told_the_link_makes_and_signs_in_another_account(client, login_as, resident) -> None:
    client.submit("/sign-up", {"email": "second@example.org"})
    link = _link(outbox()[0])
    login_as(resident)
    page = client.get(link).get_data(as_text=True)
    assert f"You are signed in as {resident.name}." in page
    assert "Creating this account signs you in with it instead." in page


def test_the_same_form_sent_twice_at_once_says_the_account_is_made(client, monkeypatch) -> None:
    """The second tap's request read the link before the first made the account, then met it on saving."""
    client.submit("/sign-up", {"email": "ann@example.org"})
    link = _link(outbox()[0])
    assert client.submit(link, {"name": "Ann", "password": PASSWORD}).status_code == 303
    client.csrf = None
    real = services.find_by_email
    calls: list[str] = []

    def not_yet_the_first_time(email: str) -> User | None:  # as the second tap saw it before the first saved
        calls.append(email)
        return None if len(calls) == 1 else real(email)

    monkeypatch.setattr(services, "find_by_email", not_yet_the_first_time)
    monkeypatch.setattr(sign_up_link, "find_by_email", lambda email: None)
    second = client.submit(link, {"name": "Ann", "password": PASSWORD})
    text = second.get_data(as_text=True)
    assert second.status_code == 409 and "ann@example.org has an account already" in text, text
    assert 'href="/sign-in?next=/"' in text and len(calls) == 2  # it looked again after saving failed
    assert db.session.query(User).filter_by(email="ann@example.org").count() == 1


def test_sign_up_errors_come_back_on_the_form_with_and_without_htmx(client) -> None:
    for headers in ({}, HX):
        response = client.submit("/sign-up", {"email": "not-an-email"}, headers=headers)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and "There is a problem" in page and "<title>Error:" in page
        assert "like name@example.com" in page and 'aria-invalid="true"' in page
    client.submit("/sign-up", {"email": "ann@example.org"})
    link = _link(outbox()[0])
    for headers in ({}, HX):
        for data, message in (({"name": "", "password": PASSWORD}, "Enter your name."),
                              ({"name": "Ann", "password": "short"}, "at least 10 characters")):
            response = client.submit(link, data, headers=headers)
            page = response.get_data(as_text=True)
            assert response.status_code == 422 and "There is a problem" in page and message in page
            assert 'aria-invalid="true"' in page and "<title>Error: Finish creating your account" in page
    assert client.submit(link, {"name": "Ann", "password": PASSWORD}).status_code == 303  # the link still works


def test_a_broken_link_says_to_create_the_account_again(client) -> None:
    for headers in ({}, HX):
        page = client.get("/sign-up/nonsense", headers=headers)
        text = page.get_data(as_text=True)
        assert page.status_code == 400 and "This link does not work" in text
        assert 'href="/sign-up"' in text and "Ask for a new link" in text and "works for 24 hours" in text
    assert client.submit("/sign-up/nonsense", {"name": "Ann", "password": PASSWORD}).status_code == 400
    assert _accounts() == 0


def test_the_email_is_in_the_language_it_was_asked_in(client, resident) -> None:
    client.set_cookie("lang", "cy")
    client.submit("/sign-up", {"email": "newydd@example.org"})
    client.submit("/sign-up", {"email": resident.email})
    assert "Gwiriwch eich e-bost" in client.get("/sign-up/sent").get_data(as_text=True)
    new, known = outbox()
    assert "Helo," in new.get_content() and "Helo," in known.get_content()
    assert new["Subject"] != "Finish creating your Cyd account"
    assert known["Subject"] != "You have a Cyd account already"


def test_links_asked_for_one_address_are_limited_whoever_asks(database_url) -> None:
    app = create_app("test", SQLALCHEMY_ENGINES={"default": database_url}, RATELIMIT_ENABLED=True,
                     SIGN_IN_RATE_LIMIT="100 per minute", SIGN_UP_LIMIT="2 per hour")
    app.test_client_class = Client
    client = app.test_client()
    def ask(email: str, n: int) -> int:
        return client.submit("/sign-up", {"email": email}, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code

    typed = ["Someone@example.org", " someone@example.org ", "SOMEONE@example.org"]
    assert [ask(email, n) for n, email in enumerate(typed)] == [303, 303, 429]  # one address, however it is typed
    assert ask("another@example.org", 9) == 303


def test_where_cyd_sends_no_email_the_limit_of_links_does_not_apply(database_url) -> None:
    app = create_app("test", SQLALCHEMY_ENGINES={"default": database_url}, RATELIMIT_ENABLED=True,
                     SIGN_IN_RATE_LIMIT="100 per minute", SIGN_UP_LIMIT="1 per hour", MAIL_BACKEND=None)
    app.test_client_class = Client
    client = app.test_client()
    tries = [client.submit("/sign-up", {"name": "Ann", "email": "ann@example.org", "password": "short"}).status_code
             for _ in range(3)]
    assert tries == [422] * 3


# Where Cyd sends no email


def test_without_email_the_account_is_made_at_once_on_one_page(app, client) -> None:
    app.config["MAIL_BACKEND"] = None
    page = client.get("/sign-up").get_data(as_text=True)
    assert all(f'name="{field}"' in page for field in ("name", "email", "password"))
    response = client.submit("/sign-up?next=/cycles/3", {"name": "Ann", "email": "ann@example.org",
                                                         "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/cycles/3"
    assert "Ann" in client.get("/").get_data(as_text=True) and outbox() == []


def test_without_email_errors_come_back_on_the_form_with_and_without_htmx(app, client, resident) -> None:
    app.config["MAIL_BACKEND"] = None
    for headers in ({}, HX):
        response = client.submit("/sign-up", {"name": "", "email": "not-an-email", "password": "short"},
                                 headers=headers)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and "There is a problem" in page
        assert "Enter your name." in page and "like name@example.com" in page and 'aria-invalid="true"' in page
    taken = client.submit("/sign-up", {"name": "B", "email": resident.email, "password": PASSWORD})
    assert taken.status_code == 422 and "already exists" in taken.get_data(as_text=True)


# The same form sent several times at once (a double tap on a slow phone, on each database)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue("database_url" if request.param == "sqlite" else "postgres_url")


def test_the_same_account_made_several_times_at_once_is_made_once_and_the_rest_are_told_why(url: str) -> None:
    app = create_app("test", SQLALCHEMY_ENGINES={"default": {"url": url, "pool_size": TAPS}})
    email = f"ann-{uuid.uuid4().hex}@example.org"  # PostgreSQL's database here lasts the session
    barrier = threading.Barrier(TAPS)
    results: list[object] = [None] * TAPS

    def tap(n: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[n] = sign_up(email, f"Ann {n}", PASSWORD).id
                db.session.commit()
            except Exception as error:
                db.session.rollback()
                results[n] = error

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(TAPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = [r for r in results if isinstance(r, int)]
    assert len(made) == 1 and all(isinstance(r, Conflict) for r in results if r not in made), results
    with app.app_context():
        assert db.session.query(User).filter_by(email=email).count() == 1
        db.engine.dispose()


def test_a_link_asked_for_in_welsh_opens_in_welsh_on_another_device(app, client) -> None:
    client.set_cookie("lang", "cy")
    client.submit("/sign-up?next=/cycles/3", {"email": "newydd@example.org"})
    body = outbox()[0].get_content()
    link = re.search(r"http://localhost(/language/cy\?next=/sign-up/[\w.-]+)", body)
    assert link, body
    other_device = app.test_client()  # no language chosen, and a browser that asks for English
    switched = other_device.get(link[1], headers={"Accept-Language": "en-GB"})
    assert switched.status_code == 303 and switched.headers["Location"].startswith("/sign-up/")
    page = other_device.get(switched.headers["Location"], headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert '<html lang="cy">' in page and "Gorffen creu eich cyfrif" in page
