"""GraphQL types, queries and mutations for practice-policy feedback items: thin calls into
domain.improvement.feedback_service."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import strawberry

from api.graphql.errors import UserError
from api.graphql.ids import from_global_id, to_global_id
from api.graphql.inputs import set_fields
from api.graphql.permissions import requires
from api.graphql.resolvers import Work, run_mutation, run_query
from api.graphql.types import ContextInfo, Cycle, Organisation, PageInfo, Programme
from domain.improvement import feedback_service as service
from domain.improvement.feedback import FeedbackItem as FeedbackItemRow
from domain.improvement.feedback import (
    FeedbackItemCreate,
    FeedbackItemFilters,
    FeedbackItemUpdate,
    FeedbackStatus,
)
from domain.improvement.models import Visibility
from domain.shared.pagination import DEFAULT_LIMIT, Page, encode_cursor, page_request
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork

FeedbackStatusEnum = strawberry.enum(FeedbackStatus, name="FeedbackStatus")


@strawberry.type(
    description="A barrier met in frontline practice, sent up to a leadership team, and the "
    "response sent back down."
)
class FeedbackItem:
    id: strawberry.ID
    database_id: UUID
    visibility: Visibility
    cycle_id: UUID | None
    barrier: str
    raised_by: str = strawberry.field(description="Who raised it: a role or team.")
    raised_on: dt.date
    leadership_team: str = strawberry.field(description="The team it was sent up to.")
    response: str
    status: FeedbackStatus
    acknowledged_on: dt.date | None
    resolved_on: dt.date | None
    declined_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str
    version: int = strawberry.field(
        description="Send it back as expectedVersion to change the item."
    )
    organisation_id: strawberry.Private[UUID]
    programme_id: strawberry.Private[UUID]

    @strawberry.field(description="The cycle the barrier came up in, if you may see it.")
    async def cycle(self, info: ContextInfo) -> Cycle | None:
        if self.cycle_id is None:
            return None
        row = await info.context.loaders.cycle.load(self.cycle_id)
        return Cycle.from_row(row) if row else None

    @strawberry.field(description="The organisation that owns the item.")
    async def organisation(self, info: ContextInfo) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.organisation_id)
        return Organisation.from_row(row) if row else None

    @strawberry.field
    async def programme(self, info: ContextInfo) -> Programme | None:
        row = await info.context.loaders.programme.load(self.programme_id)
        return Programme.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: FeedbackItemRow) -> FeedbackItem:
        return cls(
            id=strawberry.ID(to_global_id("FeedbackItem", row.id)),
            database_id=row.id,
            visibility=Visibility(row.visibility),
            cycle_id=row.cycle_id,
            barrier=row.barrier,
            raised_by=row.raised_by,
            raised_on=row.raised_on,
            leadership_team=row.leadership_team,
            response=row.response,
            status=FeedbackStatus(row.status),
            acknowledged_on=row.acknowledged_on,
            resolved_on=row.resolved_on,
            declined_on=row.declined_on,
            created_at=row.created_at,
            updated_at=row.updated_at,
            created_by=row.created_by,
            version=row.version,
            organisation_id=row.organisation_id,
            programme_id=row.programme_id,
        )


@strawberry.type
class FeedbackItemEdge:
    cursor: str
    node: FeedbackItem


@strawberry.type(description="A page of feedback items, newest first (keyset pagination).")
class FeedbackItemConnection:
    edges: list[FeedbackItemEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[FeedbackItem]:
        return [edge.node for edge in self.edges]


@strawberry.input(description="A new item starts as raised.")
class CreateFeedbackItemInput:
    programme_id: strawberry.ID
    visibility: Visibility = Visibility.private
    cycle_id: strawberry.ID | None = None
    barrier: str
    raised_by: str = ""
    raised_on: dt.date | None = strawberry.field(default=None, description="Today when left out.")
    leadership_team: str = ""
    response: str = ""


@strawberry.input(
    description="Only the fields you send are changed; null clears cycleId. The status moves "
    "raised -> acknowledged -> resolved or declined, or raised -> declined; resolving or "
    "declining needs a response. The dates of the moves are stamped by the server."
)
class UpdateFeedbackItemInput:
    id: strawberry.ID
    expected_version: int
    visibility: Visibility | None = strawberry.UNSET
    cycle_id: strawberry.ID | None = strawberry.UNSET
    barrier: str | None = strawberry.UNSET
    raised_by: str | None = strawberry.UNSET
    raised_on: dt.date | None = strawberry.UNSET
    leadership_team: str | None = strawberry.UNSET
    response: str | None = strawberry.UNSET
    status: FeedbackStatus | None = strawberry.UNSET


@strawberry.input
class DeleteFeedbackItemInput:
    id: strawberry.ID
    expected_version: int


@strawberry.type
class CreateFeedbackItemPayload:
    feedback_item: FeedbackItem | None
    errors: list[UserError]


@strawberry.type
class UpdateFeedbackItemPayload:
    feedback_item: FeedbackItem | None
    errors: list[UserError]


@strawberry.type
class DeleteFeedbackItemPayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


def _cycle_link(fields: dict[str, Any]) -> None:
    if fields.get("cycle_id") is not None:
        fields["cycle_id"] = from_global_id(fields["cycle_id"], "Cycle", field="/input/cycleId")


def _item(row: FeedbackItemRow | None) -> FeedbackItem | None:
    return FeedbackItem.from_row(row) if row else None


@strawberry.type
class FeedbackQueries:
    @strawberry.field(
        extensions=[requires(Scope.cycles_read)],
        description="One feedback item, or null (with an error) if you may not see it.",
    )
    async def feedback_item(self, info: ContextInfo, id: strawberry.ID) -> FeedbackItem | None:
        async def work(uow: UnitOfWork, principal: Principal) -> FeedbackItemRow:
            return await service.get_feedback_item(
                uow, principal, from_global_id(id, "FeedbackItem")
            )

        return FeedbackItem.from_row(await run_query(info, work))

    @strawberry.field(
        extensions=[requires(Scope.cycles_read)],
        description="Feedback items you may see, newest first.",
    )
    async def feedback_items(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        programme_id: strawberry.ID | None = None,
        status: FeedbackStatus | None = None,
        cycle_id: strawberry.ID | None = None,
    ) -> FeedbackItemConnection:
        async def work(uow: UnitOfWork, principal: Principal) -> Page[FeedbackItemRow]:
            filters = FeedbackItemFilters(
                programme_id=None
                if programme_id is None
                else from_global_id(programme_id, "Programme", field="programmeId"),
                status=status,
                cycle_id=None
                if cycle_id is None
                else from_global_id(cycle_id, "Cycle", field="cycleId"),
            )
            page = page_request(first, after, location="argument")
            return await service.list_feedback_items(uow, principal, filters, page)

        result = await run_query(info, work)
        return FeedbackItemConnection(
            edges=[
                FeedbackItemEdge(cursor=encode_cursor(row.id), node=FeedbackItem.from_row(row))
                for row in result.items
            ],
            page_info=PageInfo(
                has_next_page=result.next_cursor is not None, end_cursor=result.next_cursor
            ),
        )


@strawberry.type
class FeedbackMutations:
    @strawberry.mutation(extensions=[requires(Scope.cycles_write)])
    async def create_feedback_item(
        self, info: ContextInfo, input: CreateFeedbackItemInput
    ) -> CreateFeedbackItemPayload:
        def prepare() -> Work[FeedbackItemRow]:
            fields = set_fields(input)
            fields["programme_id"] = from_global_id(
                input.programme_id, "Programme", field="/input/programmeId"
            )
            _cycle_link(fields)
            data = FeedbackItemCreate.model_validate(fields)
            return lambda uow, p: service.create_feedback_item(uow, p, data)

        row, errors = await run_mutation(info, prepare)
        return CreateFeedbackItemPayload(feedback_item=_item(row), errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.cycles_write)])
    async def update_feedback_item(
        self, info: ContextInfo, input: UpdateFeedbackItemInput
    ) -> UpdateFeedbackItemPayload:
        def prepare() -> Work[FeedbackItemRow]:
            item_id = from_global_id(input.id, "FeedbackItem", field="/input/id")
            fields = set_fields(input, skip=frozenset({"id", "expected_version"}))
            _cycle_link(fields)
            data = FeedbackItemUpdate.model_validate(fields)
            return lambda uow, p: service.update_feedback_item(
                uow, p, item_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return UpdateFeedbackItemPayload(feedback_item=_item(row), errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.cycles_write)])
    async def delete_feedback_item(
        self, info: ContextInfo, input: DeleteFeedbackItemInput
    ) -> DeleteFeedbackItemPayload:
        def prepare() -> Work[None]:
            item_id = from_global_id(input.id, "FeedbackItem", field="/input/id")
            return lambda uow, p: service.delete_feedback_item(
                uow, p, item_id, expected_version=input.expected_version
            )

        _, errors = await run_mutation(info, prepare)
        return DeleteFeedbackItemPayload(deleted_id=None if errors else input.id, errors=errors)
