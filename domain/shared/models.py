"""Columns every table shares."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from domain.shared.ids import new_id, utcnow


class RecordFields(SQLModel):
    """id, timestamps, author and optimistic-concurrency version."""

    id: UUID = Field(default_factory=new_id, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    created_by: str = Field(max_length=200)
    version: int = Field(default=1)
