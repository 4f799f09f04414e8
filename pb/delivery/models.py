"""Co-delivery and co-assessment: progress on funded projects, residents' pledges and ratings,
the commissioners' lessons, and what a finished cycle hands on to the next one."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.db import Base, enum_type, utcnow

if TYPE_CHECKING:
    from pb.accounts.models import User
    from pb.cycles.models import Cycle
    from pb.proposals.models import Proposal


class DeliveryStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    STOPPED = "stopped"  # with the reason in the update's body


class ProjectUpdate(Base):
    """A commissioner's report on a funded project: its status, a milestone, the council's spend so far.

    Updates are never edited: the history is the list of them, newest last.
    """

    __tablename__ = "project_updates"
    __table_args__ = (CheckConstraint("spend_to_date IS NULL OR spend_to_date >= 0", name="spend_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    status: Mapped[DeliveryStatus] = mapped_column(enum_type(DeliveryStatus))
    body: Mapped[str] = mapped_column(Text)
    milestone: Mapped[str | None] = mapped_column(String(120))
    milestone_due: Mapped[date | None]
    spend_to_date: Mapped[int | None]  # pence: the council's spend on the project so far
    posted_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120))


class Pledge(Base):
    """What one resident offers a funded project (hours, materials), and whether they gave it.

    A resident with an account pledges for themselves (`user_id`, one pledge a project). A
    commissioner or facilitator records a pledge made in person by someone without one: then
    `name` is the name they gave and `recorded_by_id` who keyed it in.
    """

    __tablename__ = "pledges"
    __table_args__ = (
        UniqueConstraint("proposal_id", "user_id"),
        CheckConstraint("hours >= 0", name="hours_not_negative"),
        CheckConstraint("hours > 0 OR materials != ''", name="pledges_something"),
        CheckConstraint("user_id IS NOT NULL OR name IS NOT NULL", name="pledge_has_a_pledger"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(String(120))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hours: Mapped[int] = mapped_column(default=0)
    materials: Mapped[str] = mapped_column(Text, default="")
    given: Mapped[bool] = mapped_column(default=False)
    given_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @property
    def pledger(self) -> str:
        return self.user.name if self.user else self.name or ""


class Assessment(Base):
    """One person's rating (1 to 5) and comment on a delivered project; one each, changeable."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("proposal_id", "user_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_one_to_five"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    author_name: Mapped[str] = mapped_column(String(120))
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Lesson(Base):
    """What the commissioners learned from a cycle, published for the next one."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CarryOverConsent(Base):
    """A proposer's agreement that their unfunded proposal goes into the next cycle."""

    __tablename__ = "carry_over_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)


class CycleCarryOver(Base):
    """A cycle started from a finished one: each finished cycle hands on to one next cycle."""

    __tablename__ = "cycle_carry_overs"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), unique=True)
    from_cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    cycle: Mapped[Cycle] = relationship(foreign_keys=[cycle_id])
    from_cycle: Mapped[Cycle] = relationship(foreign_keys=[from_cycle_id])


class CarriedProposal(Base):
    """Where a proposal of the next cycle came from: an unfunded proposal its proposer carried over."""

    __tablename__ = "carried_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    from_proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)

    proposal: Mapped[Proposal] = relationship(foreign_keys=[proposal_id])
    from_proposal: Mapped[Proposal] = relationship(foreign_keys=[from_proposal_id])
