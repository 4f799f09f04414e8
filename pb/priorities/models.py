"""Co-planning: the needs and local assets residents and commissioners record, and the themes agreed."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.db import Base, enum_type, utcnow


class NeedKind(enum.StrEnum):
    NEED = "need"  # something the area lacks
    ASSET = "asset"  # something the area already has: a place, a group, a skill


class AssetType(enum.StrEnum):
    PLACE = "place"
    GROUP = "group"
    SKILL = "skill"
    OTHER = "other"


class Theme(Base):
    """A theme of the cycle, agreed in the priorities stage; proposals are tagged with one."""

    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("cycle_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Need(Base):
    """A local need or a local asset, by area and theme."""

    __tablename__ = "needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NeedKind] = mapped_column(enum_type(NeedKind))
    asset_type: Mapped[AssetType | None] = mapped_column(enum_type(AssetType))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    area: Mapped[str | None] = mapped_column(String(120))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    theme: Mapped[Theme | None] = relationship()
    supports: Mapped[list[NeedSupport]] = relationship(cascade="all, delete-orphan")


class NeedSupport(Base):
    """A resident saying a need matters to them; once each."""

    __tablename__ = "need_supports"
    __table_args__ = (UniqueConstraint("need_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
