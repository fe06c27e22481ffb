"""GraphQL types, queries and mutations for ramps: thin calls into
domain.improvement.ramp_service. A ramp's cycles come through a DataLoader keyed by ramp id,
so a page of ramps with their cycles costs the same few statements whatever its size."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import strawberry

from api.graphql.errors import UserError
from api.graphql.ids import from_global_id, to_global_id
from api.graphql.inputs import set_fields
from api.graphql.permissions import requires
from api.graphql.resolvers import Work, run_mutation, run_query
from api.graphql.types import ContextInfo, Cycle, Organisation, PageInfo, Programme
from domain.improvement import ramp_service as service
from domain.improvement.models import ActDecision, CycleKind, CycleStatus, Visibility
from domain.improvement.models import Cycle as CycleRow
from domain.improvement.models import Ramp as RampRow
from domain.improvement.ramp_schemas import (
    RampCreate,
    RampFilters,
    RampInOrder,
    RampStep,
    RampUpdate,
)
from domain.shared.pagination import DEFAULT_LIMIT, Page, encode_cursor, page_request
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork


@strawberry.type(description="One step of a ramp: what was tried, and what was learned.")
class RampCycle:
    id: strawberry.ID = strawberry.field(description="The cycle's global id.")
    database_id: UUID
    title: str
    status: CycleStatus
    kind: CycleKind
    start_date: dt.date | None
    end_date: dt.date | None
    act_decision: ActDecision | None
    study_learning: str = strawberry.field(description="What was learned at this step.")
    changes_from_previous: str
    participants_tested: int | None
    linked: bool = strawberry.field(
        description="False for a cycle of the ramp that is not in its chain; those come last."
    )
    row: strawberry.Private[CycleRow]

    @strawberry.field(description="The whole cycle record.")
    def cycle(self) -> Cycle:
        return Cycle.from_row(self.row)

    @classmethod
    def from_step(cls, step: RampStep) -> RampCycle:
        row = step.cycle
        return cls(
            id=strawberry.ID(to_global_id("Cycle", row.id)),
            database_id=row.id,
            title=row.title,
            status=CycleStatus(row.status),
            kind=CycleKind(row.kind),
            start_date=row.start_date,
            end_date=row.end_date,
            act_decision=ActDecision(row.act_decision) if row.act_decision else None,
            study_learning=row.study_learning,
            changes_from_previous=row.changes_from_previous,
            participants_tested=row.participants_tested,
            linked=step.linked,
            row=row,
        )


@strawberry.type(description="A ramp: a chain of cycles testing one change idea.")
class Ramp:
    id: strawberry.ID
    database_id: UUID
    title: str
    change_idea: str
    visibility: Visibility
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str
    version: int = strawberry.field(
        description="Send it back as expectedVersion to change the ramp."
    )
    organisation_id: strawberry.Private[UUID]
    programme_id: strawberry.Private[UUID]

    @strawberry.field(
        description="The ramp's cycles you may see, first to last; cycles outside the chain "
        "come last with linked: false."
    )
    async def cycles(self, info: ContextInfo) -> list[RampCycle]:
        steps = await info.context.loaders.ramp_cycles.load(self.database_id)
        return [RampCycle.from_step(step) for step in steps or []]

    @strawberry.field(description="The organisation that owns the ramp.")
    async def organisation(self, info: ContextInfo) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.organisation_id)
        return Organisation.from_row(row) if row else None

    @strawberry.field
    async def programme(self, info: ContextInfo) -> Programme | None:
        row = await info.context.loaders.programme.load(self.programme_id)
        return Programme.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: RampRow) -> Ramp:
        return cls(
            id=strawberry.ID(to_global_id("Ramp", row.id)),
            database_id=row.id,
            title=row.title,
            change_idea=row.change_idea,
            visibility=Visibility(row.visibility),
            created_at=row.created_at,
            updated_at=row.updated_at,
            created_by=row.created_by,
            version=row.version,
            organisation_id=row.organisation_id,
            programme_id=row.programme_id,
        )


@strawberry.type
class RampEdge:
    cursor: str
    node: Ramp


@strawberry.type(description="A page of ramps, newest first (keyset pagination).")
class RampConnection:
    edges: list[RampEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[Ramp]:
        return [edge.node for edge in self.edges]


@strawberry.input
class CreateRampInput:
    programme_id: strawberry.ID
    title: str
    change_idea: str = ""
    visibility: Visibility = Visibility.private


@strawberry.input(description="Only the fields you send are changed.")
class UpdateRampInput:
    id: strawberry.ID
    expected_version: int
    title: str | None = strawberry.UNSET
    change_idea: str | None = strawberry.UNSET
    visibility: Visibility | None = strawberry.UNSET


@strawberry.input
class DeleteRampInput:
    id: strawberry.ID
    expected_version: int


@strawberry.type
class CreateRampPayload:
    ramp: Ramp | None
    errors: list[UserError]


@strawberry.type
class UpdateRampPayload:
    ramp: Ramp | None
    errors: list[UserError]


@strawberry.type
class DeleteRampPayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


def _in_order(info: ContextInfo, found: RampInOrder) -> Ramp:
    """The ramp, with the cycles the use case already read handed to the loader."""
    # Forced: what this use case just read replaces anything read earlier in the request.
    info.context.loaders.ramp_cycles.prime(found.ramp.id, found.steps, force=True)
    return Ramp.from_row(found.ramp)


@strawberry.type
class RampQueries:
    @strawberry.field(
        extensions=[requires(Scope.cycles_read)],
        description="One ramp, or null (with an error) if you may not see it.",
    )
    async def ramp(self, info: ContextInfo, id: strawberry.ID) -> Ramp | None:
        async def work(uow: UnitOfWork, principal: Principal) -> RampInOrder:
            return await service.get_ramp(uow, principal, from_global_id(id, "Ramp"))

        return _in_order(info, await run_query(info, work))

    @strawberry.field(
        extensions=[requires(Scope.cycles_read)], description="Ramps you may see, newest first."
    )
    async def ramps(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        programme_id: strawberry.ID | None = None,
    ) -> RampConnection:
        async def work(uow: UnitOfWork, principal: Principal) -> Page[RampRow]:
            programme = (
                None
                if programme_id is None
                else from_global_id(programme_id, "Programme", field="programmeId")
            )
            page = page_request(first, after, location="argument")
            return await service.list_ramps(
                uow, principal, RampFilters(programme_id=programme), page
            )

        result = await run_query(info, work)
        return RampConnection(
            edges=[
                RampEdge(cursor=encode_cursor(row.id), node=Ramp.from_row(row))
                for row in result.items
            ],
            page_info=PageInfo(
                has_next_page=result.next_cursor is not None, end_cursor=result.next_cursor
            ),
        )


@strawberry.type
class RampMutations:
    @strawberry.mutation(extensions=[requires(Scope.cycles_write)])
    async def create_ramp(self, info: ContextInfo, input: CreateRampInput) -> CreateRampPayload:
        def prepare() -> Work[RampRow]:
            fields = set_fields(input)
            fields["programme_id"] = from_global_id(
                input.programme_id, "Programme", field="/input/programmeId"
            )
            data = RampCreate.model_validate(fields)
            return lambda uow, p: service.create_ramp(uow, p, data)

        row, errors = await run_mutation(info, prepare)
        ramp = _in_order(info, RampInOrder(ramp=row, steps=[])) if row else None
        return CreateRampPayload(ramp=ramp, errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.cycles_write)])
    async def update_ramp(self, info: ContextInfo, input: UpdateRampInput) -> UpdateRampPayload:
        def prepare() -> Work[RampInOrder]:
            ramp_id = from_global_id(input.id, "Ramp", field="/input/id")
            data = RampUpdate.model_validate(
                set_fields(input, skip=frozenset({"id", "expected_version"}))
            )
            return lambda uow, p: service.update_ramp(
                uow, p, ramp_id, data, expected_version=input.expected_version
            )

        found, errors = await run_mutation(info, prepare)
        return UpdateRampPayload(ramp=_in_order(info, found) if found else None, errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.cycles_write)])
    async def delete_ramp(self, info: ContextInfo, input: DeleteRampInput) -> DeleteRampPayload:
        def prepare() -> Work[None]:
            ramp_id = from_global_id(input.id, "Ramp", field="/input/id")
            return lambda uow, p: service.delete_ramp(
                uow, p, ramp_id, expected_version=input.expected_version
            )

        _, errors = await run_mutation(info, prepare)
        return DeleteRampPayload(deleted_id=None if errors else input.id, errors=errors)
