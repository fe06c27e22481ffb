"""Pure rules: period starts per reporting period, the values each value type accepts, and
the CSV format."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.improvement.measures.csv_format import read_points_csv, write_points_csv
from domain.improvement.measures.models import DataPoint, ReportingPeriod, ValueType
from domain.improvement.measures.rules import (
    PointValues,
    is_period_start,
    period_errors,
    point_values,
)
from domain.shared.errors import ValidationFailed


def test_week_periods_start_on_monday() -> None:
    monday = date(2025, 3, 31)
    assert is_period_start(monday, ReportingPeriod.week)
    for offset in range(1, 7):
        assert not is_period_start(monday + timedelta(days=offset), ReportingPeriod.week)
    assert period_errors(monday + timedelta(days=1), ReportingPeriod.week)[0].pointer == "/period"


def test_month_periods_start_on_the_first() -> None:
    assert is_period_start(date(2024, 2, 1), ReportingPeriod.month)
    assert not is_period_start(date(2024, 2, 29), ReportingPeriod.month)
    assert not is_period_start(date(2024, 2, 2), ReportingPeriod.month)


def test_quarter_periods_start_on_calendar_quarters() -> None:
    starts = {date(2025, m, 1) for m in (1, 4, 7, 10)}
    for month in range(1, 13):
        first = date(2025, month, 1)
        assert is_period_start(first, ReportingPeriod.quarter) is (first in starts)
    assert not is_period_start(date(2025, 4, 2), ReportingPeriod.quarter)
    [error] = period_errors(date(2025, 2, 1), ReportingPeriod.quarter)
    assert error.code == "not_period_start"
    assert "quarter" in error.message


def _values(value_type: ValueType, **fields: float) -> tuple[PointValues | None, list[str]]:
    values, errors = point_values(
        value_type,
        value=fields.get("value"),
        numerator=fields.get("numerator"),
        denominator=fields.get("denominator"),
        note=None,
    )
    return values, [e.pointer for e in errors]


def test_proportion_is_computed_from_numerator_and_denominator() -> None:
    values, errors = _values(ValueType.proportion, numerator=3, denominator=4)
    assert errors == []
    assert values is not None
    assert values.value == 0.75
    # A value sent along must agree with the fraction (the CSV export carries it).
    assert _values(ValueType.proportion, numerator=1, denominator=3, value=1 / 3)[1] == []
    assert _values(ValueType.proportion, numerator=1, denominator=3, value=0.3)[1] == ["/value"]


@pytest.mark.parametrize(
    ("fields", "pointers"),
    [
        ({}, ["/numerator", "/denominator"]),
        ({"value": 0.5}, ["/numerator", "/denominator"]),
        ({"numerator": 1}, ["/denominator"]),
        ({"numerator": 0, "denominator": 0}, ["/denominator"]),
        ({"numerator": 1, "denominator": -2}, ["/denominator"]),
        ({"numerator": -1, "denominator": 2}, ["/numerator"]),
        ({"numerator": 1.5, "denominator": 2}, ["/numerator"]),
        ({"numerator": 5, "denominator": 4}, ["/numerator"]),
    ],
)
def test_proportion_refusals(fields: dict[str, float], pointers: list[str]) -> None:
    values, errors = _values(ValueType.proportion, **fields)
    assert values is None
    assert errors == pointers


@pytest.mark.parametrize(
    ("value_type", "fields", "pointers"),
    [
        (ValueType.count, {"value": 3}, []),
        (ValueType.count, {"value": 2.5}, ["/value"]),
        (ValueType.count, {"value": -1}, ["/value"]),
        (ValueType.count, {}, ["/value"]),
        (ValueType.count, {"value": 3, "numerator": 1}, ["/numerator"]),
        (ValueType.measurement, {"value": -4.25}, []),
        (ValueType.measurement, {"value": 1, "denominator": 2}, ["/denominator"]),
        (ValueType.rate, {"value": 2.4}, []),
        (ValueType.rate, {"value": 2.4, "numerator": 12, "denominator": 5000}, []),
        (ValueType.rate, {"value": 2.4, "numerator": 12}, ["/denominator"]),
        (ValueType.rate, {"value": 2.4, "numerator": 1, "denominator": 0}, ["/denominator"]),
        (ValueType.rate, {"value": -1}, ["/value"]),
        (ValueType.rate, {"numerator": 1, "denominator": 2}, ["/value"]),
    ],
)
def test_other_value_types(
    value_type: ValueType, fields: dict[str, float], pointers: list[str]
) -> None:
    assert _values(value_type, **fields)[1] == pointers


def test_csv_reads_rows_by_number_and_skips_blank_lines() -> None:
    data = (
        b"\xef\xbb\xbfPeriod, value ,note,\r\n"
        b"2025-01-01,3,\r\n"
        b"\r\n"
        b'2025-02-01, 4 ,"two\nlines"\r\n'
        b"2025-03-01,5,x,extra\r\n"
        b"2025-04-01,6,y,,\r\n"
    )
    rows = read_points_csv(data)
    assert [r.row for r in rows] == [1, 3, 4, 5]
    assert rows[0].fields == {"period": "2025-01-01", "value": "3"}
    assert rows[1].fields == {"period": "2025-02-01", "value": "4", "note": "two\nlines"}
    assert rows[2].problems[0].code == "extra_cells"
    assert rows[3].problems == ()  # empty trailing cells are no problem


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "invalid_header"),
        (b"when,value\n2025-01-01,1\n", "invalid_header"),
        (b"value,note\n1,x\n", "invalid_header"),
        (b"period,value,value\n", "invalid_header"),
        (b"period,value\n\xff\xfe,1\n", "invalid_encoding"),
        (b'period,note\n2025-01-01,"unterminated\n', "malformed_csv"),
    ],
)
def test_csv_refuses_a_broken_file(data: bytes, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        read_points_csv(data)
    assert refused.value.errors[0].code == code


def test_csv_round_trip_keeps_values_and_defuses_formulas() -> None:
    points = [
        DataPoint(
            measure_id=None,  # type: ignore[arg-type]
            organisation_id=None,  # type: ignore[arg-type]
            period=date(2025, 1, 1),
            value=1 / 3,
            numerator=1.0,
            denominator=3.0,
            note='=HYPERLINK("x")',
            created_by="t",
        ),
        DataPoint(
            measure_id=None,  # type: ignore[arg-type]
            organisation_id=None,  # type: ignore[arg-type]
            period=date(2025, 2, 1),
            value=12.0,
            note='plain, with "quotes"',
            created_by="t",
        ),
    ]
    text = write_points_csv(points)
    assert text.splitlines()[0] == "period,value,numerator,denominator,note"
    assert "'=HYPERLINK" in text  # a spreadsheet shows it as text, not a formula
    assert ",12,,," in text  # whole numbers without ".0"
    rows = read_points_csv(text.encode())
    assert rows[0].fields == {
        "period": "2025-01-01",
        "value": repr(1 / 3),
        "numerator": "1",
        "denominator": "3",
        "note": '=HYPERLINK("x")',
    }
    assert float(rows[0].fields["value"]) == 1 / 3
    assert rows[1].fields["note"] == 'plain, with "quotes"'
