"""Use cases for data points: one per measure and reporting period, written only by the
measure's owner, visible to whoever may see the measure. REST and GraphQL both call these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from domain.audit import service as audit
from domain.improvement.measures.models import DataPoint, Measure, ReportingPeriod, ValueType
from domain.improvement.measures.repository import DataPointRepository
from domain.improvement.measures.rules import (
    MAX_IMPORT_ROWS,
    PointValues,
    period_errors,
    point_values,
)
from domain.improvement.measures.schemas import (
    DataPointImportRow,
    DataPointRead,
    DataPointWrite,
    ImportSummary,
    RawRow,
    RejectedRow,
    RowError,
    UpsertOutcome,
)
from domain.improvement.measures.service import get_measure, owned_measure
from domain.shared.authz import visible_to
from domain.shared.errors import (
    FieldError,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from domain.shared.ids import utcnow
from domain.shared.principal import Principal, Scope
from domain.shared.schemas import SERVER_OWNED_FIELDS
from domain.shared.uow import UnitOfWork

ENTITY = "data_point"
NO_POINT = "No data point for that period."


class ImportRejected(ValidationFailed):
    """An atomic import with rejected rows: nothing was written. `summary` says what would
    have happened; `errors` points at each rejected row's fields."""

    code = "import_rejected"
    title = "Import rejected"

    def __init__(self, summary: ImportSummary, errors: list[FieldError]) -> None:
        super().__init__(
            errors,
            f"{summary.rejected} of {summary.rows} rows were rejected, so nothing was written "
            "(an atomic import is all or nothing); see summary.rejected_rows.",
        )
        self.summary = summary


@dataclass(frozen=True)
class Upserted:
    point: DataPoint
    outcome: UpsertOutcome


def _snapshot(point: DataPoint) -> dict[str, Any]:
    return DataPointRead.model_validate(point).model_dump(mode="json")


def _same(point: DataPoint, values: PointValues) -> bool:
    return values.same_as(point.value, point.numerator, point.denominator, point.note)


def _checked(measure: Measure, period: date, data: DataPointWrite) -> PointValues:
    errors = period_errors(period, ReportingPeriod(measure.reporting_period))
    values, value_errors = point_values(
        ValueType(measure.value_type),
        value=data.value,
        numerator=data.numerator,
        denominator=data.denominator,
        note=data.note,
    )
    errors += value_errors
    if errors or values is None:
        raise ValidationFailed(errors)
    return values


def _new_point(measure: Measure, period: date, values: PointValues, author: str) -> DataPoint:
    return DataPoint(
        measure_id=measure.id,
        organisation_id=measure.organisation_id,
        period=period,
        value=values.value,
        numerator=values.numerator,
        denominator=values.denominator,
        note=values.note,
        created_by=author,
    )


def _replace(point: DataPoint, values: PointValues) -> None:
    point.value = values.value
    point.numerator = values.numerator
    point.denominator = values.denominator
    point.note = values.note
    point.version += 1
    point.updated_at = utcnow()


async def list_points(uow: UnitOfWork, principal: Principal, measure_id: UUID) -> list[DataPoint]:
    """Every point of the measure, oldest period first. A measure has one point per week,
    month or quarter, so a few hundred at most: the list is not paginated."""
    measure = await get_measure(uow, principal, measure_id)
    return await DataPointRepository(uow.session).for_measure(measure.id)


async def get_point(
    uow: UnitOfWork, principal: Principal, measure_id: UUID, period: date
) -> DataPoint:
    measure = await get_measure(uow, principal, measure_id)
    point = await DataPointRepository(uow.session).get(measure.id, period)
    if point is None:
        raise NotFound(NO_POINT)
    return point


async def points_by_measure_ids(
    uow: UnitOfWork, principal: Principal, measure_ids: list[UUID]
) -> dict[UUID, list[DataPoint]]:
    """Batch read for DataLoaders; measures the caller may not see are simply absent."""
    access = visible_to(principal, Scope.cycles_read)
    return await DataPointRepository(uow.session).for_measures(access, measure_ids)


