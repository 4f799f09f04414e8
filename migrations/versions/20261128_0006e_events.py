"""Events: in-person events in a stage, their facilitators, attendees and code batches

Revision ID: 0006e
Revises: 0005d
Create Date: 2026-11-28 18:58:57.679748
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006e'
down_revision: str | None = '0005d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expected_attendance', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_events_ends_after_start')),
    sa.CheckConstraint('expected_attendance >= 0', name=op.f('ck_events_expected_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_events_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_events_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_events_stage_id_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_stage_id'), ['stage_id'], unique=False)

    op.create_table('attendees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('code_issued', sa.Boolean(), nullable=False),
    sa.Column('submission', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_attendees_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendees')),
    sa.UniqueConstraint('event_id', 'submission', name=op.f('uq_attendees_event_id_submission'))
    )
    with op.batch_alter_table('attendees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendees_event_id'), ['event_id'], unique=False)

    op.create_table('event_code_batches',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['code_batches.id'], name=op.f('fk_event_code_batches_batch_id_code_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_code_batches_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('batch_id', name=op.f('pk_event_code_batches'))
    )
    with op.batch_alter_table('event_code_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_code_batches_event_id'), ['event_id'], unique=False)

    op.create_table('event_facilitators',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_facilitators_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_facilitators_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'user_id', name=op.f('pk_event_facilitators'))
    )


def downgrade() -> None:
    op.drop_table('event_facilitators')
    with op.batch_alter_table('event_code_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_code_batches_event_id'))

    op.drop_table('event_code_batches')
    with op.batch_alter_table('attendees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendees_event_id'))

    op.drop_table('attendees')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_stage_id'))
        batch_op.drop_index(batch_op.f('ix_events_cycle_id'))

    op.drop_table('events')
