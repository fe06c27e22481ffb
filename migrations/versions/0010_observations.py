"""Observations from the field, tombstones and the sync change log (issue 6).

The change log `sync_changes` is written by statement-level triggers (one INSERT per
statement, however many rows it touched) on the tables delta sync hands out: observations,
cycles, measures and practice-profile versions. Each change carries the id of the writing
transaction, so a reader can leave out changes of transactions still running and never
step past a change that commits late. Existing rows are logged once here, so a device's
first sync sees them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

XID = "(pg_current_xact_id())::text::bigint"

# Tables owned by an organisation and shared with a programme (RowAccess.shared_rows).
# deleted_at is read through to_jsonb, as practice-profile versions have none.
SHARED_TABLES = {
    "cycles": "cycle",
    "measures": "measure",
    "practice_profile_versions": "practice_profile_version",
}

SHARED_FUNCTION = f"""
CREATE FUNCTION sync_log_shared() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO sync_changes (xid, entity_type, entity_id, organisation_id, programme_id,
                              old_visibility, new_visibility)
    SELECT {XID}, TG_ARGV[0], n.id, n.organisation_id, n.programme_id, NULL,
           CASE WHEN to_jsonb(n) ->> 'deleted_at' IS NULL THEN n.visibility END
    FROM new_rows n;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO sync_changes (xid, entity_type, entity_id, organisation_id, programme_id,
                              old_visibility, new_visibility)
    SELECT {XID}, TG_ARGV[0], n.id, n.organisation_id, n.programme_id,
           CASE WHEN to_jsonb(o) ->> 'deleted_at' IS NULL THEN o.visibility END,
           CASE WHEN to_jsonb(n) ->> 'deleted_at' IS NULL THEN n.visibility END
    FROM new_rows n JOIN old_rows o ON o.id = n.id;
  ELSE
    INSERT INTO sync_changes (xid, entity_type, entity_id, organisation_id, programme_id,
                              old_visibility, new_visibility)
    SELECT {XID}, TG_ARGV[0], o.id, o.organisation_id, o.programme_id,
           CASE WHEN to_jsonb(o) ->> 'deleted_at' IS NULL THEN o.visibility END, NULL
    FROM old_rows o;
  END IF;
  RETURN NULL;
END $$;
"""

# Observations are seen by their author only: the visibility is 'author' while they exist.
OBSERVATION_FUNCTION = f"""
CREATE FUNCTION sync_log_observations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO sync_changes (xid, entity_type, entity_id, organisation_id, programme_id,
                              author, old_visibility, new_visibility)
    SELECT {XID}, 'observation', n.id, n.organisation_id, n.programme_id, n.created_by, NULL,
           CASE WHEN n.deleted_at IS NULL THEN 'author' END
    FROM new_rows n;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO sync_changes (xid, entity_type, entity_id, organisation_id, programme_id,
                              author, old_visibility, new_visibility)
    SELECT {XID}, 'observation', n.id, n.organisation_id, n.programme_id, n.created_by,
           CASE WHEN o.deleted_at IS NULL THEN 'author' END,
           CASE WHEN n.deleted_at IS NULL THEN 'author' END
    FROM new_rows n JOIN old_rows o ON o.id = n.id;
  ELSE
    INSERT INTO sync_changes (xid, entity_type, entity_id, organisation_id, programme_id,
                              author, old_visibility, new_visibility)
    SELECT {XID}, 'observation', o.id, o.organisation_id, o.programme_id, o.created_by,
           CASE WHEN o.deleted_at IS NULL THEN 'author' END, NULL
    FROM old_rows o;
  END IF;
  RETURN NULL;
END $$;
"""


def _triggers(table: str, function: str, argument: str = "") -> list[str]:
    # A trigger with transition tables takes one event, so each table gets three.
    call = f"{function}({argument!r})" if argument else f"{function}()"
    return [
        f"CREATE TRIGGER sync_log_{table}_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {call}",
        f"CREATE TRIGGER sync_log_{table}_update AFTER UPDATE ON {table} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {call}",
        f"CREATE TRIGGER sync_log_{table}_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {call}",
    ]


def upgrade() -> None:
    op.create_table('sync_changes',
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('xid', sa.BigInteger(), server_default=sa.text('(pg_current_xact_id())::text::bigint'), nullable=False),
    sa.Column('entity_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('programme_id', sa.Uuid(), nullable=True),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('old_visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('new_visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_index('ix_sync_changes_xid_seq', 'sync_changes', ['xid', 'seq'], unique=False)
    op.create_table('observations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('programme_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('observed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cycle_id', sa.Uuid(), nullable=True),
    sa.Column('measure_id', sa.Uuid(), nullable=True),
    sa.Column('period', sa.Date(), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('numerator', sa.Float(), nullable=True),
    sa.Column('denominator', sa.Float(), nullable=True),
    sa.Column('profile_version_id', sa.Uuid(), nullable=True),
    sa.Column('practitioner', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('ratings', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('tags', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('location_label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind <> 'cycle_note' OR cycle_id IS NOT NULL", name='observation_cycle_note'),
    sa.CheckConstraint("kind <> 'data_point' OR (measure_id IS NOT NULL AND period IS NOT NULL AND value IS NOT NULL)", name='observation_data_point'),
    sa.CheckConstraint("kind <> 'fidelity' OR (profile_version_id IS NOT NULL AND ratings IS NOT NULL)", name='observation_fidelity'),
    sa.CheckConstraint("kind IN ('cycle_note', 'data_point', 'fidelity', 'general')", name='observation_kind'),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], ),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['profile_version_id'], ['practice_profile_versions.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_observations_author', 'observations', ['organisation_id', 'created_by', 'id'], unique=False)
    op.create_index('ix_observations_cycle_id', 'observations', ['cycle_id'], unique=False)

    op.execute(SHARED_FUNCTION)
    op.execute(OBSERVATION_FUNCTION)
    for table, entity in SHARED_TABLES.items():
        # What exists already is logged once, so a first sync hands it out.
        deleted = "deleted_at IS NULL" if table != "practice_profile_versions" else "TRUE"
        op.execute(
            "INSERT INTO sync_changes (xid, entity_type, entity_id, organisation_id, "
            "programme_id, old_visibility, new_visibility) "
            f"SELECT {XID}, '{entity}', id, organisation_id, programme_id, NULL, visibility "
            f"FROM {table} WHERE {deleted} ORDER BY id"
        )
        for statement in _triggers(table, "sync_log_shared", entity):
            op.execute(statement)
    for statement in _triggers("observations", "sync_log_observations"):
        op.execute(statement)


def downgrade() -> None:
    for table in [*SHARED_TABLES, "observations"]:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS sync_log_{table}_{event} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS sync_log_shared()")
    op.execute("DROP FUNCTION IF EXISTS sync_log_observations()")
    op.drop_index('ix_observations_cycle_id', table_name='observations')
    op.drop_index('ix_observations_author', table_name='observations')
    op.drop_table('observations')
    op.drop_index('ix_sync_changes_xid_seq', table_name='sync_changes')
    op.drop_table('sync_changes')
