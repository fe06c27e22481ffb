"""GraphQL object types. Nested objects resolve through the request's DataLoaders."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry.types import Info

from api.graphql.context import Context
from api.graphql.ids import to_global_id
from domain.improvement.models import ActDecision, CycleKind, CycleStatus, Visibility
from domain.improvement.models import Cycle as CycleRow
from domain.improvement.schemas import CycleHistory
from domain.tenancy.models import Organisation as OrganisationRow
from domain.tenancy.models import OrganisationKind, SiteKind
from domain.tenancy.models import Programme as ProgrammeRow
from domain.tenancy.models import Site as SiteRow

CycleStatusEnum = strawberry.enum(CycleStatus, name="CycleStatus")
ActDecisionEnum = strawberry.enum(ActDecision, name="ActDecision")
CycleKindEnum = strawberry.enum(CycleKind, name="CycleKind")
VisibilityEnum = strawberry.enum(Visibility, name="Visibility")
OrganisationKindEnum = strawberry.enum(OrganisationKind, name="OrganisationKind")
SiteKindEnum = strawberry.enum(SiteKind, name="SiteKind")

ContextInfo = Info[Context, None]


@strawberry.interface(description="An object with a global id (Relay).")
class Node:
    id: strawberry.ID


@strawberry.type
class Organisation(Node):
    database_id: UUID
    name: str
    kind: OrganisationKind
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = strawberry.field(
        description="Send it back as expectedVersion to change the organisation."
    )

    @classmethod
    def from_row(cls, row: OrganisationRow) -> Organisation:
        return cls(
            id=strawberry.ID(to_global_id("Organisation", row.id)),
            database_id=row.id,
            name=row.name,
            kind=OrganisationKind(row.kind),
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
        )


@strawberry.type
class Programme(Node):
    database_id: UUID
    name: str
    description: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = strawberry.field(
        description="Send it back as expectedVersion to change the programme or its members."
    )
    lead_organisation_id: strawberry.Private[UUID]

    @strawberry.field
    async def lead_organisation(self, info: ContextInfo) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.lead_organisation_id)
        return Organisation.from_row(row) if row else None

    @strawberry.field(description="The member organisations, by name.")
    async def members(self, info: ContextInfo) -> list[Organisation]:
        rows = await info.context.loaders.programme_members.load(self.database_id)
        return [Organisation.from_row(row) for row in rows or []]

    @classmethod
    def from_row(cls, row: ProgrammeRow) -> Programme:
        return cls(
            id=strawberry.ID(to_global_id("Programme", row.id)),
            database_id=row.id,
            name=row.name,
            description=row.description,
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
            lead_organisation_id=row.lead_organisation_id,
        )


@strawberry.type
class Site(Node):
    database_id: UUID
    name: str
    kind: SiteKind
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = strawberry.field(
        description="Send it back as expectedVersion to change the site."
    )
    organisation_id: strawberry.Private[UUID]
    parent_id: strawberry.Private[UUID | None]

    @strawberry.field(description="The organisation that owns the site.")
    async def organisation(self, info: ContextInfo) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.organisation_id)
        return Organisation.from_row(row) if row else None

    @strawberry.field
    async def parent(
        self, info: ContextInfo
    ) -> Annotated[Site, strawberry.lazy("api.graphql.types")] | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.site.load(self.parent_id)
        return Site.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: SiteRow) -> Site:
        return cls(
            id=strawberry.ID(to_global_id("Site", row.id)),
            database_id=row.id,
            name=row.name,
            kind=SiteKind(row.kind),
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
            organisation_id=row.organisation_id,
            parent_id=row.parent_id,
        )


@strawberry.type(name="CyclePhase")
class CyclePhase:
    status: CycleStatus
    started_at: dt.datetime
    ended_at: dt.datetime | None
    seconds: float


@strawberry.type(name="CycleTransition")
class CycleTransitionType:
    from_status: CycleStatus | None
    to_status: CycleStatus
    occurred_at: dt.datetime
    reason: str
    actor: str


@strawberry.type(name="CycleHistory")
class CycleHistoryType:
    transitions: list[CycleTransitionType]
    phases: list[CyclePhase]

    @classmethod
    def from_domain(cls, history: CycleHistory) -> CycleHistoryType:
        return cls(
            transitions=[CycleTransitionType(**t.model_dump()) for t in history.transitions],
            phases=[CyclePhase(**p.model_dump()) for p in history.phases],
        )


@strawberry.type(description="A PDSA improvement cycle record.")
class Cycle(Node):
    database_id: UUID
    title: str
    status: CycleStatus
    kind: CycleKind
    visibility: Visibility
    ramp_id: UUID | None
    previous_cycle_id: UUID | None = strawberry.field(
        description="The cycle of the same ramp that this one follows."
    )
    aim: str
    change_idea: str
    questions: list[str]
    prediction: str
    plan: str
    data_collection_plan: str
    do_notes: str
    study_results: str
    study_learning: str
    act_decision: ActDecision | None
    act_notes: str
    abandon_reason: str
    participants_tested: int | None
    changes_from_previous: str
    start_date: dt.date | None
    end_date: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str
    version: int = strawberry.field(
        description="Send it back as expectedVersion to change the cycle."
    )
    organisation_id: strawberry.Private[UUID]
    programme_id: strawberry.Private[UUID]
    site_id: strawberry.Private[UUID | None]

    @strawberry.field(description="Each phase move, and the time spent in each phase.")
    async def history(self, info: ContextInfo) -> CycleHistoryType | None:
        found = await info.context.loaders.cycle_history.load(self.database_id)
        return CycleHistoryType.from_domain(found) if found else None

    @strawberry.field(description="The organisation that owns the record.")
    async def organisation(self, info: ContextInfo) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.organisation_id)
        return Organisation.from_row(row) if row else None

    @strawberry.field
    async def programme(self, info: ContextInfo) -> Programme | None:
        row = await info.context.loaders.programme.load(self.programme_id)
        return Programme.from_row(row) if row else None

    @strawberry.field
    async def site(self, info: ContextInfo) -> Site | None:
        if self.site_id is None:
            return None
        row = await info.context.loaders.site.load(self.site_id)
        return Site.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: CycleRow) -> Cycle:
        return cls(
            id=strawberry.ID(to_global_id("Cycle", row.id)),
            database_id=row.id,
            title=row.title,
            status=CycleStatus(row.status),
            kind=CycleKind(row.kind),
            visibility=Visibility(row.visibility),
            ramp_id=row.ramp_id,
            previous_cycle_id=row.previous_cycle_id,
            aim=row.aim,
            change_idea=row.change_idea,
            questions=list(row.questions),
            prediction=row.prediction,
            plan=row.plan,
            data_collection_plan=row.data_collection_plan,
            do_notes=row.do_notes,
            study_results=row.study_results,
            study_learning=row.study_learning,
            act_decision=ActDecision(row.act_decision) if row.act_decision else None,
            act_notes=row.act_notes,
            abandon_reason=row.abandon_reason,
            participants_tested=row.participants_tested,
            changes_from_previous=row.changes_from_previous,
            start_date=row.start_date,
            end_date=row.end_date,
            created_at=row.created_at,
            updated_at=row.updated_at,
            created_by=row.created_by,
            version=row.version,
            organisation_id=row.organisation_id,
            programme_id=row.programme_id,
            site_id=row.site_id,
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class CycleEdge:
    cursor: str
    node: Cycle


@strawberry.type(description="A page of cycles, newest first (keyset pagination).")
class CycleConnection:
    edges: list[CycleEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[Cycle]:
        return [edge.node for edge in self.edges]
