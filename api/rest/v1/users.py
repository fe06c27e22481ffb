"""REST adapter for people: organisation administrators manage their own organisation's
users, platform administrators anyone's."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import Pagination, State, UoW, expected_version, requires
from api.rest.idempotent import idempotent
from api.rest.responses import PageOf, json_response
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
from domain.identity import admin as service
from domain.identity.admin_schemas import UserCreate, UserFilters, UserRead, UserUpdate
from domain.shared.principal import Principal, Scope

router = APIRouter(prefix="/v1/users", tags=["administration"], responses=COMMON)

Admin = Annotated[Principal, requires(Scope.admin)]


@router.post("", status_code=201, response_model=UserRead, summary="Add a person", responses=CREATE)
async def create_user(
    body: UserCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Admin,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        view = await service.create_user(uow, principal, body)
        return json_response(
            service.user_read(view),
            status=201,
            version=view.user.version,
            headers={"Location": f"/v1/users/{view.user.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get(
    "", response_model=PageOf[UserRead], summary="List people, with when each last signed in"
)
async def list_users(
    uow: UoW,
    principal: Admin,
    page: Pagination,
    organisation_id: UUID | None = None,
    disabled: bool | None = None,
) -> Response:
    filters = UserFilters(organisation_id=organisation_id, disabled=disabled)
    result = await service.list_users(uow, principal, filters, page)
    body = PageOf[UserRead](
        items=[service.user_read(v) for v in result.items], next_cursor=result.next_cursor
    )
    return json_response(body)


@router.get("/{user_id}", response_model=UserRead, summary="Get one person", responses=READ_ONE)
async def get_user(
    user_id: UUID, uow: UoW, principal: Admin, if_none_match: IfNoneMatch = None
) -> Response:
    view = await service.get_user(uow, principal, user_id)
    return read_response(service.user_read(view), view.user.version, if_none_match)


@router.patch(
    "/{user_id}",
    response_model=UserRead,
    summary="Rename, change roles, disable or unlock a person",
    responses=WRITE_ONE,
)
async def update_user(
    user_id: UUID,
    body: UserUpdate,
    uow: UoW,
    principal: Admin,
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(if_match)
    view = await service.update_user(uow, principal, user_id, body, expected_version=version)
    return json_response(service.user_read(view), version=view.user.version)
