"""Ballots, kept apart from who voted.

`Participation` records that a person voted in a stage (for turnout and eligibility).
`Ballot` records what was chosen, under a pseudonymous voter key (an HMAC of the stage and
the person under a secret of its own): no name, email or account id, no timestamp, and a
random primary key so that row order reveals nothing. See docs/secrecy.md.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.db import Base, utcnow


class Participation(Base):
    __tablename__ = "participations"
    __table_args__ = (UniqueConstraint("stage_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20), default="online")
    first_voted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Ballot(Base):
    __tablename__ = "ballots"
    __table_args__ = (
        # One active ballot per voter per vote: a revision marks the old one replaced.
        Index(
            "uq_ballots_active_voter",
            "stage_id",
            "voter_key",
            unique=True,
            sqlite_where=text("NOT replaced"),
            postgresql_where=text("NOT replaced"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, never sequential
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    voter_key: Mapped[str] = mapped_column(String(64))
    receipt: Mapped[str] = mapped_column(String(16), unique=True)
    channel: Mapped[str] = mapped_column(String(20), default="online")
    replaced: Mapped[bool] = mapped_column(default=False)

    choices: Mapped[list[BallotChoice]] = relationship(back_populates="ballot", cascade="all, delete-orphan")


class BallotChoice(Base):
    __tablename__ = "ballot_choices"
    __table_args__ = (CheckConstraint("points > 0", name="points_positive"),)

    ballot_id: Mapped[str] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="RESTRICT"), primary_key=True)
    points: Mapped[int] = mapped_column(default=1)

    ballot: Mapped[Ballot] = relationship(back_populates="choices")
