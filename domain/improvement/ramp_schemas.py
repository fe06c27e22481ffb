"""What callers send and get back for ramps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from domain.improvement.models import ActDecision, Cycle, CycleKind, CycleStatus, Ramp, Visibility
from domain.shared.schemas import InputModel, ReadModel, ShortText, Text


class RampCreate(InputModel):
    programme_id: UUID
    title: ShortText
    change_idea: Text = Field(default="", description="The one change the ramp's cycles test.")
    visibility: Visibility = Visibility.private


class RampUpdate(InputModel):
    """Every field optional; only the fields sent are changed."""

    title: ShortText | None = None
    change_idea: Text | None = None
    visibility: Visibility | None = None


class RampFilters(InputModel):
    programme_id: UUID | None = None


class RampRead(ReadModel):
    id: UUID
    organisation_id: UUID
    programme_id: UUID
    visibility: Visibility
    title: str
    change_idea: str
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class RampCycleRead(ReadModel):
    """One step of a ramp: what was tried, and what was learned from it."""

    id: UUID
    title: str
    status: CycleStatus
    kind: CycleKind
    start_date: date | None
    end_date: date | None
    act_decision: ActDecision | None
    study_learning: str = Field(description="What was learned at this step.")
    changes_from_previous: str
    participants_tested: int | None
    linked: bool = Field(
        description="False for a cycle of the ramp that is not in its chain; those come last."
    )


class RampDetail(RampRead):
    cycles: list[RampCycleRead] = Field(
        description="The ramp's cycles you may see, in the order they follow each other."
    )


@dataclass(frozen=True)
class RampStep:
    cycle: Cycle
    linked: bool

    def read(self) -> RampCycleRead:
        fields = {
            name: getattr(self.cycle, name)
            for name in RampCycleRead.model_fields
            if name != "linked"
        }
        return RampCycleRead.model_validate({**fields, "linked": self.linked})


@dataclass(frozen=True)
class RampInOrder:
    """A ramp and its cycles in order, as one read."""

    ramp: Ramp
    steps: list[RampStep]

    def read(self) -> RampDetail:
        record = RampRead.model_validate(self.ramp).model_dump()
        return RampDetail(**record, cycles=[step.read() for step in self.steps])
