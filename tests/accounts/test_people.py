"""An administrator changes a person's name or email address, or sends them a password reset link (services)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pb.accounts import password_reset, people
from pb.accounts.models import Role
from pb.audit.models import AuditEntry
from pb.db import db
from pb.errors import Conflict, InvalidInput, NotAuthorised
from pb.mail import outbox


def _entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def test_an_administrator_changes_a_name_and_email_and_the_old_address_is_told(app, make_user, resident) -> None:
    admin = make_user(Role.ADMIN)
    old_email = resident.email
    with app.test_request_context():
        changed = people.change_details(admin, resident, "  Rhian Jones ", " Rhian.Jones@Example.org ")
    assert changed == ["name", "email"]
    assert outbox() == []  # the old address is told once the change is saved, not before
    db.session.commit()
    assert (resident.name, resident.email) == ("Rhian Jones", "rhian.jones@example.org")
    (entry,) = _entries("account.change_details")
    assert entry.actor_id == admin.id and entry.role == "admin"
    assert entry.detail == {"user_id": resident.id, "changed": ["name", "email"]}  # which fields, not what they held
    assert old_email not in str(entry.detail)
    (notice,) = outbox()
    assert notice["To"] == old_email
    assert notice["Subject"] == ("The email address of your Cyd account has changed / "
                                 "Mae cyfeiriad e-bost eich cyfrif Cyd wedi newid")
    body = notice.get_content()
    assert f"from {old_email} to rhian.jones@example.org" in body and "Helo Rhian Jones," in body


def test_a_name_alone_changes_without_telling_anyone(app, make_user, resident) -> None:
    admin = make_user(Role.ADMIN)
    with app.test_request_context():
        assert people.change_details(admin, resident, "Rhian Jones", resident.email.upper()) == ["name"]
        assert people.change_details(admin, resident, "Rhian Jones", resident.email) == []
    assert outbox() == [] and len(_entries("account.change_details")) == 1


def test_details_that_cannot_be_are_refused_with_nothing_changed(app, make_user, resident) -> None:
    admin, other = make_user(Role.ADMIN), make_user()
    with app.test_request_context():
        with pytest.raises(Conflict, match="Another account has this email address") as taken:
            people.change_details(admin, resident, resident.name, other.email.upper())
        assert taken.value.field == "email"
        for name in ("   ", "x" * 121):
            with pytest.raises(InvalidInput) as refused:
                people.change_details(admin, resident, name, resident.email)
            assert refused.value.field == "name"
    db.session.rollback()
    assert _entries("account.change_details") == [] and outbox() == []


def test_only_an_administrator_changes_accounts_or_sends_links(app, make_user, commissioner, resident) -> None:
    with app.test_request_context():
        for attempt in (lambda: people.change_details(commissioner, resident, "Someone else", "me@example.org"),
                        lambda: people.send_reset_link_for(commissioner, resident)):
            with pytest.raises(NotAuthorised):
                attempt()
    assert resident.name == "Rhian Resident" and outbox() == []


def test_an_administrator_sends_the_reset_email_to_the_persons_own_address(app, make_user, resident) -> None:
    admin = make_user(Role.ADMIN)
    with app.test_request_context():
        people.send_reset_link_for(admin, resident)
    assert outbox() == []  # sent once the audit entry is saved
    db.session.commit()
    (message,) = outbox()
    assert message["To"] == resident.email and "/account/reset/" in message.get_content()
    (entry,) = _entries("account.send_reset_link")
    assert entry.detail == {"user_id": resident.id}
    app.config["MAIL_BACKEND"] = None
    with app.test_request_context(), pytest.raises(password_reset.NoEmail):
        people.send_reset_link_for(admin, resident)
