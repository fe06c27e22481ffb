"""GraphQL administration: people, OAuth clients and trusted issuers, through the same
use cases as /v1/users, /v1/clients and /v1/trusted-issuers."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import strawberry

from api.graphql.errors import UserError
from api.graphql.ids import from_global_id, to_global_id
from api.graphql.inputs import set_fields
from api.graphql.permissions import requires
from api.graphql.resolvers import Work, optional_id, page_info, run_mutation, run_query
from api.graphql.types import ContextInfo, PageInfo
from domain.identity import admin as people
from domain.identity import issuers
from domain.identity.admin_schemas import (
    ClientCreate,
    ClientFilters,
    ClientKind,
    ClientUpdate,
    GrantType,
    TrustedIssuerCreate,
    TrustedIssuerUpdate,
    UserCreate,
    UserFilters,
    UserUpdate,
)
from domain.identity.federation_models import TrustedIssuer as TrustedIssuerRow
from domain.identity.models import OAuthClient as ClientRow
from domain.identity.roles import RoleName
from domain.shared.pagination import (
    DEFAULT_LIMIT,
    Page,
    PageRequest,
    encode_cursor,
    page_request,
)
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork


@strawberry.type
class RoleGrant:
    role: str
    programme_id: strawberry.ID | None
    team_id: strawberry.ID | None


@strawberry.type(description="A person who signs in; organisation admins see their own.")
class User:
    id: strawberry.ID
    database_id: UUID
    organisation_id: strawberry.ID
    email: str
    display_name: str
    roles: list[RoleGrant]
    has_password: bool
    disabled_at: dt.datetime | None
    locked_until: dt.datetime | None
    last_login_at: dt.datetime | None
    version: int

    @classmethod
    def from_view(cls, view: people.UserView) -> User:
        read = people.user_read(view)
        return cls(
            id=strawberry.ID(to_global_id("User", read.id)),
            database_id=read.id,
            organisation_id=strawberry.ID(to_global_id("Organisation", read.organisation_id)),
            email=read.email,
            display_name=read.display_name,
            roles=[
                RoleGrant(
                    role=r.role,
                    programme_id=strawberry.ID(to_global_id("Programme", r.programme_id))
                    if r.programme_id
                    else None,
                    team_id=strawberry.ID(str(r.team_id)) if r.team_id else None,
                )
                for r in read.roles
            ],
            has_password=read.has_password,
            disabled_at=read.disabled_at,
            locked_until=read.locked_until,
            last_login_at=read.last_login_at,
            version=read.version,
        )


@strawberry.type(name="OAuthClient", description="A partner system or app registered here.")
class Client:
    id: strawberry.ID
    database_id: UUID
    client_id: str
    name: str
    organisation_id: strawberry.ID
    kind: ClientKind
    grant_types: list[str]
    scopes: list[str]
    roles: list[str]
    redirect_uris: list[str]
    has_secret: bool
    has_keys: bool
    disabled_at: dt.datetime | None
    last_used_at: dt.datetime | None
    version: int

    @classmethod
    def from_row(cls, row: ClientRow) -> Client:
        read = people.client_read(row)
        return cls(
            id=strawberry.ID(to_global_id("OAuthClient", read.id)),
            database_id=read.id,
            client_id=read.client_id,
            name=read.name,
            organisation_id=strawberry.ID(to_global_id("Organisation", read.organisation_id)),
            kind=read.kind,
            grant_types=read.grant_types,
            scopes=read.scopes,
            roles=read.roles,
            redirect_uris=read.redirect_uris,
            has_secret=read.has_secret,
            has_keys=read.has_keys,
            disabled_at=read.disabled_at,
            last_used_at=read.last_used_at,
            version=read.version,
        )


@strawberry.type(description="An identity provider whose tokens the hub accepts.")
class TrustedIssuer:
    id: strawberry.ID
    database_id: UUID
    name: str
    issuer: str
    jwks_url: str
    audience: str
    subject_claim: str
    organisation_id: strawberry.ID
    max_scopes: list[str]
    disabled_at: dt.datetime | None
    version: int

    @classmethod
    def from_row(cls, row: TrustedIssuerRow) -> TrustedIssuer:
        return cls(
            id=strawberry.ID(to_global_id("TrustedIssuer", row.id)),
            database_id=row.id,
            name=row.name,
            issuer=row.issuer,
            jwks_url=row.jwks_url,
            audience=row.audience,
            subject_claim=row.subject_claim,
            organisation_id=strawberry.ID(to_global_id("Organisation", row.organisation_id)),
            max_scopes=list(row.max_scopes),
            disabled_at=row.disabled_at,
            version=row.version,
        )


@strawberry.type
class UserEdge:
    cursor: str
    node: User


@strawberry.type
class UserConnection:
    edges: list[UserEdge]
    page_info: PageInfo


@strawberry.type
class ClientEdge:
    cursor: str
    node: Client


@strawberry.type
class ClientConnection:
    edges: list[ClientEdge]
    page_info: PageInfo


@strawberry.type
class TrustedIssuerEdge:
    cursor: str
    node: TrustedIssuer


@strawberry.type
class TrustedIssuerConnection:
    edges: list[TrustedIssuerEdge]
    page_info: PageInfo


# Inputs


@strawberry.input
class RoleGrantInput:
    role: RoleName
    programme_id: strawberry.ID | None = None
    team_id: strawberry.ID | None = None


def _grants(values: list[RoleGrantInput], field: str) -> list[dict[str, object]]:
    return [
        {
            "role": g.role,
            "programme_id": optional_id(g.programme_id, "Programme", f"{field}/{i}/programmeId"),
            "team_id": g.team_id,
        }
        for i, g in enumerate(values)
    ]


@strawberry.input
class CreateUserInput:
    email: str
    display_name: str
    password: str | None = strawberry.UNSET
    roles: list[RoleGrantInput] = strawberry.field(default_factory=list)
    organisation_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input(description="Only the fields you send are changed; roles replace all.")
class UpdateUserInput:
    id: strawberry.ID
    expected_version: int
    display_name: str | None = strawberry.UNSET
    roles: list[RoleGrantInput] | None = strawberry.UNSET
    disabled: bool | None = strawberry.UNSET
    unlock: bool | None = strawberry.UNSET


@strawberry.input
class CreateClientInput:
    name: str
    kind: ClientKind = ClientKind.confidential
    grant_types: list[GrantType] = strawberry.field(
        default_factory=lambda: [GrantType.client_credentials]
    )
    scopes: list[Scope] = strawberry.field(default_factory=list)
    roles: list[RoleName] = strawberry.field(default_factory=list)
    redirect_uris: list[str] = strawberry.field(default_factory=list)
    organisation_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input
class UpdateClientInput:
    id: strawberry.ID
    expected_version: int
    name: str | None = strawberry.UNSET
    scopes: list[Scope] | None = strawberry.UNSET
    redirect_uris: list[str] | None = strawberry.UNSET
    disabled: bool | None = strawberry.UNSET


@strawberry.input
class RotateClientSecretInput:
    id: strawberry.ID
    expected_version: int


@strawberry.input
class CreateTrustedIssuerInput:
    name: str
    issuer: str
    jwks_url: str
    audience: str
    organisation_id: strawberry.ID
    subject_claim: str = "sub"
    max_scopes: list[Scope] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateTrustedIssuerInput:
    id: strawberry.ID
    expected_version: int
    name: str | None = strawberry.UNSET
    jwks_url: str | None = strawberry.UNSET
    audience: str | None = strawberry.UNSET
    subject_claim: str | None = strawberry.UNSET
    max_scopes: list[Scope] | None = strawberry.UNSET
    disabled: bool | None = strawberry.UNSET


@strawberry.input
class DeleteTrustedIssuerInput:
    id: strawberry.ID
    expected_version: int


# Payloads


@strawberry.type
class UserPayload:
    user: User | None
    errors: list[UserError]


@strawberry.type
class ClientPayload:
    client: Client | None
    client_secret: str | None = strawberry.field(
        description="Shown only in this answer; the hub keeps only its hash."
    )
    errors: list[UserError]


@strawberry.type
class TrustedIssuerPayload:
    trusted_issuer: TrustedIssuer | None
    errors: list[UserError]


@strawberry.type
class DeleteTrustedIssuerPayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


def _page(first: int, after: str | None) -> PageRequest:
    return page_request(first, after, location="argument")


@strawberry.type
class AdminQueries:
    @strawberry.field(extensions=[requires(Scope.admin)], description="People you administer.")
    async def users(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        organisation_id: strawberry.ID | None = None,
        disabled: bool | None = None,
    ) -> UserConnection:
        async def work(uow: UnitOfWork, principal: Principal) -> Page[people.UserView]:
            filters = UserFilters(
                organisation_id=optional_id(organisation_id, "Organisation", "organisationId"),
                disabled=disabled,
            )
            return await people.list_users(uow, principal, filters, _page(first, after))

        result = await run_query(info, work)
        return UserConnection(
            edges=[
                UserEdge(cursor=encode_cursor(v.user.id), node=User.from_view(v))
                for v in result.items
            ],
            page_info=page_info(result),
        )

    @strawberry.field(extensions=[requires(Scope.admin)], description="One person, or null.")
    async def user(self, info: ContextInfo, id: strawberry.ID) -> User | None:
        view = await run_query(
            info, lambda uow, p: people.get_user(uow, p, from_global_id(id, "User"))
        )
        return User.from_view(view)

    @strawberry.field(extensions=[requires(Scope.admin)], description="Clients you administer.")
    async def oauth_clients(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        organisation_id: strawberry.ID | None = None,
    ) -> ClientConnection:
        async def work(uow: UnitOfWork, principal: Principal) -> Page[ClientRow]:
            filters = ClientFilters(
                organisation_id=optional_id(organisation_id, "Organisation", "organisationId")
            )
            return await people.list_clients(uow, principal, filters, _page(first, after))

        result = await run_query(info, work)
        return ClientConnection(
            edges=[
                ClientEdge(cursor=encode_cursor(c.id), node=Client.from_row(c))
                for c in result.items
            ],
            page_info=page_info(result),
        )

    @strawberry.field(extensions=[requires(Scope.admin)], description="One client, or null.")
    async def oauth_client(self, info: ContextInfo, id: strawberry.ID) -> Client | None:
        row = await run_query(
            info, lambda uow, p: people.get_client(uow, p, from_global_id(id, "OAuthClient"))
        )
        return Client.from_row(row)

    @strawberry.field(
        extensions=[requires(Scope.admin)], description="Trusted issuers (platform admins)."
    )
    async def trusted_issuers(
        self, info: ContextInfo, first: int = DEFAULT_LIMIT, after: str | None = None
    ) -> TrustedIssuerConnection:
        result = await run_query(
            info, lambda uow, p: issuers.list_trusted_issuers(uow, p, _page(first, after))
        )
        return TrustedIssuerConnection(
            edges=[
                TrustedIssuerEdge(cursor=encode_cursor(r.id), node=TrustedIssuer.from_row(r))
                for r in result.items
            ],
            page_info=page_info(result),
        )

    @strawberry.field(extensions=[requires(Scope.admin)], description="One trusted issuer.")
    async def trusted_issuer(self, info: ContextInfo, id: strawberry.ID) -> TrustedIssuer | None:
        row = await run_query(
            info,
            lambda uow, p: issuers.get_trusted_issuer(uow, p, from_global_id(id, "TrustedIssuer")),
        )
        return TrustedIssuer.from_row(row)


@strawberry.type
class AdminMutations:
    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def create_user(self, info: ContextInfo, input: CreateUserInput) -> UserPayload:
        def prepare() -> Work[people.UserView]:
            fields = set_fields(input)
            fields["roles"] = _grants(input.roles, "/input/roles")
            if fields.get("organisation_id") is not None:
                fields["organisation_id"] = from_global_id(
                    input.organisation_id or "", "Organisation", field="/input/organisationId"
                )
            data = UserCreate.model_validate(fields)
            return lambda uow, p: people.create_user(uow, p, data)

        view, errors = await run_mutation(info, prepare)
        return UserPayload(user=User.from_view(view) if view else None, errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def update_user(self, info: ContextInfo, input: UpdateUserInput) -> UserPayload:
        def prepare() -> Work[people.UserView]:
            user_id = from_global_id(input.id, "User", field="/input/id")
            fields = set_fields(input, skip=frozenset({"id", "expected_version"}))
            if input.roles:
                fields["roles"] = _grants(input.roles, "/input/roles")
            data = UserUpdate.model_validate(fields)
            return lambda uow, p: people.update_user(
                uow, p, user_id, data, expected_version=input.expected_version
            )

        view, errors = await run_mutation(info, prepare)
        return UserPayload(user=User.from_view(view) if view else None, errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def create_oauth_client(
        self, info: ContextInfo, input: CreateClientInput
    ) -> ClientPayload:
        def prepare() -> Work[people.ClientWithSecret]:
            fields = set_fields(input)
            if fields.get("organisation_id") is not None:
                fields["organisation_id"] = from_global_id(
                    input.organisation_id or "", "Organisation", field="/input/organisationId"
                )
            data = ClientCreate.model_validate(fields)
            return lambda uow, p: people.create_client(uow, p, data)

        made, errors = await run_mutation(info, prepare)
        return ClientPayload(
            client=Client.from_row(made.client) if made else None,
            client_secret=made.secret if made else None,
            errors=errors,
        )

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def update_oauth_client(
        self, info: ContextInfo, input: UpdateClientInput
    ) -> ClientPayload:
        def prepare() -> Work[ClientRow]:
            client_id = from_global_id(input.id, "OAuthClient", field="/input/id")
            fields = set_fields(input, skip=frozenset({"id", "expected_version"}))
            data = ClientUpdate.model_validate(fields)
            return lambda uow, p: people.update_client(
                uow, p, client_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return ClientPayload(
            client=Client.from_row(row) if row else None, client_secret=None, errors=errors
        )

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def rotate_oauth_client_secret(
        self, info: ContextInfo, input: RotateClientSecretInput
    ) -> ClientPayload:
        def prepare() -> Work[people.ClientWithSecret]:
            client_id = from_global_id(input.id, "OAuthClient", field="/input/id")
            return lambda uow, p: people.rotate_client_secret(
                uow, p, client_id, expected_version=input.expected_version
            )

        made, errors = await run_mutation(info, prepare)
        return ClientPayload(
            client=Client.from_row(made.client) if made else None,
            client_secret=made.secret if made else None,
            errors=errors,
        )

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def create_trusted_issuer(
        self, info: ContextInfo, input: CreateTrustedIssuerInput
    ) -> TrustedIssuerPayload:
        def prepare() -> Work[TrustedIssuerRow]:
            fields = set_fields(input)
            fields["organisation_id"] = from_global_id(
                input.organisation_id, "Organisation", field="/input/organisationId"
            )
            data = TrustedIssuerCreate.model_validate(fields)
            return lambda uow, p: issuers.create_trusted_issuer(uow, p, data)

        row, errors = await run_mutation(info, prepare)
        return TrustedIssuerPayload(
            trusted_issuer=TrustedIssuer.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def update_trusted_issuer(
        self, info: ContextInfo, input: UpdateTrustedIssuerInput
    ) -> TrustedIssuerPayload:
        def prepare() -> Work[TrustedIssuerRow]:
            issuer_id = from_global_id(input.id, "TrustedIssuer", field="/input/id")
            fields = set_fields(input, skip=frozenset({"id", "expected_version"}))
            data = TrustedIssuerUpdate.model_validate(fields)
            return lambda uow, p: issuers.update_trusted_issuer(
                uow, p, issuer_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return TrustedIssuerPayload(
            trusted_issuer=TrustedIssuer.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def delete_trusted_issuer(
        self, info: ContextInfo, input: DeleteTrustedIssuerInput
    ) -> DeleteTrustedIssuerPayload:
        def prepare() -> Work[UUID]:
            issuer_id = from_global_id(input.id, "TrustedIssuer", field="/input/id")

            async def work(uow: UnitOfWork, p: Principal) -> UUID:
                await issuers.delete_trusted_issuer(
                    uow, p, issuer_id, expected_version=input.expected_version
                )
                return issuer_id

            return work

        deleted, errors = await run_mutation(info, prepare)
        return DeleteTrustedIssuerPayload(
            deleted_id=strawberry.ID(to_global_id("TrustedIssuer", deleted)) if deleted else None,
            errors=errors,
        )
