"""GraphQL input types. They are turned into the domain's Create/Update schemas, which
hold the validation rules, so REST and GraphQL refuse the same things."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from domain.improvement.models import ActDecision, CycleKind, CycleStatus, Visibility


@strawberry.input
class CreateCycleInput:
    programme_id: strawberry.ID
    site_id: strawberry.ID | None = None
    title: str
    kind: CycleKind = CycleKind.pdsa
    visibility: Visibility = Visibility.private
    ramp_id: strawberry.ID | None = None
    previous_cycle_id: strawberry.ID | None = None
    aim: str = ""
    change_idea: str = ""
    questions: list[str] = strawberry.field(default_factory=list)
    prediction: str = ""
    plan: str = ""
    data_collection_plan: str = ""
    do_notes: str = ""
    study_results: str = ""
    study_learning: str = ""
    act_decision: ActDecision | None = None
    act_notes: str = ""
    participants_tested: int | None = None
    changes_from_previous: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None


@strawberry.input(description="Only the fields you send are changed; null clears a field.")
class UpdateCycleInput:
    id: strawberry.ID
    expected_version: int
    site_id: strawberry.ID | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    visibility: Visibility | None = strawberry.UNSET
    ramp_id: strawberry.ID | None = strawberry.UNSET
    previous_cycle_id: strawberry.ID | None = strawberry.UNSET
    aim: str | None = strawberry.UNSET
    change_idea: str | None = strawberry.UNSET
    questions: list[str] | None = strawberry.UNSET
    prediction: str | None = strawberry.UNSET
    plan: str | None = strawberry.UNSET
    data_collection_plan: str | None = strawberry.UNSET
    do_notes: str | None = strawberry.UNSET
    study_results: str | None = strawberry.UNSET
    study_learning: str | None = strawberry.UNSET
    act_decision: ActDecision | None = strawberry.UNSET
    act_notes: str | None = strawberry.UNSET
    participants_tested: int | None = strawberry.UNSET
    changes_from_previous: str | None = strawberry.UNSET
    start_date: dt.date | None = strawberry.UNSET
    end_date: dt.date | None = strawberry.UNSET


@strawberry.input(description="Move to the next phase, or to abandoned with a reason.")
class TransitionCycleInput:
    id: strawberry.ID
    expected_version: int
    to: CycleStatus
    reason: str = ""


@strawberry.input
class DeleteCycleInput:
    id: strawberry.ID
    expected_version: int


def set_fields(value: object, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The fields of an input that the caller sent (UNSET ones left out)."""
    return {
        name: field
        for name, field in vars(value).items()
        if field is not strawberry.UNSET and name not in skip
    }
