"""GraphQL queries and mutations for cycles: thin calls into domain.improvement.service."""

from __future__ import annotations

from typing import Any

import strawberry
from pydantic import ValidationError

from api.graphql.errors import UserError, from_pydantic, graphql_error, user_errors
from api.graphql.ids import from_global_id
from api.graphql.inputs import (
    CreateCycleInput,
    DeleteCycleInput,
    TransitionCycleInput,
    UpdateCycleInput,
    set_fields,
)
from api.graphql.permissions import requires
from api.graphql.resolvers import optional_id
from api.graphql.types import ContextInfo, Cycle, CycleConnection, CycleEdge, PageInfo
from domain.improvement import service
from domain.improvement.models import CycleKind, CycleStatus
from domain.improvement.schemas import (
    CycleCreate,
    CycleFilters,
    CycleTransitionCreate,
    CycleUpdate,
)
from domain.shared.errors import DomainError
from domain.shared.pagination import DEFAULT_LIMIT, encode_cursor, page_request
from domain.shared.principal import Scope


@strawberry.type
class CycleQueries:
    @strawberry.field(
        extensions=[requires(Scope.cycles_read)],
        description="One cycle, or null (with an error) if you may not see it.",
    )
    async def cycle(self, info: ContextInfo, id: strawberry.ID) -> Cycle | None:
        try:
            async with info.context.uow() as uow:
                row = await service.get_cycle(
                    uow, info.context.principal, from_global_id(id, "Cycle")
                )
        except DomainError as exc:
            raise graphql_error(exc) from exc
        return Cycle.from_row(row)

    @strawberry.field(
        extensions=[requires(Scope.cycles_read)], description="Cycles you may see, newest first."
    )
    async def cycles(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        programme_id: strawberry.ID | None = None,
        site_id: strawberry.ID | None = None,
        status: CycleStatus | None = None,
        kind: CycleKind | None = None,
        q: str | None = None,
    ) -> CycleConnection:
        try:
            filters = CycleFilters(
                programme_id=optional_id(programme_id, "Programme", "programmeId"),
                site_id=optional_id(site_id, "Site", "siteId"),
                status=status,
                kind=kind,
                q=q,
            )
            page = page_request(first, after, location="argument")
            async with info.context.uow() as uow:
                result = await service.list_cycles(uow, info.context.principal, filters, page)
        except ValidationError as exc:
            raise graphql_error(from_pydantic(exc, prefix="")) from exc
        except DomainError as exc:
            raise graphql_error(exc) from exc
        edges = [
            CycleEdge(cursor=encode_cursor(row.id), node=Cycle.from_row(row))
            for row in result.items
        ]
        return CycleConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=result.next_cursor is not None, end_cursor=result.next_cursor
            ),
        )


# Input fields holding ids of other objects, with the type each must name.
LINKS = {
    "site_id": ("Site", "siteId"),
    "ramp_id": ("Ramp", "rampId"),
    "previous_cycle_id": ("Cycle", "previousCycleId"),
}


def _parse_links(fields: dict[str, Any]) -> None:
    for name, (type_name, graphql_name) in LINKS.items():
        if fields.get(name) is not None:
            fields[name] = from_global_id(fields[name], type_name, field=f"/input/{graphql_name}")


@strawberry.type
class CreateCyclePayload:
    cycle: Cycle | None
    errors: list[UserError]


@strawberry.type
class UpdateCyclePayload:
    cycle: Cycle | None
    errors: list[UserError]


@strawberry.type
class TransitionCyclePayload:
    cycle: Cycle | None
    errors: list[UserError]


@strawberry.type
class DeleteCyclePayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


@strawberry.type
class CycleMutations:
    @strawberry.mutation(extensions=[requires(Scope.cycles_write)])
    async def create_cycle(self, info: ContextInfo, input: CreateCycleInput) -> CreateCyclePayload:
        try:
            fields = set_fields(input)
            fields["programme_id"] = from_global_id(
                input.programme_id, "Programme", field="/input/programmeId"
            )
            _parse_links(fields)
            data = CycleCreate.model_validate(fields)
            async with info.context.uow() as uow:
                row = await service.create_cycle(uow, info.context.principal, data)
        except ValidationError as exc:
            return CreateCyclePayload(cycle=None, errors=user_errors(from_pydantic(exc)))
        except DomainError as exc:
            return CreateCyclePayload(cycle=None, errors=user_errors(exc))
        return CreateCyclePayload(cycle=Cycle.from_row(row), errors=[])

    @strawberry.mutation(extensions=[requires(Scope.cycles_write)])
    async def update_cycle(self, info: ContextInfo, input: UpdateCycleInput) -> UpdateCyclePayload:
        try:
            cycle_id = from_global_id(input.id, "Cycle", field="/input/id")
            fields = set_fields(input, skip=frozenset({"id", "expected_version"}))
            _parse_links(fields)
            data = CycleUpdate.model_validate(fields)
            async with info.context.uow() as uow:
                row = await service.update_cycle(
                    uow,
                    info.context.principal,
                    cycle_id,
                    data,
                    expected_version=input.expected_version,
                )
        except ValidationError as exc:
            return UpdateCyclePayload(cycle=None, errors=user_errors(from_pydantic(exc)))
        except DomainError as exc:
            return UpdateCyclePayload(cycle=None, errors=user_errors(exc))
        return UpdateCyclePayload(cycle=Cycle.from_row(row), errors=[])

    @strawberry.mutation(
        extensions=[requires(Scope.cycles_write)],
        description="Move a cycle to its next phase, or abandon it.",
    )
    async def transition_cycle(
        self, info: ContextInfo, input: TransitionCycleInput
    ) -> TransitionCyclePayload:
        try:
            cycle_id = from_global_id(input.id, "Cycle", field="/input/id")
            data = CycleTransitionCreate(to=input.to, reason=input.reason)
            async with info.context.uow() as uow:
                row = await service.transition_cycle(
                    uow,
                    info.context.principal,
                    cycle_id,
                    data,
                    expected_version=input.expected_version,
                )
        except ValidationError as exc:
            return TransitionCyclePayload(cycle=None, errors=user_errors(from_pydantic(exc)))
        except DomainError as exc:
            return TransitionCyclePayload(cycle=None, errors=user_errors(exc))
        return TransitionCyclePayload(cycle=Cycle.from_row(row), errors=[])

    @strawberry.mutation(extensions=[requires(Scope.cycles_write)])
    async def delete_cycle(self, info: ContextInfo, input: DeleteCycleInput) -> DeleteCyclePayload:
        try:
            cycle_id = from_global_id(input.id, "Cycle", field="/input/id")
            async with info.context.uow() as uow:
                await service.delete_cycle(
                    uow, info.context.principal, cycle_id, expected_version=input.expected_version
                )
        except DomainError as exc:
            return DeleteCyclePayload(deleted_id=None, errors=user_errors(exc))
        return DeleteCyclePayload(deleted_id=input.id, errors=[])
