"""Implementation tracking: innovations, practice profiles, teams, implementations, stages, instruments, assessments (issue 4).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('implementation_teams',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('programme_id', sa.Uuid(), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("visibility IN ('private', 'programme')", name='team_visibility'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_implementation_teams_organisation_id'), 'implementation_teams', ['organisation_id'], unique=False)
    op.create_index('ix_implementation_teams_programme_id_id', 'implementation_teams', ['programme_id', 'id'], unique=False)
    op.create_table('innovations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('programme_id', sa.Uuid(), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('philosophy', sa.Text(), nullable=False),
    sa.Column('principles', sa.Text(), nullable=False),
    sa.Column('inclusion_criteria', sa.Text(), nullable=False),
    sa.Column('exclusion_criteria', sa.Text(), nullable=False),
    sa.Column('evidence_summary', sa.Text(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("visibility IN ('private', 'programme')", name='innovation_visibility'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_innovations_organisation_id'), 'innovations', ['organisation_id'], unique=False)
    op.create_index('ix_innovations_programme_id_id', 'innovations', ['programme_id', 'id'], unique=False)
    op.create_table('practice_profile_versions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('innovation_id', sa.Uuid(), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('programme_id', sa.Uuid(), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.CheckConstraint("(status = 'published') = (published_at IS NOT NULL)", name='practice_profile_published_at'),
    sa.CheckConstraint("status IN ('draft', 'published')", name='practice_profile_status'),
    sa.CheckConstraint("visibility IN ('private', 'programme')", name='practice_profile_visibility'),
    sa.ForeignKeyConstraint(['innovation_id'], ['innovations.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('innovation_id', 'version_number', name='uq_practice_profile_number')
    )
    op.create_index(op.f('ix_practice_profile_versions_organisation_id'), 'practice_profile_versions', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_practice_profile_versions_programme_id'), 'practice_profile_versions', ['programme_id'], unique=False)
    op.create_index('uq_practice_profile_one_draft', 'practice_profile_versions', ['innovation_id'], unique=True, postgresql_where=sa.text("status = 'draft'"))
    op.create_table('team_members',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('lead', 'coordinator', 'data_lead', 'coach', 'practitioner_representative', 'senior_leader', 'member')", name='team_member_role'),
    sa.CheckConstraint('left_on IS NULL OR left_on >= joined_on', name='team_member_dates'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['implementation_teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_team_members_team_id', 'team_members', ['team_id', 'id'], unique=False)
    op.create_index('ix_team_members_user_id', 'team_members', ['user_id'], unique=False)
    op.create_table('core_components',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('profile_version_id', sa.Uuid(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('fixed_or_adaptable', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('expected_practice', sa.Text(), nullable=False),
    sa.Column('developmental_practice', sa.Text(), nullable=False),
    sa.Column('unacceptable_practice', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("fixed_or_adaptable IN ('fixed', 'adaptable')", name='core_component_flexibility'),
    sa.ForeignKeyConstraint(['profile_version_id'], ['practice_profile_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('profile_version_id', 'key', name='uq_core_components_key')
    )
    op.create_index('ix_core_components_profile_position', 'core_components', ['profile_version_id', 'position'], unique=False)
    op.create_table('implementations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('programme_id', sa.Uuid(), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('innovation_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('profile_version_id', sa.Uuid(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("visibility IN ('private', 'programme')", name='implementation_visibility'),
    sa.ForeignKeyConstraint(['innovation_id'], ['innovations.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['profile_version_id'], ['practice_profile_versions.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['implementation_teams.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_implementations_innovation_id'), 'implementations', ['innovation_id'], unique=False)
    op.create_index(op.f('ix_implementations_organisation_id'), 'implementations', ['organisation_id'], unique=False)
    op.create_index('ix_implementations_programme_id_id', 'implementations', ['programme_id', 'id'], unique=False)
    op.create_index(op.f('ix_implementations_site_id'), 'implementations', ['site_id'], unique=False)
    op.create_index(op.f('ix_implementations_team_id'), 'implementations', ['team_id'], unique=False)
    op.create_table('instruments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('instrument_version', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('applies_to', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('consensus', sa.Boolean(), nullable=False),
    sa.Column('definition', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('profile_version_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint("applies_to IN ('team', 'implementation', 'organisation', 'practitioner')", name='instrument_applies_to'),
    sa.ForeignKeyConstraint(['profile_version_id'], ['practice_profile_versions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', 'instrument_version', name='uq_instruments_key_version'),
    sa.UniqueConstraint('profile_version_id')
    )
    op.create_table('assessments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('programme_id', sa.Uuid(), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('instrument_id', sa.Uuid(), nullable=False),
    sa.Column('subject_kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=True),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'submitted') = (submitted_at IS NOT NULL)", name='assessment_submitted_at'),
    sa.CheckConstraint("status IN ('draft', 'submitted')", name='assessment_status'),
    sa.CheckConstraint("subject_kind IN ('team', 'implementation', 'organisation', 'practitioner')", name='assessment_subject_kind'),
    sa.CheckConstraint("visibility IN ('private', 'programme')", name='assessment_visibility'),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['implementation_teams.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_assessments_instrument_id'), 'assessments', ['instrument_id'], unique=False)
    op.create_index(op.f('ix_assessments_organisation_id'), 'assessments', ['organisation_id'], unique=False)
    op.create_index('ix_assessments_programme_id_id', 'assessments', ['programme_id', 'id'], unique=False)
    op.create_index('ix_assessments_subject', 'assessments', ['subject_id', 'instrument_id', 'assessed_on'], unique=False)
    op.create_index('ix_assessments_team_id', 'assessments', ['team_id'], unique=False)
    op.create_table('implementation_adaptations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('implementation_id', sa.Uuid(), nullable=False),
    sa.Column('component_id', sa.Uuid(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('adopted_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['component_id'], ['core_components.id'], ),
    sa.ForeignKeyConstraint(['implementation_id'], ['implementations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_implementation_adaptations_impl', 'implementation_adaptations', ['implementation_id', 'id'], unique=False)
    op.create_table('stage_transitions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('implementation_id', sa.Uuid(), nullable=False),
    sa.Column('from_stage', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('to_stage', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('skip_reason', sa.Text(), nullable=False),
    sa.Column('evidence', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("from_stage IS NULL OR from_stage IN ('exploration', 'installation', 'initial_implementation', 'full_implementation')", name='stage_transition_from'),
    sa.CheckConstraint("to_stage IN ('exploration', 'installation', 'initial_implementation', 'full_implementation')", name='stage_transition_to'),
    sa.ForeignKeyConstraint(['implementation_id'], ['implementations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_stage_transitions_implementation_effective', 'stage_transitions', ['implementation_id', 'effective_on', 'id'], unique=False)
    op.create_table('team_checklist_items',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('instrument_id', sa.Uuid(), nullable=False),
    sa.Column('section_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['implementation_teams.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_team_checklist_items_team', 'team_checklist_items', ['team_id', 'instrument_id'], unique=False)
    op.create_table('assessment_actions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=True),
    sa.Column('item_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('who', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['implementation_teams.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_assessment_actions_assessment_id', 'assessment_actions', ['assessment_id'], unique=False)
    op.create_index('ix_assessment_actions_team_open', 'assessment_actions', ['team_id', 'done_on', 'id'], unique=False)
    op.create_table('assessment_scores',
    sa.Column('assessment_id', sa.Uuid(), nullable=False),
    sa.Column('item_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assessment_id', 'item_key')
    )
    op.create_table('assessment_votes',
    sa.Column('assessment_id', sa.Uuid(), nullable=False),
    sa.Column('item_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('participant', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assessment_id', 'item_key', 'participant')
    )


def downgrade() -> None:
    op.drop_table('assessment_votes')
    op.drop_table('assessment_scores')
    op.drop_table('assessment_actions')
    op.drop_table('team_checklist_items')
    op.drop_table('stage_transitions')
    op.drop_table('implementation_adaptations')
    op.drop_table('assessments')
    op.drop_table('instruments')
    op.drop_table('implementations')
    op.drop_table('core_components')
    op.drop_table('team_members')
    op.drop_table('practice_profile_versions')
    op.drop_table('innovations')
    op.drop_table('implementation_teams')
