"""Ballots, kept apart from who voted.

`Participation` records that a person voted in a stage (for turnout and eligibility);
`VotingCode` that a code was used; `DemographicCount` only totals of the optional answers voters
give about themselves. `Ballot` records what was chosen, under a pseudonymous
voter key (an HMAC, under a secret of its own, of the stage and the person — or of the voting
code): no name, email, account id or code, no timestamp, and a random primary key so that row
order reveals nothing. See docs/secrecy.md and docs/voting.md.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.db import Base, enum_type, utcnow


class Participation(Base):
    __tablename__ = "participations"
    __table_args__ = (UniqueConstraint("stage_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20), default="online")
    first_voted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # That they answered the optional questions after voting (never what, never when): so they count once.
    answered_questions: Mapped[bool] = mapped_column(default=False, server_default=false())


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
        # A double tap on "Confirm" sends one submission twice: it is stored once.
        UniqueConstraint("stage_id", "voter_key", "submission"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, never sequential
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    voter_key: Mapped[str] = mapped_column(String(64))
    receipt: Mapped[str] = mapped_column(String(16), unique=True)
    channel: Mapped[str] = mapped_column(String(20), default="online")  # online, code, kiosk or paper
    # The in-person event a kiosk or paper ballot was cast at; None for ballots cast on a person's own device.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    replaced: Mapped[bool] = mapped_column(default=False)
    # The random token of the "Check your answers" page this ballot was confirmed from.
    submission: Mapped[str | None] = mapped_column(String(32))

    choices: Mapped[list[BallotChoice]] = relationship(back_populates="ballot", cascade="all, delete-orphan")


class BallotChoice(Base):
    __tablename__ = "ballot_choices"
    __table_args__ = (
        CheckConstraint("points > 0", name="points_positive"),
        CheckConstraint("rank IS NULL OR rank >= 1", name="rank_positive"),
        UniqueConstraint("ballot_id", "rank"),
    )

    ballot_id: Mapped[str] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="RESTRICT"), primary_key=True)
    points: Mapped[int] = mapped_column(default=1)  # 1 on approval ballots; the points on cumulative ones
    rank: Mapped[int | None]  # on ranked ballots: 1 for the favourite

    ballot: Mapped[Ballot] = relationship(back_populates="choices")


class CodeStatus(enum.StrEnum):
    UNUSED = "unused"
    USED = "used"  # a ballot was cast with it (anonymously: the code is the voter)
    LINKED = "linked"  # joined to an account, which votes in its place
    VOID = "void"  # withdrawn, e.g. a lost batch


class CodeBatch(Base):
    """Voting codes generated together, to print as letters or cards. The codes are not kept."""

    __tablename__ = "code_batches"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    codes: Mapped[list[VotingCode]] = relationship(back_populates="batch", cascade="all, delete-orphan")


class VotingCode(Base):
    """One voting code, stored only as an HMAC of the code: the plain code exists on paper alone."""

    __tablename__ = "voting_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("code_batches.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[CodeStatus] = mapped_column(enum_type(CodeStatus), default=CodeStatus.UNUSED)

    batch: Mapped[CodeBatch] = relationship(back_populates="codes")


class CodeLink(Base):
    """An account that proved its eligibility with a voting code in this vote (never which code)."""

    __tablename__ = "code_links"
    __table_args__ = (UniqueConstraint("stage_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))


class DemographicCount(Base):
    """How many voters of a vote gave one answer to one of its optional questions about themselves.

    Totals only: no row is anyone's, and nothing here has a time or an order (the primary key
    is the cell itself, and a vote's cells are all made at once, at zero, by its first answer).
    See docs/secrecy.md, "Questions about voters".
    """

    __tablename__ = "demographic_counts"
    __table_args__ = (CheckConstraint("count >= 0", name="count_not_negative"),)

    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), primary_key=True)
    question: Mapped[str] = mapped_column(String(40), primary_key=True)
    answer: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
