"""GraphQL types for the community of practice, and their per-request DataLoaders.

The loaders hang off the request's context (made on first use, so never shared between
requests or callers) and call the same domain batch reads as everything else, so nested
lists (a thread's posts, an event's attendance, a community's members, a resource's
revisions) cost one statement per level whatever the page size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar, cast
from uuid import UUID

import strawberry
from strawberry.dataloader import DataLoader

from api.graphql.ids import to_global_id
from api.graphql.types import ContextInfo, Node, PageInfo
from domain.community import communities, discussions, events, glossary, resources
from domain.community import models as m
from domain.community.schemas import AttendanceSummary, SearchHit, SearchResults, SearchType
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork

# The domain's enums, registered under GraphQL names of their own (the improvement area
# already has a "Visibility").
ContentVisibility: TypeAlias = m.Visibility
ContentStatus: TypeAlias = m.Status
EventFormat: TypeAlias = m.EventFormat
ResourceKind: TypeAlias = m.ResourceKind
ResourceAudience: TypeAlias = m.Audience
ResourceStage: TypeAlias = m.Stage
ResourceDriver: TypeAlias = m.Driver
MemberKind: TypeAlias = m.MemberKind
MemberRole: TypeAlias = m.MemberRole
ContentSearchType: TypeAlias = SearchType
for _enum, _name in (
    (ContentVisibility, "ContentVisibility"),
    (ContentStatus, "ContentStatus"),
    (EventFormat, "EventFormat"),
    (ResourceKind, "ResourceKind"),
    (ResourceAudience, "ResourceAudience"),
    (ResourceStage, "ResourceStage"),
    (ResourceDriver, "ResourceDriver"),
    (MemberKind, "CommunityMemberKind"),
    (MemberRole, "CommunityMemberRole"),
    (ContentSearchType, "ContentSearchType"),
):
    strawberry.enum(_enum, name=_name)

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


# -- loaders --------------------------------------------------------------------------


def _loader(
    info: ContextInfo,
    read: Callable[[UnitOfWork, Principal, list[K]], Awaitable[dict[K, V]]],
) -> DataLoader[K, V | None]:
    context = info.context

    async def load(keys: Sequence[K]) -> list[V | None]:
        # Each batch has its own unit of work: loaders run concurrently.
        async with context.uow() as uow:
            found = await read(uow, context.principal, list(keys))
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


@dataclass
class CommunityLoaders:
    community: DataLoader[UUID, m.Community | None]
    members: DataLoader[UUID, list[m.CommunityMember] | None]
    attendance: DataLoader[UUID, AttendanceSummary | None]
    resource: DataLoader[UUID, m.Resource | None]
    revisions: DataLoader[UUID, list[m.ResourceRevision] | None]
    posts: DataLoader[UUID, list[m.Post] | None]
    term: DataLoader[str, m.GlossaryTerm | None]


def loaders(info: ContextInfo) -> CommunityLoaders:
    """This request's community loaders, made on first use and kept on its context."""
    context: Any = info.context
    found: CommunityLoaders | None = getattr(context, "community_loaders", None)
    if found is None:
        found = CommunityLoaders(
            community=_loader(info, communities.communities_by_ids),
            members=_loader(info, communities.members_by_community_ids),
            attendance=_loader(info, events.attendance_by_event_ids),
            resource=_loader(info, resources.resources_by_ids),
            revisions=_loader(info, resources.revisions_by_resource_ids),
            posts=_loader(info, discussions.posts_by_thread_ids),
            term=_loader(info, glossary.terms_by_slugs),
        )
        context.community_loaders = found
    return found


# -- connections ----------------------------------------------------------------------


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of results (keyset pagination).")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


# -- types ----------------------------------------------------------------------------


@strawberry.type(description="A person or organisation in a community; moderators are people.")
class CommunityMember:
    database_id: UUID
    kind: MemberKind
    ref: str = strawberry.field(description="A person's subject, or an organisation's id")
    display_name: str
    role: MemberRole
    added_at: dt.datetime

    @classmethod
    def from_row(cls, row: m.CommunityMember) -> CommunityMember:
        return cls(
            database_id=row.id,
            kind=m.MemberKind(row.kind),
            ref=row.ref,
            display_name=row.display_name,
            role=m.MemberRole(row.role),
            added_at=row.added_at,
        )


@strawberry.type(description="A community of practice.")
class Community(Node):
    database_id: UUID
    name: str
    description: str
    description_html: str
    visibility: ContentVisibility
    programme_id: UUID | None
    organisation_id: UUID
    created_at: dt.datetime
    version: int

    @strawberry.field(description="Members and moderators.")
    async def members(self, info: ContextInfo) -> list[CommunityMember]:
        rows = await loaders(info).members.load(self.database_id)
        return [CommunityMember.from_row(row) for row in rows or []]

    @classmethod
    def from_row(cls, row: m.Community) -> Community:
        return cls(
            id=strawberry.ID(to_global_id("Community", row.id)),
            database_id=row.id,
            name=row.name,
            description=row.description,
            description_html=row.description_html,
            visibility=m.Visibility(row.visibility),
            programme_id=row.programme_id,
            organisation_id=row.organisation_id,
            created_at=row.created_at,
            version=row.version,
        )


