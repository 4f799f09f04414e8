"""Deliberation on proposals: threaded comments and questions, supports, and consented merges."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.db import Base, enum_type, utcnow


class CommentKind(enum.StrEnum):
    COMMENT = "comment"
    QUESTION = "question"


class Comment(Base):
    """A comment or question on a proposal, or a reply to one.

    A hidden comment keeps its row: its text is no longer shown, but the public note of who
    hid it, on which ground and why stays in its place.
    """

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    kind: Mapped[CommentKind] = mapped_column(enum_type(CommentKind), default=CommentKind.COMMENT)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(40))  # the role they wrote in: a commissioner's answer is marked
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[datetime | None]
    hidden_by_name: Mapped[str | None] = mapped_column(String(120))
    hidden_ground: Mapped[str | None] = mapped_column(String(200))
    hidden_note: Mapped[str | None] = mapped_column(Text)

    replies: Mapped[list[Comment]] = relationship(order_by="Comment.created_at", cascade="all, delete-orphan")

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Support(Base):
    """A resident's endorsement of a proposal; once each."""

    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MergeRequest(Base):
    """A suggestion to merge one proposal into another, carried out only when both authors consent."""

    __tablename__ = "merge_requests"
    __table_args__ = (CheckConstraint("source_id != target_id", name="different_proposals"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source_consent_at: Mapped[datetime | None]
    target_consent_at: Mapped[datetime | None]
    merged_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]

    @property
    def is_pending(self) -> bool:
        return self.merged_at is None and self.declined_at is None
