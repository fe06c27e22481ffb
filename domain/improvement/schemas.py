"""What callers send and get back for cycles."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from domain.improvement.models import ActDecision, CycleStatus, Visibility
from domain.shared.schemas import InputModel, ReadModel, ShortText, Text

Question = Annotated[Text, Field(min_length=1, max_length=2000)]


class CycleCreate(InputModel):
    programme_id: UUID
    site_id: UUID | None = None
    title: ShortText
    visibility: Visibility = Visibility.private
    status: CycleStatus = CycleStatus.plan
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
    start_date: date | None = None
    end_date: date | None = None


class CycleUpdate(InputModel):
    """Every field optional; only the fields sent are changed."""

    site_id: UUID | None = None
    title: ShortText | None = None
    visibility: Visibility | None = None
    status: CycleStatus | None = None
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
    start_date: date | None = None
    end_date: date | None = None


class CycleRead(ReadModel):
    id: UUID
    organisation_id: UUID
    programme_id: UUID
    site_id: UUID | None
    visibility: Visibility
    status: CycleStatus
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
    q: Annotated[str, Field(min_length=1, max_length=200)] | None = None
