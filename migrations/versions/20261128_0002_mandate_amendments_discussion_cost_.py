"""mandate amendments, discussion, cost revisions and overrides

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 17:35:51.622915
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('mandate_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_mandate_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mandate_id'], ['mandates.id'], name=op.f('fk_mandate_comments_mandate_id_mandates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mandate_comments'))
    )
    with op.batch_alter_table('mandate_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandate_comments_mandate_id'), ['mandate_id'], unique=False)

    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('amendment_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('template', sa.String(length=60), nullable=True))

    with op.batch_alter_table('project_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('override_ground', sa.String(length=200), nullable=True))

    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('estimated_cost', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cost_revision_reason', sa.Text(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_column('cost_revision_reason')
        batch_op.drop_column('estimated_cost')

    with op.batch_alter_table('project_decisions', schema=None) as batch_op:
        batch_op.drop_column('override_ground')

    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.drop_column('template')
        batch_op.drop_column('amendment_reason')
        batch_op.drop_column('closes_at')

    with op.batch_alter_table('mandate_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mandate_comments_mandate_id'))

    op.drop_table('mandate_comments')
