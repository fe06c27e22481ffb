"""REST adapter for measure charts and rebase marks: parse, call the service, serialise."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import orjson
from fastapi import APIRouter, Query
from pydantic import Field
from starlette.responses import Response

from api import openapi_docs as docs
from api.deps import UoW, expected_version, requires
from api.rest.responses import etag
from api.rest.v1.headers import IfMatch
from domain.improvement import charts
from domain.improvement.analysis import RunsRuleSet
from domain.shared.principal import Principal, Scope
from domain.shared.schemas import InputModel, Text

router = APIRouter(prefix="/v1/measures", tags=["charts"], responses=docs.COMMON)


class RebaseWrite(InputModel):
    note: Text = Field(default="", description="Why the process changed from this period")


def _json(value: object, *, status: int = 200, version: int | None = None) -> Response:
    headers = {"ETag": etag(version)} if version is not None else None
    # orjson writes the analysis dataclasses as they stand (enums, dates, UUIDs included).
    body = orjson.dumps(value, default=str)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


@router.get(
    "/{measure_id}/chart",
    summary="A run chart or Shewhart chart of a measure, with signals and annotations",
    description="`type`: run (any measure), xmr (individuals and moving range) or p "
    "(proportions). `baseline`: all, first:N, or between:YYYY-MM-DD,YYYY-MM-DD. `rules` "
    "(run charts): perla (the published runs table) or anhoej. The measure's rebase marks "
    "split the chart into segments, each with its own centre line and signals. Cycles "
    "whose do phase overlaps a period are listed as annotations of that period.",
    response_model=charts.MeasureChart,
    responses=docs.READ_ONE,
)
async def measure_chart(
    measure_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_read)],
    type: charts.ChartType = charts.ChartType.run,
    baseline: Annotated[str | None, Query(max_length=40)] = None,
    rules: RunsRuleSet = RunsRuleSet.PERLA,
) -> Response:
    options = charts.ChartOptions(
        type=type, baseline=charts.parse_baseline(baseline), runs_rules=rules
    )
    return _json(await charts.measure_chart(uow, principal, measure_id, options))


@router.put(
    "/{measure_id}/rebases/{period}",
    summary="Start a new baseline from this period",
    description="Rebase marks are part of the measure: send the measure's ETag in If-Match; "
    "the answer carries its new ETag.",
    response_model=charts.RebaseMark,
    responses={
        201: {"model": charts.RebaseMark, "description": "Created: the period had no mark yet"},
        **docs.WRITE_ONE,
    },
)
async def put_rebase(
    measure_id: UUID,
    period: date,
    body: RebaseWrite,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    if_match: IfMatch = None,
) -> Response:
    measure, mark, created = await charts.set_rebase(
        uow, principal, measure_id, period, body.note, expected_version=expected_version(if_match)
    )
    return _json(mark, status=201 if created else 200, version=measure.version)


@router.delete(
    "/{measure_id}/rebases/{period}",
    status_code=204,
    summary="Remove a rebase mark",
    responses=docs.WRITE_ONE,
)
async def delete_rebase(
    measure_id: UUID,
    period: date,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    if_match: IfMatch = None,
) -> Response:
    measure = await charts.remove_rebase(
        uow, principal, measure_id, period, expected_version=expected_version(if_match)
    )
    return Response(status_code=204, headers={"ETag": etag(measure.version)})
