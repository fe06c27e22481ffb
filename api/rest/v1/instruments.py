"""REST adapter for instruments: shared reference data that platform admins load."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Query
from starlette.responses import Response

from api import openapi_docs as docs
from api.deps import Pagination, UoW, requires
from api.rest.responses import PageOf, json_response
from api.rest.v1.headers import IfNoneMatch, read_response
from api.rest.v1.implementation_responses import page_of
from domain.implementation import instruments as service
from domain.implementation.models import SubjectKind
from domain.implementation.schemas import InstrumentFilters, InstrumentRead
from domain.shared.principal import Principal, Scope
from domain.shared.schemas import ShortText

router = APIRouter(prefix="/v1/instruments", tags=["instruments"], responses=docs.COMMON)
Reader = Annotated[Principal, requires(Scope.implementation_read)]
Admin = Annotated[Principal, requires(Scope.admin)]

_EXAMPLE = {
    "key": "my-checklist",
    "version": "1",
    "name": "My checklist",
    "applies_to": "team",
    "scale": [
        {"value": 0, "label": "Not yet started"},
        {"value": 1, "label": "Partially in place"},
        {"value": 2, "label": "In place"},
    ],
    "sections": [
        {"key": "basics", "title": "Basics", "items": [{"key": "b1", "text": "We meet monthly"}]}
    ],
}


@router.post(
    "",
    status_code=201,
    response_model=InstrumentRead,
    summary="Load an instrument (platform administrators)",
    description="The body is the instrument document, as in the YAML files `hub instruments "
    "load` reads: key, version, name, applies_to, scale, sections with items, an optional "
    "scoring rule. Errors point at the bad item (`/sections/1/items/3/scale`). Loading the "
    "same content again answers 200; other content under a loaded key and version is 409.",
    responses={
        200: {"model": InstrumentRead, "description": "Already loaded with this content"},
        409: {"model": docs.Problem, "description": "Key and version taken by other content"},
    },
)
async def load_instrument(
    uow: UoW,
    principal: Admin,
    body: Annotated[dict[str, Any], Body(examples=[_EXAMPLE])],
) -> Response:
    row, created = await service.load_instrument(uow, principal, body)
    return json_response(
        InstrumentRead.model_validate(row),
        status=201 if created else 200,
        version=row.version,
        headers={"Location": f"/v1/instruments/{row.id}"},
    )


@router.get("", response_model=PageOf[InstrumentRead], summary="List shared instruments")
async def list_instruments(
    uow: UoW,
    principal: Reader,
    page: Pagination,
    key: Annotated[ShortText | None, Query(description="Instrument key")] = None,
    applies_to: SubjectKind | None = None,
) -> Response:
    filters = InstrumentFilters(key=key, applies_to=applies_to)
    result = await service.list_instruments(uow, principal, filters, page)
    return page_of(result, InstrumentRead, InstrumentRead.model_validate)


@router.get(
    "/{instrument_id}",
    response_model=InstrumentRead,
    summary="One instrument with its sections, items and scale",
    responses=docs.READ_ONE,
)
async def get_instrument(
    instrument_id: UUID, uow: UoW, principal: Reader, if_none_match: IfNoneMatch = None
) -> Response:
    row = await service.get_instrument(uow, principal, instrument_id)
    return read_response(InstrumentRead.model_validate(row), row.version, if_none_match)