async def upsert_point(
    uow: UnitOfWork,
    principal: Principal,
    measure_id: UUID,
    period: date,
    data: DataPointWrite,
    *,
    expected_version: int | None = None,
) -> Upserted:
    """Creates or replaces the point for one period. Sending the same values again changes
    nothing (no new version, no audit row). `expected_version`, when given, must be the
    point's current version, 0 meaning that there is no point yet."""
    measure = await owned_measure(uow, principal, measure_id)
    values = _checked(measure, period, data)
    repo = DataPointRepository(uow.session)
    point = await repo.get(measure.id, period)
    current = point.version if point is not None else 0
    if expected_version is not None and expected_version != current:
        raise PreconditionFailed(
            f"The data point is at version {current}, not {expected_version}"
            + (" (0: there is none)." if current == 0 else "."),
            current,
        )
    if point is None:
        point = _new_point(measure, period, values, principal.subject)
        repo.add_all([point])
        await uow.session.flush()
        audit.record(
            uow,
            principal,
            action="create",
            entity_type=ENTITY,
            entity_id=point.id,
            changes=_snapshot(point),
        )
        await uow.commit()
        return Upserted(point, UpsertOutcome.created)
    if _same(point, values):
        return Upserted(point, UpsertOutcome.unchanged)
    before = _snapshot(point)
    _replace(point, values)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="update",
        entity_type=ENTITY,
        entity_id=point.id,
        changes=audit.diff(before, _snapshot(point)),
    )
    await uow.commit()
    return Upserted(point, UpsertOutcome.updated)


async def delete_point(
    uow: UnitOfWork,
    principal: Principal,
    measure_id: UUID,
    period: date,
    *,
    expected_version: int,
) -> None:
    """Removes the point; its audit row keeps what it held."""
    measure = await owned_measure(uow, principal, measure_id)
    repo = DataPointRepository(uow.session)
    point = await repo.get(measure.id, period)
    if point is None:
        raise NotFound(NO_POINT)
    if point.version != expected_version:
        raise PreconditionFailed(
            f"The data point is at version {point.version}, not {expected_version}.",
            point.version,
        )
    removed = _snapshot(point)
    await repo.remove(point)
    await uow.session.flush()
    audit.record(
        uow, principal, action="delete", entity_type=ENTITY, entity_id=point.id, changes=removed
    )
    await uow.commit()


# Import


def _row_errors(exc: ValidationError) -> list[RowError]:
    out: list[RowError] = []
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"]) or None
        if err["type"] == "extra_forbidden":
            owned = name in SERVER_OWNED_FIELDS
            message = "is set by the server" if owned else "is not a field of a data point"
            out.append(RowError(field=name, message=message, code="unknown_field"))
        else:
            out.append(RowError(field=name, message=err["msg"], code=err["type"]))
    return out


def _from_field_errors(errors: list[FieldError]) -> list[RowError]:
    return [RowError(field=e.pointer.lstrip("/"), message=e.message, code=e.code) for e in errors]


@dataclass(frozen=True)
class _Planned:
    period: date
    values: PointValues
    existing: DataPoint | None


