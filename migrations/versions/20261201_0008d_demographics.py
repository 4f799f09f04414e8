"""Demographics: totals of the optional answers about voters, the population to compare with, who answered

Revision ID: 0008d
Revises: 0008p
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008d"
down_revision: str | None = "0008p"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Totals only: the cell is the primary key, so there is no row id whose order could follow the voters'.
    op.create_table(
        "demographic_counts",
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=40), nullable=False),
        sa.Column("answer", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint("count >= 0", name=op.f("ck_demographic_counts_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["stages.id"], name=op.f("fk_demographic_counts_stage_id_stages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("stage_id", "question", "answer", name=op.f("pk_demographic_counts")),
    )
    op.create_table(
        "population_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=40), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_population_figures_entered_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["stages.id"], name=op.f("fk_population_figures_stage_id_stages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_population_figures")),
        sa.UniqueConstraint("stage_id", "question", name=op.f("uq_population_figures_stage_id_question")),
    )
    with op.batch_alter_table("population_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_population_figures_stage_id"), ["stage_id"], unique=False)

    with op.batch_alter_table("participations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_questions", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("participations", schema=None) as batch_op:
        batch_op.drop_column("answered_questions")

    with op.batch_alter_table("population_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_population_figures_stage_id"))

    op.drop_table("population_figures")
    op.drop_table("demographic_counts")
