"""People and the roles they hold, globally or in one cycle."""

from __future__ import annotations

import enum
import hashlib
import hmac
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.db import Base, enum_type, utcnow

if TYPE_CHECKING:
    from pb.cycles.models import Cycle


class Role(enum.StrEnum):
    RESIDENT = "resident"
    REPRESENTATIVE = "representative"  # a resident representative, who co-signs mandates
    FACILITATOR = "facilitator"
    COMMISSIONER = "commissioner"
    COUNCILLOR = "councillor"  # observes every stage, may endorse a cycle (docs/people.md)
    ADMIN = "admin"  # gives and takes away everyone's roles; held everywhere, never in one cycle


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Self-declared, for a vote's eligibility (docs/voting.md); never stored beside a ballot.
    postcode: Mapped[str | None] = mapped_column(String(10))
    date_of_birth: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    grants: Mapped[list[RoleGrant]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    def get_id(self) -> str:
        """What a session keeps to say who is signed in: the account, sealed to its password.

        Setting a new password breaks the seal, so it ends every session signed in with the old
        one (accounts.services.load_user compares it). Sessions live in signed cookies, which
        anyone holding one can read: the seal is an HMAC under SECRET_KEY, never the hash itself.
        """
        return f"{self.id}:{self.password_seal()}"

    def password_seal(self) -> str:
        key = str(current_app.config["SECRET_KEY"]).encode()
        message = f"{self.id}:{self.password_hash}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:20]


class RoleGrant(Base):
    """A role held by a person: everywhere (cycle_id is NULL) or in one cycle only."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_type(Role))
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants")
    cycle: Mapped[Cycle | None] = relationship()
