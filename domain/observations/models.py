"""Observations from the field, and the change log that delta sync reads.

An observation's id is made on the device, so a resend of the same observation names the
same row: the primary key is what makes submission idempotent.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from domain.shared.models import RecordFields


class ObservationKind(StrEnum):
    cycle_note = "cycle_note"  # something seen during a cycle's do phase
    data_point = "data_point"  # a value for a measure and reporting period
    fidelity = "fidelity"  # ratings against one practice-profile version's core components
    general = "general"  # free text with tags, in one of the author's programmes


class FidelityRating(StrEnum):
    expected = "expected"
    developmental = "developmental"
    unacceptable = "unacceptable"
    not_observed = "not_observed"


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


class Observation(RecordFields, table=True):
    """One observation. `created_by` is its author (the principal's subject); only the author
    reads, edits and syncs it. Deleting sets `deleted_at` (a tombstone for sync)."""

    __tablename__ = "observations"
    __table_args__ = (
        CheckConstraint(_in("kind", ObservationKind), name="observation_kind"),
        CheckConstraint(
            "kind <> 'cycle_note' OR cycle_id IS NOT NULL", name="observation_cycle_note"
        ),
        CheckConstraint(
            "kind <> 'data_point' OR (measure_id IS NOT NULL AND period IS NOT NULL"
            " AND value IS NOT NULL)",
            name="observation_data_point",
        ),
        CheckConstraint(
            "kind <> 'fidelity' OR (profile_version_id IS NOT NULL AND ratings IS NOT NULL)",
            name="observation_fidelity",
        ),
        Index("ix_observations_author", "organisation_id", "created_by", "id"),
        Index("ix_observations_cycle_id", "cycle_id"),
    )

    organisation_id: UUID = Field(foreign_key="organisations.id")
    # The programme of the subject (a general observation names one of the author's).
    programme_id: UUID = Field(foreign_key="programmes.id")
    kind: str = Field(max_length=16)
    observed_at: datetime = Field(sa_type=DateTime(timezone=True))
    received_at: datetime = Field(sa_type=DateTime(timezone=True))

    cycle_id: UUID | None = Field(default=None, foreign_key="cycles.id")
    measure_id: UUID | None = Field(default=None, foreign_key="measures.id")
    period: date | None = Field(default=None, sa_type=Date)
    value: float | None = Field(default=None)
    numerator: float | None = Field(default=None)
    denominator: float | None = Field(default=None)
    profile_version_id: UUID | None = Field(
        default=None, foreign_key="practice_profile_versions.id"
    )
    practitioner: str | None = Field(default=None, max_length=200)
    # [{"component_id": ..., "rating": ...}] in the order sent.
    ratings: list[dict[str, Any]] | None = Field(default=None, sa_type=JSONB)

    text: str = Field(default="", sa_type=Text)
    tags: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    # A place's name as the practitioner gave it; never coordinates.
    location_label: str | None = Field(default=None, max_length=200)
    # SHA-256 of what the device sent, to tell a resend (same) from a conflict (different).
    content_hash: str = Field(max_length=64)
    deleted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class SyncChange(SQLModel, table=True):
    """One change to a row that delta sync hands out, written by triggers (migration 0010)
    in the writing transaction. `xid` is that transaction's id: a reader only takes changes
    of transactions older than every one still running, in (xid, seq) order, so a change
    committed late is never behind a sync token already handed out.

    The visibility before and after the change (None: the row did not exist, or was deleted)
    tells a reader whether a caller could see the row then, so a tombstone goes only to
    callers who could once see it."""

    __tablename__ = "sync_changes"
    __table_args__ = (Index("ix_sync_changes_xid_seq", "xid", "seq"),)

    seq: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=False), primary_key=True)
    )
    xid: int = Field(
        sa_column=Column(
            BigInteger,
            nullable=False,
            server_default=text("(pg_current_xact_id())::text::bigint"),
        )
    )
    entity_type: str = Field(max_length=32)
    entity_id: UUID
    organisation_id: UUID
    programme_id: UUID | None = Field(default=None)
    author: str | None = Field(default=None, max_length=200)
    old_visibility: str | None = Field(default=None, max_length=16)
    new_visibility: str | None = Field(default=None, max_length=16)
    changed_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )
