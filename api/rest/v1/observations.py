"""REST adapter for observations from the field: parse, call the service, serialise.

Bodies are taken as plain JSON objects and checked item by item in the domain, so a batch
answers for every item (pointers like `/items/3/observed_at`) instead of failing whole.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from api import openapi_docs as docs
from api.deps import Pagination, State, UoW, expected_version, requires
from api.errors import status_for
from api.problems import problem, problem_body
from api.rest.idempotent import idempotent
from api.rest.responses import PageOf, etag, json_response, page_response
from api.rest.v1.headers import IdempotencyKey, IfMatch, IfNoneMatch, read_response
from domain.observations import service
from domain.observations.models import ObservationKind
from domain.observations.rules import MAX_BATCH
from domain.observations.schemas import (
    ObservationBatch,
    ObservationFilters,
    ObservationRead,
    ObservationUpdate,
    SubmitOutcome,
)
from domain.shared.errors import DomainError, FieldError
from domain.shared.principal import Principal, Scope

router = APIRouter(prefix="/v1/observations", tags=["observations"], responses=docs.COMMON)

Writer = Annotated[Principal, requires(Scope.observations_write)]

EXAMPLE = {
    "id": "0192f0c4-8a6e-7c3e-9b1d-3f5a2c7e9d10",
    "kind": "general",
    "observed_at": "2026-11-20T10:15:00+00:00",
    "programme_id": "0192f0c4-0000-7000-8000-000000000001",
    "text": "Buddy pairs met at break; two pairs needed prompting.",
    "tags": ["buddy-support"],
    "location_label": "Longhaugh Primary",
}
SUBMIT_DOC = (
    "One observation: `kind` is cycle_note (with cycle_id), data_point (measure_id, period, "
    "value and/or numerator and denominator), fidelity (profile_version_id, ratings of "
    "core components: expected, developmental, unacceptable or not_observed) or general "
    "(programme_id). All take id (made on the device), observed_at, text, tags and "
    "location_label."
)


class ItemProblem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    errors: list[docs.FieldProblem] | None = None


class BatchItemResult(BaseModel):
    index: int
    id: UUID | None
    status: SubmitOutcome
    observation: ObservationRead | None = Field(
        description="The stored record for a duplicate, or your own differing record for a "
        "conflict; null when created (stored exactly as sent) or rejected."
    )
    problem: dict[str, Any] | None = Field(
        description="RFC 9457 problem for a rejected or conflicting item; pointers start "
        "with /items/{index}."
    )


class BatchResponse(BaseModel):
    results: list[BatchItemResult]
    counts: dict[str, int]


def _problem_json(error: DomainError, prefix: str) -> dict[str, Any]:
    errors: list[FieldError] = list(getattr(error, "errors", []) or [])
    prefixed = [FieldError(prefix + e.pointer, e.message, e.code, e.location) for e in errors]
    extra: dict[str, Any] = {}
    scope = getattr(error, "scope", None)
    if scope is not None:
        extra["scope"] = scope
    return problem_body(status_for(error), error.code, error.title, error.detail, prefixed, **extra)


@router.post(
    "",
    status_code=201,
    response_model=ObservationRead,
    summary="Submit one observation",
    description=SUBMIT_DOC + " 201: stored. 200: the same id with the same content was "
    "stored before (nothing written; the stored record). 409: the same id with other "
    "content. 404: the cycle, measure or profile version is not one you may see.",
    responses={
        **docs.CREATE,
        200: {"model": ObservationRead, "description": "A resend: already stored"},
        404: {"model": docs.Problem, "description": "The subject is not one you may see"},
        409: {"model": docs.Problem, "description": "The same id with other content"},
    },
)
async def submit_observation(
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    body: Annotated[dict[str, Any], Body(description=SUBMIT_DOC, examples=[EXAMPLE])],
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        result = await service.submit_observation(
            uow,
            principal,
            body,
            clock_skew_seconds=state.settings.observation_clock_skew_seconds,
        )
        created = result.outcome is SubmitOutcome.created
        row = result.observation
        if row is None:  # a resend of an observation deleted since
            return problem(
                410,
                "observation_deleted",
                "Observation deleted",
                "This observation was stored and has since been deleted; nothing was written.",
            )
        return json_response(
            row,
            status=201 if created else 200,
            version=row.version,
            headers={"Location": f"/v1/observations/{row.id}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.post(
    "/batch",
    response_model=BatchResponse,
    summary=f"Submit up to {MAX_BATCH} observations",
    description=f"Each item is one observation as for POST /v1/observations. Every item gets "
    "a result in input order: created, duplicate (nothing written), conflict (nothing "
    "written) or rejected (a problem with pointers like /items/3/observed_at). Good items "
    "are kept when others are rejected; retry only what failed. Two identical batches at "
    f"the same moment store each observation once. More than {MAX_BATCH} items: 413. "
    "Bodies may be sent with Content-Encoding: gzip (bodies larger than the plain size "
    "limit must be).",
    responses={413: {"model": docs.Problem, "description": f"More than {MAX_BATCH} items"}},
)
async def submit_batch(
    body: ObservationBatch,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        try:
            batch = await service.submit_observations(
                uow,
                principal,
                body.items,
                clock_skew_seconds=state.settings.observation_clock_skew_seconds,
                echo_created=False,
            )
        except service.BatchTooLarge as exc:
            return problem(
                413,
                exc.code,
                exc.title,
                exc.detail,
                [FieldError("/items", f"holds more than {MAX_BATCH} items", "too_many_items")],
            )
        # Built as plain JSON: up to 500 results, most of them a few fields.
        results = [
            {
                "index": r.index,
                "id": None if r.id is None else str(r.id),
                "status": r.outcome.value,
                "observation": None
                if r.observation is None
                else r.observation.model_dump(mode="json"),
                "problem": None if r.error is None else _problem_json(r.error, f"/items/{r.index}"),
            }
            for r in batch.results
        ]
        return Response(
            content=orjson.dumps({"results": results, "counts": batch.counts}),
            media_type="application/json",
        )

    # Not needed for safety (device ids make a resend harmless), but a key replays the
    # first answer exactly, as on every POST.
    return await idempotent(request, state, principal, idempotency_key, handle)


@router.get("", response_model=PageOf[ObservationRead], summary="List your own observations")
async def list_observations(
    uow: UoW,
    principal: Writer,
    page: Pagination,
    kind: ObservationKind | None = None,
    cycle_id: UUID | None = None,
) -> Response:
    filters = ObservationFilters(kind=kind, cycle_id=cycle_id)
    result = await service.list_observations(uow, principal, filters, page)
    return page_response(result, ObservationRead)


@router.get(
    "/{observation_id}",
    response_model=ObservationRead,
    summary="Get one of your observations",
    responses=docs.READ_ONE,
)
async def get_observation(
    observation_id: UUID, uow: UoW, principal: Writer, if_none_match: IfNoneMatch = None
) -> Response:
    row = await service.get_observation(uow, principal, observation_id)
    return read_response(ObservationRead.model_validate(row), row.version, if_none_match)


def _stale(exc: service.StaleObservation) -> Response:
    """412 with the current record, so the app can show its edit and the stored one."""
    return problem(
        412,
        exc.code,
        exc.title,
        exc.detail,
        headers={"ETag": etag(exc.current_version)},
        current_version=exc.current_version,
        current=ObservationRead.model_validate(exc.current).model_dump(mode="json"),
    )


@router.patch(
    "/{observation_id}",
    response_model=ObservationRead,
    summary="Change one of your observations",
    description="412 when If-Match is stale, with the current record in `current`.",
    responses=docs.WRITE_ONE,
)
async def update_observation(
    observation_id: UUID,
    body: ObservationUpdate,
    state: State,
    uow: UoW,
    principal: Writer,
    if_match: IfMatch = None,
) -> Response:
    try:
        row = await service.update_observation(
            uow,
            principal,
            observation_id,
            body,
            expected_version=expected_version(if_match),
            clock_skew_seconds=state.settings.observation_clock_skew_seconds,
        )
    except service.StaleObservation as exc:
        return _stale(exc)
    return json_response(ObservationRead.model_validate(row), version=row.version)


@router.delete(
    "/{observation_id}",
    status_code=204,
    summary="Delete one of your observations (a tombstone for sync)",
    responses=docs.WRITE_ONE,
)
async def delete_observation(
    observation_id: UUID, uow: UoW, principal: Writer, if_match: IfMatch = None
) -> Response:
    try:
        await service.delete_observation(
            uow, principal, observation_id, expected_version=expected_version(if_match)
        )
    except service.StaleObservation as exc:
        return _stale(exc)
    return Response(status_code=204)
