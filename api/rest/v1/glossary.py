"""REST adapter for the glossary (public by default)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
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
from domain.community import glossary as service
from domain.community.schemas import GlossaryTermCreate, GlossaryTermRead, GlossaryTermUpdate
from domain.shared.pagination import MAX_LIMIT
from domain.shared.schemas import ShortText

router = APIRouter(prefix="/v1/glossary", tags=["glossary"], responses=COMMON)


@router.get(
    "",
    response_model=PageOf[GlossaryTermRead],
    summary="Glossary terms, alphabetical; with q, the closest matches (typos tolerated)",
)
async def list_terms(
    uow: UoW,
    principal: Reader,
    q: Annotated[
        ShortText | None, Query(description="A word or phrase; misspellings match")
    ] = None,
    limit: Annotated[int | None, Query(description=f"Page size, 1 to {MAX_LIMIT}.")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor from the previous page.")] = None,
) -> Response:
    result = await service.list_terms(uow, principal, q=q, limit=limit, cursor=cursor)
    return page_response(result, GlossaryTermRead)


@router.get(
    "/{slug}",
    response_model=GlossaryTermRead,
    summary="One term, by slug (or id)",
    responses=READ_ONE,
)
async def get_term(
    slug: Annotated[str, Path(min_length=1, max_length=200)],
    uow: UoW,
    principal: Reader,
    if_none_match: IfNoneMatch = None,
) -> Response:
    term = await service.get_term(uow, principal, slug)
    return read_response(GlossaryTermRead.model_validate(term), term.version, if_none_match)


@router.post(
    "", status_code=201, response_model=GlossaryTermRead, summary="Add a term", responses=CREATE
)
async def create_term(
    body: GlossaryTermCreate,
    request: Request,
    state: State,
    uow: UoW,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def handle() -> Response:
        term = await service.create_term(uow, principal, body)
        return json_response(
            GlossaryTermRead.model_validate(term),
            status=201,
            version=term.version,
            headers={"Location": f"/v1/glossary/{term.slug}"},
        )

    return await idempotent(request, state, principal, idempotency_key, handle)


@router.patch(
    "/{term_id}",
    response_model=GlossaryTermRead,
    summary="Change a term (its organisation; seeded terms: platform administrators)",
    responses=WRITE_ONE,
)
async def update_term(
    term_id: UUID,
    body: GlossaryTermUpdate,
    uow: UoW,
    principal: Writer,
    if_match: IfMatch = None,
) -> Response:
    term = await service.update_term(
        uow, principal, term_id, body, expected_version=expected_version(if_match)
    )
    return json_response(GlossaryTermRead.model_validate(term), version=term.version)
