"""REST adapter for communities, their members and their calendar: parse, call the domain,
serialise. Reads are public (anonymous callers see public content); writes need
content:write. What each caller sees is decided in domain.community.access."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import Pagination, State, UoW, expected_version, public, requires
from api.rest.idempotent import idempotent
from api.rest.responses import PageOf, json_response, page_response
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
from domain.community import communities as service
from domain.community import events
from domain.community.schemas import (
    CommunityCreate,
    CommunityRead,
    CommunityUpdate,
    MemberCreate,
    MemberRead,
)
from domain.shared.principal import Principal, Scope

# Anonymous callers are welcome on reads; a token, when sent, must hold content:read.
Reader = Annotated[Principal, public(Scope.content_read)]
Writer = Annotated[Principal, requires(Scope.content_write)]

router = APIRouter(prefix="/v1/communities", tags=["communities"], responses=COMMON)


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.post(
    "",
    status_code=201,
    response_model=CommunityRead,
    summary="Start a community (you become its first moderator)",
    responses=CREATE,
)
async def create_community(
    body: CommunityCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        community = await service.create_community(uow, principal, body)
        return json_response(
            CommunityRead.model_validate(community),
            status=201,
            version=community.version,
            headers={"Location": f"/v1/communities/{community.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get("", response_model=PageOf[CommunityRead], summary="Communities you may see")
async def list_communities(
    uow: UoW, principal: Reader, page: Pagination, programme_id: UUID | None = None
) -> Response:
    result = await service.list_communities(uow, principal, programme_id, page)
    return page_response(result, CommunityRead)


@router.get(
    "/{community_id}", response_model=CommunityRead, summary="One community", responses=READ_ONE
)
async def get_community(
    community_id: UUID, uow: UoW, principal: Reader, if_none_match: IfNoneMatch = None
) -> Response:
    community = await service.get_community(uow, principal, community_id)
    return read_response(CommunityRead.model_validate(community), community.version, if_none_match)


@router.patch(
    "/{community_id}",
    response_model=CommunityRead,
    summary="Change a community (its owning organisation)",
    responses=WRITE_ONE,
)
async def update_community(
    community_id: UUID,
    body: CommunityUpdate,
    uow: UoW,
    principal: Writer,
    if_match: IfMatch = None,
) -> Response:
    community = await service.update_community(
        uow, principal, community_id, body, expected_version=expected_version(if_match)
    )
    return json_response(CommunityRead.model_validate(community), version=community.version)


@router.get(
    "/{community_id}/members",
    response_model=PageOf[MemberRead],
    summary="Members and moderators",
    responses=READ_ONE,
)
async def list_members(community_id: UUID, uow: UoW, principal: Reader) -> Response:
    rows = await service.list_members(uow, principal, community_id)
    items = [MemberRead.model_validate(row) for row in rows]
    return json_response(PageOf[MemberRead](items=items, next_cursor=None))


@router.post(
    "/{community_id}/members",
    status_code=201,
    response_model=MemberRead,
    summary="Add a member or name a moderator (owners and moderators)",
    responses={**CREATE, **READ_ONE},
)
async def add_member(
    community_id: UUID,
    body: MemberCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        member = await service.add_member(uow, principal, community_id, body)
        return json_response(MemberRead.model_validate(member), status=201)

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.delete(
    "/{community_id}/members/{member_id}",
    status_code=204,
    summary="Remove a member (owners and moderators)",
    responses=READ_ONE,
)
async def remove_member(
    community_id: UUID, member_id: UUID, uow: UoW, principal: Writer
) -> Response:
    await service.remove_member(uow, principal, community_id, member_id)
    return Response(status_code=204)


@router.get(
    "/{community_id}/events.ics",
    response_class=Response,
    summary="The community's events as an iCalendar feed",
    description="Published events you may see (calendar apps send no token: public events).",
    responses={200: {"content": {"text/calendar": {}}, "description": "iCalendar"}, **READ_ONE},
)
async def community_calendar(
    community_id: UUID, request: Request, uow: UoW, principal: Reader
) -> Response:
    body = await events.calendar(uow, principal, community_id, base_url=base_url(request))
    return Response(content=body, media_type="text/calendar; charset=utf-8")
