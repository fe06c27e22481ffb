"""REST adapter for improvement measures: parse, call the service, serialise.

Measures use the cycles scopes (`cycles:read`, `cycles:write`): they are improvement work."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api import openapi_docs as docs
from api.deps import Pagination, State, UoW, expected_version, requires
from api.rest.idempotent import idempotent
from api.rest.responses import PageOf, json_response, page_response
from api.rest.v1.headers import IdempotencyKey, IfMatch, IfNoneMatch, read_response
from domain.improvement.measures import service
from domain.improvement.measures.models import MeasureKind
from domain.improvement.measures.schemas import (
    MeasureCreate,
    MeasureFilters,
    MeasureRead,
    MeasureUpdate,
)
from domain.shared.principal import Principal, Scope
from domain.shared.schemas import ShortText

router = APIRouter(prefix="/v1/measures", tags=["measures"], responses=docs.COMMON)


@router.post(
    "",
    status_code=201,
    response_model=MeasureRead,
    summary="Create a measure",
    responses=docs.CREATE,
)
async def create_measure(
    body: MeasureCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        measure = await service.create_measure(uow, principal, body)
        return json_response(
            MeasureRead.model_validate(measure),
            status=201,
            version=measure.version,
            headers={"Location": f"/v1/measures/{measure.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get("", response_model=PageOf[MeasureRead], summary="List measures you may see")
async def list_measures(
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_read)],
    page: Pagination,
    programme_id: UUID | None = None,
    kind: MeasureKind | None = None,
    q: Annotated[ShortText | None, Query(description="Part of the name.")] = None,
) -> Response:
    filters = MeasureFilters(programme_id=programme_id, kind=kind, q=q)
    result = await service.list_measures(uow, principal, filters, page)
    return page_response(result, MeasureRead)


@router.get(
    "/{measure_id}",
    response_model=MeasureRead,
    summary="Get one measure",
    responses=docs.READ_ONE,
)
async def get_measure(
    measure_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_read)],
    if_none_match: IfNoneMatch = None,
) -> Response:
    measure = await service.get_measure(uow, principal, measure_id)
    return read_response(MeasureRead.model_validate(measure), measure.version, if_none_match)


@router.patch(
    "/{measure_id}",
    response_model=MeasureRead,
    summary="Change a measure",
    description="value_type and reporting_period cannot change once the measure has data "
    "points (422 naming the field).",
    responses=docs.WRITE_ONE,
)
async def update_measure(
    measure_id: UUID,
    body: MeasureUpdate,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(if_match)
    measure = await service.update_measure(
        uow, principal, measure_id, body, expected_version=version
    )
    return json_response(MeasureRead.model_validate(measure), version=measure.version)


@router.delete(
    "/{measure_id}",
    status_code=204,
    summary="Delete a measure (soft)",
    responses=docs.WRITE_ONE,
)
async def delete_measure(
    measure_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    if_match: IfMatch = None,
) -> Response:
    await service.delete_measure(
        uow, principal, measure_id, expected_version=expected_version(if_match)
    )
    return Response(status_code=204)
