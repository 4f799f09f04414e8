"""needs and themes, proposal drafts, revisions, images, deliberation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 17:53:51.195130
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('proposal_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposal_drafts_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_proposal_drafts_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_drafts'))
    )
    with op.batch_alter_table('proposal_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_drafts_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_drafts_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_themes_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_themes_cycle_id_cycles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_themes')),
    sa.UniqueConstraint('cycle_id', 'name', name=op.f('uq_themes_cycle_id_name'))
    )
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_themes_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('need', 'asset', name='need_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('asset_type', sa.Enum('place', 'group', 'skill', 'other', name='asset_type', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('area', sa.String(length=120), nullable=True),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_needs_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_needs_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_needs_theme_id_themes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs'))
    )
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_needs_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('comment', 'question', name='comment_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_by_name', sa.String(length=120), nullable=True),
    sa.Column('hidden_ground', sa.String(length=200), nullable=True),
    sa.Column('hidden_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['comments.id'], name=op.f('fk_comments_parent_id_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_comments_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comments_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('merge_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source_consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('target_consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('source_id != target_id', name=op.f('ck_merge_requests_different_proposals')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_merge_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['proposals.id'], name=op.f('fk_merge_requests_source_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['proposals.id'], name=op.f('fk_merge_requests_target_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merge_requests'))
    )
    with op.batch_alter_table('merge_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merge_requests_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_merge_requests_target_id'), ['target_id'], unique=False)

    op.create_table('need_supports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_need_supports_need_id_needs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_need_supports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_need_supports')),
    sa.UniqueConstraint('need_id', 'user_id', name=op.f('uq_need_supports_need_id_user_id'))
    )
    with op.batch_alter_table('need_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_supports_need_id'), ['need_id'], unique=False)

    op.create_table('proposal_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('alt', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_images_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_images')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_proposal_images_proposal_id'))
    )
    op.create_table('proposal_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('editor_name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_revisions_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_revisions')),
    sa.UniqueConstraint('proposal_id', 'number', name=op.f('uq_proposal_revisions_proposal_id_number'))
    )
    with op.batch_alter_table('proposal_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_revisions_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('supports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_supports_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_supports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supports')),
    sa.UniqueConstraint('proposal_id', 'user_id', name=op.f('uq_supports_proposal_id_user_id'))
    )
    with op.batch_alter_table('supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supports_proposal_id'), ['proposal_id'], unique=False)

    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('areas', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=False, server_default='en'))
        batch_op.add_column(sa.Column('title_translated', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('summary_translated', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('description_translated', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('theme_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('area', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('volunteer_hours', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('materials', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('space', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('response', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False,
                                      server_default=sa.func.current_timestamp()))
        batch_op.create_index(batch_op.f('ix_proposals_theme_id'), ['theme_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_proposals_theme_id_themes'), 'themes', ['theme_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_proposals_merged_into_id_proposals'), 'proposals', ['merged_into_id'], ['id'], ondelete='SET NULL')
        # A proposal can now be merged into another.
        batch_op.drop_constraint(op.f('ck_proposals_proposal_status'), type_='check')
        batch_op.create_check_constraint('proposal_status', sa.text("status IN ('submitted', 'eligible', 'ruled_out', 'merged')"))



def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_proposals_proposal_status'), type_='check')
        batch_op.create_check_constraint('proposal_status', sa.text("status IN ('submitted', 'eligible', 'ruled_out')"))
        batch_op.drop_constraint(batch_op.f('fk_proposals_merged_into_id_proposals'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_proposals_theme_id_themes'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_proposals_theme_id'))
        batch_op.drop_column('updated_at')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('responded_at')
        batch_op.drop_column('response')
        batch_op.drop_column('space')
        batch_op.drop_column('materials')
        batch_op.drop_column('volunteer_hours')
        batch_op.drop_column('area')
        batch_op.drop_column('theme_id')
        batch_op.drop_column('description_translated')
        batch_op.drop_column('summary_translated')
        batch_op.drop_column('title_translated')
        batch_op.drop_column('language')
        batch_op.drop_column('description')

    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.drop_column('areas')

    with op.batch_alter_table('supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supports_proposal_id'))

    op.drop_table('supports')
    with op.batch_alter_table('proposal_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_revisions_proposal_id'))

    op.drop_table('proposal_revisions')
    op.drop_table('proposal_images')
    with op.batch_alter_table('need_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_supports_need_id'))

    op.drop_table('need_supports')
    with op.batch_alter_table('merge_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_merge_requests_target_id'))
        batch_op.drop_index(batch_op.f('ix_merge_requests_source_id'))

    op.drop_table('merge_requests')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comments_proposal_id'))

    op.drop_table('comments')
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_needs_cycle_id'))

    op.drop_table('needs')
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_themes_cycle_id'))

    op.drop_table('themes')
    with op.batch_alter_table('proposal_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_drafts_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_drafts_author_id'))

    op.drop_table('proposal_drafts')
