"""REST adapter for practice-policy feedback items: parse, call the service, serialise."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

from api import openapi_docs as docs
from api.deps import Pagination, State, UoW, expected_version, requires
from api.rest.idempotent import idempotent
from api.rest.responses import PageOf, json_response, page_response
from api.rest.v1.headers import IdempotencyKey, IfMatch, IfNoneMatch, read_response
from domain.improvement import feedback_service as service
from domain.improvement.feedback import (
    FeedbackItemCreate,
    FeedbackItemFilters,
    FeedbackItemRead,
    FeedbackItemUpdate,
    FeedbackStatus,
)
from domain.shared.principal import Principal, Scope

router = APIRouter(prefix="/v1/feedback-items", tags=["feedback items"], responses=docs.COMMON)

MOVES = (
    "The status moves raised -> acknowledged -> resolved or declined, or raised -> declined; "
    "resolving or declining needs a `response`. The server stamps `acknowledged_on`, "
    "`resolved_on` and `declined_on` when the status moves; sending them is refused."
)


@router.post(
    "",
    status_code=201,
    response_model=FeedbackItemRead,
    summary="Raise a feedback item",
    description="A new item starts as raised. " + MOVES,
    responses=docs.CREATE,
)
async def create_feedback_item(
    body: FeedbackItemCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        item = await service.create_feedback_item(uow, principal, body)
        return json_response(
            FeedbackItemRead.model_validate(item),
            status=201,
            version=item.version,
            headers={"Location": f"/v1/feedback-items/{item.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get("", response_model=PageOf[FeedbackItemRead], summary="List feedback items you may see")
async def list_feedback_items(
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_read)],
    page: Pagination,
    programme_id: UUID | None = None,
    status: FeedbackStatus | None = None,
    cycle_id: UUID | None = None,
) -> Response:
    filters = FeedbackItemFilters(programme_id=programme_id, status=status, cycle_id=cycle_id)
    result = await service.list_feedback_items(uow, principal, filters, page)
    return page_response(result, FeedbackItemRead)


@router.get(
    "/{item_id}",
    response_model=FeedbackItemRead,
    summary="Get one feedback item",
    responses=docs.READ_ONE,
)
async def get_feedback_item(
    item_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_read)],
    if_none_match: IfNoneMatch = None,
) -> Response:
    item = await service.get_feedback_item(uow, principal, item_id)
    return read_response(FeedbackItemRead.model_validate(item), item.version, if_none_match)


@router.patch(
    "/{item_id}",
    response_model=FeedbackItemRead,
    summary="Change a feedback item, or move its status",
    description=MOVES,
    responses={
        **docs.WRITE_ONE,
        409: {"model": docs.Problem, "description": "Not an allowed move from the status"},
    },
)
async def update_feedback_item(
    item_id: UUID,
    body: FeedbackItemUpdate,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(if_match)
    item = await service.update_feedback_item(
        uow, principal, item_id, body, expected_version=version
    )
    return json_response(FeedbackItemRead.model_validate(item), version=item.version)


@router.delete(
    "/{item_id}",
    status_code=204,
    summary="Delete a feedback item (soft)",
    responses=docs.WRITE_ONE,
)
async def delete_feedback_item(
    item_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    if_match: IfMatch = None,
) -> Response:
    await service.delete_feedback_item(
        uow, principal, item_id, expected_version=expected_version(if_match)
    )
    return Response(status_code=204)
