"""What a team records about reading its charts, and the programme's logic model."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Date, DateTime, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from domain.shared.ids import utcnow


class MeasureRebase(SQLModel, table=True):
    """From this period on, a measure's chart starts a new baseline (after a sustained
    shift the old median no longer describes the process)."""

    __tablename__ = "measure_rebases"

    measure_id: UUID = Field(foreign_key="measures.id", primary_key=True, ondelete="CASCADE")
    period: date = Field(sa_type=Date, primary_key=True)
    note: str = Field(default="", sa_type=Text)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class LogicModel(SQLModel, table=True):
    """A programme's logic model: inputs, activities, outputs and outcomes, each outcome tied
    to the measures that show it. One document per programme, replaced whole, versioned."""

    __tablename__ = "logic_models"

    programme_id: UUID = Field(foreign_key="programmes.id", primary_key=True, ondelete="CASCADE")
    document: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    version: int = Field(default=1)
    updated_by: str = Field(max_length=200)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
