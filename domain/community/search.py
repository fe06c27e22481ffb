"""Search across resources, events, threads and the glossary: only what the caller may see,
in the results, the snippets and the counts alike (one ContentAccess filters every branch
before anything is ranked, counted or highlighted)."""

from __future__ import annotations

import html
from uuid import UUID

from domain.community import cursors
from domain.community import search_repository as sql
from domain.community.access import content_access
from domain.community.schemas import SearchFilters, SearchHit, SearchResults, SearchType
from domain.shared.errors import FieldError, ValidationFailed
from domain.shared.pagination import page_request
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork

PATHS = {
    SearchType.resource: "/v1/resources/{id}",
    SearchType.event: "/v1/events/{id}",
    SearchType.thread: "/v1/threads/{id}",
    SearchType.glossary: "/v1/glossary/{slug}",
}


def safe_snippet(headline: str) -> str:
    """ts_headline returns the text as it is; escape all of it, then turn only our own
    markers into <mark>."""
    escaped = html.escape(headline, quote=True)
    return escaped.replace(sql.START, "<mark>").replace(sql.STOP, "</mark>")


def _hit(row: sql.Row) -> SearchHit:
    kind = SearchType(row.type)
    return SearchHit(
        type=kind,
        id=row.id,
        title=row.title,
        snippet=safe_snippet(row.headline),
        rank=row.rank,
        date=row.date,
        community_id=row.community_id,
        kind=row.kind,
        url=PATHS[kind].format(id=row.id, slug=row.slug),
    )


async def search(
    uow: UnitOfWork,
    principal: Principal,
    filters: SearchFilters,
    *,
    limit: int | None,
    cursor: str | None,
    location: str = "query",
) -> SearchResults:
    request = page_request(limit, None, location=location)
    values = cursors.decode(cursor, ("rank", "id"), location=location)
    after = None
    if values:
        try:
            after = (float(values["rank"]), UUID(values["id"]))
        except (TypeError, ValueError):
            raise ValidationFailed(
                [FieldError("cursor", "is not a cursor this API issued", "invalid", location)]
            ) from None
    access = content_access(principal)
    counts = await sql.count(uow.session, access, filters)
    rows = await sql.page(uow.session, access, filters, after=after, limit=request.limit)
    next_cursor = None
    if len(rows) > request.limit:
        rows = rows[: request.limit]
        next_cursor = cursors.encode({"rank": rows[-1].rank, "id": str(rows[-1].id)})
    return SearchResults(
        items=[_hit(row) for row in rows],
        next_cursor=next_cursor,
        total=sum(counts.values()),
        counts={t.value: counts.get(t.value, 0) for t in filters.wanted_types()},
    )
