"""REST adapter for PDSA cycle records: parse, call the service, serialise."""

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
from domain.improvement import service
from domain.improvement.models import CycleKind, CycleStatus
from domain.improvement.schemas import (
    CycleCreate,
    CycleFilters,
    CycleHistory,
    CycleRead,
    CycleTransitionCreate,
    CycleUpdate,
)
from domain.shared.principal import Principal, Scope
from domain.shared.schemas import ShortText

router = APIRouter(prefix="/v1/cycles", tags=["cycles"], responses=docs.COMMON)


@router.post(
    "", status_code=201, response_model=CycleRead, summary="Create a cycle", responses=docs.CREATE
)
async def create_cycle(
    body: CycleCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        cycle = await service.create_cycle(uow, principal, body)
        return json_response(
            CycleRead.model_validate(cycle),
            status=201,
            version=cycle.version,
            headers={"Location": f"/v1/cycles/{cycle.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get("", response_model=PageOf[CycleRead], summary="List cycles you may see")
async def list_cycles(
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_read)],
    page: Pagination,
    programme_id: UUID | None = None,
    site_id: UUID | None = None,
    status: CycleStatus | None = None,
    kind: CycleKind | None = None,
    ramp_id: UUID | None = None,
    q: Annotated[ShortText | None, Query(description="Full-text search.")] = None,
) -> Response:
    filters = CycleFilters(
        programme_id=programme_id, site_id=site_id, status=status, kind=kind, ramp_id=ramp_id, q=q
    )
    result = await service.list_cycles(uow, principal, filters, page)
    return page_response(result, CycleRead)


@router.get(
    "/{cycle_id}", response_model=CycleRead, summary="Get one cycle", responses=docs.READ_ONE
)
async def get_cycle(
    cycle_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_read)],
    if_none_match: IfNoneMatch = None,
) -> Response:
    cycle = await service.get_cycle(uow, principal, cycle_id)
    return read_response(CycleRead.model_validate(cycle), cycle.version, if_none_match)


@router.patch(
    "/{cycle_id}", response_model=CycleRead, summary="Change a cycle", responses=docs.WRITE_ONE
)
async def update_cycle(
    cycle_id: UUID,
    body: CycleUpdate,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(if_match)
    cycle = await service.update_cycle(uow, principal, cycle_id, body, expected_version=version)
    return json_response(CycleRead.model_validate(cycle), version=cycle.version)


@router.delete(
    "/{cycle_id}", status_code=204, summary="Delete a cycle (soft)", responses=docs.WRITE_ONE
)
async def delete_cycle(
    cycle_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    if_match: IfMatch = None,
) -> Response:
    await service.delete_cycle(
        uow, principal, cycle_id, expected_version=expected_version(if_match)
    )
    return Response(status_code=204)


@router.post(
    "/{cycle_id}/transitions",
    response_model=CycleRead,
    summary="Move a cycle to its next phase, or abandon it",
    description="Phases run plan -> do -> study -> act -> completed; abandoned is possible "
    "from any phase with a reason. A refused move names the fields the phase still needs.",
    responses={
        **docs.WRITE_ONE,
        409: {"model": docs.Problem, "description": "Not a legal move from the current phase"},
    },
)
async def transition_cycle(
    cycle_id: UUID,
    body: CycleTransitionCreate,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(if_match)
    cycle = await service.transition_cycle(uow, principal, cycle_id, body, expected_version=version)
    return json_response(CycleRead.model_validate(cycle), version=cycle.version)


@router.get(
    "/{cycle_id}/history",
    response_model=CycleHistory,
    summary="A cycle's phase history and the time spent in each phase",
    responses=docs.READ_ONE,
)
async def cycle_history(
    cycle_id: UUID, uow: UoW, principal: Annotated[Principal, requires(Scope.cycles_read)]
) -> Response:
    return json_response(await service.cycle_history(uow, principal, cycle_id))
