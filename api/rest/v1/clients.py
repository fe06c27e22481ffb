"""REST adapter for OAuth clients: organisation administrators manage their own
organisation's clients, platform administrators anyone's. Creating a client and rotating
its secret take no Idempotency-Key: a replay would need the secret stored to repeat it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from starlette.responses import Response

from api.deps import Pagination, UoW, expected_version, requires
from api.rest.responses import PageOf, json_response
from api.rest.v1.headers import (
    COMMON,
    CREATE,
    READ_ONE,
    WRITE_ONE,
    IfMatch,
    IfNoneMatch,
    read_response,
)
from domain.identity import admin as service
from domain.identity.admin_schemas import (
    ClientCreate,
    ClientFilters,
    ClientRead,
    ClientUpdate,
    ClientWithSecret,
)
from domain.shared.principal import Principal, Scope

router = APIRouter(prefix="/v1/clients", tags=["administration"], responses=COMMON)

Admin = Annotated[Principal, requires(Scope.admin)]


def _with_secret(made: service.ClientWithSecret) -> ClientWithSecret:
    return ClientWithSecret(
        **service.client_read(made.client).model_dump(), client_secret=made.secret
    )


@router.post(
    "",
    status_code=201,
    response_model=ClientWithSecret,
    summary="Register a client; its secret is shown only in this answer",
    responses=CREATE,
)
async def create_client(body: ClientCreate, uow: UoW, principal: Admin) -> Response:
    made = await service.create_client(uow, principal, body)
    return json_response(
        _with_secret(made),
        status=201,
        version=made.client.version,
        headers={"Location": f"/v1/clients/{made.client.id}", "Cache-Control": "no-store"},
    )


@router.get(
    "", response_model=PageOf[ClientRead], summary="List clients, with when each last got a token"
)
async def list_clients(
    uow: UoW, principal: Admin, page: Pagination, organisation_id: UUID | None = None
) -> Response:
    result = await service.list_clients(
        uow, principal, ClientFilters(organisation_id=organisation_id), page
    )
    body = PageOf[ClientRead](
        items=[service.client_read(c) for c in result.items], next_cursor=result.next_cursor
    )
    return json_response(body)


@router.get("/{client_id}", response_model=ClientRead, summary="Get one client", responses=READ_ONE)
async def get_client(
    client_id: UUID, uow: UoW, principal: Admin, if_none_match: IfNoneMatch = None
) -> Response:
    row = await service.get_client(uow, principal, client_id)
    return read_response(service.client_read(row), row.version, if_none_match)


@router.patch(
    "/{client_id}",
    response_model=ClientRead,
    summary="Rename, change scopes or redirect URIs, or disable a client",
    responses=WRITE_ONE,
)
async def update_client(
    client_id: UUID,
    body: ClientUpdate,
    uow: UoW,
    principal: Admin,
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(if_match)
    row = await service.update_client(uow, principal, client_id, body, expected_version=version)
    return json_response(service.client_read(row), version=row.version)


@router.post(
    "/{client_id}/secret",
    response_model=ClientWithSecret,
    summary="Rotate a client's secret; the old one stops working at once",
    responses=WRITE_ONE,
)
async def rotate_client_secret(
    client_id: UUID, uow: UoW, principal: Admin, if_match: IfMatch = None
) -> Response:
    made = await service.rotate_client_secret(
        uow, principal, client_id, expected_version=expected_version(if_match)
    )
    return json_response(
        _with_secret(made), version=made.client.version, headers={"Cache-Control": "no-store"}
    )
