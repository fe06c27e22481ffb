"""REST adapter for innovations and their versioned practice profiles."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

from api import openapi_docs as docs
from api.deps import Pagination, State, UoW, expected_version, requires
from api.rest.idempotent import idempotent
from api.rest.responses import PageOf, json_response
from api.rest.v1.headers import IdempotencyKey, IfMatch, IfNoneMatch, read_response
from api.rest.v1.implementation_responses import list_response, page_of
from domain.implementation import innovations as service
from domain.implementation.schemas import (
    InnovationCreate,
    InnovationFilters,
    InnovationRead,
    InnovationUpdate,
    ProfileVersionCreate,
    ProfileVersionRead,
    ProfileVersionUpdate,
)
from domain.shared.principal import Principal, Scope

router = APIRouter(tags=["innovations"], responses=docs.COMMON)
Reader = Annotated[Principal, requires(Scope.implementation_read)]
Writer = Annotated[Principal, requires(Scope.implementation_write)]
CONFLICT: docs.Responses = {
    409: {"model": docs.Problem, "description": "A published version never changes"}
}


@router.post(
    "/v1/innovations",
    status_code=201,
    response_model=InnovationRead,
    summary="Create an innovation",
    responses=docs.CREATE,
)
async def create_innovation(
    body: InnovationCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        row = await service.create_innovation(uow, principal, body)
        return json_response(
            InnovationRead.model_validate(row),
            status=201,
            version=row.version,
            headers={"Location": f"/v1/innovations/{row.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get(
    "/v1/innovations",
    response_model=PageOf[InnovationRead],
    summary="List innovations you may see",
)
async def list_innovations(
    uow: UoW, principal: Reader, page: Pagination, programme_id: UUID | None = None
) -> Response:
    result = await service.list_innovations(
        uow, principal, InnovationFilters(programme_id=programme_id), page
    )
    return page_of(result, InnovationRead, InnovationRead.model_validate)


@router.get(
    "/v1/innovations/{innovation_id}",
    response_model=InnovationRead,
    summary="Get one innovation",
    responses=docs.READ_ONE,
)
async def get_innovation(
    innovation_id: UUID, uow: UoW, principal: Reader, if_none_match: IfNoneMatch = None
) -> Response:
    row = await service.get_innovation(uow, principal, innovation_id)
    return read_response(InnovationRead.model_validate(row), row.version, if_none_match)


@router.patch(
    "/v1/innovations/{innovation_id}",
    response_model=InnovationRead,
    summary="Change an innovation",
    responses=docs.WRITE_ONE,
)
async def update_innovation(
    innovation_id: UUID,
    body: InnovationUpdate,
    uow: UoW,
    principal: Writer,
    if_match: IfMatch = None,
) -> Response:
    row = await service.update_innovation(
        uow, principal, innovation_id, body, expected_version=expected_version(if_match)
    )
    return json_response(InnovationRead.model_validate(row), version=row.version)


@router.post(
    "/v1/innovations/{innovation_id}/profile-versions",
    status_code=201,
    response_model=ProfileVersionRead,
    summary="Start the next practice-profile version (a draft)",
    description="Without `components`, the draft starts as a copy of the latest version. "
    "An innovation has at most one draft at a time (409 otherwise).",
    responses={**docs.CREATE, **docs.READ_ONE},
)
async def create_profile_version(
    innovation_id: UUID,
    body: ProfileVersionCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        view = await service.create_profile_version(uow, principal, innovation_id, body)
        return json_response(
            view.read(),
            status=201,
            version=view.profile.version,
            headers={"Location": f"/v1/profile-versions/{view.profile.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get(
    "/v1/innovations/{innovation_id}/profile-versions",
    response_model=list[ProfileVersionRead],
    summary="Every practice-profile version of an innovation, newest first",
    responses=docs.READ_ONE,
)
async def list_profile_versions(innovation_id: UUID, uow: UoW, principal: Reader) -> Response:
    views = await service.list_profile_versions(uow, principal, innovation_id)
    return list_response([v.read() for v in views])


@router.get(
    "/v1/profile-versions/{profile_version_id}",
    response_model=ProfileVersionRead,
    summary="One practice-profile version with its core components",
    responses=docs.READ_ONE,
)
async def get_profile_version(
    profile_version_id: UUID, uow: UoW, principal: Reader, if_none_match: IfNoneMatch = None
) -> Response:
    view = await service.get_profile_version(uow, principal, profile_version_id)
    return read_response(view.read(), view.profile.version, if_none_match)


@router.patch(
    "/v1/profile-versions/{profile_version_id}",
    response_model=ProfileVersionRead,
    summary="Change a draft version (components replace the whole list)",
    responses={**docs.WRITE_ONE, **CONFLICT},
)
async def update_profile_version(
    profile_version_id: UUID,
    body: ProfileVersionUpdate,
    uow: UoW,
    principal: Writer,
    if_match: IfMatch = None,
) -> Response:
    view = await service.update_profile_version(
        uow, principal, profile_version_id, body, expected_version=expected_version(if_match)
    )
    return json_response(view.read(), version=view.profile.version)


@router.post(
    "/v1/profile-versions/{profile_version_id}/publish",
    response_model=ProfileVersionRead,
    summary="Publish a draft version; from then on it never changes",
    responses={**docs.WRITE_ONE, **CONFLICT},
)
async def publish_profile_version(
    profile_version_id: UUID, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    view = await service.publish_profile_version(
        uow, principal, profile_version_id, expected_version=expected_version(if_match)
    )
    return json_response(view.read(), version=view.profile.version)
