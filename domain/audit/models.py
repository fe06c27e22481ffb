"""The append-only audit trail. A trigger in the migration refuses UPDATE and DELETE."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from domain.shared.ids import new_id, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    actor: str = Field(max_length=200)
    client_id: str | None = Field(default=None, max_length=100)
    organisation_id: UUID | None = Field(default=None, index=True)
    action: str = Field(max_length=64)
    entity_type: str = Field(max_length=64)
    entity_id: UUID
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    request_id: str | None = Field(default=None, max_length=128)
