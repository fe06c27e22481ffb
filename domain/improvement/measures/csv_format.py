"""Data points as CSV: `period,value,numerator,denominator,note`, one row per period.

Reading is strict about the shape of the file (a bad header or broken quoting refuses the
whole file) and lenient about each row's content, which the import checks row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from domain.improvement.measures.models import DataPoint
from domain.improvement.measures.schemas import RawRow, RowError
from domain.shared.errors import FieldError, ValidationFailed

COLUMNS = ("period", "value", "numerator", "denominator", "note")
MEDIA_TYPE = "text/csv"
# A note starting with one of these would be a formula in a spreadsheet. Export prefixes it
# with an apostrophe (which spreadsheets hide) and import takes the apostrophe off again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _refuse(pointer: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed([FieldError(pointer, message, code)])


def _header(cells: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    while names and not names[-1]:  # spreadsheets leave trailing empty columns
        names.pop()
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise _refuse(
            "/header",
            f"has unknown columns {unknown}; the columns are {', '.join(COLUMNS)}",
            "invalid_header",
        )
    if len(set(names)) != len(names):
        raise _refuse("/header", "names a column twice", "invalid_header")
    if "period" not in names:
        raise _refuse("/header", "must include a period column", "invalid_header")
    return names


def _unescape(note: str) -> str:
    return note[1:] if note.startswith("'") and note[1:].startswith(_FORMULA_START) else note


def read_points_csv(data: bytes) -> list[RawRow]:
    """Rows numbered from 1 after the header; blank lines are skipped but still counted, so
    the numbers match a spreadsheet's rows (less one for the header). Empty cells are absent."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse("/", "is not UTF-8 text", "invalid_encoding") from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[RawRow] = []
    try:
        first = next(reader, None)
        if first is None or not any(cell.strip() for cell in first):
            raise _refuse(
                "/header",
                f"is missing; the first line must be {','.join(COLUMNS)}",
                "invalid_header",
            )
        names = _header(first)
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            problems: tuple[RowError, ...] = ()
            if any(cell.strip() for cell in cells[len(names) :]):
                problems = (
                    RowError(
                        field=None,
                        message=f"has values beyond the {len(names)} columns of the header",
                        code="extra_cells",
                    ),
                )
            fields: dict[str, str] = {}
            for name, cell in zip(names, cells, strict=False):
                value = cell if name == "note" else cell.strip()
                if value:
                    fields[name] = _unescape(value) if name == "note" else value
            rows.append(RawRow(row=number, fields=dict(fields), problems=problems))
    except csv.Error as exc:
        raise _refuse(
            "/", f"is not valid CSV (line {reader.line_num}): {exc}", "malformed_csv"
        ) from exc
    return rows


def _number(value: float | None) -> str:
    if value is None:
        return ""
    # Whole numbers without a trailing ".0"; anything else exactly (repr round-trips).
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)


def _escape(note: str) -> str:
    return "'" + note if note.startswith(_FORMULA_START) else note


def write_points_csv(points: Iterable[DataPoint]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for point in points:
        writer.writerow(
            [
                point.period.isoformat(),
                _number(point.value),
                _number(point.numerator),
                _number(point.denominator),
                _escape(point.note),
            ]
        )
    return out.getvalue()
