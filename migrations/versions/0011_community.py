"""Community of practice: communities, events, resources, discussions, glossary, search (issue 7).

pg_trgm (a trusted extension since PostgreSQL 13, so the database owner may create it) gives
the glossary its typo-tolerant term match. The seeded glossary is reference data every
install needs, so this revision inserts it (domain.community.glossary_seed, the 0011 edition).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_table('community_discussion_edits',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('target_kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('target_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('editor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.CheckConstraint("target_kind IN ('thread', 'post')", name='discussion_edit_kind'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_community_discussion_edits_target', 'community_discussion_edits', ['target_id', 'version'], unique=False)
    op.create_table('communities',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('programme_id', sa.Uuid(), nullable=True),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.CheckConstraint("programme_id IS NOT NULL OR visibility <> 'programme'", name='community_programme_visibility'),
    sa.CheckConstraint("visibility IN ('public', 'programme', 'organisation')", name='community_visibility'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_communities_organisation_id'), 'communities', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_communities_programme_id'), 'communities', ['programme_id'], unique=False)
    op.create_table('glossary_terms',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=True),
    sa.Column('programme_id', sa.Uuid(), nullable=True),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('term', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('definition_html', sa.Text(), nullable=False),
    sa.Column('aliases', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('alias_text', sa.Text(), nullable=False),
    sa.Column('related', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('search', postgresql.TSVECTOR(), sa.Computed("setweight(to_tsvector('english', coalesce(term, '')), 'A') || setweight(to_tsvector('english', coalesce(alias_text, '')), 'B') || setweight(to_tsvector('english', coalesce(definition, '')), 'C')", persisted=True), nullable=True),
    sa.CheckConstraint("programme_id IS NOT NULL OR visibility <> 'programme'", name='glossary_programme_visibility'),
    sa.CheckConstraint("visibility IN ('public', 'programme', 'organisation')", name='glossary_visibility'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    op.create_index('ix_glossary_terms_search', 'glossary_terms', ['search'], unique=False, postgresql_using='gin')
    op.create_index('ix_glossary_terms_term_trgm', 'glossary_terms', ['term'], unique=False, postgresql_using='gin', postgresql_ops={'term': 'gin_trgm_ops'})
    op.create_table('community_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('programme_id', sa.Uuid(), nullable=True),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('online_url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('agenda_html', sa.Text(), nullable=False),
    sa.Column('facilitators', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('recording_url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('notes_html', sa.Text(), nullable=False),
    sa.Column('key_learning', sa.Text(), nullable=False),
    sa.Column('key_learning_html', sa.Text(), nullable=False),
    sa.Column('search', postgresql.TSVECTOR(), sa.Computed("setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(summary, '')), 'B') || setweight(to_tsvector('english', coalesce(agenda, '') || ' ' || coalesce(notes, '') || ' ' || coalesce(key_learning, '')), 'C')", persisted=True), nullable=True),
    sa.CheckConstraint("format IN ('in_person', 'online', 'hybrid')", name='event_format'),
    sa.CheckConstraint("status IN ('draft', 'published', 'archived')", name='event_status'),
    sa.CheckConstraint("visibility IN ('public', 'programme', 'organisation')", name='event_visibility'),
    sa.CheckConstraint('ends_at > starts_at', name='event_times'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_community_events_community_starts', 'community_events', ['community_id', 'starts_at'], unique=False)
    op.create_index(op.f('ix_community_events_organisation_id'), 'community_events', ['organisation_id'], unique=False)
    op.create_index('ix_community_events_search', 'community_events', ['search'], unique=False, postgresql_using='gin')
    op.create_table('community_members',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('community_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.CheckConstraint("kind IN ('person', 'organisation')", name='community_member_kind'),
    sa.CheckConstraint("role = 'member' OR kind = 'person'", name='community_moderator_person'),
    sa.CheckConstraint("role IN ('member', 'moderator')", name='community_member_role'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('community_id', 'kind', 'ref', name='uq_community_members_ref')
    )
    op.create_table('community_event_attendance',
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('attendees', sa.Integer(), nullable=False),
    sa.CheckConstraint('attendees >= 0', name='event_attendance_count'),
    sa.ForeignKeyConstraint(['event_id'], ['community_events.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('event_id', 'organisation_id')
    )
    op.create_table('community_resources',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('programme_id', sa.Uuid(), nullable=True),
    sa.Column('community_id', sa.Uuid(), nullable=True),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('links', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('audiences', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('tags', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('innovation_id', sa.Uuid(), nullable=True),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('driver', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('cycle_id', sa.Uuid(), nullable=True),
    sa.Column('search', postgresql.TSVECTOR(), sa.Computed("setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(summary, '')), 'B') || setweight(to_tsvector('english', coalesce(body, '')), 'C')", persisted=True), nullable=True),
    sa.CheckConstraint("kind IN ('faq', 'webinar', 'practice_profile', 'briefing_paper', 'blog_post', 'case_study', 'tool', 'reflection', 'logic_model', 'other')", name='resource_kind'),
    sa.CheckConstraint("programme_id IS NOT NULL OR visibility <> 'programme'", name='resource_programme_visibility'),
    sa.CheckConstraint("status IN ('draft', 'published', 'archived')", name='resource_status'),
    sa.CheckConstraint("visibility IN ('public', 'programme', 'organisation')", name='resource_visibility'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], ),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_community_resources_community_id'), 'community_resources', ['community_id'], unique=False)
    op.create_index(op.f('ix_community_resources_organisation_id'), 'community_resources', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_community_resources_programme_id'), 'community_resources', ['programme_id'], unique=False)
    op.create_index('ix_community_resources_published', 'community_resources', ['status', 'published_at'], unique=False)
    op.create_index('ix_community_resources_search', 'community_resources', ['search'], unique=False, postgresql_using='gin')
    op.create_index('ix_community_resources_tags', 'community_resources', ['tags'], unique=False, postgresql_using='gin')
    op.create_table('community_resource_revisions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('resource_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('snapshot', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['community_resources.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('resource_id', 'number', name='uq_resource_revisions_number')
    )
    op.create_table('community_threads',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('resource_id', sa.Uuid(), nullable=True),
    sa.Column('cycle_id', sa.Uuid(), nullable=True),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('lock_reason', sa.Text(), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=False),
    sa.Column('search', postgresql.TSVECTOR(), sa.Computed("setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', ''), 'B') || setweight(to_tsvector('english', coalesce(body, '')), 'C')", persisted=True), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], ),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['resource_id'], ['community_resources.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_community_threads_community_id', 'community_threads', ['community_id', 'id'], unique=False)
    op.create_index('ix_community_threads_search', 'community_threads', ['search'], unique=False, postgresql_using='gin')
    op.create_table('community_posts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Uuid(), nullable=False),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['community_posts.id'], ),
    sa.ForeignKeyConstraint(['thread_id'], ['community_threads.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_community_posts_thread_id', 'community_posts', ['thread_id', 'id'], unique=False)
    _seed_glossary()


def _seed_glossary() -> None:
    from domain.community.glossary_seed import seed_rows

    terms = sa.table(
        'glossary_terms',
        sa.column('id', sa.Uuid()),
        sa.column('created_at', sa.DateTime(timezone=True)),
        sa.column('updated_at', sa.DateTime(timezone=True)),
        sa.column('created_by', sa.String()),
        sa.column('version', sa.Integer()),
        sa.column('organisation_id', sa.Uuid()),
        sa.column('programme_id', sa.Uuid()),
        sa.column('visibility', sa.String()),
        sa.column('slug', sa.String()),
        sa.column('term', sa.String()),
        sa.column('definition', sa.Text()),
        sa.column('definition_html', sa.Text()),
        sa.column('aliases', postgresql.ARRAY(sa.Text())),
        sa.column('alias_text', sa.Text()),
        sa.column('related', postgresql.ARRAY(sa.Text())),
    )
    op.bulk_insert(terms, seed_rows())


def downgrade() -> None:
    op.drop_index('ix_community_posts_thread_id', table_name='community_posts')
    op.drop_table('community_posts')
    op.drop_index('ix_community_threads_search', table_name='community_threads', postgresql_using='gin')
    op.drop_index('ix_community_threads_community_id', table_name='community_threads')
    op.drop_table('community_threads')
    op.drop_table('community_resource_revisions')
    op.drop_index('ix_community_resources_tags', table_name='community_resources', postgresql_using='gin')
    op.drop_index('ix_community_resources_search', table_name='community_resources', postgresql_using='gin')
    op.drop_index('ix_community_resources_published', table_name='community_resources')
    op.drop_index(op.f('ix_community_resources_programme_id'), table_name='community_resources')
    op.drop_index(op.f('ix_community_resources_organisation_id'), table_name='community_resources')
    op.drop_index(op.f('ix_community_resources_community_id'), table_name='community_resources')
    op.drop_table('community_resources')
    op.drop_table('community_event_attendance')
    op.drop_table('community_members')
    op.drop_index('ix_community_events_search', table_name='community_events', postgresql_using='gin')
    op.drop_index(op.f('ix_community_events_organisation_id'), table_name='community_events')
    op.drop_index('ix_community_events_community_starts', table_name='community_events')
    op.drop_table('community_events')
    op.drop_index('ix_glossary_terms_term_trgm', table_name='glossary_terms', postgresql_using='gin', postgresql_ops={'term': 'gin_trgm_ops'})
    op.drop_index('ix_glossary_terms_search', table_name='glossary_terms', postgresql_using='gin')
    op.drop_table('glossary_terms')
    op.drop_index(op.f('ix_communities_programme_id'), table_name='communities')
    op.drop_index(op.f('ix_communities_organisation_id'), table_name='communities')
    op.drop_table('communities')
    op.drop_index('ix_community_discussion_edits_target', table_name='community_discussion_edits')
    op.drop_table('community_discussion_edits')
    # The extension stays: other schemas may use it.
