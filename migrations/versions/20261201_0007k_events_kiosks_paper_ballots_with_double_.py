"""Events: kiosks, paper ballots with double entry, workshop notes and ideas; ballots tagged with their event

Revision ID: 0007k
Revises: 0006e
Create Date: 2026-12-01 18:09:04.276676
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007k'
down_revision: str | None = '0006e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('kiosks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('pin_hash', sa.String(length=200), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_pins', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_kiosks_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_kiosks_started_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosks')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_kiosks_token_hash'))
    )
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosks_event_id'), ['event_id'], unique=False)

    op.create_table('paper_ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'mismatch', 'counted', 'spoilt', name='paper_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('spoilt_reason', sa.String(length=200), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_paper_ballots_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_paper_ballots_resolved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_paper_ballots_stage_id_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_ballots')),
    sa.UniqueConstraint('stage_id', 'serial', name=op.f('uq_paper_ballots_stage_id_serial'))
    )
    with op.batch_alter_table('paper_ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_ballots_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_paper_ballots_stage_id'), ['stage_id'], unique=False)

    op.create_table('paper_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('first_serial', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('first_serial > 0', name=op.f('ck_paper_batches_serial_positive')),
    sa.CheckConstraint('size > 0', name=op.f('ck_paper_batches_size_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_paper_batches_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_paper_batches_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_paper_batches_stage_id_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_batches')),
    sa.UniqueConstraint('stage_id', 'first_serial', name=op.f('uq_paper_batches_stage_id_first_serial'))
    )
    with op.batch_alter_table('paper_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_batches_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_paper_batches_stage_id'), ['stage_id'], unique=False)

    op.create_table('paper_counts',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('issued', sa.Integer(), nullable=False),
    sa.Column('returned', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('issued >= 0', name=op.f('ck_paper_counts_issued_not_negative')),
    sa.CheckConstraint('returned >= 0', name=op.f('ck_paper_counts_returned_not_negative')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_paper_counts_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_paper_counts_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_paper_counts'))
    )
    op.create_table('workshop_ideas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_workshop_ideas_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_workshop_ideas_need_id_needs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_workshop_ideas_proposal_id_proposals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_workshop_ideas_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_ideas'))
    )
    with op.batch_alter_table('workshop_ideas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_ideas_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_ideas_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_ideas_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('paper_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paper_ballot_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('spoilt', sa.Boolean(), nullable=False),
    sa.Column('spoilt_reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('round IN (1, 2)', name=op.f('ck_paper_entries_round_one_or_two')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_paper_entries_entered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paper_ballot_id'], ['paper_ballots.id'], name=op.f('fk_paper_entries_paper_ballot_id_paper_ballots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_entries')),
    sa.UniqueConstraint('paper_ballot_id', 'round', name=op.f('uq_paper_entries_paper_ballot_id_round'))
    )
    with op.batch_alter_table('paper_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_entries_paper_ballot_id'), ['paper_ballot_id'], unique=False)

    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ballots_event_id'), ['event_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ballots_event_id_events'), 'events', ['event_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('attendance', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('attendance')
        batch_op.drop_column('notes')

    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ballots_event_id_events'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ballots_event_id'))
        batch_op.drop_column('event_id')

    with op.batch_alter_table('paper_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_entries_paper_ballot_id'))

    op.drop_table('paper_entries')
    with op.batch_alter_table('workshop_ideas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_ideas_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_ideas_need_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_ideas_event_id'))

    op.drop_table('workshop_ideas')
    op.drop_table('paper_counts')
    with op.batch_alter_table('paper_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_batches_stage_id'))
        batch_op.drop_index(batch_op.f('ix_paper_batches_event_id'))

    op.drop_table('paper_batches')
    with op.batch_alter_table('paper_ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_ballots_stage_id'))
        batch_op.drop_index(batch_op.f('ix_paper_ballots_event_id'))

    op.drop_table('paper_ballots')
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosks_event_id'))

    op.drop_table('kiosks')
