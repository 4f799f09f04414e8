from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from pb.accounts.models import Role
from pb.accounts.services import authenticate, change_password, grant, has_role, load_user, set_password, sign_up
from pb.db import db
from pb.errors import Conflict, InvalidInput


def test_sign_up_stores_an_argon2_hash_never_the_password(app) -> None:
    user = sign_up("Ann@Example.org ", "Ann", "a long enough password")
    assert user.email == "ann@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in user.password_hash
    assert has_role(user, Role.RESIDENT)


def test_full_strength_hashes_use_owasps_argon2id_cost(app) -> None:
    app.config["PASSWORD_HASH_FAST"] = False
    user = sign_up("owasp@example.org", "O", "a long enough password")
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_hash_made_at_another_cost_is_remade_at_sign_in(app) -> None:
    app.config["PASSWORD_HASH_FAST"] = False
    user = sign_up("older@example.org", "O", "a long enough password")
    user.password_hash = PasswordHasher().hash("a long enough password")  # argon2-cffi's default: 64 MiB, t=3, p=4
    assert authenticate("older@example.org", "a long enough password") is user
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_sign_up_refuses_a_short_password_and_a_taken_email(app) -> None:
    with pytest.raises(InvalidInput) as short:
        sign_up("a@example.org", "A", "short")
    assert short.value.field == "password"
    sign_up("b@example.org", "B", "a long enough password")
    with pytest.raises(Conflict):
        sign_up("B@example.org", "B again", "a long enough password")


def test_authenticate_gives_one_message_for_unknown_email_and_wrong_password(app) -> None:
    sign_up("c@example.org", "C", "a long enough password")
    assert authenticate("C@example.org", "a long enough password").email == "c@example.org"
    with pytest.raises(InvalidInput) as wrong:
        authenticate("c@example.org", "not the password")
    with pytest.raises(InvalidInput) as unknown:
        authenticate("nobody@example.org", "a long enough password")
    assert wrong.value.message == unknown.value.message


def test_an_unknown_email_costs_one_password_check_like_a_known_one(app, monkeypatch) -> None:
    sign_up("e@example.org", "E", "a long enough password")
    with pytest.raises(InvalidInput):
        authenticate("first@example.org", "x")  # the stand-in hash for unknown addresses is made once
    calls: list[str] = []
    for name in ("hash", "verify"):
        real = getattr(PasswordHasher, name)
        monkeypatch.setattr(PasswordHasher, name,
                            lambda self, *args, _real=real, _name=name: calls.append(_name) or _real(self, *args))
    for email in ("nobody@example.org", "e@example.org", "someone@example.org"):
        calls.clear()
        with pytest.raises(InvalidInput):
            authenticate(email, "not the password")
        assert calls == ["verify"], email  # one argon2 check, no hash made: the same time either way


def test_a_cycle_role_holds_only_in_that_cycle(app, make_cycle) -> None:
    cycle = make_cycle()
    other = make_cycle(title="Another")
    person = sign_up("d@example.org", "D", "a long enough password")
    grant(person, Role.FACILITATOR, cycle.id)
    assert has_role(person, Role.FACILITATOR, cycle.id)
    assert not has_role(person, Role.FACILITATOR, other.id)
    assert not has_role(person, Role.FACILITATOR)


def test_changing_a_password_needs_the_current_one_and_a_long_enough_new_one(app) -> None:
    user = sign_up("c@example.org", "C", "the first password")
    with pytest.raises(InvalidInput) as wrong:
        change_password(user, "not the first password", "a second password")
    assert wrong.value.field == "current_password"
    with pytest.raises(InvalidInput) as short:
        change_password(user, "the first password", "short")
    assert short.value.field == "new_password"
    assert authenticate("c@example.org", "the first password") is user  # neither refusal changed it
    change_password(user, "the first password", "a second password")
    assert authenticate("c@example.org", "a second password") is user
    with pytest.raises(InvalidInput):
        authenticate("c@example.org", "the first password")


def test_a_new_password_breaks_the_seal_on_every_session_signed_in_with_the_old(app) -> None:
    user = sign_up("d@example.org", "D", "the first password")
    db.session.commit()
    kept = user.get_id()
    assert kept.startswith(f"{user.id}:") and user.password_hash not in kept
    assert load_user(kept) is user
    set_password(user, "a second password")
    assert load_user(kept) is None
    assert load_user(user.get_id()) is user
    assert load_user(str(user.id)) is None  # a session kept before sessions were sealed
    assert load_user(f"{user.id}:") is None and load_user("x:y") is None


def test_the_seal_is_keyed_by_the_secret_key(app) -> None:
    user = sign_up("e@example.org", "E", "the first password")
    sealed = user.get_id()
    app.config["SECRET_KEY"] = "another secret"
    assert user.get_id() != sealed