@strawberry.type
class Attendance:
    organisation_id: UUID
    attendees: int


@strawberry.type(description="A community-of-practice session.")
class CommunityEvent(Node):
    database_id: UUID
    title: str
    summary: str
    starts_at: dt.datetime = strawberry.field(description="In the event's time zone")
    ends_at: dt.datetime
    timezone: str
    format: EventFormat
    location: str
    online_url: str | None
    agenda: str
    agenda_html: str
    facilitators: list[str]
    recording_url: str | None
    notes: str
    notes_html: str
    key_learning: str
    key_learning_html: str
    visibility: ContentVisibility
    status: ContentStatus
    published_at: dt.datetime | None
    organisation_id: UUID
    version: int
    community_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def community(self, info: ContextInfo) -> Community | None:
        if self.community_id is None:
            return None
        row = await loaders(info).community.load(self.community_id)
        return Community.from_row(row) if row else None

    @strawberry.field(description="Attendance per organisation.")
    async def attendance(self, info: ContextInfo) -> list[Attendance]:
        summary = await loaders(info).attendance.load(self.database_id)
        if summary is None:
            return []
        return [Attendance(organisation_id=a.organisation_id, attendees=a.attendees)
                for a in summary.attendance]  # fmt: skip

    @strawberry.field(description="Everyone who came, across organisations.")
    async def attendance_total(self, info: ContextInfo) -> int:
        summary = await loaders(info).attendance.load(self.database_id)
        return summary.total if summary else 0

    @classmethod
    def from_row(cls, row: m.Event) -> CommunityEvent:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(row.timezone)
        return cls(
            id=strawberry.ID(to_global_id("CommunityEvent", row.id)),
            database_id=row.id,
            title=row.title,
            summary=row.summary,
            starts_at=row.starts_at.astimezone(zone),
            ends_at=row.ends_at.astimezone(zone),
            timezone=row.timezone,
            format=m.EventFormat(row.format),
            location=row.location,
            online_url=row.online_url,
            agenda=row.agenda,
            agenda_html=row.agenda_html,
            facilitators=list(row.facilitators),
            recording_url=row.recording_url,
            notes=row.notes,
            notes_html=row.notes_html,
            key_learning=row.key_learning,
            key_learning_html=row.key_learning_html,
            visibility=m.Visibility(row.visibility),
            status=m.Status(row.status),
            published_at=row.published_at,
            organisation_id=row.organisation_id,
            version=row.version,
            community_id=row.community_id,
        )


@strawberry.type
class ResourceLink:
    title: str
    url: str


@strawberry.type(description="One revision: who changed what, and when.")
class ResourceRevision:
    number: int
    actor: str
    created_at: dt.datetime
    changes: strawberry.scalars.JSON


@strawberry.type(description="An item of the resource library.")
class Resource(Node):
    database_id: UUID
    kind: ResourceKind
    title: str
    summary: str
    body: str
    body_html: str = strawberry.field(description="Sanitised HTML rendered from the Markdown")
    links: list[ResourceLink]
    audiences: list[ResourceAudience]
    tags: list[str]
    innovation_id: UUID | None
    stage: ResourceStage | None
    driver: ResourceDriver | None
    cycle_id: UUID | None
    community_id: UUID | None
    programme_id: UUID | None
    organisation_id: UUID
    visibility: ContentVisibility
    status: ContentStatus
    published_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str
    version: int

    @strawberry.field(description="The revision history (only for the resource's editors).")
    async def revisions(self, info: ContextInfo) -> list[ResourceRevision]:
        rows = await loaders(info).revisions.load(self.database_id)
        return [
            ResourceRevision(
                number=r.number,
                actor=r.actor,
                created_at=r.created_at,
                changes=cast(Any, r.changes),
            )
            for r in rows or []
        ]

    @classmethod
    def from_row(cls, row: m.Resource) -> Resource:
        return cls(
            id=strawberry.ID(to_global_id("Resource", row.id)),
            database_id=row.id,
            kind=m.ResourceKind(row.kind),
            title=row.title,
            summary=row.summary,
            body=row.body,
            body_html=row.body_html,
            links=[ResourceLink(title=link["title"], url=link["url"]) for link in row.links],
            audiences=[m.Audience(a) for a in row.audiences],
            tags=list(row.tags),
            innovation_id=row.innovation_id,
            stage=m.Stage(row.stage) if row.stage else None,
            driver=m.Driver(row.driver) if row.driver else None,
            cycle_id=row.cycle_id,
            community_id=row.community_id,
            programme_id=row.programme_id,
            organisation_id=row.organisation_id,
            visibility=m.Visibility(row.visibility),
            status=m.Status(row.status),
            published_at=row.published_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            created_by=row.created_by,
            version=row.version,
        )


