"""FastAPI dependencies: the unit of work, the caller, pagination and preconditions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request, Security
from fastapi.openapi.models import (
    OAuthFlowAuthorizationCode,
    OAuthFlowClientCredentials,
    OAuthFlows,
)
from fastapi.params import Security as SecurityParam
from fastapi.security import OAuth2, SecurityScopes

from api.state import AppState
from domain.identity import federation
from domain.identity.errors import InvalidToken
from domain.shared.errors import (
    AuthenticationRequired,
    FieldError,
    InsufficientScope,
    PreconditionRequired,
    ValidationFailed,
)
from domain.shared.pagination import MAX_LIMIT, PageRequest, page_request
from domain.shared.principal import SCOPE_DESCRIPTIONS, Principal, Scope
from domain.shared.uow import UnitOfWork


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.hub
    return state


State = Annotated[AppState, Depends(app_state)]


async def unit_of_work(state: State) -> AsyncIterator[UnitOfWork]:
    async with UnitOfWork(state.database.sessionmaker) as uow:
        yield uow


UoW = Annotated[UnitOfWork, Depends(unit_of_work)]


def bearer_token(authorization: str | None) -> str | None:
    """The token from `Authorization: Bearer ...`; None when there is no header at all."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Use 'Authorization: Bearer <access token>'.")
    return token.strip()


async def resolve_principal(
    state: AppState, uow: UnitOfWork, authorization: str | None
) -> Principal:
    token = bearer_token(authorization)
    if token is None:
        return Principal.anonymous()
    return await federation.principal_for_bearer(
        uow, state.keys, state.federation, state.settings, token
    )


# Documents the OAuth flows in OpenAPI; the header itself is checked by us.
oauth2 = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(
            tokenUrl="/oauth/token", scopes={s.value: SCOPE_DESCRIPTIONS[s] for s in Scope}
        ),
        # People, through an app: PKCE (S256) is required, see /oauth/authorize.
        authorizationCode=OAuthFlowAuthorizationCode(
            authorizationUrl="/oauth/authorize",
            tokenUrl="/oauth/token",
            refreshUrl="/oauth/token",
            scopes={s.value: SCOPE_DESCRIPTIONS[s] for s in Scope},
        ),
    ),
    scheme_name="partner",
    auto_error=False,
)


def check_declared_scopes(principal: Principal, scopes: list[str], anonymous: bool) -> None:
    """The front door's half of access control, shared by REST and GraphQL: a caller
    without a token is refused unless the operation is public, and a token must carry
    every scope the operation declares. What the caller may see is the domain's half."""
    if not principal.is_authenticated:
        if anonymous:
            return
        raise AuthenticationRequired("A bearer token is required.")
    for scope in scopes:
        if scope not in principal.scopes:
            raise InsufficientScope(scope)


async def authenticated_principal(
    security_scopes: SecurityScopes,
    state: State,
    uow: UoW,
    authorization: Annotated[str | None, Depends(oauth2)] = None,
) -> Principal:
    principal = await resolve_principal(state, uow, authorization)
    check_declared_scopes(principal, security_scopes.scopes, anonymous=False)
    return principal


async def public_principal(
    security_scopes: SecurityScopes,
    state: State,
    uow: UoW,
    authorization: Annotated[str | None, Depends(oauth2)] = None,
) -> Principal:
    principal = await resolve_principal(state, uow, authorization)
    check_declared_scopes(principal, security_scopes.scopes, anonymous=True)
    return principal


def requires(*scopes: Scope) -> SecurityParam:
    """The one declaration of what an operation needs: a valid token holding every scope
    named (none named: any valid token). Use as
    `principal: Annotated[Principal, requires(Scope.cycles_read)]`. The scopes appear in the
    operation's OpenAPI `security`, which the generated access matrix test walks."""
    declaration: SecurityParam = Security(authenticated_principal, scopes=[s.value for s in scopes])
    return declaration


def public(*scopes: Scope) -> SecurityParam:
    """An operation anonymous callers may use (public content); a token, when sent, must be
    valid and hold the scopes named. OpenAPI shows it with an empty security alternative."""
    declaration: SecurityParam = Security(public_principal, scopes=[s.value for s in scopes])
    return declaration


def is_public_dependency(call: object) -> bool:
    return call is public_principal


def pagination(
    # The bounds are checked by page_request (one problem format for every list); the schema
    # says them so generated clients and fuzzers know.
    limit: Annotated[
        int | None,
        Query(
            description=f"Page size, 1 to {MAX_LIMIT}.",
            json_schema_extra={"minimum": 1, "maximum": MAX_LIMIT},
        ),
    ] = None,
    cursor: Annotated[str | None, Query(description="next_cursor from the previous page.")] = None,
) -> PageRequest:
    return page_request(limit, cursor)


Pagination = Annotated[PageRequest, Depends(pagination)]


def expected_version(if_match: str | None) -> int:
    """The version named by If-Match; 428 when absent, 422 when not an ETag we issued
    (`*` included: a write must say which version it read)."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "Send If-Match with the ETag from your last read of this record."
        )
    value = if_match.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise ValidationFailed(
            [
                FieldError(
                    "If-Match", 'must be an ETag this API issued, such as "3"', "invalid", "header"
                )
            ]
        )
    return int(value)
