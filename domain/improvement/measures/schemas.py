"""What callers send and get back for measures and their data points."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, Field, FiniteFloat

from domain.improvement.measures.models import Direction, MeasureKind, ReportingPeriod, ValueType
from domain.improvement.models import Visibility
from domain.shared.schemas import InputModel, ReadModel, ShortText, Text


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


# What is counted, how, from which source: the sentence that makes two teams' numbers comparable.
Definition = Annotated[Text, AfterValidator(_not_blank)]


class MeasureCreate(InputModel):
    programme_id: UUID
    name: ShortText
    kind: MeasureKind
    operational_definition: Definition
    unit: ShortText
    value_type: ValueType
    direction: Direction
    target: FiniteFloat | None = None
    reporting_period: ReportingPeriod
    visibility: Visibility = Visibility.private


class MeasureUpdate(InputModel):
    """Every field optional; only the fields sent are changed. value_type and reporting_period
    are fixed once the measure has data points."""

    name: ShortText | None = None
    kind: MeasureKind | None = None
    operational_definition: Definition | None = None
    unit: ShortText | None = None
    value_type: ValueType | None = None
    direction: Direction | None = None
    target: FiniteFloat | None = None
    reporting_period: ReportingPeriod | None = None
    visibility: Visibility | None = None


class MeasureRead(ReadModel):
    id: UUID
    organisation_id: UUID
    programme_id: UUID
    visibility: Visibility
    name: str
    kind: MeasureKind
    operational_definition: str
    unit: str
    value_type: ValueType
    direction: Direction
    target: float | None
    reporting_period: ReportingPeriod
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class MeasureFilters(InputModel):
    programme_id: UUID | None = None
    kind: MeasureKind | None = None
    q: ShortText | None = None


class DataPointWrite(InputModel):
    """The body of PUT /v1/measures/{id}/points/{period}; the period is in the path.

    count and measurement: `value` only. proportion: `numerator` and `denominator` (whole
    numbers, denominator above 0); `value` is computed as numerator / denominator and may be
    left out (if sent, it must agree). rate: `value`, and optionally both `numerator` and
    `denominator` as recorded (the rate may carry a multiplier, so they are not checked
    against it)."""

    value: FiniteFloat | None = None
    numerator: FiniteFloat | None = None
    denominator: FiniteFloat | None = None
    note: Text | None = None


class DataPointImportRow(DataPointWrite):
    """One row of an import: a data point and its period."""

    period: date


class DataPointRead(ReadModel):
    id: UUID
    measure_id: UUID
    period: date
    value: float
    numerator: float | None
    denominator: float | None
    note: str
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class UpsertOutcome(StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"


class PointsImport(InputModel):
    """The JSON body of an import: rows shaped like DataPointImportRow. Each row is checked on
    its own, so one bad row is reported with its index rather than failing the request."""

    points: list[dict[str, Any]] = Field(
        description="Objects with period (the first day of the reporting period), value, "
        "numerator, denominator and note."
    )


@dataclass(frozen=True)
class RawRow:
    """One row of an import as read, before validation: its number (the 1-based data row of
    a CSV file, the index in a JSON list), its fields, and any problem found while reading."""

    row: int
    fields: dict[str, Any]
    problems: tuple[RowError, ...] = ()


class RowError(ReadModel):
    field: str | None = Field(description="The column or field; null for the row as a whole.")
    message: str
    code: str


class RejectedRow(ReadModel):
    row: int = Field(description="The 1-based data row of a CSV file; the index in JSON.")
    errors: list[RowError]


class ImportSummary(ReadModel):
    applied: bool = Field(
        description="Whether the import was carried out: false for a dry run, and for an "
        "atomic import refused because of rejected rows."
    )
    dry_run: bool
    atomic: bool
    rows: int = Field(description="Data rows read.")
    created: int
    updated: int
    unchanged: int
    rejected: int
    rejected_rows: list[RejectedRow]