@strawberry.type(description="A post or reply; hidden ones only reach moderators and authors.")
class DiscussionPost(Node):
    database_id: UUID
    parent_id: UUID | None
    body: str
    body_html: str
    edited_at: dt.datetime | None
    hidden_at: dt.datetime | None
    hidden_reason: str
    organisation_id: UUID
    created_by: str
    created_at: dt.datetime
    version: int

    @classmethod
    def from_row(cls, row: m.Post) -> DiscussionPost:
        return cls(
            id=strawberry.ID(to_global_id("DiscussionPost", row.id)),
            database_id=row.id,
            parent_id=row.parent_id,
            body=row.body,
            body_html=row.body_html,
            edited_at=row.edited_at,
            hidden_at=row.hidden_at,
            hidden_reason=row.hidden_reason,
            organisation_id=row.organisation_id,
            created_by=row.created_by,
            created_at=row.created_at,
            version=row.version,
        )


@strawberry.type(description="A discussion thread in a community.")
class DiscussionThread(Node):
    database_id: UUID
    title: str
    body: str
    body_html: str
    cycle_id: UUID | None
    locked_at: dt.datetime | None
    lock_reason: str
    hidden_at: dt.datetime | None
    hidden_reason: str
    organisation_id: UUID
    created_by: str
    created_at: dt.datetime
    version: int
    community_id: strawberry.Private[UUID]
    resource_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def community(self, info: ContextInfo) -> Community | None:
        row = await loaders(info).community.load(self.community_id)
        return Community.from_row(row) if row else None

    @strawberry.field(description="The resource the thread is about, if you may see it.")
    async def resource(self, info: ContextInfo) -> Resource | None:
        if self.resource_id is None:
            return None
        row = await loaders(info).resource.load(self.resource_id)
        return Resource.from_row(row) if row else None

    @strawberry.field(description="Posts and replies you may see, oldest first.")
    async def posts(self, info: ContextInfo) -> list[DiscussionPost]:
        rows = await loaders(info).posts.load(self.database_id)
        return [DiscussionPost.from_row(row) for row in rows or []]

    @classmethod
    def from_row(cls, row: m.Thread) -> DiscussionThread:
        return cls(
            id=strawberry.ID(to_global_id("DiscussionThread", row.id)),
            database_id=row.id,
            title=row.title,
            body=row.body,
            body_html=row.body_html,
            cycle_id=row.cycle_id,
            locked_at=row.locked_at,
            lock_reason=row.lock_reason,
            hidden_at=row.hidden_at,
            hidden_reason=row.hidden_reason,
            organisation_id=row.organisation_id,
            created_by=row.created_by,
            created_at=row.created_at,
            version=row.version,
            community_id=row.community_id,
            resource_id=row.resource_id,
        )


@strawberry.type(description="A term of the shared vocabulary.")
class GlossaryTerm(Node):
    database_id: UUID
    slug: str
    term: str
    definition: str
    definition_html: str
    aliases: list[str]
    visibility: ContentVisibility
    version: int
    related_slugs: list[str]

    @strawberry.field(description="Related terms you may see.")
    async def related(self, info: ContextInfo) -> list[GlossaryTerm]:
        rows = await loaders(info).term.load_many(self.related_slugs)
        return [GlossaryTerm.from_row(row) for row in rows if row is not None]

    @classmethod
    def from_row(cls, row: m.GlossaryTerm) -> GlossaryTerm:
        return cls(
            id=strawberry.ID(to_global_id("GlossaryTerm", row.id)),
            database_id=row.id,
            slug=row.slug,
            term=row.term,
            definition=row.definition,
            definition_html=row.definition_html,
            aliases=list(row.aliases),
            visibility=m.Visibility(row.visibility),
            version=row.version,
            related_slugs=list(row.related),
        )


@strawberry.type(description="One search result.")
class ContentSearchHit:
    type: ContentSearchType
    database_id: UUID
    title: str
    snippet: str = strawberry.field(
        description="HTML: the matching text, escaped, with matches in <mark>...</mark>"
    )
    rank: float
    date: dt.datetime | None
    community_id: UUID | None
    kind: str | None
    url: str

    @classmethod
    def from_hit(cls, hit: SearchHit) -> ContentSearchHit:
        return cls(
            type=hit.type,
            database_id=hit.id,
            title=hit.title,
            snippet=hit.snippet,
            rank=hit.rank,
            date=hit.date,
            community_id=hit.community_id,
            kind=hit.kind,
            url=hit.url,
        )


@strawberry.type
class ContentSearchCount:
    type: ContentSearchType
    count: int


@strawberry.type(description="Search results you may see, best first.")
class ContentSearchResults:
    hits: list[ContentSearchHit]
    page_info: PageInfo
    total: int = strawberry.field(description="How many items you may see match, all pages")
    counts: list[ContentSearchCount]

    @classmethod
    def from_results(cls, results: SearchResults) -> ContentSearchResults:
        return cls(
            hits=[ContentSearchHit.from_hit(hit) for hit in results.items],
            page_info=PageInfo(
                has_next_page=results.next_cursor is not None, end_cursor=results.next_cursor
            ),
            total=results.total,
            counts=[
                ContentSearchCount(type=SearchType(t), count=n) for t, n in results.counts.items()
            ],
        )
