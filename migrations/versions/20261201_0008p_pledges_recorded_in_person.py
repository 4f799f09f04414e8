"""Pledges recorded in person: a pledge may name someone without an account, and who keyed it in

Revision ID: 0008p
Revises: 0007k
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008p"
down_revision: str | None = "0007k"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pledges", schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_pledges_recorded_by_id_users"), "users", ["recorded_by_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_pledges_pledge_has_a_pledger"), "user_id IS NOT NULL OR name IS NOT NULL"
        )


def downgrade() -> None:
    op.execute("DELETE FROM pledges WHERE user_id IS NULL")
    with op.batch_alter_table("pledges", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_pledges_pledge_has_a_pledger"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_pledges_recorded_by_id_users"), type_="foreignkey")
        batch_op.drop_column("recorded_by_id")
        batch_op.drop_column("name")
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
