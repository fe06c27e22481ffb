"""Charts of measures as a use case: points in, run or Shewhart chart out, with the team's
rebase marks and the cycles whose do phase fell in each period (what was tried when)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from uuid import UUID

from domain.audit import service as audit
from domain.improvement.analysis import (
    Baseline,
    InvalidAnalysisInput,
    PChart,
    Point,
    RunChart,
    RunsRuleSet,
    XmrChart,
    p_chart,
    run_chart,
    xmr_chart,
)
from domain.improvement.chart_models import MeasureRebase
from domain.improvement.chart_repository import ChartRepository, Move
from domain.improvement.measures.models import DataPoint, Measure, ReportingPeriod, ValueType
from domain.improvement.measures.repository import DataPointRepository, MeasureRepository
from domain.improvement.measures.rules import period_errors
from domain.improvement.measures.service import get_measure, owned_measure
from domain.improvement.models import CycleStatus
from domain.shared.authz import visible_to
from domain.shared.errors import FieldError, NotFound, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.principal import Principal, Scope
from domain.shared.records import check_version
from domain.shared.uow import UnitOfWork


class ChartType(StrEnum):
    run = "run"
    xmr = "xmr"  # individuals and moving range, for measurements
    p = "p"  # proportions, with limits that vary with the denominator


@dataclass(frozen=True)
class ChartOptions:
    type: ChartType = ChartType.run
    baseline: Baseline | None = None  # None: every point of each segment
    runs_rules: RunsRuleSet = RunsRuleSet.PERLA


@dataclass(frozen=True)
class AnnotatedCycle:
    id: UUID
    title: str
    status: str
    do_started_at: datetime
    do_ended_at: datetime | None  # None while the cycle is still in its do phase


@dataclass(frozen=True)
class Annotation:
    period: date
    cycles: tuple[AnnotatedCycle, ...]


@dataclass(frozen=True)
class RebaseMark:
    period: date
    note: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class MeasureChart:
    measure_id: UUID
    type: ChartType
    chart: RunChart | XmrChart | PChart
    rebases: tuple[RebaseMark, ...]
    annotations: tuple[Annotation, ...] = field(default=())


def parse_baseline(text: str | None) -> Baseline | None:
    """`all`, `first:N` or `between:YYYY-MM-DD,YYYY-MM-DD` (periods of the measure)."""
    if text is None or text == "all":
        return None
    kind, _, rest = text.partition(":")
    try:
        if kind == "first":
            return Baseline.first(int(rest))
        if kind == "between":
            start, _, end = rest.partition(",")
            return Baseline.between(
                date.fromisoformat(start).isoformat(), date.fromisoformat(end).isoformat()
            )
    except (ValueError, ValidationFailed):
        pass
    raise ValidationFailed(
        [
            FieldError(
                "baseline",
                "must be all, first:N or between:YYYY-MM-DD,YYYY-MM-DD",
                "invalid",
                "query",
            )
        ]
    )


def next_period(period: date, reporting: ReportingPeriod) -> date:
    if reporting is ReportingPeriod.week:
        return period + timedelta(days=7)
    months = 1 if reporting is ReportingPeriod.month else 3
    month = period.month - 1 + months
    return date(period.year + month // 12, month % 12 + 1, 1)


def _at_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _period_end(period: date, reporting: ReportingPeriod) -> datetime:
    """When a period ends: the start of the next one, or the end of the calendar for the
    last period that dates can hold (a week from 9999-12-27, December or Q4 9999)."""
    try:
        return _at_midnight(next_period(period, reporting))
    except (OverflowError, ValueError):
        return datetime.max.replace(tzinfo=UTC)


def _do_phases(moves: Sequence[Move]) -> dict[UUID, list[tuple[Move, datetime | None]]]:
    """For each cycle, the spans it spent in its do phase: (the move into do, when it left)."""
    spans: dict[UUID, list[tuple[Move, datetime | None]]] = {}
    for index, move in enumerate(moves):
        if move.to_status != CycleStatus.do.value:
            continue
        after = moves[index + 1] if index + 1 < len(moves) else None
        left = after.occurred_at if after is not None and after.cycle_id == move.cycle_id else None
        spans.setdefault(move.programme_id, []).append((move, left))
    return spans


def _annotations(
    points: Sequence[DataPoint],
    reporting: ReportingPeriod,
    do_spans: Sequence[tuple[Move, datetime | None]],
) -> tuple[Annotation, ...]:
    found: list[Annotation] = []
    for point in points:
        start, end = _at_midnight(point.period), _period_end(point.period, reporting)
        cycles = tuple(
            AnnotatedCycle(
                id=move.cycle_id,
                title=move.title,
                status=move.status,
                do_started_at=move.occurred_at,
                do_ended_at=left,
            )
            for move, left in do_spans
            if move.occurred_at < end and (left is None or left > start)
        )
        if cycles:
            found.append(Annotation(period=point.period, cycles=cycles))
    return tuple(found)


def _analyse(
    measure: Measure,
    points: Sequence[DataPoint],
    rebases: Sequence[MeasureRebase],
    options: ChartOptions,
) -> RunChart | XmrChart | PChart:
    if options.type is ChartType.p and measure.value_type != ValueType.proportion.value:
        raise ValidationFailed(
            [FieldError("type", "a p chart needs a proportion measure", "invalid", "query")]
        )
    series = [
        Point(
            label=p.period.isoformat(),
            value=p.value,
            numerator=p.numerator,
            denominator=p.denominator,
        )
        for p in points
    ]
    # A rebase mark starts a segment at the first point on or after its period.
    labels = [p.period for p in points]
    starts = sorted(
        {
            next(i for i, period in enumerate(labels) if period >= mark.period)
            for mark in rebases
            if labels and mark.period <= labels[-1]
        }
        - {0}
    )
    try:
        if options.type is ChartType.xmr:
            return xmr_chart(series, baseline=options.baseline, rebase=starts)
        if options.type is ChartType.p:
            return p_chart(series, baseline=options.baseline, rebase=starts)
        return run_chart(
            series, baseline=options.baseline, rebase=starts, runs_rules=options.runs_rules
        )
    except InvalidAnalysisInput as exc:
        # Only the baseline can name something that is not there; say which parameter.
        raise ValidationFailed(
            [FieldError("baseline", e.message, e.code, "query") for e in exc.errors]
        ) from exc


def _marks(rows: Sequence[MeasureRebase]) -> tuple[RebaseMark, ...]:
    return tuple(_mark(r) for r in rows)


async def charts_for_measures(
    uow: UnitOfWork, principal: Principal, measure_ids: list[UUID], options: ChartOptions
) -> dict[UUID, MeasureChart]:
    """Charts of many measures in four statements whatever their number (for dashboards);
    measures the caller may not see are simply absent."""
    access = visible_to(principal, Scope.cycles_read)
    measures = await MeasureRepository(uow.session).get_many(access, measure_ids)
    ids = [m.id for m in measures]
    points = await DataPointRepository(uow.session).for_measures(access, ids)
    charts = ChartRepository(uow.session)
    rebases = await charts.rebases_for(ids)
    moves = await charts.moves_in_programmes(access, sorted({m.programme_id for m in measures}))
    spans = _do_phases(moves)
    result: dict[UUID, MeasureChart] = {}
    for measure in measures:
        mine = points.get(measure.id, [])
        reporting = ReportingPeriod(measure.reporting_period)
        result[measure.id] = MeasureChart(
            measure_id=measure.id,
            type=options.type,
            chart=_analyse(measure, mine, rebases[measure.id], options),
            rebases=_marks(rebases[measure.id]),
            annotations=_annotations(mine, reporting, spans.get(measure.programme_id, [])),
        )
    return result


async def measure_chart(
    uow: UnitOfWork, principal: Principal, measure_id: UUID, options: ChartOptions
) -> MeasureChart:
    measure = await get_measure(uow, principal, measure_id)  # 404 when not visible
    charts = await charts_for_measures(uow, principal, [measure.id], options)
    return charts[measure.id]


def _check_version(measure: Measure, expected_version: int) -> None:
    check_version("measure", measure.version, expected_version)


async def set_rebase(
    uow: UnitOfWork,
    principal: Principal,
    measure_id: UUID,
    period: date,
    note: str,
    *,
    expected_version: int,
) -> tuple[Measure, RebaseMark, bool]:
    """Marks a new baseline from `period`. Rebase marks are part of how the measure is
    read, so they change its version (and need its ETag). Returns (measure, the mark as
    stored, created)."""
    measure = await owned_measure(uow, principal, measure_id)
    _check_version(measure, expected_version)
    errors = period_errors(period, ReportingPeriod(measure.reporting_period))
    if errors:
        raise ValidationFailed([FieldError("period", e.message, e.code, "path") for e in errors])
    repo = ChartRepository(uow.session)
    existing = await repo.get_rebase(measure.id, period)
    if existing is not None and existing.note == note:
        return measure, _mark(existing), False
    row = existing or MeasureRebase(
        measure_id=measure.id, period=period, note=note, created_by=principal.subject
    )
    if existing is None:
        repo.add_rebase(row)
    else:
        existing.note = note
    measure.version += 1
    measure.updated_at = utcnow()
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="rebase",
        entity_type="measure",
        entity_id=measure.id,
        changes={"period": period.isoformat(), "note": note},
    )
    mark = _mark(row)
    await uow.commit()
    return measure, mark, existing is None


def _mark(row: MeasureRebase) -> RebaseMark:
    return RebaseMark(
        period=row.period, note=row.note, created_by=row.created_by, created_at=row.created_at
    )


async def remove_rebase(
    uow: UnitOfWork,
    principal: Principal,
    measure_id: UUID,
    period: date,
    *,
    expected_version: int,
) -> Measure:
    measure = await owned_measure(uow, principal, measure_id)
    _check_version(measure, expected_version)
    repo = ChartRepository(uow.session)
    if await repo.get_rebase(measure.id, period) is None:
        raise NotFound("The measure has no rebase mark at that period.")
    await repo.remove_rebase(measure.id, period)
    measure.version += 1
    measure.updated_at = utcnow()
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="unrebase",
        entity_type="measure",
        entity_id=measure.id,
        changes={"period": period.isoformat()},
    )
    await uow.commit()
    return measure
