"""Pure rules about cycles."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.shared.errors import FieldError

# Fields a PATCH may clear with null; every other field needs a value when sent.
NULLABLE_FIELDS = frozenset({"site_id", "act_decision", "start_date", "end_date"})


def date_errors(start: date | None, end: date | None) -> list[FieldError]:
    if start is not None and end is not None and end < start:
        return [FieldError("/end_date", "must not be before start_date", "date_order")]
    return []


def update_errors(
    changes: dict[str, Any], start: date | None, end: date | None
) -> list[FieldError]:
    nulls = [
        FieldError(f"/{name}", "may not be null", "null_not_allowed")
        for name, value in changes.items()
        if value is None and name not in NULLABLE_FIELDS
    ]
    return nulls + date_errors(start, end)
