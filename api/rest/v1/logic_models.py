"""REST adapter for a programme's logic model: read it, replace it whole.

Logic models use the cycles scopes (`cycles:read`, `cycles:write`): they are improvement work."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from starlette.responses import Response

from api import openapi_docs as docs
from api.deps import UoW, expected_version, requires
from api.rest.responses import json_response
from api.rest.v1.headers import IfMatch, IfNoneMatch, read_response
from domain.improvement import logic_model as service
from domain.improvement.logic_model import LogicModelRead, LogicModelWrite
from domain.shared.principal import Principal, Scope

router = APIRouter(prefix="/v1/programmes", tags=["logic models"], responses=docs.COMMON)

FORBIDDEN: docs.Responses = {
    403: {
        "model": docs.Problem,
        "description": "The token lacks the scope, or (for a write) your organisation is a "
        "member of the programme but not its lead",
    }
}


@router.get(
    "/{programme_id}/logic-model",
    response_model=LogicModelRead,
    summary="Get a programme's logic model",
    description="Members of the programme may read it. A programme with no logic model yet "
    'answers an empty document with version 0 (ETag "0"). Each outcome lists the linked '
    "measures you may see that still exist, in `measure_ids` and, with their names, in "
    "`measures`.",
    responses=docs.READ_ONE,
)
async def get_logic_model(
    programme_id: UUID,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_read)],
    if_none_match: IfNoneMatch = None,
) -> Response:
    result = await service.read_logic_model(uow, principal, programme_id)
    return read_response(result, result.version, if_none_match)


@router.put(
    "/{programme_id}/logic-model",
    response_model=LogicModelRead,
    summary="Replace a programme's logic model",
    description="Only the programme's lead organisation may write it. The body is the whole "
    "document; a list left out is empty. Items sent without an `id` get one. Every "
    "`measure_ids` entry must be a measure of this programme that you may see (422 naming "
    'it otherwise). If-Match is always required: `"0"` to create the first document, then '
    "the ETag of your last read (412 if stale). 201 when the document was created, 200 when "
    "replaced or unchanged (the same document again keeps its version).",
    responses={
        201: {"model": LogicModelRead, "description": "Created"},
        **docs.WRITE_ONE,
        **FORBIDDEN,
    },
)
async def put_logic_model(
    programme_id: UUID,
    body: LogicModelWrite,
    uow: UoW,
    principal: Annotated[Principal, requires(Scope.cycles_write)],
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(if_match)
    saved = await service.put_logic_model(
        uow, principal, programme_id, body, expected_version=version
    )
    return json_response(
        saved.read(),
        status=201 if saved.created else 200,
        version=saved.record.version,
    )
