"""What callers send and get back for cycles."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from domain.improvement.models import ActDecision, CycleKind, CycleStatus, Visibility
from domain.shared.schemas import InputModel, ReadModel, ShortText, Text

Question = Annotated[Text, Field(min_length=1, max_length=2000)]


# Phases change only through a transition; accepted here only to be refused by name.
WorkflowOnly = SkipJsonSchema[CycleStatus | None]


class CycleCreate(InputModel):
    programme_id: UUID
    site_id: UUID | None = None
    title: ShortText
    kind: CycleKind = CycleKind.pdsa
    visibility: Visibility = Visibility.private
    status: WorkflowOnly = None
    ramp_id: UUID | None = None
    previous_cycle_id: UUID | None = Field(
        default=None, description="The cycle in the same ramp that this one follows."
    )
    aim: Text = ""
    change_idea: Text = ""
    questions: list[Question] = Field(default_factory=list, max_length=50)
    prediction: Text = ""
    plan: Text = ""
    data_collection_plan: Text = ""
    do_notes: Text = ""
    study_results: Text = ""
    study_learning: Text = ""
    act_decision: ActDecision | None = None
    act_notes: Text = ""
    participants_tested: Annotated[int, Field(ge=0, le=100_000)] | None = None
    changes_from_previous: Text = ""
    start_date: date | None = None
    end_date: date | None = None


class CycleUpdate(InputModel):
    """Every field optional; only the fields sent are changed."""

    site_id: UUID | None = None
    title: ShortText | None = None
    visibility: Visibility | None = None
    status: WorkflowOnly = None
    ramp_id: UUID | None = None
    previous_cycle_id: UUID | None = None
    aim: Text | None = None
    change_idea: Text | None = None
    questions: list[Question] | None = Field(default=None, max_length=50)
    prediction: Text | None = None
    plan: Text | None = None
    data_collection_plan: Text | None = None
    do_notes: Text | None = None
    study_results: Text | None = None
    study_learning: Text | None = None
    act_decision: ActDecision | None = None
    act_notes: Text | None = None
    participants_tested: Annotated[int, Field(ge=0, le=100_000)] | None = None
    changes_from_previous: Text | None = None
    start_date: date | None = None
    end_date: date | None = None


class CycleRead(ReadModel):
    id: UUID
    organisation_id: UUID
    programme_id: UUID
    site_id: UUID | None
    visibility: Visibility
    status: CycleStatus
    kind: CycleKind
    ramp_id: UUID | None
    previous_cycle_id: UUID | None
    title: str
    aim: str
    change_idea: str
    questions: list[str]
    prediction: str
    plan: str
    data_collection_plan: str
    do_notes: str
    study_results: str
    study_learning: str
    act_decision: ActDecision | None
    act_notes: str
    abandon_reason: str
    participants_tested: int | None
    changes_from_previous: str
    start_date: date | None
    end_date: date | None
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class CycleFilters(InputModel):
    programme_id: UUID | None = None
    site_id: UUID | None = None
    status: CycleStatus | None = None
    kind: CycleKind | None = None
    ramp_id: UUID | None = None
    q: ShortText | None = None


class CycleTransitionCreate(InputModel):
    to: CycleStatus = Field(description="The next phase, or abandoned")
    reason: Text = Field(default="", description="Why; required to abandon")


class PhaseRead(BaseModel):
    status: CycleStatus
    started_at: datetime
    ended_at: datetime | None
    seconds: float = Field(description="Time in the phase, up to now for the current one")


class TransitionRead(ReadModel):
    from_status: CycleStatus | None
    to_status: CycleStatus
    occurred_at: datetime
    reason: str
    actor: str


class CycleHistory(BaseModel):
    transitions: list[TransitionRead]
    phases: list[PhaseRead]
