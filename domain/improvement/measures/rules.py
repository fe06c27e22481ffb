"""Pure rules about measures and their data points."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.improvement.measures.models import ReportingPeriod, ValueType
from domain.shared.errors import FieldError

MAX_IMPORT_ROWS = 5_000
# Fields a PATCH may clear with null; every other field needs a value when sent.
NULLABLE_FIELDS = frozenset({"target"})
# Existing points were checked against these; changing them would leave points that break them.
FIXED_ONCE_POINTS_EXIST = ("value_type", "reporting_period")
# A sent proportion value agrees with numerator / denominator if this close (relative).
TOLERANCE = 1e-9

_PERIOD_START = {
    ReportingPeriod.week: "must be a Monday, the first day of a week",
    ReportingPeriod.month: "must be the first day of a month",
    ReportingPeriod.quarter: "must be the first day of a quarter (1 January, April, July or "
    "October)",
}


def is_period_start(period: date, reporting: ReportingPeriod) -> bool:
    if reporting is ReportingPeriod.week:
        return period.isoweekday() == 1
    if reporting is ReportingPeriod.month:
        return period.day == 1
    return period.day == 1 and period.month in (1, 4, 7, 10)


def period_errors(period: date, reporting: ReportingPeriod) -> list[FieldError]:
    if is_period_start(period, reporting):
        return []
    return [FieldError("/period", _PERIOD_START[reporting], "not_period_start")]


@dataclass(frozen=True)
class PointValues:
    """What is stored for a data point once the rules for its measure's value type hold."""

    value: float
    numerator: float | None
    denominator: float | None
    note: str

    def same_as(
        self, value: float, numerator: float | None, denominator: float | None, note: str
    ) -> bool:
        return (self.value, self.numerator, self.denominator, self.note) == (
            value,
            numerator,
            denominator,
            note,
        )


def _whole(number: float) -> bool:
    return float(number).is_integer()


def point_values(
    value_type: ValueType,
    *,
    value: float | None,
    numerator: float | None,
    denominator: float | None,
    note: str | None,
) -> tuple[PointValues | None, list[FieldError]]:
    """The stored values for one point, or why it is refused (pointers name the fields)."""
    errors: list[FieldError] = []
    if value_type is ValueType.proportion:
        if numerator is None:
            errors.append(FieldError("/numerator", "is required for a proportion", "required"))
        elif numerator < 0 or not _whole(numerator):
            errors.append(FieldError("/numerator", "must be a whole number, 0 or more", "invalid"))
        if denominator is None:
            errors.append(FieldError("/denominator", "is required for a proportion", "required"))
        elif denominator <= 0 or not _whole(denominator):
            errors.append(
                FieldError(
                    "/denominator",
                    "must be a whole number above 0 (a period with nothing to count has no "
                    "proportion: leave the period out)",
                    "invalid",
                )
            )
        if errors or numerator is None or denominator is None:
            return None, errors
        if numerator > denominator:
            return None, [FieldError("/numerator", "must not exceed the denominator", "invalid")]
        computed = numerator / denominator
        if value is not None and not math.isclose(value, computed, rel_tol=TOLERANCE):
            return None, [
                FieldError(
                    "/value",
                    f"must equal numerator / denominator ({computed!r}), or be left out",
                    "inconsistent",
                )
            ]
        return PointValues(computed, numerator, denominator, note or ""), []

    if value is None:
        errors.append(FieldError("/value", f"is required for a {value_type.value}", "required"))
    elif value_type is ValueType.count and (value < 0 or not _whole(value)):
        errors.append(FieldError("/value", "must be a whole number, 0 or more", "invalid"))
    elif value_type is ValueType.rate and value < 0:
        errors.append(FieldError("/value", "must be 0 or more", "invalid"))
    if value_type is ValueType.rate:
        errors += _rate_parts_errors(numerator, denominator)
    else:
        for name, given in (("numerator", numerator), ("denominator", denominator)):
            if given is not None:
                errors.append(
                    FieldError(f"/{name}", "is only for proportions and rates", "not_allowed")
                )
    if errors or value is None:
        return None, errors
    return PointValues(value, numerator, denominator, note or ""), []


def _rate_parts_errors(numerator: float | None, denominator: float | None) -> list[FieldError]:
    if (numerator is None) != (denominator is None):
        missing = "denominator" if denominator is None else "numerator"
        return [
            FieldError(f"/{missing}", "send both numerator and denominator, or neither", "required")
        ]
    errors: list[FieldError] = []
    if numerator is not None and numerator < 0:
        errors.append(FieldError("/numerator", "must be 0 or more", "invalid"))
    if denominator is not None and denominator <= 0:
        errors.append(FieldError("/denominator", "must be above 0", "invalid"))
    return errors


def update_errors(
    changes: dict[str, Any], *, has_points: bool, current: dict[str, Any]
) -> list[FieldError]:
    errors = [
        FieldError(f"/{name}", "may not be null", "null_not_allowed")
        for name, value in changes.items()
        if value is None and name not in NULLABLE_FIELDS
    ]
    if has_points:
        errors += [
            FieldError(
                f"/{name}",
                "cannot change once the measure has data points; delete them first",
                "fixed_by_points",
            )
            for name in FIXED_ONCE_POINTS_EXIST
            if changes.get(name) is not None and changes[name] != current[name]
        ]
    return errors
