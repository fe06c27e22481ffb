"""The SQL of search: one UNION ALL over resources, events, threads and glossary terms, each
branch filtered by the caller's `ContentAccess` before anything is ranked, counted or
highlighted. Each branch matches on its stored, GIN-indexed tsvector (title A, summary B,
body C) and ranks with ts_rank; glossary terms also match by pg_trgm similarity of the term,
so a misspelt word still finds its definition.

A search costs two statements whatever the size of the library: the counts per type, and
the page with its highlighted snippets (ts_headline runs only on the rows of the page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Float,
    Select,
    String,
    Uuid,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.community.access import ContentAccess
from domain.community.models import Event, GlossaryTerm, Resource, Thread
from domain.community.repository import readable_communities
from domain.community.schemas import SearchFilters, SearchType

AnySelect: TypeAlias = Select[*tuple[Any, ...]]

# Highlight markers: control characters, removed from the text before highlighting, so the
# only ones in ts_headline's output are its own; the service escapes everything else.
START, STOP = "\x01", "\x02"
HEADLINE_OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"


@dataclass(frozen=True)
class Row:
    type: str
    id: UUID
    title: str
    rank: float
    date: datetime | None
    community_id: UUID | None
    kind: str | None
    slug: str | None
    headline: str


def _text(*parts: Any) -> ColumnElement[str]:
    joined: ColumnElement[str] = func.concat_ws(" ", *parts)
    return joined


def _seen(community_id: Any, access: ContentAccess) -> ColumnElement[Any]:
    """The community's id only when the caller may see that community (a public resource
    in a programme's community must not reveal it; see domain.community.conceal)."""
    seen: ColumnElement[Any] = case(
        (community_id.in_(readable_communities(access)), community_id), else_=null()
    )
    return seen


def _branch(
    kind: SearchType,
    access: ContentAccess,
    filters: SearchFilters,
    tsquery: ColumnElement[Any],
) -> AnySelect:
    if kind is SearchType.resource:
        query = select(
            literal(kind.value, String).label("type"),
            col(Resource.id).label("id"),
            col(Resource.title).label("title"),
            cast(func.ts_rank(col(Resource.search), tsquery), Float).label("rank"),
            col(Resource.published_at).label("date"),
            _seen(col(Resource.community_id), access).label("community_id"),
            col(Resource.kind).label("kind"),
            cast(null(), String).label("slug"),
            _text(col(Resource.summary), col(Resource.body)).label("source"),
        ).where(col(Resource.search).bool_op("@@")(tsquery), access.discoverable(Resource))
        if filters.kind is not None:
            query = query.where(col(Resource.kind) == filters.kind.value)
        if filters.tag is not None:
            query = query.where(col(Resource.tags).contains([filters.tag]))
        if filters.audience is not None:
            query = query.where(col(Resource.audiences).contains([filters.audience.value]))
        if filters.stage is not None:
            query = query.where(col(Resource.stage) == filters.stage.value)
        return _common(query, Resource, Resource.published_at, filters)
    if kind is SearchType.event:
        query = select(
            literal(kind.value, String).label("type"),
            col(Event.id).label("id"),
            col(Event.title).label("title"),
            cast(func.ts_rank(col(Event.search), tsquery), Float).label("rank"),
            col(Event.starts_at).label("date"),
            _seen(col(Event.community_id), access).label("community_id"),
            col(Event.format).label("kind"),
            cast(null(), String).label("slug"),
            _text(
                col(Event.summary), col(Event.agenda), col(Event.notes), col(Event.key_learning)
            ).label("source"),
        ).where(col(Event.search).bool_op("@@")(tsquery), access.discoverable(Event))
        return _common(query, Event, Event.starts_at, filters)
    if kind is SearchType.thread:
        # Hidden threads stay out of search for everyone, moderators and authors included.
        query = select(
            literal(kind.value, String).label("type"),
            col(Thread.id).label("id"),
            col(Thread.title).label("title"),
            cast(func.ts_rank(col(Thread.search), tsquery), Float).label("rank"),
            col(Thread.created_at).label("date"),
            col(Thread.community_id).label("community_id"),
            cast(null(), String).label("kind"),
            cast(null(), String).label("slug"),
            col(Thread.body).label("source"),
        ).where(
            col(Thread.search).bool_op("@@")(tsquery),
            col(Thread.hidden_at).is_(None),
            col(Thread.community_id).in_(readable_communities(access)),
        )
        return _common(query, Thread, Thread.created_at, filters)
    term = col(GlossaryTerm.term)
    return select(
        literal(kind.value, String).label("type"),
        col(GlossaryTerm.id).label("id"),
        term.label("title"),
        cast(
            func.greatest(
                func.ts_rank(col(GlossaryTerm.search), tsquery), func.similarity(term, filters.q)
            ),
            Float,
        ).label("rank"),
        cast(null(), DateTime(timezone=True)).label("date"),
        cast(null(), Uuid()).label("community_id"),
        cast(null(), String).label("kind"),
        col(GlossaryTerm.slug).label("slug"),
        col(GlossaryTerm.definition).label("source"),
    ).where(
        or_(col(GlossaryTerm.search).bool_op("@@")(tsquery), term.bool_op("%")(filters.q)),
        access.discoverable(GlossaryTerm),
    )


def _common(query: AnySelect, model: Any, date_column: Any, filters: SearchFilters) -> AnySelect:
    if filters.community_id is not None:
        query = query.where(col(model.community_id) == filters.community_id)
    if filters.date_from is not None:
        query = query.where(func.date(col(date_column)) >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(func.date(col(date_column)) <= filters.date_to)
    return query


def _matches(access: ContentAccess, filters: SearchFilters) -> Any:
    tsquery = func.websearch_to_tsquery("english", filters.q)
    branches = [_branch(t, access, filters, tsquery) for t in filters.wanted_types()]
    return union_all(*branches).subquery("hits"), tsquery


async def count(
    session: AsyncSession, access: ContentAccess, filters: SearchFilters
) -> dict[str, int]:
    if not filters.wanted_types():
        return {}
    hits, _ = _matches(access, filters)
    rows = await session.execute(select(hits.c.type, func.count()).group_by(hits.c.type))
    return {str(kind): int(n) for kind, n in rows.all()}


async def page(
    session: AsyncSession,
    access: ContentAccess,
    filters: SearchFilters,
    *,
    after: tuple[float, UUID] | None,
    limit: int,
) -> list[Row]:
    """Best first (rank, then id); up to limit + 1 rows, highlighted."""
    if not filters.wanted_types():
        return []
    hits, tsquery = _matches(access, filters)
    ranked = select(hits)
    if after is not None:
        ranked = ranked.where(tuple_(hits.c.rank, hits.c.id) < tuple_(*after))
    top = ranked.order_by(hits.c.rank.desc(), hits.c.id.desc()).limit(limit + 1).subquery("top")
    source = func.translate(top.c.source, START + STOP, "")
    query = select(
        top.c.type,
        top.c.id,
        top.c.title,
        top.c.rank,
        top.c.date,
        top.c.community_id,
        top.c.kind,
        top.c.slug,
        func.ts_headline("english", source, tsquery, HEADLINE_OPTIONS).label("headline"),
    ).order_by(top.c.rank.desc(), top.c.id.desc())
    rows = await session.execute(query)
    return [Row(**row._mapping) for row in rows.all()]


def explain_resources(access: ContentAccess, q: str) -> AnySelect:
    """The resources branch alone, for checking its plan in tests."""
    filters = SearchFilters(q=q, types=[SearchType.resource])
    return _branch(SearchType.resource, access, filters, func.websearch_to_tsquery("english", q))
