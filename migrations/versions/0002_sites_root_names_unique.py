"""sites root names unique

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 10:50:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL treats NULLs as distinct in a unique constraint, so root sites (parent_id NULL)
# of one organisation could share a name when two creates raced past the service's check.
# NULLS NOT DISTINCT (PostgreSQL 15+) makes roots siblings too. If duplicate roots already
# exist, the ADD fails and, DDL being transactional, the old constraint stays: rename one
# of them and upgrade again.
COLUMNS = ['organisation_id', 'parent_id', 'name']


def upgrade() -> None:
    op.drop_constraint('uq_sites_sibling_name', 'sites', type_='unique')
    op.create_unique_constraint(
        'uq_sites_sibling_name', 'sites', COLUMNS, postgresql_nulls_not_distinct=True
    )


def downgrade() -> None:
    op.drop_constraint('uq_sites_sibling_name', 'sites', type_='unique')
    op.create_unique_constraint('uq_sites_sibling_name', 'sites', COLUMNS)
