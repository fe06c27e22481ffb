"""GraphQL queries and mutations for organisations, programmes and sites: thin calls into
domain.tenancy.service."""

from __future__ import annotations

import strawberry

from api.graphql.errors import UserError
from api.graphql.ids import from_global_id
from api.graphql.inputs import set_fields
from api.graphql.permissions import requires
from api.graphql.resolvers import Work, optional_id, page_info, run_mutation, run_query
from api.graphql.tenancy_inputs import (
    AddProgrammeMemberInput,
    CreateOrganisationInput,
    CreateProgrammeInput,
    CreateSiteInput,
    DeleteOrganisationInput,
    DeleteProgrammeInput,
    DeleteSiteInput,
    RemoveProgrammeMemberInput,
    UpdateOrganisationInput,
    UpdateProgrammeInput,
    UpdateSiteInput,
)
from api.graphql.types import ContextInfo, Organisation, PageInfo, Programme, Site
from domain.shared.pagination import DEFAULT_LIMIT, Page, encode_cursor, page_request
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork
from domain.tenancy import service
from domain.tenancy.models import Organisation as OrganisationRow
from domain.tenancy.models import OrganisationKind, SiteKind
from domain.tenancy.models import Site as SiteRow
from domain.tenancy.schemas import (
    OrganisationCreate,
    OrganisationFilters,
    OrganisationUpdate,
    ProgrammeCreate,
    ProgrammeUpdate,
    ProgrammeWithMembers,
    SiteCreate,
    SiteFilters,
    SiteUpdate,
)

# Connections


@strawberry.type
class OrganisationEdge:
    cursor: str
    node: Organisation


