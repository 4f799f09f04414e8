"""ballot formats, voting codes, eligibility

Revision ID: 0003v
Revises: 0003
Create Date: 2026-11-28 17:58:33.419436
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003v'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('code_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_code_batches_size_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_code_batches_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_code_batches_stage_id_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_batches'))
    )
    with op.batch_alter_table('code_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_batches_stage_id'), ['stage_id'], unique=False)

    op.create_table('code_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_code_links_stage_id_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_code_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_links')),
    sa.UniqueConstraint('stage_id', 'user_id', name=op.f('uq_code_links_stage_id_user_id'))
    )
    with op.batch_alter_table('code_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_links_stage_id'), ['stage_id'], unique=False)

    op.create_table('voting_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('unused', 'used', 'linked', 'void', name='code_status', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['code_batches.id'], name=op.f('fk_voting_codes_batch_id_code_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_voting_codes_stage_id_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voting_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_voting_codes_code_hash'))
    )
    with op.batch_alter_table('voting_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voting_codes_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voting_codes_stage_id'), ['stage_id'], unique=False)

    with op.batch_alter_table('ballot_choices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rank', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_ballot_choices_ballot_id_rank'), ['ballot_id', 'rank'])
        batch_op.create_check_constraint(op.f('ck_ballot_choices_rank_positive'), 'rank IS NULL OR rank >= 1')

    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_ballots_stage_id_voter_key_submission'), ['stage_id', 'voter_key', 'submission'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('postcode', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('date_of_birth', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('date_of_birth')
        batch_op.drop_column('postcode')

    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ballots_stage_id_voter_key_submission'), type_='unique')
        batch_op.drop_column('submission')

    with op.batch_alter_table('ballot_choices', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_ballot_choices_rank_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_ballot_choices_ballot_id_rank'), type_='unique')
        batch_op.drop_column('rank')

    with op.batch_alter_table('voting_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voting_codes_stage_id'))
        batch_op.drop_index(batch_op.f('ix_voting_codes_batch_id'))

    op.drop_table('voting_codes')
    with op.batch_alter_table('code_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_code_links_stage_id'))

    op.drop_table('code_links')
    with op.batch_alter_table('code_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_code_batches_stage_id'))

    op.drop_table('code_batches')
