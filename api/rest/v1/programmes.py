"""REST adapter for programmes and their member organisations."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import Pagination, State, UoW, expected_version, requires
from api.rest.idempotent import idempotent
from api.rest.responses import PageOf, json_response, page_response
from api.rest.v1.headers import (
    COMMON,
    CREATE,
    READ_ONE,
    WRITE_ONE,
    IdempotencyKey,
    IfMatch,
    IfNoneMatch,
    read_response,
)
from domain.shared.principal import Principal, Scope
from domain.tenancy import service
from domain.tenancy.schemas import (
    ProgrammeCreate,
    ProgrammeMemberRead,
    ProgrammeRead,
    ProgrammeUpdate,
)

router = APIRouter(prefix="/v1/programmes", tags=["programmes"], responses=COMMON)


@router.post(
    "",
    status_code=201,
    response_model=ProgrammeRead,
    summary="Create a programme (platform admin)",
    responses=CREATE,
)
async def create_programme(
    body: ProgrammeCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.admin)],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        result = await service.create_programme(uow, principal, body)
        return json_response(
            ProgrammeRead.model_validate(result),
            status=201,
            version=result.programme.version,
            headers={"Location": f"/v1/programmes/{result.programme.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get(
    "", response_model=PageOf[ProgrammeRead], summary="List programmes your organisation is in"
)
async def list_programmes(
    uow: UoW, principal: Annotated[Principal, requires(Scope.tenancy_read)], page: Pagination
) -> Response:
    result = await service.list_programmes(uow, principal, page)
    return page_response(result, ProgrammeRead)


@router.get(
    "/{programme_id}",
    response_model=ProgrammeRead,
    summary="Get one programme",
    responses=READ_ONE,
)
async def get_programme(
    programme_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.tenancy_read)],
    if_none_match: IfNoneMatch = None,
) -> Response:
    result = await service.get_programme(uow, principal, programme_id)
    return read_response(
        ProgrammeRead.model_validate(result), result.programme.version, if_none_match
    )


@router.patch(
    "/{programme_id}",
    response_model=ProgrammeRead,
    summary="Change a programme (platform admin)",
    responses=WRITE_ONE,
)
async def update_programme(
    programme_id: UUID,
    body: ProgrammeUpdate,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.admin)],
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(if_match)
    result = await service.update_programme(
        uow, principal, programme_id, body, expected_version=version
    )
    return json_response(ProgrammeRead.model_validate(result), version=result.programme.version)


@router.delete(
    "/{programme_id}",
    status_code=204,
    summary="Delete a programme that has no cycles (platform admin)",
    responses=WRITE_ONE,
)
async def delete_programme(
    programme_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.admin)],
    if_match: IfMatch = None,
) -> Response:
    await service.delete_programme(
        uow, principal, programme_id, expected_version=expected_version(if_match)
    )
    return Response(status_code=204)


@router.get(
    "/{programme_id}/members",
    response_model=PageOf[ProgrammeMemberRead],
    summary="List a programme's member organisations",
    responses=READ_ONE,
)
async def list_programme_members(
    programme_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.tenancy_read)],
    page: Pagination,
) -> Response:
    result = await service.list_programme_members(uow, principal, programme_id, page)
    return page_response(result, ProgrammeMemberRead)


@router.put(
    "/{programme_id}/members/{organisation_id}",
    response_model=ProgrammeRead,
    summary="Add a member organisation (platform admin; idempotent)",
    description="Answers with the programme. Its version goes up when the membership "
    "changes; If-Match, when sent, must name the current version.",
    responses=WRITE_ONE,
)
async def add_programme_member(
    programme_id: UUID,
    organisation_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.admin)],
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(if_match) if if_match is not None else None
    result = await service.add_programme_member(
        uow, principal, programme_id, organisation_id, expected_version=version
    )
    return json_response(ProgrammeRead.model_validate(result), version=result.programme.version)


@router.delete(
    "/{programme_id}/members/{organisation_id}",
    response_model=ProgrammeRead,
    summary="Remove a member organisation (platform admin)",
    description="If-Match names the programme's version. Answers with the programme. The lead "
    "cannot leave, nor a member whose cycles are in the programme.",
    responses=WRITE_ONE,
)
async def remove_programme_member(
    programme_id: UUID,
    organisation_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.admin)],
    if_match: IfMatch = None,
) -> Response:
    result = await service.remove_programme_member(
        uow,
        principal,
        programme_id,
        organisation_id,
        expected_version=expected_version(if_match),
    )
    return json_response(ProgrammeRead.model_validate(result), version=result.programme.version)
