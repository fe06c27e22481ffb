"""REST adapter for events (community-of-practice sessions) and their attendance."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import State, UoW, expected_version
from api.rest.idempotent import idempotent
from api.rest.responses import PageOf, json_response, page_response
from api.rest.v1.communities import Reader, Writer
from api.rest.v1.headers import (
    COMMON,
    CREATE,
    READ_ONE,
    WRITE_ONE,
    IdempotencyKey,
    IfMatch,
    IfNoneMatch,
    read_response,
)
from domain.community import events as service
from domain.community.schemas import (
    AttendanceSet,
    AttendanceSummary,
    EventCreate,
    EventRead,
    EventUpdate,
)
from domain.shared.pagination import MAX_LIMIT

router = APIRouter(prefix="/v1/events", tags=["events"], responses=COMMON)


@router.post(
    "",
    status_code=201,
    response_model=EventRead,
    summary="Add a community-of-practice session to a community",
    responses=CREATE,
)
async def create_event(
    body: EventCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        event = await service.create_event(uow, principal, body)
        return json_response(
            EventRead.model_validate(event),
            status=201,
            version=event.version,
            headers={"Location": f"/v1/events/{event.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get(
    "",
    response_model=PageOf[EventRead],
    summary="Events you may see: upcoming soonest first, past latest first",
)
async def list_events(
    uow: UoW,
    principal: Reader,
    community_id: UUID | None = None,
    when: Annotated[
        Literal["upcoming", "past"] | None,
        Query(description="upcoming: not yet over; past: over. Neither: all, latest first."),
    ] = None,
    limit: Annotated[int | None, Query(description=f"Page size, 1 to {MAX_LIMIT}.")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor from the previous page.")] = None,
) -> Response:
    result = await service.list_events(
        uow, principal, community_id=community_id, when=when, limit=limit, cursor=cursor
    )
    return page_response(result, EventRead)


@router.get("/{event_id}", response_model=EventRead, summary="One event", responses=READ_ONE)
async def get_event(
    event_id: UUID, uow: UoW, principal: Reader, if_none_match: IfNoneMatch = None
) -> Response:
    event = await service.get_event(uow, principal, event_id)
    return read_response(EventRead.model_validate(event), event.version, if_none_match)


@router.patch(
    "/{event_id}",
    response_model=EventRead,
    summary="Change an event: notes, key learning and the recording after it",
    responses=WRITE_ONE,
)
async def update_event(
    event_id: UUID, body: EventUpdate, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    event = await service.update_event(
        uow, principal, event_id, body, expected_version=expected_version(if_match)
    )
    return json_response(EventRead.model_validate(event), version=event.version)


@router.get(
    "/{event_id}/attendance",
    response_model=AttendanceSummary,
    summary="Attendance per organisation",
    responses=READ_ONE,
)
async def get_attendance(event_id: UUID, uow: UoW, principal: Reader) -> Response:
    return json_response(await service.get_attendance(uow, principal, event_id))


@router.put(
    "/{event_id}/attendance",
    response_model=AttendanceSummary,
    summary="Replace the attendance counts (If-Match: the event's ETag)",
    responses=WRITE_ONE,
)
async def set_attendance(
    event_id: UUID, body: AttendanceSet, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    summary = await service.set_attendance(
        uow, principal, event_id, body, expected_version=expected_version(if_match)
    )
    return json_response(summary)
