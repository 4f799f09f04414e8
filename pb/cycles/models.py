"""Commissioning cycles and their ordered stages."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.db import Base, enum_type, utcnow

if TYPE_CHECKING:
    from pb.accounts.models import User
    from pb.mandates.models import Mandate


class StageKind(enum.StrEnum):
    """The stages of a commissioning cycle, in their usual order (see docs/domain.md)."""

    PRIORITIES = "priorities"
    PROPOSALS = "proposals"
    DELIBERATION = "deliberation"
    REVIEW = "review"
    VOTE = "vote"
    DECISION = "decision"
    DELIVERY = "delivery"
    ASSESSMENT = "assessment"


class StageState(enum.StrEnum):
    DRAFT = "draft"  # its mandate is being written or signed
    AGREED = "agreed"  # both sides have signed; it may open
    OPEN = "open"
    CLOSED = "closed"


class Cycle(Base):
    __tablename__ = "cycles"
    __table_args__ = (
        CheckConstraint("budget > 0", name="budget_positive"),
        CheckConstraint("required_representatives >= 1", name="representatives_at_least_one"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    area: Mapped[str] = mapped_column(String(200))
    # The neighbourhoods within the area that needs and proposals are placed in; empty: just `area`.
    areas: Mapped[list[Any]] = mapped_column(default=list)
    budget: Mapped[int]  # minor units (pence)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    required_representatives: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    stages: Mapped[list[Stage]] = relationship(
        back_populates="cycle", order_by="Stage.position", cascade="all, delete-orphan"
    )

    def stage_of_kind(self, kind: StageKind) -> Stage | None:
        return next((stage for stage in self.stages if stage.kind == kind), None)


class Stage(Base):
    __tablename__ = "stages"
    __table_args__ = (
        UniqueConstraint("cycle_id", "position"),
        UniqueConstraint("cycle_id", "kind"),
        CheckConstraint("closes_at IS NULL OR opened_at IS NULL OR closes_at > opened_at", name="closes_after_opens"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[StageKind] = mapped_column(enum_type(StageKind))
    position: Mapped[int]
    state: Mapped[StageState] = mapped_column(enum_type(StageState), default=StageState.DRAFT)
    opened_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]  # planned; shown to residents
    closed_at: Mapped[datetime | None]

    cycle: Mapped[Cycle] = relationship(back_populates="stages")
    mandates: Mapped[list[Mandate]] = relationship(
        back_populates="stage", order_by="Mandate.version", cascade="all, delete-orphan"
    )

    @property
    def mandate(self) -> Mandate:
        """The newest version of this stage's mandate (every stage is created with one)."""
        return self.mandates[-1]

    @property
    def agreed_mandate(self) -> Mandate | None:
        """The newest agreed version: the terms the stage runs under."""
        return next((m for m in reversed(self.mandates) if m.agreed_at is not None), None)

    @property
    def is_open(self) -> bool:
        return self.state == StageState.OPEN


class Endorsement(Base):
    """A councillor's public word for a cycle: they stand behind it and will champion it.

    One per councillor and cycle; withdrawing it deletes it (the audit log keeps both).
    """

    __tablename__ = "endorsements"
    __table_args__ = (UniqueConstraint("cycle_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    statement: Mapped[str] = mapped_column(Text, default="")
    endorsed_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    cycle: Mapped[Cycle] = relationship()