@strawberry.type(description="A page of organisations, newest first (keyset pagination).")
class OrganisationConnection:
    edges: list[OrganisationEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[Organisation]:
        return [edge.node for edge in self.edges]


@strawberry.type
class ProgrammeEdge:
    cursor: str
    node: Programme


@strawberry.type(description="A page of programmes, newest first (keyset pagination).")
class ProgrammeConnection:
    edges: list[ProgrammeEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[Programme]:
        return [edge.node for edge in self.edges]


@strawberry.type
class SiteEdge:
    cursor: str
    node: Site


@strawberry.type(description="A page of sites, newest first (keyset pagination).")
class SiteConnection:
    edges: list[SiteEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[Site]:
        return [edge.node for edge in self.edges]


@strawberry.type
class TenancyQueries:
    @strawberry.field(
        extensions=[requires(Scope.tenancy_read)],
        description="One organisation, or null (with an error) if there is none.",
    )
    async def organisation(self, info: ContextInfo, id: strawberry.ID) -> Organisation | None:
        async def work(uow: UnitOfWork, principal: Principal) -> OrganisationRow:
            organisation_id = from_global_id(id, "Organisation")
            return await service.get_organisation(uow, principal, organisation_id)

        return Organisation.from_row(await run_query(info, work))

    @strawberry.field(
        extensions=[requires(Scope.tenancy_read)],
        description="The directory of organisations, newest first.",
    )
    async def organisations(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        kind: OrganisationKind | None = None,
    ) -> OrganisationConnection:
        async def work(uow: UnitOfWork, principal: Principal) -> Page[OrganisationRow]:
            page = page_request(first, after, location="argument")
            filters = OrganisationFilters(kind=kind)
            return await service.list_organisations(uow, principal, filters, page)

        result = await run_query(info, work)
        return OrganisationConnection(
            edges=[
                OrganisationEdge(cursor=encode_cursor(row.id), node=Organisation.from_row(row))
                for row in result.items
            ],
            page_info=page_info(result),
        )

    @strawberry.field(
        extensions=[requires(Scope.tenancy_read)],
        description="One programme, or null (with an error) if you may not see it.",
    )
    async def programme(self, info: ContextInfo, id: strawberry.ID) -> Programme | None:
        async def work(uow: UnitOfWork, principal: Principal) -> ProgrammeWithMembers:
            programme_id = from_global_id(id, "Programme")
            return await service.get_programme(uow, principal, programme_id)

        return Programme.from_row((await run_query(info, work)).programme)

    @strawberry.field(
        extensions=[requires(Scope.tenancy_read)],
        description="Programmes your organisation belongs to, newest first.",
    )
    async def programmes(
        self, info: ContextInfo, first: int = DEFAULT_LIMIT, after: str | None = None
    ) -> ProgrammeConnection:
        async def work(uow: UnitOfWork, principal: Principal) -> Page[ProgrammeWithMembers]:
            page = page_request(first, after, location="argument")
            return await service.list_programmes(uow, principal, page)

        result = await run_query(info, work)
        return ProgrammeConnection(
            edges=[
                ProgrammeEdge(
                    cursor=encode_cursor(item.programme.id),
                    node=Programme.from_row(item.programme),
                )
                for item in result.items
            ],
            page_info=page_info(result),
        )

    @strawberry.field(
        extensions=[requires(Scope.tenancy_read)],
        description="One site, or null (with an error) if you may not see it.",
    )
    async def site(self, info: ContextInfo, id: strawberry.ID) -> Site | None:
        async def work(uow: UnitOfWork, principal: Principal) -> SiteRow:
            return await service.get_site(uow, principal, from_global_id(id, "Site"))

        return Site.from_row(await run_query(info, work))

    @strawberry.field(
        extensions=[requires(Scope.tenancy_read)],
        description="Sites of your organisation and its programme partners.",
    )
    async def sites(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        organisation_id: strawberry.ID | None = None,
        parent_id: strawberry.ID | None = None,
        kind: SiteKind | None = None,
    ) -> SiteConnection:
        async def work(uow: UnitOfWork, principal: Principal) -> Page[SiteRow]:
            filters = SiteFilters(
                organisation_id=optional_id(organisation_id, "Organisation", "organisationId"),
                parent_id=optional_id(parent_id, "Site", "parentId"),
                kind=kind,
            )
            page = page_request(first, after, location="argument")
            return await service.list_sites(uow, principal, filters, page)

        result = await run_query(info, work)
        return SiteConnection(
            edges=[
                SiteEdge(cursor=encode_cursor(row.id), node=Site.from_row(row))
                for row in result.items
            ],
            page_info=page_info(result),
        )


# Mutation payloads: the changed object, or null and the reasons nothing changed.


@strawberry.type
class CreateOrganisationPayload:
    organisation: Organisation | None
    errors: list[UserError]


@strawberry.type
class UpdateOrganisationPayload:
    organisation: Organisation | None
    errors: list[UserError]


@strawberry.type
class DeleteOrganisationPayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


@strawberry.type
class CreateProgrammePayload:
    programme: Programme | None
    errors: list[UserError]


@strawberry.type
class UpdateProgrammePayload:
    programme: Programme | None
    errors: list[UserError]


@strawberry.type
class DeleteProgrammePayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


@strawberry.type
class AddProgrammeMemberPayload:
    programme: Programme | None
    errors: list[UserError]


@strawberry.type
class RemoveProgrammeMemberPayload:
    programme: Programme | None
    errors: list[UserError]


@strawberry.type
class CreateSitePayload:
    site: Site | None
    errors: list[UserError]


@strawberry.type
class UpdateSitePayload:
    site: Site | None
    errors: list[UserError]


@strawberry.type
class DeleteSitePayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


def _programme(result: ProgrammeWithMembers | None) -> Programme | None:
    return Programme.from_row(result.programme) if result else None


@strawberry.type
class TenancyMutations:
    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def create_organisation(
        self, info: ContextInfo, input: CreateOrganisationInput
    ) -> CreateOrganisationPayload:
        def prepare() -> Work[OrganisationRow]:
            data = OrganisationCreate.model_validate(set_fields(input))
            return lambda uow, p: service.create_organisation(uow, p, data)

        row, errors = await run_mutation(info, prepare)
        return CreateOrganisationPayload(
            organisation=Organisation.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def update_organisation(
        self, info: ContextInfo, input: UpdateOrganisationInput
    ) -> UpdateOrganisationPayload:
        def prepare() -> Work[OrganisationRow]:
            organisation_id = from_global_id(input.id, "Organisation", field="/input/id")
            fields = set_fields(input, skip=frozenset({"id", "expected_version"}))
            data = OrganisationUpdate.model_validate(fields)
            return lambda uow, p: service.update_organisation(
                uow, p, organisation_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return UpdateOrganisationPayload(
            organisation=Organisation.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def delete_organisation(
        self, info: ContextInfo, input: DeleteOrganisationInput
    ) -> DeleteOrganisationPayload:
        def prepare() -> Work[None]:
            organisation_id = from_global_id(input.id, "Organisation", field="/input/id")
            return lambda uow, p: service.delete_organisation(
                uow, p, organisation_id, expected_version=input.expected_version
            )

        _, errors = await run_mutation(info, prepare)
        return DeleteOrganisationPayload(deleted_id=None if errors else input.id, errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def create_programme(
        self, info: ContextInfo, input: CreateProgrammeInput
    ) -> CreateProgrammePayload:
        def prepare() -> Work[ProgrammeWithMembers]:
            fields = set_fields(input)
            fields["lead_organisation_id"] = from_global_id(
                input.lead_organisation_id, "Organisation", field="/input/leadOrganisationId"
            )
            fields["member_organisation_ids"] = [
                from_global_id(m, "Organisation", field=f"/input/memberOrganisationIds/{i}")
                for i, m in enumerate(input.member_organisation_ids)
            ]
            data = ProgrammeCreate.model_validate(fields)
            return lambda uow, p: service.create_programme(uow, p, data)

        result, errors = await run_mutation(info, prepare)
        return CreateProgrammePayload(programme=_programme(result), errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def update_programme(
        self, info: ContextInfo, input: UpdateProgrammeInput
    ) -> UpdateProgrammePayload:
        def prepare() -> Work[ProgrammeWithMembers]:
            programme_id = from_global_id(input.id, "Programme", field="/input/id")
            fields = set_fields(input, skip=frozenset({"id", "expected_version"}))
            if fields.get("lead_organisation_id") is not None:
                fields["lead_organisation_id"] = from_global_id(
                    fields["lead_organisation_id"],
                    "Organisation",
                    field="/input/leadOrganisationId",
                )
            data = ProgrammeUpdate.model_validate(fields)
            return lambda uow, p: service.update_programme(
                uow, p, programme_id, data, expected_version=input.expected_version
            )

        result, errors = await run_mutation(info, prepare)
        return UpdateProgrammePayload(programme=_programme(result), errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def delete_programme(
        self, info: ContextInfo, input: DeleteProgrammeInput
    ) -> DeleteProgrammePayload:
        def prepare() -> Work[None]:
            programme_id = from_global_id(input.id, "Programme", field="/input/id")
            return lambda uow, p: service.delete_programme(
                uow, p, programme_id, expected_version=input.expected_version
            )

        _, errors = await run_mutation(info, prepare)
        return DeleteProgrammePayload(deleted_id=None if errors else input.id, errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def add_programme_member(
        self, info: ContextInfo, input: AddProgrammeMemberInput
    ) -> AddProgrammeMemberPayload:
        def prepare() -> Work[ProgrammeWithMembers]:
            programme_id = from_global_id(
                input.programme_id, "Programme", field="/input/programmeId"
            )
            organisation_id = from_global_id(
                input.organisation_id, "Organisation", field="/input/organisationId"
            )
            return lambda uow, p: service.add_programme_member(
                uow, p, programme_id, organisation_id, expected_version=input.expected_version
            )

        result, errors = await run_mutation(info, prepare)
        return AddProgrammeMemberPayload(programme=_programme(result), errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def remove_programme_member(
        self, info: ContextInfo, input: RemoveProgrammeMemberInput
    ) -> RemoveProgrammeMemberPayload:
        def prepare() -> Work[ProgrammeWithMembers]:
            programme_id = from_global_id(
                input.programme_id, "Programme", field="/input/programmeId"
            )
            organisation_id = from_global_id(
                input.organisation_id, "Organisation", field="/input/organisationId"
            )
            return lambda uow, p: service.remove_programme_member(
                uow, p, programme_id, organisation_id, expected_version=input.expected_version
            )

        result, errors = await run_mutation(info, prepare)
        return RemoveProgrammeMemberPayload(programme=_programme(result), errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def create_site(self, info: ContextInfo, input: CreateSiteInput) -> CreateSitePayload:
        def prepare() -> Work[SiteRow]:
            fields = set_fields(input)
            fields["organisation_id"] = from_global_id(
                input.organisation_id, "Organisation", field="/input/organisationId"
            )
            fields["parent_id"] = optional_id(input.parent_id, "Site", "/input/parentId")
            data = SiteCreate.model_validate(fields)
            return lambda uow, p: service.create_site(uow, p, data)

        row, errors = await run_mutation(info, prepare)
        return CreateSitePayload(site=Site.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def update_site(self, info: ContextInfo, input: UpdateSiteInput) -> UpdateSitePayload:
        def prepare() -> Work[SiteRow]:
            site_id = from_global_id(input.id, "Site", field="/input/id")
            fields = set_fields(input, skip=frozenset({"id", "expected_version"}))
            if fields.get("parent_id") is not None:
                fields["parent_id"] = from_global_id(
                    fields["parent_id"], "Site", field="/input/parentId"
                )
            data = SiteUpdate.model_validate(fields)
            return lambda uow, p: service.update_site(
                uow, p, site_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return UpdateSitePayload(site=Site.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.admin)])
    async def delete_site(self, info: ContextInfo, input: DeleteSiteInput) -> DeleteSitePayload:
        def prepare() -> Work[None]:
            site_id = from_global_id(input.id, "Site", field="/input/id")
            return lambda uow, p: service.delete_site(
                uow, p, site_id, expected_version=input.expected_version
            )

        _, errors = await run_mutation(info, prepare)
        return DeleteSitePayload(deleted_id=None if errors else input.id, errors=errors)
