"""REST adapter for search across resources, events, threads and the glossary, and the Atom
feed of new public resources."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import UoW
from api.rest.responses import json_response
from api.rest.v1.communities import Reader, base_url
from api.rest.v1.headers import COMMON
from domain.community import feeds
from domain.community import search as service
from domain.community.models import Audience, ResourceKind, Stage
from domain.community.schemas import SearchFilters, SearchResults, SearchType, Tag
from domain.shared.pagination import MAX_LIMIT
from domain.shared.schemas import ShortText

router = APIRouter(tags=["search"], responses=COMMON)


@router.get(
    "/v1/search",
    response_model=SearchResults,
    summary="Search resources, events, threads and the glossary",
    description="Full-text search (title over summary over body), best first, with highlighted "
    "snippets; glossary terms also match misspelt words. Only what you may see, in the items "
    "and the counts. kind, tag, audience and stage narrow the search to resources.",
)
async def search(
    uow: UoW,
    principal: Reader,
    q: Annotated[ShortText, Query(description="Words to look for (web search syntax)")],
    type: Annotated[list[SearchType] | None, Query(description="Only these types")] = None,
    kind: ResourceKind | None = None,
    tag: Tag | None = None,
    audience: Audience | None = None,
    stage: Stage | None = None,
    community_id: UUID | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: Annotated[int | None, Query(description=f"Page size, 1 to {MAX_LIMIT}.")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor from the previous page.")] = None,
) -> Response:
    filters = SearchFilters(
        q=q,
        types=type,
        kind=kind,
        tag=tag,
        audience=audience,
        stage=stage,
        community_id=community_id,
        date_from=date_from,
        date_to=date_to,
    )
    result = await service.search(uow, principal, filters, limit=limit, cursor=cursor)
    return json_response(result)


@router.get(
    "/v1/feeds/resources.atom",
    response_class=Response,
    tags=["feeds"],
    summary="Atom feed of newly published public resources",
    responses={200: {"content": {"application/atom+xml": {}}, "description": "Atom 1.0"}},
)
async def resources_feed(request: Request, uow: UoW, principal: Reader) -> Response:
    # The feed is public and the same for every caller; `principal` only checks a sent token.
    body = await feeds.public_resources_atom(uow, base_url=base_url(request))
    return Response(content=body, media_type="application/atom+xml; charset=utf-8")