def _plan(
    measure: Measure, rows: Sequence[RawRow], existing: dict[date, DataPoint]
) -> tuple[list[_Planned], list[RejectedRow]]:
    reporting = ReportingPeriod(measure.reporting_period)
    value_type = ValueType(measure.value_type)
    first_row: dict[date, int] = {}
    planned: list[_Planned] = []
    rejected: list[RejectedRow] = []
    for raw in rows:
        reasons = list(raw.problems)
        try:
            parsed = DataPointImportRow.model_validate(raw.fields)
        except ValidationError as exc:
            reasons += _row_errors(exc)
            rejected.append(RejectedRow(row=raw.row, errors=reasons))
            continue
        reasons += _from_field_errors(period_errors(parsed.period, reporting))
        values, errors = point_values(
            value_type,
            value=parsed.value,
            numerator=parsed.numerator,
            denominator=parsed.denominator,
            note=parsed.note,
        )
        reasons += _from_field_errors(errors)
        if parsed.period in first_row:
            reasons.append(
                RowError(
                    field="period",
                    message=f"repeats the period of row {first_row[parsed.period]}",
                    code="duplicate_period",
                )
            )
        else:
            first_row[parsed.period] = raw.row
        if reasons or values is None:
            rejected.append(RejectedRow(row=raw.row, errors=reasons))
            continue
        planned.append(_Planned(parsed.period, values, existing.get(parsed.period)))
    return planned, rejected


async def import_points(
    uow: UnitOfWork,
    principal: Principal,
    measure_id: UUID,
    rows: Sequence[RawRow],
    *,
    dry_run: bool = False,
    atomic: bool = True,
    pointer_prefix: str = "",
) -> ImportSummary:
    """Creates or replaces many points at once, each row checked on its own.

    dry_run: nothing is written; the summary says what would happen. atomic (the default):
    any rejected row refuses the whole import (ImportRejected, nothing written). Not atomic:
    good rows are written and bad ones reported. `pointer_prefix` is where the rows sit in
    the caller's input (`/points` for JSON), for the error pointers of a refused import."""
    measure = await owned_measure(uow, principal, measure_id, lock=not dry_run)
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationFailed(
            [
                FieldError(
                    pointer_prefix or "/",
                    f"has {len(rows)} rows; an import takes at most {MAX_IMPORT_ROWS}",
                    "too_many_rows",
                )
            ]
        )
    repo = DataPointRepository(uow.session)
    existing = {point.period: point for point in await repo.for_measure(measure.id)}
    planned, rejected = _plan(measure, rows, existing)
    creates = [p for p in planned if p.existing is None]
    updates = [p for p in planned if p.existing is not None and not _same(p.existing, p.values)]
    summary = ImportSummary(
        applied=False,
        dry_run=dry_run,
        atomic=atomic,
        rows=len(rows),
        created=len(creates),
        updated=len(updates),
        unchanged=len(planned) - len(creates) - len(updates),
        rejected=len(rejected),
        rejected_rows=rejected,
    )
    if dry_run:
        return summary
    if rejected and atomic:
        raise ImportRejected(
            summary,
            [
                FieldError(
                    f"{pointer_prefix}/{bad.row}" + (f"/{reason.field}" if reason.field else ""),
                    reason.message,
                    reason.code,
                )
                for bad in rejected
                for reason in bad.errors
            ],
        )
    await _apply(uow, principal, measure, creates, updates)
    return summary.model_copy(update={"applied": True})


async def _apply(
    uow: UnitOfWork,
    principal: Principal,
    measure: Measure,
    creates: list[_Planned],
    updates: list[_Planned],
) -> None:
    if not creates and not updates:
        return
    new = [_new_point(measure, p.period, p.values, principal.subject) for p in creates]
    DataPointRepository(uow.session).add_all(new)
    changes: list[tuple[DataPoint, dict[str, Any]]] = []
    for planned in updates:
        point = planned.existing
        assert point is not None  # updates are planned against an existing point
        before = _snapshot(point)
        _replace(point, planned.values)
        changes.append((point, audit.diff(before, _snapshot(point))))
    await uow.session.flush()
    for point in new:
        audit.record(
            uow,
            principal,
            action="create",
            entity_type=ENTITY,
            entity_id=point.id,
            changes=_snapshot(point),
        )
    for point, changed in changes:
        audit.record(
            uow, principal, action="update", entity_type=ENTITY, entity_id=point.id, changes=changed
        )
    await uow.commit()
