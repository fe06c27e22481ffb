"""REST adapter for assessments: scores, consensus votes, submission, results, the series
over time, and actions on items not in place."""

from __future__ import annotations

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
from domain.implementation import assessments as service
from domain.implementation.models import AssessmentStatus
from domain.implementation.schemas import (
    ActionCreate,
    ActionRead,
    ActionUpdate,
    AssessmentCreate,
    AssessmentFilters,
    AssessmentRead,
    AssessmentResult,
    AssessmentSeries,
    AssessmentUpdate,
    ScoresInput,
    VotesInput,
)
from domain.shared.principal import Principal, Scope

router = APIRouter(tags=["assessments"], responses=docs.COMMON)
Reader = Annotated[Principal, requires(Scope.implementation_read)]
Writer = Annotated[Principal, requires(Scope.implementation_write)]
READ_ONLY: docs.Responses = {
    409: {"model": docs.Problem, "description": "The assessment is submitted"}
}


@router.post(
    "/v1/assessments",
    status_code=201,
    response_model=AssessmentRead,
    summary="Start an assessment (a draft)",
    description="Give `instrument_id`, or `profile_version_id` to assess a practitioner's "
    "fidelity against a published practice profile's core components.",
    responses=docs.CREATE,
)
async def create_assessment(
    body: AssessmentCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        view = await service.create_assessment(uow, principal, body)
        return json_response(
            view.read(),
            status=201,
            version=view.assessment.version,
            headers={"Location": f"/v1/assessments/{view.assessment.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get("/v1/assessments", response_model=PageOf[AssessmentRead], summary="List assessments")
async def list_assessments(
    uow: UoW,
    principal: Reader,
    page: Pagination,
    programme_id: UUID | None = None,
    instrument_id: UUID | None = None,
    subject_id: UUID | None = None,
    team_id: UUID | None = None,
    status: AssessmentStatus | None = None,
) -> Response:
    filters = AssessmentFilters(
        programme_id=programme_id,
        instrument_id=instrument_id,
        subject_id=subject_id,
        team_id=team_id,
        status=status,
    )
    result = await service.list_assessments(uow, principal, filters, page)
    return page_of(result, AssessmentRead, lambda view: view.read())


@router.get(
    "/v1/assessments/series",
    response_model=AssessmentSeries,
    summary="Submitted assessments of one subject with one instrument over time (for charts)",
    responses=docs.READ_ONE,
)
async def assessment_series(
    uow: UoW,
    principal: Reader,
    instrument_id: Annotated[UUID, Query()],
    subject_id: Annotated[UUID, Query()],
) -> Response:
    return json_response(await service.assessment_series(uow, principal, instrument_id, subject_id))


@router.get(
    "/v1/assessments/{assessment_id}",
    response_model=AssessmentRead,
    summary="One assessment with its item scores",
    responses=docs.READ_ONE,
)
async def get_assessment(
    assessment_id: UUID, uow: UoW, principal: Reader, if_none_match: IfNoneMatch = None
) -> Response:
    view = await service.get_assessment(uow, principal, assessment_id)
    return read_response(view.read(), view.assessment.version, if_none_match)


@router.patch(
    "/v1/assessments/{assessment_id}",
    response_model=AssessmentRead,
    summary="Change a draft assessment",
    responses={**docs.WRITE_ONE, **READ_ONLY},
)
async def update_assessment(
    assessment_id: UUID,
    body: AssessmentUpdate,
    uow: UoW,
    principal: Writer,
    if_match: IfMatch = None,
) -> Response:
    view = await service.update_assessment(
        uow, principal, assessment_id, body, expected_version=expected_version(if_match)
    )
    return json_response(view.read(), version=view.assessment.version)


@router.put(
    "/v1/assessments/{assessment_id}/scores",
    response_model=AssessmentRead,
    summary="Record item scores and notes (null clears a score)",
    description="Only the items given change. For consensus instruments this is the agreed "
    "score. The team's own checklist items are scored by their `local:<id>` key.",
    responses={**docs.WRITE_ONE, **READ_ONLY},
)
async def set_scores(
    assessment_id: UUID,
    body: ScoresInput,
    uow: UoW,
    principal: Writer,
    if_match: IfMatch = None,
) -> Response:
    view = await service.set_scores(
        uow, principal, assessment_id, body, expected_version=expected_version(if_match)
    )
    return json_response(view.read(), version=view.assessment.version)


@router.put(
    "/v1/assessments/{assessment_id}/votes",
    response_model=AssessmentRead,
    summary="Record participants' votes (consensus instruments)",
    responses={**docs.WRITE_ONE, **READ_ONLY},
)
async def set_votes(
    assessment_id: UUID,
    body: VotesInput,
    uow: UoW,
    principal: Writer,
    if_match: IfMatch = None,
) -> Response:
    view = await service.set_votes(
        uow, principal, assessment_id, body, expected_version=expected_version(if_match)
    )
    return json_response(view.read(), version=view.assessment.version)


@router.post(
    "/v1/assessments/{assessment_id}/submit",
    response_model=AssessmentRead,
    summary="Submit an assessment; from then on it is read-only",
    responses={**docs.WRITE_ONE, **READ_ONLY},
)
async def submit_assessment(
    assessment_id: UUID, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    view = await service.submit_assessment(
        uow, principal, assessment_id, expected_version=expected_version(if_match)
    )
    return json_response(view.read(), version=view.assessment.version)


@router.get(
    "/v1/assessments/{assessment_id}/result",
    response_model=AssessmentResult,
    summary="Scores per section, driver group and overall, with the change since last time",
    description="Percentages of the maximum over the scored items; unscored items are listed "
    "apart and never counted as zero. `spread` shows consensus votes far apart.",
    responses=docs.READ_ONE,
)
async def assessment_result(assessment_id: UUID, uow: UoW, principal: Reader) -> Response:
    return json_response(await service.assessment_result(uow, principal, assessment_id))


@router.post(
    "/v1/assessments/{assessment_id}/actions",
    status_code=201,
    response_model=ActionRead,
    summary="An action on an item not in place: what, who, by when",
    responses={**docs.CREATE, **docs.READ_ONE},
)
async def create_action(
    assessment_id: UUID,
    body: ActionCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        row = await service.create_action(uow, principal, assessment_id, body)
        return json_response(
            ActionRead.model_validate(row),
            status=201,
            version=row.version,
            headers={"Location": f"/v1/actions/{row.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get(
    "/v1/assessments/{assessment_id}/actions",
    response_model=list[ActionRead],
    summary="The actions of one assessment, done or not",
    responses=docs.READ_ONE,
)
async def list_actions(assessment_id: UUID, uow: UoW, principal: Reader) -> Response:
    rows = await service.list_actions(uow, principal, assessment_id)
    return list_response([ActionRead.model_validate(r) for r in rows])


@router.patch(
    "/v1/actions/{action_id}",
    response_model=ActionRead,
    summary="Change an action; done_on takes it off the team's action list",
    responses=docs.WRITE_ONE,
)
async def update_action(
    action_id: UUID, body: ActionUpdate, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    row = await service.update_action(
        uow, principal, action_id, body, expected_version=expected_version(if_match)
    )
    return json_response(ActionRead.model_validate(row), version=row.version)
