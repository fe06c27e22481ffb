"""Improvement measures and their data points, one per reporting period."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import CheckConstraint, Date, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field

from domain.improvement.models import Visibility
from domain.shared.models import RecordFields


class MeasureKind(StrEnum):
    outcome = "outcome"
    process = "process"
    balancing = "balancing"
    fidelity = "fidelity"


class ValueType(StrEnum):
    # The member shadows str.count on purpose: the API's value is "count".
    count = "count"  # type: ignore[assignment]  # a whole number of things, 0 or more
    proportion = "proportion"  # numerator / denominator, between 0 and 1
    rate = "rate"  # events per unit of exposure; numerator/denominator optional
    measurement = "measurement"  # any number: days, minutes, a score


class Direction(StrEnum):
    """Which way is better."""

    increase = "increase"
    decrease = "decrease"


class ReportingPeriod(StrEnum):
    week = "week"  # starts on a Monday (ISO weeks)
    month = "month"
    quarter = "quarter"  # calendar quarters: January, April, July, October


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


class Measure(RecordFields, table=True):
    """A measure of a programme's improvement work, owned by one organisation.

    Not yet linked to an implementation: an optional `implementation_id` comes with the
    implementation area."""

    __tablename__ = "measures"
    __table_args__ = (
        CheckConstraint(_in("kind", MeasureKind), name="measure_kind"),
        CheckConstraint(_in("value_type", ValueType), name="measure_value_type"),
        CheckConstraint(_in("direction", Direction), name="measure_direction"),
        CheckConstraint(_in("reporting_period", ReportingPeriod), name="measure_reporting_period"),
        CheckConstraint(_in("visibility", Visibility), name="measure_visibility"),
        Index("ix_measures_programme_id_id", "programme_id", "id"),
    )

    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    programme_id: UUID = Field(foreign_key="programmes.id")
    visibility: str = Field(default=Visibility.private.value, max_length=16)

    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    operational_definition: str = Field(sa_type=Text)
    unit: str = Field(max_length=200)
    value_type: str = Field(max_length=16)
    direction: str = Field(max_length=16)
    target: float | None = Field(default=None)
    reporting_period: str = Field(max_length=16)

    deleted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class DataPoint(RecordFields, table=True):
    """The value of a measure for one reporting period. Points are replaced in place and
    deleted outright; the audit trail keeps their history."""

    __tablename__ = "data_points"
    __table_args__ = (
        UniqueConstraint("measure_id", "period", name="uq_data_points_measure_period"),
        CheckConstraint(
            "(numerator IS NULL) = (denominator IS NULL)", name="data_point_numerator_denominator"
        ),
        CheckConstraint("denominator IS NULL OR denominator > 0", name="data_point_denominator"),
    )

    measure_id: UUID = Field(foreign_key="measures.id")
    # The measure's owner, copied so every table names its owner; it never changes.
    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    period: date = Field(sa_type=Date)  # the first day of the reporting period
    value: float
    numerator: float | None = Field(default=None)
    denominator: float | None = Field(default=None)
    note: str = Field(default="", sa_type=Text)
