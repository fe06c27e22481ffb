"""REST adapter for implementation teams, their members, own checklist items and action
list."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import Response

from api import openapi_docs as docs
from api.deps import Pagination, State, UoW, expected_version, requires
from api.rest.idempotent import idempotent
from api.rest.responses import PageOf, json_response
from api.rest.v1.headers import IdempotencyKey, IfMatch, IfNoneMatch, read_response
from api.rest.v1.implementation_responses import list_response, page_of
from domain.implementation import teams as service
from domain.implementation.schemas import (
    ActionRead,
    ChecklistItemCreate,
    ChecklistItemRead,
    MemberInput,
    MemberUpdate,
    TeamCreate,
    TeamFilters,
    TeamRead,
    TeamUpdate,
)
from domain.shared.principal import Principal, Scope

router = APIRouter(prefix="/v1/teams", tags=["teams"], responses=docs.COMMON)
Reader = Annotated[Principal, requires(Scope.implementation_read)]
Writer = Annotated[Principal, requires(Scope.implementation_write)]


@router.post(
    "", status_code=201, response_model=TeamRead, summary="Create a team", responses=docs.CREATE
)
async def create_team(
    body: TeamCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        view = await service.create_team(uow, principal, body)
        return json_response(
            view.read(),
            status=201,
            version=view.team.version,
            headers={"Location": f"/v1/teams/{view.team.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get("", response_model=PageOf[TeamRead], summary="List teams you may see")
async def list_teams(
    uow: UoW,
    principal: Reader,
    page: Pagination,
    programme_id: UUID | None = None,
    user_id: UUID | None = None,
) -> Response:
    filters = TeamFilters(programme_id=programme_id, user_id=user_id)
    result = await service.list_teams(uow, principal, filters, page)
    return page_of(result, TeamRead, lambda view: view.read())


@router.get("/{team_id}", response_model=TeamRead, summary="Get one team", responses=docs.READ_ONE)
async def get_team(
    team_id: UUID, uow: UoW, principal: Reader, if_none_match: IfNoneMatch = None
) -> Response:
    view = await service.get_team(uow, principal, team_id)
    return read_response(view.read(), view.team.version, if_none_match)


@router.patch(
    "/{team_id}", response_model=TeamRead, summary="Change a team", responses=docs.WRITE_ONE
)
async def update_team(
    team_id: UUID, body: TeamUpdate, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    view = await service.update_team(
        uow, principal, team_id, body, expected_version=expected_version(if_match)
    )
    return json_response(view.read(), version=view.team.version)


@router.post(
    "/{team_id}/members",
    response_model=TeamRead,
    summary="Add a member (with the team's ETag)",
    responses=docs.WRITE_ONE,
)
async def add_member(
    team_id: UUID, body: MemberInput, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    view = await service.add_member(
        uow, principal, team_id, body, expected_version=expected_version(if_match)
    )
    return json_response(view.read(), version=view.team.version)


@router.patch(
    "/{team_id}/members/{member_id}",
    response_model=TeamRead,
    summary="Change a member; set left_on when someone leaves",
    responses=docs.WRITE_ONE,
)
async def update_member(
    team_id: UUID,
    member_id: UUID,
    body: MemberUpdate,
    uow: UoW,
    principal: Writer,
    if_match: IfMatch = None,
) -> Response:
    view = await service.update_member(
        uow, principal, team_id, member_id, body, expected_version=expected_version(if_match)
    )
    return json_response(view.read(), version=view.team.version)


@router.get(
    "/{team_id}/actions",
    response_model=list[ActionRead],
    summary="The team's action list: actions on assessment items not yet done",
    responses=docs.READ_ONE,
)
async def team_actions(team_id: UUID, uow: UoW, principal: Reader) -> Response:
    rows = await service.team_actions(uow, principal, team_id)
    return list_response([ActionRead.model_validate(r) for r in rows])


@router.post(
    "/{team_id}/checklist-items",
    status_code=201,
    response_model=ChecklistItemRead,
    summary="Add the team's own item to a checklist (the shared instrument is unchanged)",
    responses={**docs.CREATE, **docs.READ_ONE},
)
async def add_checklist_item(
    team_id: UUID,
    body: ChecklistItemCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        row = await service.add_checklist_item(uow, principal, team_id, body)
        return json_response(service.checklist_item_read(row), status=201, version=row.version)

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get(
    "/{team_id}/checklist-items",
    response_model=list[ChecklistItemRead],
    summary="The team's own checklist items",
    responses=docs.READ_ONE,
)
async def list_checklist_items(
    team_id: UUID, uow: UoW, principal: Reader, instrument_id: UUID | None = None
) -> Response:
    rows = await service.list_checklist_items(uow, principal, team_id, instrument_id)
    return list_response([service.checklist_item_read(r) for r in rows])
