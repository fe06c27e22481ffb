"""REST adapter for trusted issuers (federation): platform administrators only."""

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
from domain.identity import issuers as service
from domain.identity.admin_schemas import (
    TrustedIssuerCreate,
    TrustedIssuerRead,
    TrustedIssuerUpdate,
)
from domain.shared.principal import Principal, Scope

router = APIRouter(prefix="/v1/trusted-issuers", tags=["administration"], responses=COMMON)

Admin = Annotated[Principal, requires(Scope.admin)]


@router.post(
    "",
    status_code=201,
    response_model=TrustedIssuerRead,
    summary="Trust an external identity provider (platform admin)",
    responses=CREATE,
)
async def create_trusted_issuer(
    body: TrustedIssuerCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Admin,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        row = await service.create_trusted_issuer(uow, principal, body)
        return json_response(
            TrustedIssuerRead.model_validate(row),
            status=201,
            version=row.version,
            headers={"Location": f"/v1/trusted-issuers/{row.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get("", response_model=PageOf[TrustedIssuerRead], summary="List trusted issuers")
async def list_trusted_issuers(uow: UoW, principal: Admin, page: Pagination) -> Response:
    return page_response(
        await service.list_trusted_issuers(uow, principal, page), TrustedIssuerRead
    )


@router.get(
    "/{issuer_id}",
    response_model=TrustedIssuerRead,
    summary="Get one trusted issuer",
    responses=READ_ONE,
)
async def get_trusted_issuer(
    issuer_id: UUID, uow: UoW, principal: Admin, if_none_match: IfNoneMatch = None
) -> Response:
    row = await service.get_trusted_issuer(uow, principal, issuer_id)
    return read_response(TrustedIssuerRead.model_validate(row), row.version, if_none_match)


@router.patch(
    "/{issuer_id}",
    response_model=TrustedIssuerRead,
    summary="Change or disable a trusted issuer",
    responses=WRITE_ONE,
)
async def update_trusted_issuer(
    issuer_id: UUID,
    body: TrustedIssuerUpdate,
    uow: UoW,
    principal: Admin,
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(if_match)
    row = await service.update_trusted_issuer(
        uow, principal, issuer_id, body, expected_version=version
    )
    return json_response(TrustedIssuerRead.model_validate(row), version=row.version)


@router.delete(
    "/{issuer_id}",
    status_code=204,
    summary="Stop trusting an issuer; its tokens are refused at once",
    responses=WRITE_ONE,
)
async def delete_trusted_issuer(
    issuer_id: UUID, uow: UoW, principal: Admin, if_match: IfMatch = None
) -> Response:
    await service.delete_trusted_issuer(
        uow, principal, issuer_id, expected_version=expected_version(if_match)
    )
    return Response(status_code=204)
