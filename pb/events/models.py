"""In-person events inside a stage: who runs them, who came, their kiosks, paper ballots and workshop notes.

An attendee is a row of one event, not an account: a name and, if given, a postcode. Whether a
voting code was issued at their check-in is recorded; the code itself never is (only
`issue_codes`' HMACs), and no attendee is linked to a code or a batch. A paper ballot is known
only by its serial number, which nobody records against a person. See docs/events.md.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.accounts.models import User
from pb.db import Base, enum_type, utcnow


class Event(Base):
    """A meeting, drop-in or voting event held in one stage of a cycle."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("expected_attendance >= 0", name="expected_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    venue: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    expected_attendance: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A workshop's record, written by its facilitators: what was said, and how many were in the room.
    notes: Mapped[str] = mapped_column(Text, default="")
    attendance: Mapped[int | None]

    facilitators: Mapped[list[User]] = relationship(secondary="event_facilitators", order_by=User.name)


class EventFacilitator(Base):
    """A person who runs an event: a facilitator of the cycle, or one of its commissioners."""

    __tablename__ = "event_facilitators"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Attendee(Base):
    """Someone at an event: as little as the desk needs. Not an account."""

    __tablename__ = "attendees"
    # The random token of the check-in form: sent twice (a reload), it checks in once.
    __table_args__ = (UniqueConstraint("event_id", "submission"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    postcode: Mapped[str | None] = mapped_column(String(10))
    checked_in_at: Mapped[datetime | None]
    code_issued: Mapped[bool] = mapped_column(default=False)  # that a code was handed over, never which
    submission: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventCodeBatch(Base):
    """A batch of voting codes made at an event (one code a check-in), for the event's counts."""

    __tablename__ = "event_code_batches"

    batch_id: Mapped[int] = mapped_column(ForeignKey("code_batches.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)


class Kiosk(Base):
    """A shared device running the ballot for one voter after another at an event.

    The device holds a random token whose hash is `token_hash`; leaving kiosk mode on it needs
    the PIN its facilitator chose (`pin_hash`, argon2). A facilitator can stop it from elsewhere.
    """

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    stopped_at: Mapped[datetime | None]
    failed_pins: Mapped[int] = mapped_column(default=0)


class PaperBatch(Base):
    """Paper ballots printed for an event: the serial numbers first_serial … first_serial + size − 1."""

    __tablename__ = "paper_batches"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("first_serial > 0", name="serial_positive"),
        UniqueConstraint("stage_id", "first_serial"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    first_serial: Mapped[int]
    size: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def last_serial(self) -> int:
        return self.first_serial + self.size - 1


class PaperCount(Base):
    """What the facilitators counted by hand at an event: ballots handed out and ballots in the box."""

    __tablename__ = "paper_counts"
    __table_args__ = (
        CheckConstraint("issued >= 0", name="issued_not_negative"),
        CheckConstraint("returned >= 0", name="returned_not_negative"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    issued: Mapped[int] = mapped_column(default=0)
    returned: Mapped[int] = mapped_column(default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PaperStatus(enum.StrEnum):
    PENDING = "pending"  # keyed once: waiting for a second person's entry
    MISMATCH = "mismatch"  # the two entries differ: a facilitator resolves it
    COUNTED = "counted"  # the entries agree (or were resolved): its ballot is in the count
    SPOILT = "spoilt"  # unreadable, over-filled or otherwise void: recorded, never counted


class PaperBallot(Base):
    """One returned paper ballot, by serial number, and where its double entry has got to."""

    __tablename__ = "paper_ballots"
    __table_args__ = (UniqueConstraint("stage_id", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    serial: Mapped[int]
    status: Mapped[PaperStatus] = mapped_column(enum_type(PaperStatus), default=PaperStatus.PENDING)
    spoilt_reason: Mapped[str] = mapped_column(String(200), default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]

    entries: Mapped[list[PaperEntry]] = relationship(
        back_populates="paper_ballot", cascade="all, delete-orphan", order_by="PaperEntry.round"
    )


class PaperEntry(Base):
    """One person's keying of a paper ballot: round 1, then round 2 by someone else."""

    __tablename__ = "paper_entries"
    __table_args__ = (
        UniqueConstraint("paper_ballot_id", "round"),
        CheckConstraint("round IN (1, 2)", name="round_one_or_two"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_ballot_id: Mapped[int] = mapped_column(ForeignKey("paper_ballots.id", ondelete="CASCADE"), index=True)
    round: Mapped[int]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # As read off the paper: project id (as text) → 1, a rank or points. Empty when spoilt.
    choices: Mapped[dict[str, Any]] = mapped_column(default=dict)
    spoilt: Mapped[bool] = mapped_column(default=False)
    spoilt_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    paper_ballot: Mapped[PaperBallot] = relationship(back_populates="entries")


class WorkshopIdea(Base):
    """An idea raised in the room at a workshop, linked to a need or a proposal of the cycle if it fits one."""

    __tablename__ = "workshop_ideas"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
