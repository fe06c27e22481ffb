"""Organisations, programmes (partnerships of organisations) and sites (a tree of places)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.shared.ids import utcnow
from domain.shared.models import RecordFields


class OrganisationKind(StrEnum):
    local_authority = "local_authority"
    health_board = "health_board"
    school = "school"
    third_sector = "third_sector"
    national_body = "national_body"


class SiteKind(StrEnum):
    area = "area"
    locality = "locality"
    setting = "setting"


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


class Organisation(RecordFields, table=True):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint(_in("kind", OrganisationKind), name="organisation_kind"),)

    name: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=32)


class Programme(RecordFields, table=True):
    __tablename__ = "programmes"

    name: str = Field(max_length=200, unique=True)
    description: str = Field(default="", max_length=5000)
    lead_organisation_id: UUID = Field(foreign_key="organisations.id", index=True)


class ProgrammeMember(SQLModel, table=True):
    __tablename__ = "programme_members"

    programme_id: UUID = Field(foreign_key="programmes.id", primary_key=True, ondelete="CASCADE")
    organisation_id: UUID = Field(foreign_key="organisations.id", primary_key=True, index=True)
    joined_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Site(RecordFields, table=True):
    """A place: an area (e.g. Dundee), a locality within it, or a setting such as a school."""

    __tablename__ = "sites"
    __table_args__ = (
        CheckConstraint(_in("kind", SiteKind), name="site_kind"),
        # NULLS NOT DISTINCT: root sites (parent NULL) of one organisation are siblings too,
        # so two concurrent creates of the same root name cannot both succeed.
        UniqueConstraint(
            "organisation_id",
            "parent_id",
            "name",
            name="uq_sites_sibling_name",
            postgresql_nulls_not_distinct=True,
        ),
    )

    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    parent_id: UUID | None = Field(default=None, foreign_key="sites.id", index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=32)
