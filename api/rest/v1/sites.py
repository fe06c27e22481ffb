"""REST adapter for sites: a tree of areas, localities and settings."""

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
from domain.tenancy.models import SiteKind
from domain.tenancy.schemas import SiteCreate, SiteFilters, SiteRead, SiteUpdate

router = APIRouter(prefix="/v1/sites", tags=["sites"], responses=COMMON)


@router.post(
    "",
    status_code=201,
    response_model=SiteRead,
    summary="Create a site (platform admin)",
    responses=CREATE,
)
async def create_site(
    body: SiteCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.admin)],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        row = await service.create_site(uow, principal, body)
        return json_response(
            SiteRead.model_validate(row),
            status=201,
            version=row.version,
            headers={"Location": f"/v1/sites/{row.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get(
    "",
    response_model=PageOf[SiteRead],
    summary="List sites of your organisation and its programme partners",
)
async def list_sites(
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.tenancy_read)],
    page: Pagination,
    organisation_id: UUID | None = None,
    parent_id: UUID | None = None,
    kind: SiteKind | None = None,
) -> Response:
    filters = SiteFilters(organisation_id=organisation_id, parent_id=parent_id, kind=kind)
    result = await service.list_sites(uow, principal, filters, page)
    return page_response(result, SiteRead)


@router.get("/{site_id}", response_model=SiteRead, summary="Get one site", responses=READ_ONE)
async def get_site(
    site_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.tenancy_read)],
    if_none_match: IfNoneMatch = None,
) -> Response:
    row = await service.get_site(uow, principal, site_id)
    return read_response(SiteRead.model_validate(row), row.version, if_none_match)


@router.patch(
    "/{site_id}",
    response_model=SiteRead,
    summary="Change a site (platform admin)",
    responses=WRITE_ONE,
)
async def update_site(
    site_id: UUID,
    body: SiteUpdate,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.admin)],
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(if_match)
    row = await service.update_site(uow, principal, site_id, body, expected_version=version)
    return json_response(SiteRead.model_validate(row), version=row.version)


@router.delete(
    "/{site_id}",
    status_code=204,
    summary="Delete a site with no child sites and no cycles (platform admin)",
    responses=WRITE_ONE,
)
async def delete_site(
    site_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.admin)],
    if_match: IfMatch = None,
) -> Response:
    await service.delete_site(uow, principal, site_id, expected_version=expected_version(if_match))
    return Response(status_code=204)
