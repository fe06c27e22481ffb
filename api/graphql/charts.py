"""GraphQL for dashboards: a measure's chart (signals, segments, annotations, rebase marks)
and a programme's cycles by phase. Thin calls into domain.improvement."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import orjson
import strawberry
from strawberry.scalars import JSON

from api.graphql.errors import graphql_error
from api.graphql.ids import from_global_id, to_global_id
from api.graphql.permissions import requires
from api.graphql.types import ContextInfo, Cycle
from domain.improvement import charts
from domain.improvement import service as cycles
from domain.improvement.analysis import RunsRuleSet
from domain.improvement.models import CycleStatus
from domain.shared.errors import DomainError
from domain.shared.principal import Scope

ChartTypeEnum = strawberry.enum(charts.ChartType, name="ChartType")
RunsRuleSetEnum = strawberry.enum(RunsRuleSet, name="RunsRuleSet")


@strawberry.type
class ChartSignal:
    segment: int
    rule: str
    direction: str | None
    periods: list[dt.date] = strawberry.field(description="The points the signal covers")
    detail: str


@strawberry.type
class ChartSegment:
    index: int
    periods: list[dt.date]
    baseline_periods: list[dt.date]
    centre: float | None = strawberry.field(
        description="The median (run chart), mean (XmR) or p-bar (P chart)"
    )
    lower_limit: float | None = strawberry.field(description="XmR only; P limits vary by point")
    upper_limit: float | None
    notes: list[str]


@strawberry.type
class AnnotatedCycle:
    id: strawberry.ID
    title: str
    status: CycleStatus
    do_started_at: dt.datetime
    do_ended_at: dt.datetime | None


@strawberry.type
class ChartAnnotation:
    period: dt.date
    cycles: list[AnnotatedCycle]


@strawberry.type
class RebaseMark:
    period: dt.date
    note: str


@strawberry.type(description="A measure's chart: what the rules found, and what was tried when.")
class MeasureChart:
    type: charts.ChartType
    segments: list[ChartSegment]
    signals: list[ChartSignal]
    annotations: list[ChartAnnotation]
    rebases: list[RebaseMark]
    data: JSON = strawberry.field(
        description="The whole analysis (points, checks, runs tests), as the REST chart gives it"
    )

    @classmethod
    def from_domain(cls, found: charts.MeasureChart) -> MeasureChart:
        data: dict[str, Any] = orjson.loads(orjson.dumps(found.chart, default=str))
        periods = [dt.date.fromisoformat(p["label"]) for p in data["points"]]
        segments, signals = [], []
        for segment in data["segments"]:
            segments.append(
                ChartSegment(
                    index=segment["index"],
                    periods=[periods[i] for i in segment["point_indices"]],
                    baseline_periods=[periods[i] for i in segment["baseline_indices"]],
                    centre=segment.get("median", segment.get("centre")),
                    lower_limit=segment.get("lower_limit"),
                    upper_limit=segment.get("upper_limit"),
                    notes=list(segment["notes"]),
                )
            )
            signals += [
                ChartSignal(
                    segment=segment["index"],
                    rule=s["rule"],
                    direction=s["direction"],
                    periods=[periods[i] for i in s["indices"]],
                    detail=s["detail"],
                )
                for s in segment["signals"]
            ]
        return cls(
            type=found.type,
            segments=segments,
            signals=signals,
            annotations=[
                ChartAnnotation(
                    period=a.period,
                    cycles=[
                        AnnotatedCycle(
                            id=strawberry.ID(to_global_id("Cycle", c.id)),
                            title=c.title,
                            status=CycleStatus(c.status),
                            do_started_at=c.do_started_at,
                            do_ended_at=c.do_ended_at,
                        )
                        for c in a.cycles
                    ],
                )
                for a in found.annotations
            ],
            rebases=[RebaseMark(period=r.period, note=r.note) for r in found.rebases],
            data=cast(JSON, data),
        )


async def resolve_chart(
    info: ContextInfo,
    measure_id: Any,
    type: charts.ChartType,
    baseline: str | None,
    rules: RunsRuleSet,
) -> MeasureChart | None:
    try:
        options = charts.ChartOptions(
            type=type, baseline=charts.parse_baseline(baseline), runs_rules=rules
        )
        found = await info.context.loaders.chart.load((measure_id, options))
    except DomainError as exc:
        raise graphql_error(exc) from exc
    return MeasureChart.from_domain(found) if found else None


@strawberry.type
class PhaseGroup:
    status: CycleStatus
    total: int
    cycles: list[Cycle]


@strawberry.type
class ChartQueries:
    @strawberry.field(
        extensions=[requires(Scope.cycles_read)],
        description="A programme's cycles you may see, by phase in workflow order: each "
        "phase's total and its newest cycles.",
    )
    async def cycles_by_phase(
        self, info: ContextInfo, programme_id: strawberry.ID, per_phase: int = 20
    ) -> list[PhaseGroup]:
        try:
            programme = from_global_id(programme_id, "Programme", field="programmeId")
            async with info.context.uow() as uow:
                phases = await cycles.cycles_by_phase(
                    uow, info.context.principal, programme, per_phase=per_phase
                )
        except DomainError as exc:
            raise graphql_error(exc) from exc
        return [
            PhaseGroup(status=p.status, total=p.total, cycles=[Cycle.from_row(c) for c in p.cycles])
            for p in phases
        ]
