"""PDSA cycle records."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import CheckConstraint, Column, Computed, Date, DateTime, Index, Text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlmodel import Field

from domain.shared.models import RecordFields


class CycleStatus(StrEnum):
    plan = "plan"
    do = "do"
    study = "study"
    act = "act"
    completed = "completed"
    abandoned = "abandoned"


class ActDecision(StrEnum):
    adopt = "adopt"
    adapt = "adapt"
    abandon = "abandon"


class Visibility(StrEnum):
    private = "private"
    programme = "programme"


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


# Title weighs most, then the aim and change idea, then the rest of the record.
_SEARCH_EXPRESSION = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(aim, '') || ' ' || coalesce(change_idea, '')), 'B')"
    " || setweight(to_tsvector('english', coalesce(prediction, '') || ' ' || coalesce(plan, '')"
    " || ' ' || coalesce(do_notes, '') || ' ' || coalesce(study_results, '') || ' ' ||"
    " coalesce(study_learning, '') || ' ' || coalesce(act_notes, '')), 'C')"
)


class Cycle(RecordFields, table=True):
    __tablename__ = "cycles"
    __table_args__ = (
        CheckConstraint(_in("status", CycleStatus), name="cycle_status"),
        CheckConstraint(_in("visibility", Visibility), name="cycle_visibility"),
        CheckConstraint(
            f"act_decision IS NULL OR {_in('act_decision', ActDecision)}", name="cycle_act_decision"
        ),
        CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="cycle_dates"
        ),
        Index("ix_cycles_search", "search", postgresql_using="gin"),
        Index("ix_cycles_programme_id_id", "programme_id", "id"),
    )

    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    programme_id: UUID = Field(foreign_key="programmes.id")
    site_id: UUID | None = Field(default=None, foreign_key="sites.id", index=True)
    visibility: str = Field(default=Visibility.private.value, max_length=16)
    status: str = Field(default=CycleStatus.plan.value, max_length=16)

    title: str = Field(max_length=200)
    # Plan
    aim: str = Field(default="", sa_type=Text)
    change_idea: str = Field(default="", sa_type=Text)
    questions: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    prediction: str = Field(default="", sa_type=Text)
    plan: str = Field(default="", sa_type=Text)  # who, what, when, where
    data_collection_plan: str = Field(default="", sa_type=Text)
    # Do
    do_notes: str = Field(default="", sa_type=Text)
    # Study
    study_results: str = Field(default="", sa_type=Text)
    study_learning: str = Field(default="", sa_type=Text)
    # Act
    act_decision: str | None = Field(default=None, max_length=16)
    act_notes: str = Field(default="", sa_type=Text)

    start_date: date | None = Field(default=None, sa_type=Date)
    end_date: date | None = Field(default=None, sa_type=Date)
    deleted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))

    search: str | None = Field(
        default=None,
        sa_column=Column(TSVECTOR, Computed(_SEARCH_EXPRESSION, persisted=True)),
    )
