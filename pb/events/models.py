"""In-person events inside a stage: who runs them, who came, and which code batches were made there.

An attendee is a row of one event, not an account: a name and, if given, a postcode. Whether a
voting code was issued at their check-in is recorded; the code itself never is (only
`issue_codes`' HMACs), and no attendee is linked to a code or a batch. See docs/events.md.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.accounts.models import User
from pb.db import Base, utcnow


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
