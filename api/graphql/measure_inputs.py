"""GraphQL input types for measures and data points. They are turned into the domain's
schemas, which hold the validation rules, so REST and GraphQL refuse the same things."""

from __future__ import annotations

import datetime as dt

import strawberry

from domain.improvement.measures.models import Direction, MeasureKind, ReportingPeriod, ValueType
from domain.improvement.models import Visibility

MeasureKindEnum = strawberry.enum(MeasureKind, name="MeasureKind")
ValueTypeEnum = strawberry.enum(
    ValueType,
    name="MeasureValueType",
    description="count: whole numbers; proportion: numerator / denominator; rate: a value "
    "with optional numerator and denominator; measurement: any number.",
)
DirectionEnum = strawberry.enum(
    Direction, name="ImprovementDirection", description="Which way is better."
)
ReportingPeriodEnum = strawberry.enum(ReportingPeriod, name="ReportingPeriod")


@strawberry.input
class CreateMeasureInput:
    programme_id: strawberry.ID
    name: str
    kind: MeasureKind
    operational_definition: str
    unit: str
    value_type: ValueType
    direction: Direction
    target: float | None = None
    reporting_period: ReportingPeriod
    visibility: Visibility = Visibility.private


@strawberry.input(description="Only the fields you send are changed; null clears the target.")
class UpdateMeasureInput:
    id: strawberry.ID
    expected_version: int
    name: str | None = strawberry.UNSET
    kind: MeasureKind | None = strawberry.UNSET
    operational_definition: str | None = strawberry.UNSET
    unit: str | None = strawberry.UNSET
    value_type: ValueType | None = strawberry.UNSET
    direction: Direction | None = strawberry.UNSET
    target: float | None = strawberry.UNSET
    reporting_period: ReportingPeriod | None = strawberry.UNSET
    visibility: Visibility | None = strawberry.UNSET


@strawberry.input
class DeleteMeasureInput:
    id: strawberry.ID
    expected_version: int


@strawberry.input(
    description="count and measurement: value. proportion: numerator and denominator (value "
    "is computed). rate: value, optionally numerator and denominator."
)
class DataPointFieldsInput:
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    note: str | None = None


@strawberry.input(description="Creates or replaces the point for one period.")
class UpsertDataPointInput(DataPointFieldsInput):
    measure_id: strawberry.ID
    period: dt.date = strawberry.field(description="The first day of the reporting period.")
    expected_version: int | None = strawberry.field(
        default=None,
        description="The point's current version, when you want it checked (0: none yet).",
    )


@strawberry.input
class DeleteDataPointInput:
    measure_id: strawberry.ID
    period: dt.date
    expected_version: int


@strawberry.input
class DataPointRowInput(DataPointFieldsInput):
    period: dt.date


@strawberry.input(
    description="Many points at once. dryRun: write nothing, report what would happen. "
    "atomic (default): one rejected row refuses the whole import. At most 5,000 rows."
)
class ImportDataPointsInput:
    measure_id: strawberry.ID
    points: list[DataPointRowInput]
    dry_run: bool = False
    atomic: bool = True
