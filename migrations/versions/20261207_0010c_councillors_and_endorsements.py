"""Councillors, who observe every stage and may endorse a cycle; their endorsements

Revision ID: 0010c
Revises: 0009b
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010c"
down_revision: str | None = "0009b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("resident", "representative", "facilitator", "commissioner", "admin")


def upgrade() -> None:
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_role_grants_role"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_role_grants_role"), sa.column("role").in_((*ROLES, "councillor"))
        )
    op.create_table(
        "endorsements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("endorsed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"], name=op.f("fk_endorsements_cycle_id_cycles"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_endorsements_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorsements")),
        sa.UniqueConstraint("cycle_id", "user_id", name=op.f("uq_endorsements_cycle_id_user_id")),
    )
    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_endorsements_cycle_id"), ["cycle_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_endorsements_cycle_id"))
    op.drop_table("endorsements")
    op.execute("DELETE FROM role_grants WHERE role = 'councillor'")
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_role_grants_role"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_role_grants_role"), sa.column("role").in_(ROLES))
