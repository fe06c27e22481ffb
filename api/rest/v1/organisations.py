"""REST adapter for organisations: parse, call the service, serialise."""

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
from domain.tenancy.models import OrganisationKind
from domain.tenancy.schemas import (
    OrganisationCreate,
    OrganisationFilters,
    OrganisationRead,
    OrganisationUpdate,
)

router = APIRouter(prefix="/v1/organisations", tags=["organisations"], responses=COMMON)


@router.post(
    "",
    status_code=201,
    response_model=OrganisationRead,
    summary="Create an organisation (platform admin)",
    responses=CREATE,
)
async def create_organisation(
    body: OrganisationCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.admin)],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        row = await service.create_organisation(uow, principal, body)
        return json_response(
            OrganisationRead.model_validate(row),
            status=201,
            version=row.version,
            headers={"Location": f"/v1/organisations/{row.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get("", response_model=PageOf[OrganisationRead], summary="List organisations")
async def list_organisations(
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.tenancy_read)],
    page: Pagination,
    kind: OrganisationKind | None = None,
) -> Response:
    result = await service.list_organisations(uow, principal, OrganisationFilters(kind=kind), page)
    return page_response(result, OrganisationRead)


@router.get(
    "/{organisation_id}",
    response_model=OrganisationRead,
    summary="Get one organisation",
    responses=READ_ONE,
)
async def get_organisation(
    organisation_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.tenancy_read)],
    if_none_match: IfNoneMatch = None,
) -> Response:
    row = await service.get_organisation(uow, principal, organisation_id)
    return read_response(OrganisationRead.model_validate(row), row.version, if_none_match)


@router.patch(
    "/{organisation_id}",
    response_model=OrganisationRead,
    summary="Change an organisation (platform admin)",
    responses=WRITE_ONE,
)
async def update_organisation(
    organisation_id: UUID,
    body: OrganisationUpdate,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.admin)],
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(if_match)
    row = await service.update_organisation(
        uow, principal, organisation_id, body, expected_version=version
    )
    return json_response(OrganisationRead.model_validate(row), version=row.version)


@router.delete(
    "/{organisation_id}",
    status_code=204,
    summary="Delete an organisation nothing refers to (platform admin)",
    responses=WRITE_ONE,
)
async def delete_organisation(
    organisation_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.admin)],
    if_match: IfMatch = None,
) -> Response:
    await service.delete_organisation(
        uow, principal, organisation_id, expected_version=expected_version(if_match)
    )
    return Response(status_code=204)
