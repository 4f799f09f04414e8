"""Tally runs (reproducible counts of a vote), the decision recorded for each project, and the
population figures commissioners enter to compare who voted with who lives in the area."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.db import Base, utcnow

if TYPE_CHECKING:
    from pb.cycles.models import Stage
    from pb.proposals.models import Proposal


class TallyRun(Base):
    """One count of a vote stage: enough to re-run it and get the same result."""

    __tablename__ = "tally_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(60))
    parameters: Mapped[dict[str, Any]]
    tie_break: Mapped[str] = mapped_column(Text)
    ballot_hash: Mapped[str] = mapped_column(String(64))
    ballots_counted: Mapped[int]
    budget: Mapped[int]
    outcome: Mapped[dict[str, Any]]  # the engine's Outcome.to_dict()
    run_at: Mapped[datetime] = mapped_column(default=utcnow)
    run_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    stage: Mapped[Stage] = relationship()

    @property
    def selected_ids(self) -> set[int]:
        return {int(pid) for pid in self.outcome["selected"]}


class ProjectDecision(Base):
    """What the council decided for one project, and why, in the decision stage."""

    __tablename__ = "project_decisions"
    __table_args__ = (UniqueConstraint("stage_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    funded: Mapped[bool]
    changes: Mapped[str | None] = mapped_column(Text)  # "fund with changes": what changes, in public
    reason: Mapped[str] = mapped_column(Text)
    # Set when the decision overrides a binding vote, as the decision mandate allows: published.
    override_ground: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    proposal: Mapped[Proposal] = relationship()


class PopulationFigures(Base):
    """The area's population for one of a vote's optional questions, as the commissioners entered it.

    `figures` maps each answer key to what was entered in hundredths (counts or percentages
    alike: "18.3" is 1830), so that shares are exact fractions of their total.
    """

    __tablename__ = "population_figures"
    __table_args__ = (UniqueConstraint("stage_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(40))
    figures: Mapped[dict[str, Any]]
    source: Mapped[str] = mapped_column(String(200), default="")  # e.g. "Census 2021, Cardiff"
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
