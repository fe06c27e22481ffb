"""PDSA cycle records."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import CheckConstraint, Column, Computed, Date, DateTime, Index, Text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlmodel import Field, SQLModel

from domain.shared.ids import new_id, utcnow
from domain.shared.models import RecordFields


class CycleStatus(StrEnum):
    plan = "plan"
    do = "do"
    study = "study"
    act = "act"
    completed = "completed"
    abandoned = "abandoned"


class CycleKind(StrEnum):
    pdsa = "pdsa"
    # A planned series of about 4-5 cycles, each with a small group of participants.
    usability_test = "usability_test"
    # A frontline barrier reported up to leaders, and their response sent back down.
    practice_policy_feedback = "practice_policy_feedback"


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
        CheckConstraint(_in("kind", CycleKind), name="cycle_kind"),
        CheckConstraint(
            "participants_tested IS NULL OR participants_tested >= 0",
            name="cycle_participants_tested",
        ),
        CheckConstraint("previous_cycle_id IS NULL OR ramp_id IS NOT NULL", name="cycle_ramp_link"),
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
    kind: str = Field(default=CycleKind.pdsa.value, max_length=32)
    # A ramp is a chain of cycles testing one change idea; each follows the one before.
    ramp_id: UUID | None = Field(default=None, foreign_key="ramps.id", index=True)
    previous_cycle_id: UUID | None = Field(default=None, foreign_key="cycles.id", unique=True)

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
    abandon_reason: str = Field(default="", sa_type=Text)
    # Usability tests: how many people took part, and what changed since the last round.
    participants_tested: int | None = Field(default=None)
    changes_from_previous: str = Field(default="", sa_type=Text)

    start_date: date | None = Field(default=None, sa_type=Date)
    end_date: date | None = Field(default=None, sa_type=Date)
    deleted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))

    search: str | None = Field(
        default=None,
        sa_column=Column(TSVECTOR, Computed(_SEARCH_EXPRESSION, persisted=True)),
    )


class CycleTransition(SQLModel, table=True):
    """One move of a cycle from phase to phase; append-only, so the history is the record."""

    __tablename__ = "cycle_transitions"
    __table_args__ = (Index("ix_cycle_transitions_cycle_id_at", "cycle_id", "occurred_at"),)

    id: UUID = Field(default_factory=new_id, primary_key=True)
    cycle_id: UUID = Field(foreign_key="cycles.id")
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    reason: str = Field(default="", sa_type=Text)
    actor: str = Field(max_length=200)


class Ramp(RecordFields, table=True):
    """A chain of cycles testing one change idea, owned like a cycle and shared the same way."""

    __tablename__ = "ramps"
    __table_args__ = (CheckConstraint(_in("visibility", Visibility), name="ramp_visibility"),)

    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    programme_id: UUID = Field(foreign_key="programmes.id", index=True)
    visibility: str = Field(default=Visibility.private.value, max_length=16)
    title: str = Field(max_length=200)
    change_idea: str = Field(default="", sa_type=Text)
    deleted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
