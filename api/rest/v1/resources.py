"""REST adapter for the resource library and its revision history."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from api.deps import Pagination, State, UoW, expected_version
from api.rest.idempotent import idempotent
from api.rest.responses import PageOf, json_response, page_response
from api.rest.v1.communities import Reader, Writer
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
from domain.community import resources as service
from domain.community.models import Audience, ResourceKind, Stage, Status
from domain.community.schemas import (
    ResourceCreate,
    ResourceFilters,
    ResourceRead,
    ResourceUpdate,
    RevisionDetail,
    RevisionRead,
    Tag,
)

router = APIRouter(prefix="/v1/resources", tags=["resources"], responses=COMMON)


@router.post(
    "",
    status_code=201,
    response_model=ResourceRead,
    summary="Add a resource (Markdown body rendered and sanitised)",
    responses=CREATE,
)
async def create_resource(
    body: ResourceCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        resource = await service.create_resource(uow, principal, body)
        return json_response(
            ResourceRead.model_validate(resource),
            status=201,
            version=resource.version,
            headers={"Location": f"/v1/resources/{resource.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get(
    "",
    response_model=PageOf[ResourceRead],
    summary="Resources you may see, newest first (archived ones only when asked)",
)
async def list_resources(
    uow: UoW,
    principal: Reader,
    page: Pagination,
    kind: ResourceKind | None = None,
    tag: Tag | None = None,
    audience: Audience | None = None,
    stage: Stage | None = None,
    community_id: UUID | None = None,
    status: Status | None = None,
) -> Response:
    filters = ResourceFilters(
        kind=kind,
        tag=tag,
        audience=audience,
        stage=stage,
        community_id=community_id,
        status=status,
    )
    result = await service.list_resources(uow, principal, filters, page)
    return page_response(result, ResourceRead)


@router.get(
    "/{resource_id}", response_model=ResourceRead, summary="One resource", responses=READ_ONE
)
async def get_resource(
    resource_id: UUID, uow: UoW, principal: Reader, if_none_match: IfNoneMatch = None
) -> Response:
    resource = await service.get_resource(uow, principal, resource_id)
    return read_response(ResourceRead.model_validate(resource), resource.version, if_none_match)


@router.patch(
    "/{resource_id}",
    response_model=ResourceRead,
    summary="Change, publish or archive a resource (a new revision)",
    responses=WRITE_ONE,
)
async def update_resource(
    resource_id: UUID,
    body: ResourceUpdate,
    uow: UoW,
    principal: Writer,
    if_match: IfMatch = None,
) -> Response:
    resource = await service.update_resource(
        uow, principal, resource_id, body, expected_version=expected_version(if_match)
    )
    return json_response(ResourceRead.model_validate(resource), version=resource.version)


@router.get(
    "/{resource_id}/revisions",
    response_model=PageOf[RevisionRead],
    summary="Who changed what, and when (the resource's editors)",
    responses=READ_ONE,
)
async def list_revisions(resource_id: UUID, uow: UoW, principal: Reader) -> Response:
    rows = await service.list_revisions(uow, principal, resource_id)
    items = [RevisionRead.model_validate(row) for row in rows]
    return json_response(PageOf[RevisionRead](items=items, next_cursor=None))


@router.get(
    "/{resource_id}/revisions/{number}",
    response_model=RevisionDetail,
    summary="The resource as it was at one revision",
    responses=READ_ONE,
)
async def get_revision(
    resource_id: UUID,
    number: Annotated[int, Path(ge=1, le=1_000_000)],
    uow: UoW,
    principal: Reader,
) -> Response:
    return json_response(await service.get_revision(uow, principal, resource_id, number))
