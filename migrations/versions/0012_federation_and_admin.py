"""Trusted external issuers (federation), and when each OAuth client last obtained a token.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 12:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('trusted_issuers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('issuer', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('jwks_url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('audience', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('subject_claim', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('max_scopes', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('issuer')
    )
    op.create_index(op.f('ix_trusted_issuers_organisation_id'), 'trusted_issuers', ['organisation_id'], unique=False)
    op.add_column('oauth_clients', sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('oauth_clients', 'last_used_at')
    op.drop_index(op.f('ix_trusted_issuers_organisation_id'), table_name='trusted_issuers')
    op.drop_table('trusted_issuers')
