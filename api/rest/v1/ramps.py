"""REST adapter for ramps, chains of cycles testing one change idea: parse, call the
service, serialise."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

from api import openapi_docs as docs
from api.deps import Pagination, State, UoW, expected_version, requires
from api.rest.idempotent import idempotent
from api.rest.responses import PageOf, json_response, page_response
from api.rest.v1.headers import IdempotencyKey, IfMatch
from domain.improvement import ramp_service as service
from domain.improvement.ramp_schemas import (
    RampCreate,
    RampDetail,
    RampFilters,
    RampInOrder,
    RampRead,
    RampUpdate,
)
from domain.shared.principal import Principal, Scope

router = APIRouter(prefix="/v1/ramps", tags=["ramps"], responses=docs.COMMON)

IN_ORDER = (
    "The ramp with `cycles`: its cycles you may see, first to last, each with what was "
    "learned at that step. Cycles of the ramp outside its chain come last with "
    "`linked: false`. The ETag is the ramp's own version (for If-Match); the cycles change "
    "without it, so there is no 304 for this read."
)


def _detail(found: RampInOrder, status: int = 200) -> Response:
    headers = {"Location": f"/v1/ramps/{found.ramp.id}"} if status == 201 else None
    return json_response(found.read(), status=status, version=found.ramp.version, headers=headers)


@router.post(
    "", status_code=201, response_model=RampDetail, summary="Create a ramp", responses=docs.CREATE
)
async def create_ramp(
    body: RampCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        ramp = await service.create_ramp(uow, principal, body)
        return _detail(RampInOrder(ramp=ramp, steps=[]), status=201)

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get("", response_model=PageOf[RampRead], summary="List ramps you may see")
async def list_ramps(
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_read)],
    page: Pagination,
    programme_id: UUID | None = None,
) -> Response:
    result = await service.list_ramps(uow, principal, RampFilters(programme_id=programme_id), page)
    return page_response(result, RampRead)


@router.get(
    "/{ramp_id}",
    response_model=RampDetail,
    summary="Get one ramp, its cycles in order",
    description=IN_ORDER,
    responses=docs.READ_ONE,
)
async def get_ramp(
    ramp_id: UUID, uow: UoW, principal: Annotated[Principal, requires(Scope.cycles_read)]
) -> Response:
    return _detail(await service.get_ramp(uow, principal, ramp_id))


@router.patch(
    "/{ramp_id}", response_model=RampDetail, summary="Change a ramp", responses=docs.WRITE_ONE
)
async def update_ramp(
    ramp_id: UUID,
    body: RampUpdate,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(if_match)
    found = await service.update_ramp(uow, principal, ramp_id, body, expected_version=version)
    return _detail(found)


@router.delete(
    "/{ramp_id}",
    status_code=204,
    summary="Delete a ramp (soft)",
    responses={
        **docs.WRITE_ONE,
        409: {"model": docs.Problem, "description": "The ramp still has live cycles"},
    },
)
async def delete_ramp(
    ramp_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    if_match: IfMatch = None,
) -> Response:
    await service.delete_ramp(uow, principal, ramp_id, expected_version=expected_version(if_match))
    return Response(status_code=204)
