"""Proposals residents submit, and the commissioners' feasibility review of each."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.db import Base, enum_type, utcnow

if TYPE_CHECKING:
    from pb.accounts.models import User
    from pb.cycles.models import Cycle
    from pb.priorities.models import Theme


class ProposalStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # waiting for review
    ELIGIBLE = "eligible"  # on the ballot
    RULED_OUT = "ruled_out"  # with a ground the mandate allows and a public reason
    MERGED = "merged"  # merged into another proposal with both authors' consent


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
    description: Mapped[str] = mapped_column(Text, default="")
    # The language the proposer wrote in ("en" or "cy"), and their own wording in the other, if any.
    language: Mapped[str] = mapped_column(String(2), default="en")
    title_translated: Mapped[str | None] = mapped_column(String(120))
    summary_translated: Mapped[str | None] = mapped_column(Text)
    description_translated: Mapped[str | None] = mapped_column(Text)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"), index=True)
    area: Mapped[str | None] = mapped_column(String(120))
    # What residents themselves would give: co-production's unmeasured half.
    volunteer_hours: Mapped[int] = mapped_column(default=0)
    materials: Mapped[str] = mapped_column(Text, default="")
    space: Mapped[str] = mapped_column(Text, default="")
    cost: Mapped[int]  # pence: the proposer's estimate, or the commissioners' revision of it
    estimated_cost: Mapped[int | None]  # the proposer's own estimate, kept once a revision changes `cost`
    cost_revision_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ProposalStatus] = mapped_column(enum_type(ProposalStatus), default=ProposalStatus.SUBMITTED)
    ruling_ground: Mapped[str | None] = mapped_column(String(200))
    ruling_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The proposer's one answer to the review, where the review mandate allows it.
    response: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    cycle: Mapped[Cycle] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    theme: Mapped[Theme | None] = relationship()
    revisions: Mapped[list[ProposalRevision]] = relationship(
        back_populates="proposal", order_by="ProposalRevision.number", cascade="all, delete-orphan"
    )
    image: Mapped[ProposalImage | None] = relationship(cascade="all, delete-orphan")
    merged_into: Mapped[Proposal | None] = relationship(remote_side=[id])

    @property
    def other_language(self) -> str:
        return "en" if self.language == "cy" else "cy"

    def wording(self, reader_language: str) -> Wording:
        """The proposer's words for a reader: in the reader's language when the proposer gave them."""
        if reader_language != self.language and self.title_translated:
            return Wording(self.other_language, self.title_translated, self.summary_translated or self.summary,
                           self.description_translated or self.description)
        return Wording(self.language, self.title, self.summary, self.description)


@dataclass(frozen=True)
class Wording:
    """A proposal's text in one language, with that language's code for the `lang` attribute."""

    lang: str
    title: str
    summary: str
    description: str


class ProposalRevision(Base):
    """A snapshot of a proposal after each change: every edit stays visible."""

    __tablename__ = "proposal_revisions"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    snapshot: Mapped[dict[str, Any]]
    note: Mapped[str] = mapped_column(String(200))
    edited_at: Mapped[datetime] = mapped_column(default=utcnow)
    editor_name: Mapped[str] = mapped_column(String(120))

    proposal: Mapped[Proposal] = relationship(back_populates="revisions")


class ProposalDraft(Base):
    """A proposal being written: private to its author, saved as it is, checked only on submission."""

    __tablename__ = "proposal_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalImage(Base):
    """A proposal's picture, re-encoded on upload so no metadata (location, camera) survives."""

    __tablename__ = "proposal_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int]
    height: Mapped[int]
    alt: Mapped[str] = mapped_column(String(300))
