"""REST adapter for implementations, their stage transitions and adaptations, and a
programme's stage summary."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api import openapi_docs as docs
from api.deps import Pagination, State, UoW, expected_version, requires
from api.rest.idempotent import idempotent
from api.rest.responses import PageOf, json_response
from api.rest.v1.headers import IdempotencyKey, IfMatch, IfNoneMatch, read_response
from api.rest.v1.implementation_responses import list_response, page_of
from domain.implementation import implementations as service
from domain.implementation.implementations import ImplementationView
from domain.implementation.models import Stage
from domain.implementation.schemas import (
    AdaptationCreate,
    AdaptationRead,
    ImplementationCreate,
    ImplementationFilters,
    ImplementationRead,
    ImplementationUpdate,
    StageOnDate,
    StageSummary,
    StageTransitionCreate,
    TimelineRead,
)
from domain.shared.principal import Principal, Scope

router = APIRouter(tags=["implementations"], responses=docs.COMMON)
Reader = Annotated[Principal, requires(Scope.implementation_read)]
Writer = Annotated[Principal, requires(Scope.implementation_write)]


def _read(view: ImplementationView) -> ImplementationRead:
    return view.read()


@router.post(
    "/v1/implementations",
    status_code=201,
    response_model=ImplementationRead,
    summary="Start an implementation: one innovation at one site, led by one team",
    description="Its first stage (exploration unless `stage` says otherwise) takes effect "
    "on `started_on`.",
    responses=docs.CREATE,
)
async def create_implementation(
    body: ImplementationCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        view = await service.create_implementation(uow, principal, body)
        return json_response(
            view.read(),
            status=201,
            version=view.implementation.version,
            headers={"Location": f"/v1/implementations/{view.implementation.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get(
    "/v1/implementations",
    response_model=PageOf[ImplementationRead],
    summary="List implementations you may see",
)
async def list_implementations(
    uow: UoW,
    principal: Reader,
    page: Pagination,
    programme_id: UUID | None = None,
    site_id: UUID | None = None,
    innovation_id: UUID | None = None,
    team_id: UUID | None = None,
    stage: Annotated[Stage | None, Query(description="Current stage")] = None,
) -> Response:
    filters = ImplementationFilters(
        programme_id=programme_id,
        site_id=site_id,
        innovation_id=innovation_id,
        team_id=team_id,
        stage=stage,
    )
    result = await service.list_implementations(uow, principal, filters, page)
    return page_of(result, ImplementationRead, _read)


@router.get(
    "/v1/implementations/{implementation_id}",
    response_model=ImplementationRead,
    summary="Get one implementation with its current stage",
    responses=docs.READ_ONE,
)
async def get_implementation(
    implementation_id: UUID, uow: UoW, principal: Reader, if_none_match: IfNoneMatch = None
) -> Response:
    view = await service.get_implementation(uow, principal, implementation_id)
    return read_response(view.read(), view.implementation.version, if_none_match)


@router.patch(
    "/v1/implementations/{implementation_id}",
    response_model=ImplementationRead,
    summary="Change an implementation (the stage changes only by a transition)",
    responses=docs.WRITE_ONE,
)
async def update_implementation(
    implementation_id: UUID,
    body: ImplementationUpdate,
    uow: UoW,
    principal: Writer,
    if_match: IfMatch = None,
) -> Response:
    view = await service.update_implementation(
        uow, principal, implementation_id, body, expected_version=expected_version(if_match)
    )
    return json_response(view.read(), version=view.implementation.version)


@router.post(
    "/v1/implementations/{implementation_id}/transitions",
    response_model=ImplementationRead,
    summary="Move an implementation to another stage",
    description="Append-only. Moving back needs `rationale`; skipping forward over a stage "
    "needs `skip_reason`; `effective_on` may not be before the previous transition. "
    "`evidence` links cycles and assessments you may see, or community resources.",
    responses=docs.WRITE_ONE,
)
async def transition_implementation(
    implementation_id: UUID,
    body: StageTransitionCreate,
    uow: UoW,
    principal: Writer,
    if_match: IfMatch = None,
) -> Response:
    view = await service.transition_implementation(
        uow, principal, implementation_id, body, expected_version=expected_version(if_match)
    )
    return json_response(view.read(), version=view.implementation.version)


@router.get(
    "/v1/implementations/{implementation_id}/timeline",
    response_model=TimelineRead,
    summary="Every transition and the time spent in each stage",
    responses=docs.READ_ONE,
)
async def timeline(implementation_id: UUID, uow: UoW, principal: Reader) -> Response:
    return json_response(await service.timeline(uow, principal, implementation_id))


@router.get(
    "/v1/implementations/{implementation_id}/stage",
    response_model=StageOnDate,
    summary="The stage on a date (null before the implementation began)",
    responses=docs.READ_ONE,
)
async def stage_as_of(
    implementation_id: UUID,
    uow: UoW,
    principal: Reader,
    as_of: Annotated[date, Query(description="The day to ask about")],
) -> Response:
    return json_response(await service.stage_as_of(uow, principal, implementation_id, as_of))


@router.post(
    "/v1/implementations/{implementation_id}/adaptations",
    status_code=201,
    response_model=AdaptationRead,
    summary="Record how this site adapts an adaptable core component",
    description="Adapting a fixed component is refused (422).",
    responses=docs.WRITE_ONE,
)
async def add_adaptation(
    implementation_id: UUID,
    body: AdaptationCreate,
    uow: UoW,
    principal: Writer,
    if_match: IfMatch = None,
) -> Response:
    row = await service.add_adaptation(
        uow, principal, implementation_id, body, expected_version=expected_version(if_match)
    )
    return json_response(AdaptationRead.model_validate(row), status=201, version=row.version)


@router.get(
    "/v1/implementations/{implementation_id}/adaptations",
    response_model=list[AdaptationRead],
    summary="This site's adaptations of adaptable components",
    responses=docs.READ_ONE,
)
async def list_adaptations(implementation_id: UUID, uow: UoW, principal: Reader) -> Response:
    rows = await service.list_adaptations(uow, principal, implementation_id)
    return list_response([AdaptationRead.model_validate(r) for r in rows])


@router.get(
    "/v1/programmes/{programme_id}/stage-summary",
    response_model=StageSummary,
    summary="Per site and per innovation: implementations in each stage, median days in it",
    responses=docs.READ_ONE,
)
async def stage_summary(
    programme_id: UUID,
    uow: UoW,
    principal: Reader,
    as_of: Annotated[date | None, Query(description="Default today")] = None,
) -> Response:
    return json_response(await service.stage_summary(uow, principal, programme_id, as_of))
