"""GraphQL input types for organisations, programmes and sites. They are turned into the
domain's Create/Update schemas, which hold the validation rules, so REST and GraphQL refuse
the same things."""

from __future__ import annotations

import strawberry

from domain.tenancy.models import OrganisationKind, SiteKind


@strawberry.input
class CreateOrganisationInput:
    name: str
    kind: OrganisationKind


@strawberry.input(description="Only the fields you send are changed.")
class UpdateOrganisationInput:
    id: strawberry.ID
    expected_version: int
    name: str | None = strawberry.UNSET
    kind: OrganisationKind | None = strawberry.UNSET


@strawberry.input
class DeleteOrganisationInput:
    id: strawberry.ID
    expected_version: int


@strawberry.input
class CreateProgrammeInput:
    name: str
    description: str = ""
    lead_organisation_id: strawberry.ID
    member_organisation_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="The lead is always a member; it is added if missing."
    )


@strawberry.input(description="Only the fields you send are changed.")
class UpdateProgrammeInput:
    id: strawberry.ID
    expected_version: int
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    lead_organisation_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input
class DeleteProgrammeInput:
    id: strawberry.ID
    expected_version: int


@strawberry.input(description="Adding a member already there changes nothing.")
class AddProgrammeMemberInput:
    programme_id: strawberry.ID
    organisation_id: strawberry.ID
    expected_version: int | None = strawberry.field(
        default=None, description="The programme's version, when you want it checked."
    )


@strawberry.input
class RemoveProgrammeMemberInput:
    programme_id: strawberry.ID
    organisation_id: strawberry.ID
    expected_version: int = strawberry.field(description="The programme's version.")


@strawberry.input
class CreateSiteInput:
    organisation_id: strawberry.ID
    parent_id: strawberry.ID | None = None
    name: str
    kind: SiteKind


@strawberry.input(description="Only the fields you send are changed; parentId null makes a root.")
class UpdateSiteInput:
    id: strawberry.ID
    expected_version: int
    parent_id: strawberry.ID | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    kind: SiteKind | None = strawberry.UNSET


@strawberry.input
class DeleteSiteInput:
    id: strawberry.ID
    expected_version: int
