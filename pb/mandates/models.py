"""Mandates: the versioned terms of reference of a stage, and the signatures that agree them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.db import Base, enum_type, utcnow
from pb.mandates.boundaries import Boundaries, boundaries_for

if TYPE_CHECKING:
    from pb.accounts.models import User
    from pb.cycles.models import Stage


class Side(enum.StrEnum):
    """Who a signature speaks for."""

    COMMISSIONERS = "commissioners"
    RESIDENTS = "residents"


class Mandate(Base):
    """One version of a stage's mandate. Once anyone has signed it, it never changes again."""

    __tablename__ = "mandates"
    __table_args__ = (UniqueConstraint("stage_id", "version"), CheckConstraint("version >= 1", name="version_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    purpose: Mapped[str] = mapped_column(Text)
    roles: Mapped[str] = mapped_column(Text)
    boundaries_data: Mapped[dict[str, Any]] = mapped_column("boundaries")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    agreed_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]  # when the stage is planned to close, as agreed
    # Set on a version written while its stage was open: an amendment, published with this reason.
    amendment_reason: Mapped[str | None] = mapped_column(Text)
    template: Mapped[str | None] = mapped_column(String(60))  # the starting point it was adapted from

    stage: Mapped[Stage] = relationship(back_populates="mandates")
    signatures: Mapped[list[Signature]] = relationship(
        back_populates="mandate", order_by="Signature.signed_at", cascade="all, delete-orphan"
    )
    comments: Mapped[list[MandateComment]] = relationship(
        back_populates="mandate", order_by="MandateComment.created_at", cascade="all, delete-orphan"
    )

    @property
    def boundaries(self) -> Boundaries:
        """The structured boundaries of authority, typed for the stage's kind."""
        return boundaries_for(self.stage.kind, self.boundaries_data)

    @property
    def is_agreed(self) -> bool:
        return self.agreed_at is not None

    @property
    def is_amendment(self) -> bool:
        return self.amendment_reason is not None

    def signatures_for(self, side: Side) -> list[Signature]:
        return [s for s in self.signatures if s.side == side]


class Signature(Base):
    """Who signed which version of a mandate, for which side, and when."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("mandate_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    side: Mapped[Side] = mapped_column(enum_type(Side))
    name: Mapped[str] = mapped_column(String(120))  # as signed, even if the account is renamed
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    mandate: Mapped[Mandate] = relationship(back_populates="signatures")
    user: Mapped[User] = relationship()


class MandateComment(Base):
    """One contribution to the discussion of a mandate version, public to read."""

    __tablename__ = "mandate_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandates.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    mandate: Mapped[Mandate] = relationship(back_populates="comments")


class MandateTemplate(Base):
    """A starting point for a cycle's mandates that a commissioner imported, often from another council.

    `stages` lists the stage kinds in order, each {"kind", "purpose", "roles", "boundaries"}: the
    file's own words, checked when it was imported (pb/mandates/template_files.py).
    """

    __tablename__ = "mandate_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300))  # where it came from, as the file says
    stages: Mapped[list[Any]]
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
