"""Proposals residents submit, and the commissioners' feasibility review of each."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.db import Base, enum_type, utcnow

if TYPE_CHECKING:
    from pb.accounts.models import User
    from pb.cycles.models import Cycle


class ProposalStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # waiting for review
    ELIGIBLE = "eligible"  # on the ballot
    RULED_OUT = "ruled_out"  # with a ground the mandate allows and a public reason


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint("cost > 0", name="cost_positive"),
        CheckConstraint(
            "status != 'ruled_out' OR (ruling_ground IS NOT NULL AND ruling_reason IS NOT NULL)",
            name="ruled_out_has_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text)
    cost: Mapped[int]  # pence: the proposer's estimate, or the commissioners' revision of it
    estimated_cost: Mapped[int | None]  # the proposer's own estimate, kept once a revision changes `cost`
    cost_revision_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ProposalStatus] = mapped_column(enum_type(ProposalStatus), default=ProposalStatus.SUBMITTED)
    ruling_ground: Mapped[str | None] = mapped_column(String(200))
    ruling_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cycle: Mapped[Cycle] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
