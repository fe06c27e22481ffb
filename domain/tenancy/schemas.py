"""What callers send and get back for organisations, programmes and sites."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, Field, model_validator

from domain.shared.schemas import InputModel, ReadModel, ShortText, Text
from domain.tenancy.models import OrganisationKind, Programme, SiteKind

MAX_MEMBERS_ON_CREATE = 200


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Name = Annotated[ShortText, AfterValidator(_not_blank)]
Description = Annotated[Text, Field(max_length=5000)]


# Organisations


class OrganisationCreate(InputModel):
    name: Name
    kind: OrganisationKind


class OrganisationUpdate(InputModel):
    """Every field optional; only the fields sent are changed."""

    name: Name | None = None
    kind: OrganisationKind | None = None


class OrganisationRead(ReadModel):
    id: UUID
    name: str
    kind: OrganisationKind
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class OrganisationFilters(InputModel):
    kind: OrganisationKind | None = None


# Programmes


class ProgrammeCreate(InputModel):
    name: Name
    description: Description = ""
    lead_organisation_id: UUID
    # The lead is always a member; it is added if not listed.
    member_organisation_ids: list[UUID] = Field(
        default_factory=list, max_length=MAX_MEMBERS_ON_CREATE
    )


class ProgrammeUpdate(InputModel):
    """Every field optional; only the fields sent are changed. Members change through
    their own endpoints (PUT/DELETE /v1/programmes/{id}/members/{organisation_id})."""

    name: Name | None = None
    description: Description | None = None
    lead_organisation_id: UUID | None = None


@dataclass(frozen=True)
class ProgrammeWithMembers:
    """A programme and the ids of its member organisations: what programme use cases return.
    Membership is part of the programme's state, so changing it bumps the programme version."""

    programme: Programme
    member_organisation_ids: list[UUID]


class ProgrammeRead(ReadModel):
    id: UUID
    name: str
    description: str
    lead_organisation_id: UUID
    member_organisation_ids: list[UUID]
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, data: Any) -> Any:
        if isinstance(data, ProgrammeWithMembers):
            return {
                **data.programme.model_dump(),
                "member_organisation_ids": data.member_organisation_ids,
            }
        return data


class ProgrammeMemberRead(ReadModel):
    organisation_id: UUID
    name: str
    kind: OrganisationKind
    joined_at: datetime


# Sites


class SiteCreate(InputModel):
    organisation_id: UUID  # the owning organisation: a platform admin places the site
    parent_id: UUID | None = None
    name: Name
    kind: SiteKind


class SiteUpdate(InputModel):
    """Every field optional; only the fields sent are changed. `parent_id: null` makes the
    site a root. The owning organisation cannot change."""

    parent_id: UUID | None = None
    name: Name | None = None
    kind: SiteKind | None = None


class SiteRead(ReadModel):
    id: UUID
    organisation_id: UUID
    parent_id: UUID | None
    name: str
    kind: SiteKind
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class SiteFilters(InputModel):
    organisation_id: UUID | None = None
    parent_id: UUID | None = None
    kind: SiteKind | None = None
