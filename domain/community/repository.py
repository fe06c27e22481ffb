"""All SQL for the community of practice (search has its own module, search_sql.py). Every
query that returns content filters through a `ContentAccess`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from domain.community.access import ContentAccess
from domain.community.models import (
    Community,
    CommunityMember,
    DiscussionEdit,
    Event,
    EventAttendance,
    GlossaryTerm,
    Post,
    Resource,
    ResourceRevision,
    Thread,
)
from domain.community.schemas import ResourceFilters

M = TypeVar("M", bound=SQLModel)


def readable_communities(access: ContentAccess) -> Select[UUID]:
    return select(col(Community.id)).where(access.readable(Community))


def is_moderator_of(community_id: Any, subject: str | None) -> ColumnElement[bool] | None:
    """SQL: the caller is a named moderator of the community `community_id` (a column)."""
    if subject is None:
        return None
    return exists().where(
        col(CommunityMember.community_id) == community_id,
        col(CommunityMember.kind) == "person",
        col(CommunityMember.ref) == subject,
        col(CommunityMember.role) == "moderator",
    )


def visible_threads(access: ContentAccess) -> ColumnElement[bool]:
    """Threads in a community the caller may read, hidden ones only for author/moderators."""
    return and_(
        col(Thread.community_id).in_(readable_communities(access)),
        access.unhidden(Thread, is_moderator_of(Thread.community_id, access.subject)),
    )


class CommunityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: SQLModel) -> None:
        self.session.add(row)

    async def get(
        self, model: type[M], access: ContentAccess, row_id: UUID, *, for_update: bool = False
    ) -> M | None:
        """One row the caller may read (communities, events, resources, glossary terms)."""
        table: Any = model
        query = select(model).where(col(table.id) == row_id, access.readable(table))
        if for_update:
            query = query.with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def get_many(self, model: type[M], access: ContentAccess, ids: Sequence[UUID]) -> list[M]:
        table: Any = model
        query = select(model).where(col(table.id).in_(ids), access.readable(table))
        return list((await self.session.scalars(query)).all())

    # -- communities ------------------------------------------------------------------

    async def list_communities(
        self, access: ContentAccess, programme_id: UUID | None, after: UUID | None, limit: int
    ) -> list[Community]:
        query = select(Community).where(access.readable(Community))
        if programme_id is not None:
            query = query.where(col(Community.programme_id) == programme_id)
        if after is not None:
            query = query.where(col(Community.id) < after)
        query = query.order_by(col(Community.id).desc()).limit(limit + 1)
        return list((await self.session.scalars(query)).all())

    async def members(self, community_ids: Sequence[UUID]) -> dict[UUID, list[CommunityMember]]:
        rows = await self.session.scalars(
            select(CommunityMember)
            .where(col(CommunityMember.community_id).in_(community_ids))
            .order_by(col(CommunityMember.community_id), col(CommunityMember.id))
        )
        found: dict[UUID, list[CommunityMember]] = {i: [] for i in community_ids}
        for row in rows.all():
            found[row.community_id].append(row)
        return found

    async def member(self, community_id: UUID, member_id: UUID) -> CommunityMember | None:
        return (
            await self.session.scalars(
                select(CommunityMember).where(
                    col(CommunityMember.id) == member_id,
                    col(CommunityMember.community_id) == community_id,
                )
            )
        ).one_or_none()

    async def find_member(self, community_id: UUID, kind: str, ref: str) -> CommunityMember | None:
        return (
            await self.session.scalars(
                select(CommunityMember).where(
                    col(CommunityMember.community_id) == community_id,
                    col(CommunityMember.kind) == kind,
                    col(CommunityMember.ref) == ref,
                )
            )
        ).one_or_none()

    async def is_moderator(self, community_id: UUID, subject: str | None) -> bool:
        condition = is_moderator_of(community_id, subject)
        if condition is None:
            return False
        return bool(await self.session.scalar(select(condition)))

    async def moderated_among(
        self, community_ids: Sequence[UUID], subject: str | None
    ) -> set[UUID]:
        if subject is None or not community_ids:
            return set()
        rows = await self.session.scalars(
            select(col(CommunityMember.community_id)).where(
                col(CommunityMember.community_id).in_(community_ids),
                col(CommunityMember.kind) == "person",
                col(CommunityMember.ref) == subject,
                col(CommunityMember.role) == "moderator",
            )
        )
        return set(rows.all())

    # -- events -----------------------------------------------------------------------

    async def list_events(
        self,
        access: ContentAccess,
        *,
        community_id: UUID | None,
        upcoming: bool | None,
        now: datetime,
        after: tuple[datetime, UUID] | None,
        limit: int,
        statuses: frozenset[str] | None = None,
    ) -> list[Event]:
        """Upcoming soonest first; past (and all) latest first."""
        query = select(Event).where(access.listed(Event, statuses))
        if community_id is not None:
            query = query.where(col(Event.community_id) == community_id)
        ascending = upcoming is True
        if upcoming is True:
            query = query.where(col(Event.ends_at) >= now)
        elif upcoming is False:
            query = query.where(col(Event.ends_at) < now)
        key = tuple_(col(Event.starts_at), col(Event.id))
        if after is not None:
            query = query.where(key > tuple_(*after) if ascending else key < tuple_(*after))
        if ascending:
            query = query.order_by(col(Event.starts_at), col(Event.id))
        else:
            query = query.order_by(col(Event.starts_at).desc(), col(Event.id).desc())
        return list((await self.session.scalars(query.limit(limit + 1))).all())

    async def calendar(self, access: ContentAccess, community_id: UUID, limit: int) -> list[Event]:
        query = (
            select(Event)
            .where(col(Event.community_id) == community_id, access.discoverable(Event))
            .order_by(col(Event.starts_at).desc())
            .limit(limit)
        )
        return list((await self.session.scalars(query)).all())

    async def attendance(self, event_ids: Sequence[UUID]) -> dict[UUID, list[EventAttendance]]:
        rows = await self.session.scalars(
            select(EventAttendance)
            .where(col(EventAttendance.event_id).in_(event_ids))
            .order_by(col(EventAttendance.event_id), col(EventAttendance.organisation_id))
        )
        found: dict[UUID, list[EventAttendance]] = {i: [] for i in event_ids}
        for row in rows.all():
            found[row.event_id].append(row)
        return found

    async def replace_attendance(self, event_id: UUID, counts: dict[UUID, int]) -> None:
        await self.session.execute(
            EventAttendance.__table__.delete().where(  # type: ignore[attr-defined]
                EventAttendance.__table__.c.event_id == event_id  # type: ignore[attr-defined]
            )
        )
        for organisation_id, attendees in counts.items():
            self.session.add(
                EventAttendance(
                    event_id=event_id, organisation_id=organisation_id, attendees=attendees
                )
            )

    # -- resources --------------------------------------------------------------------

    async def list_resources(
        self, access: ContentAccess, filters: ResourceFilters, after: UUID | None, limit: int
    ) -> list[Resource]:
        statuses = None if filters.status is None else frozenset({filters.status.value})
        query = select(Resource).where(access.listed(Resource, statuses))
        if filters.kind is not None:
            query = query.where(col(Resource.kind) == filters.kind.value)
        if filters.tag is not None:
            query = query.where(col(Resource.tags).contains([filters.tag]))
        if filters.audience is not None:
            query = query.where(col(Resource.audiences).contains([filters.audience.value]))
        if filters.stage is not None:
            query = query.where(col(Resource.stage) == filters.stage.value)
        if filters.community_id is not None:
            query = query.where(col(Resource.community_id) == filters.community_id)
        if after is not None:
            query = query.where(col(Resource.id) < after)
        query = query.order_by(col(Resource.id).desc()).limit(limit + 1)
        return list((await self.session.scalars(query)).all())

    async def revisions(self, resource_ids: Sequence[UUID]) -> dict[UUID, list[ResourceRevision]]:
        rows = await self.session.scalars(
            select(ResourceRevision)
            .where(col(ResourceRevision.resource_id).in_(resource_ids))
            .order_by(col(ResourceRevision.resource_id), col(ResourceRevision.number))
        )
        found: dict[UUID, list[ResourceRevision]] = {i: [] for i in resource_ids}
        for row in rows.all():
            found[row.resource_id].append(row)
        return found

    async def revision(self, resource_id: UUID, number: int) -> ResourceRevision | None:
        return (
            await self.session.scalars(
                select(ResourceRevision).where(
                    col(ResourceRevision.resource_id) == resource_id,
                    col(ResourceRevision.number) == number,
                )
            )
        ).one_or_none()

    async def newest_public_resources(self, access: ContentAccess, limit: int) -> list[Resource]:
        query = (
            select(Resource)
            .where(access.discoverable(Resource), col(Resource.visibility) == "public")
            .order_by(col(Resource.published_at).desc(), col(Resource.id).desc())
            .limit(limit)
        )
        return list((await self.session.scalars(query)).all())

    # -- discussions ------------------------------------------------------------------

    async def get_thread(
        self, access: ContentAccess, thread_id: UUID, *, for_update: bool = False
    ) -> Thread | None:
        query = select(Thread).where(col(Thread.id) == thread_id, visible_threads(access))
        if for_update:
            query = query.with_for_update(of=Thread)
        return (await self.session.scalars(query)).one_or_none()

    async def get_threads(self, access: ContentAccess, ids: Sequence[UUID]) -> list[Thread]:
        query = select(Thread).where(col(Thread.id).in_(ids), visible_threads(access))
        return list((await self.session.scalars(query)).all())

    async def list_threads(
        self,
        access: ContentAccess,
        *,
        community_id: UUID | None,
        resource_id: UUID | None,
        cycle_id: UUID | None,
        after: UUID | None,
        limit: int,
    ) -> list[Thread]:
        query = select(Thread).where(visible_threads(access))
        if community_id is not None:
            query = query.where(col(Thread.community_id) == community_id)
        if resource_id is not None:
            query = query.where(col(Thread.resource_id) == resource_id)
        if cycle_id is not None:
            query = query.where(col(Thread.cycle_id) == cycle_id)
        if after is not None:
            query = query.where(col(Thread.id) < after)
        query = query.order_by(col(Thread.id).desc()).limit(limit + 1)
        return list((await self.session.scalars(query)).all())

    def _posts_query(self, access: ContentAccess) -> Select[Post]:
        """Posts of visible threads; hidden posts only for their author and moderators."""
        moderator: ColumnElement[bool] | None = None
        named = is_moderator_of(Thread.community_id, access.subject)
        if named is not None:
            moderator = exists().where(col(Thread.id) == col(Post.thread_id), named)
        return select(Post).where(
            col(Post.thread_id).in_(select(col(Thread.id)).where(visible_threads(access))),
            access.unhidden(Post, moderator),
        )

    async def get_post(
        self, access: ContentAccess, post_id: UUID, *, for_update: bool = False
    ) -> Post | None:
        query = self._posts_query(access).where(col(Post.id) == post_id)
        if for_update:
            query = query.with_for_update(of=Post)
        return (await self.session.scalars(query)).one_or_none()

    async def posts_of_threads(
        self, access: ContentAccess, thread_ids: Sequence[UUID], limit: int | None = None
    ) -> dict[UUID, list[Post]]:
        """Oldest first, for several threads in one statement."""
        query = self._posts_query(access).where(col(Post.thread_id).in_(thread_ids))
        query = query.order_by(col(Post.thread_id), col(Post.id))
        found: dict[UUID, list[Post]] = {i: [] for i in thread_ids}
        for row in (await self.session.scalars(query)).all():
            found[row.thread_id].append(row)
        return found

    async def list_posts(
        self, access: ContentAccess, thread_id: UUID, after: UUID | None, limit: int
    ) -> list[Post]:
        query = self._posts_query(access).where(col(Post.thread_id) == thread_id)
        if after is not None:
            query = query.where(col(Post.id) > after)
        query = query.order_by(col(Post.id)).limit(limit + 1)
        return list((await self.session.scalars(query)).all())

    async def edits(self, target_id: UUID) -> list[DiscussionEdit]:
        rows = await self.session.scalars(
            select(DiscussionEdit)
            .where(col(DiscussionEdit.target_id) == target_id)
            .order_by(col(DiscussionEdit.version))
        )
        return list(rows.all())

    # -- glossary ---------------------------------------------------------------------

    async def glossary_by_slug(self, access: ContentAccess, slug: str) -> GlossaryTerm | None:
        query = select(GlossaryTerm).where(
            col(GlossaryTerm.slug) == slug, access.readable(GlossaryTerm)
        )
        return (await self.session.scalars(query)).one_or_none()

    async def terms_by_slugs(
        self, access: ContentAccess, slugs: Sequence[str]
    ) -> list[GlossaryTerm]:
        query = select(GlossaryTerm).where(
            col(GlossaryTerm.slug).in_(slugs), access.readable(GlossaryTerm)
        )
        return list((await self.session.scalars(query)).all())

    async def slug_taken(self, slug: str, except_id: UUID | None = None) -> bool:
        query = select(col(GlossaryTerm.id)).where(col(GlossaryTerm.slug) == slug)
        if except_id is not None:
            query = query.where(col(GlossaryTerm.id) != except_id)
        return (await self.session.scalar(query.limit(1))) is not None

    async def list_glossary(
        self, access: ContentAccess, q: str | None, after: str | None, limit: int
    ) -> list[GlossaryTerm]:
        """Alphabetical; with `q`, terms whose name, alias or definition matches, or whose name
        is close to `q` (pg_trgm similarity, so a typo still finds the term), best first."""
        query = select(GlossaryTerm).where(access.readable(GlossaryTerm))
        if q is not None:
            tsquery = func.websearch_to_tsquery("english", q)
            query = query.where(
                or_(
                    col(GlossaryTerm.search).bool_op("@@")(tsquery),
                    col(GlossaryTerm.term).bool_op("%")(q),
                    func.lower(col(GlossaryTerm.alias_text)).contains(q.lower()),
                )
            ).order_by(
                func.greatest(
                    func.ts_rank(col(GlossaryTerm.search), tsquery),
                    func.similarity(col(GlossaryTerm.term), q),
                ).desc(),
                col(GlossaryTerm.slug),
            )
            return list((await self.session.scalars(query.limit(limit))).all())
        if after is not None:
            query = query.where(col(GlossaryTerm.slug) > after)
        query = query.order_by(col(GlossaryTerm.slug)).limit(limit + 1)
        return list((await self.session.scalars(query)).all())


async def insert_glossary_terms(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Adds the terms whose slug is not taken yet; returns how many were added."""
    if not rows:
        return 0
    statement = (
        insert(GlossaryTerm.__table__)  # type: ignore[attr-defined]
        .values(rows)
        .on_conflict_do_nothing(index_elements=["slug"])
        .returning(GlossaryTerm.__table__.c.id)  # type: ignore[attr-defined]
    )
    result = await session.execute(statement)
    return len(result.all())
