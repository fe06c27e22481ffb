"""What devices send and get back for observations, and what sync hands out."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, FiniteFloat, TypeAdapter

from domain.observations.models import FidelityRating, ObservationKind
from domain.shared.schemas import InputModel, ReadModel, ShortText, Text

MAX_TAGS = 20
MAX_RATINGS = 100

Tag = Annotated[ShortText, Field(max_length=64)]


class RatingIn(InputModel):
    component_id: UUID = Field(description="A core component of the referenced version.")
    rating: FidelityRating


class _ObservationBase(InputModel):
    id: UUID = Field(description="Made on the device; a resend uses the same id.")
    observed_at: AwareDatetime = Field(
        description="When it was seen, by the device's clock (RFC 3339 with offset)."
    )
    text: Text = ""
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    location_label: ShortText | None = Field(
        default=None, description="A place's name, e.g. 'Longhaugh Primary'; never coordinates."
    )


class CycleNoteIn(_ObservationBase):
    kind: Literal[ObservationKind.cycle_note]
    cycle_id: UUID


class DataPointIn(_ObservationBase):
    """A value for a measure and reporting period; it becomes the measure's data point for
    that period (the rules of PUT /v1/measures/{id}/points/{period} apply)."""

    kind: Literal[ObservationKind.data_point]
    measure_id: UUID
    period: date = Field(description="The first day of the reporting period.")
    value: FiniteFloat | None = None
    numerator: FiniteFloat | None = None
    denominator: FiniteFloat | None = None


class FidelityIn(_ObservationBase):
    kind: Literal[ObservationKind.fidelity]
    profile_version_id: UUID = Field(description="A published practice-profile version.")
    practitioner: ShortText | None = Field(
        default=None, description="Whose practice was observed (a staff role or name)."
    )
    ratings: list[RatingIn] = Field(min_length=1, max_length=MAX_RATINGS)


class GeneralIn(_ObservationBase):
    kind: Literal[ObservationKind.general]
    programme_id: UUID = Field(description="One of your organisation's programmes.")


ObservationSubmit = Annotated[
    CycleNoteIn | DataPointIn | FidelityIn | GeneralIn, Field(discriminator="kind")
]
SUBMIT_ADAPTER: TypeAdapter[CycleNoteIn | DataPointIn | FidelityIn | GeneralIn] = TypeAdapter(
    ObservationSubmit
)
SUBMIT_LIST_ADAPTER: TypeAdapter[list[CycleNoteIn | DataPointIn | FidelityIn | GeneralIn]] = (
    TypeAdapter(list[ObservationSubmit])
)


class ObservationBatch(BaseModel):
    """Up to 500 observations. Each item is checked on its own, so the body is accepted
    whatever the items hold and every item gets a result."""

    items: list[dict[str, Any]] = Field(
        description="Observations shaped like ObservationSubmit (one of the four kinds)."
    )


class ObservationUpdate(InputModel):
    """Every field optional; only the fields sent change. Kind, id and subject are fixed;
    the kind's own fields may be sent only for that kind."""

    observed_at: AwareDatetime | None = None
    text: Text | None = None
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)
    location_label: ShortText | None = None
    value: FiniteFloat | None = None
    numerator: FiniteFloat | None = None
    denominator: FiniteFloat | None = None
    practitioner: ShortText | None = None
    ratings: list[RatingIn] | None = Field(default=None, min_length=1, max_length=MAX_RATINGS)


class RatingRead(BaseModel):
    component_id: UUID
    rating: FidelityRating


class ObservationRead(ReadModel):
    id: UUID
    kind: ObservationKind
    organisation_id: UUID
    programme_id: UUID
    observed_at: datetime
    received_at: datetime
    cycle_id: UUID | None
    measure_id: UUID | None
    period: date | None
    value: float | None
    numerator: float | None
    denominator: float | None
    profile_version_id: UUID | None
    practitioner: str | None
    ratings: list[RatingRead] | None
    text: str
    tags: list[str]
    location_label: str | None
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class SubmitOutcome(StrEnum):
    created = "created"
    duplicate = "duplicate"  # the same id with the same content: nothing written
    conflict = "conflict"  # the same id with other content: nothing written
    rejected = "rejected"  # invalid, or refers to something you may not see


class ObservationFilters(InputModel):
    kind: ObservationKind | None = None
    cycle_id: UUID | None = None


class ComponentRead(ReadModel):
    id: UUID
    key: str
    name: str
    description: str
    fixed_or_adaptable: str
    expected_practice: str
    developmental_practice: str
    unacceptable_practice: str
    position: int


class ProfileVersionRead(ReadModel):
    """A practice-profile version as a device needs it to rate fidelity offline."""

    id: UUID
    innovation_id: UUID
    version_number: int
    status: str
    published_at: datetime | None
    notes: str
    organisation_id: UUID
    programme_id: UUID
    visibility: str
    updated_at: datetime
    version: int
    components: list[ComponentRead]


class SyncEntity(StrEnum):
    cycle = "cycle"
    measure = "measure"
    practice_profile_version = "practice_profile_version"
    observation = "observation"


class SyncOp(StrEnum):
    upsert = "upsert"  # store this record as it is now
    delete = "delete"  # a tombstone: deleted, or no longer visible to you


class SyncChangeRead(BaseModel):
    type: SyncEntity
    id: UUID
    op: SyncOp
    record: dict[str, Any] | None = Field(
        description="The record as it is now (CycleRead, MeasureRead, ProfileVersionRead or "
        "ObservationRead by type); null for a tombstone."
    )


class SyncPage(BaseModel):
    changes: list[SyncChangeRead]
    next: str = Field(description="Send as `since` next time; never skips a change.")
    has_more: bool = Field(description="More changes are ready now: ask again at once.")
    reset: bool = Field(
        default=False,
        description="The caller's programmes or scopes changed since `since` was issued: "
        "this answer starts again from the beginning; drop the cycles, measures and profile "
        "versions you hold and keep only what the pages from here send.",
    )
