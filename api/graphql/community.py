"""GraphQL queries and mutations for the community of practice: thin calls into the same
domain.community use cases as REST. Reads are public (anonymous callers get public content);
mutations need content:write."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Literal, TypeVar

import strawberry

from api.graphql.community_types import (
    Attendance,
    Community,
    CommunityEvent,
    CommunityMember,
    Connection,
    ContentSearchResults,
    ContentSearchType,
    ContentVisibility,
    DiscussionPost,
    DiscussionThread,
    Edge,
    EventFormat,
    GlossaryTerm,
    MemberKind,
    MemberRole,
    Resource,
    ResourceAudience,
    ResourceDriver,
    ResourceKind,
    ResourceStage,
)
from api.graphql.errors import UserError
from api.graphql.ids import from_global_id
from api.graphql.inputs import set_fields
from api.graphql.permissions import public, requires
from api.graphql.resolvers import Work, optional_id, page_info, run_mutation, run_query
from api.graphql.types import ContextInfo, Node
from domain.community import communities, discussions, events, glossary, resources, search
from domain.community import models as m
from domain.community.schemas import (
    AttendanceSet,
    AttendanceSummary,
    CommunityCreate,
    CommunityUpdate,
    EventCreate,
    EventUpdate,
    GlossaryTermCreate,
    GlossaryTermUpdate,
    HideRequest,
    LockRequest,
    MemberCreate,
    PostCreate,
    PostUpdate,
    ResourceCreate,
    ResourceFilters,
    ResourceUpdate,
    SearchFilters,
    SearchResults,
    ThreadCreate,
    ThreadUpdate,
)
from domain.shared.pagination import DEFAULT_LIMIT, Page, encode_cursor, page_request
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork

R = TypeVar("R")
G = TypeVar("G")
READ = [public(Scope.content_read)]
WRITE = [requires(Scope.content_write)]


@strawberry.enum(description="Which events: those not yet over, or those over.")
class EventWhen(StrEnum):
    upcoming = "upcoming"
    past = "past"


def _connection(page: Page[R], convert: Callable[[R], G], key: Callable[[R], str]) -> Connection[G]:
    return Connection(
        edges=[Edge(cursor=key(row), node=convert(row)) for row in page.items],
        page_info=page_info(page),
    )


def _by_id(row: Any) -> str:
    return encode_cursor(row.id)


@strawberry.type
class CommunityQueries:
    @strawberry.field(extensions=READ, description="One community, or null if you may not see it.")
    async def community(self, info: ContextInfo, id: strawberry.ID) -> Community | None:
        async def work(uow: UnitOfWork, p: Principal) -> m.Community:
            return await communities.get_community(uow, p, from_global_id(id, "Community"))

        return Community.from_row(await run_query(info, work))

    @strawberry.field(extensions=READ, description="Communities you may see, newest first.")
    async def communities(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        programme_id: strawberry.ID | None = None,
    ) -> Connection[Community]:
        async def work(uow: UnitOfWork, p: Principal) -> Page[m.Community]:
            programme = optional_id(programme_id, "Programme", "programmeId")
            page = page_request(first, after, location="argument")
            return await communities.list_communities(uow, p, programme, page)

        return _connection(await run_query(info, work), Community.from_row, _by_id)

    @strawberry.field(extensions=READ, description="One event, or null if you may not see it.")
    async def community_event(self, info: ContextInfo, id: strawberry.ID) -> CommunityEvent | None:
        async def work(uow: UnitOfWork, p: Principal) -> m.Event:
            return await events.get_event(uow, p, from_global_id(id, "CommunityEvent"))

        return CommunityEvent.from_row(await run_query(info, work))

    @strawberry.field(
        extensions=READ,
        description="Events you may see: upcoming soonest first, past (or all) latest first.",
    )
    async def community_events(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        community_id: strawberry.ID | None = None,
        when: EventWhen | None = None,
    ) -> Connection[CommunityEvent]:
        async def work(uow: UnitOfWork, p: Principal) -> Page[m.Event]:
            community = optional_id(community_id, "Community", "communityId")
            chosen: Literal["upcoming", "past"] | None = (
                None if when is None else ("upcoming" if when is EventWhen.upcoming else "past")
            )
            return await events.list_events(
                uow,
                p,
                community_id=community,
                when=chosen,
                limit=first,
                cursor=after,
                location="argument",
            )

        result = await run_query(info, work)
        return _connection(result, CommunityEvent.from_row, events.cursor_after)

    @strawberry.field(extensions=READ, description="One resource, or null if you may not see it.")
    async def resource(self, info: ContextInfo, id: strawberry.ID) -> Resource | None:
        async def work(uow: UnitOfWork, p: Principal) -> m.Resource:
            return await resources.get_resource(uow, p, from_global_id(id, "Resource"))

        return Resource.from_row(await run_query(info, work))

    @strawberry.field(extensions=READ, description="Resources you may see, newest first.")
    async def resources(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        kind: ResourceKind | None = None,
        tag: str | None = None,
        audience: ResourceAudience | None = None,
        stage: ResourceStage | None = None,
        community_id: strawberry.ID | None = None,
    ) -> Connection[Resource]:
        async def work(uow: UnitOfWork, p: Principal) -> Page[m.Resource]:
            filters = ResourceFilters(
                kind=kind,
                tag=tag,
                audience=audience,
                stage=stage,
                community_id=optional_id(community_id, "Community", "communityId"),
            )
            page = page_request(first, after, location="argument")
            return await resources.list_resources(uow, p, filters, page)

        return _connection(await run_query(info, work), Resource.from_row, _by_id)

    @strawberry.field(extensions=READ, description="One thread, or null if you may not see it.")
    async def discussion_thread(
        self, info: ContextInfo, id: strawberry.ID
    ) -> DiscussionThread | None:
        async def work(uow: UnitOfWork, p: Principal) -> m.Thread:
            return await discussions.get_thread(uow, p, from_global_id(id, "DiscussionThread"))

        return DiscussionThread.from_row(await run_query(info, work))

    @strawberry.field(extensions=READ, description="Threads you may see, newest first.")
    async def discussion_threads(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        community_id: strawberry.ID | None = None,
        resource_id: strawberry.ID | None = None,
    ) -> Connection[DiscussionThread]:
        async def work(uow: UnitOfWork, p: Principal) -> Page[m.Thread]:
            page = page_request(first, after, location="argument")
            return await discussions.list_threads(
                uow,
                p,
                page,
                community_id=optional_id(community_id, "Community", "communityId"),
                resource_id=optional_id(resource_id, "Resource", "resourceId"),
            )

        return _connection(await run_query(info, work), DiscussionThread.from_row, _by_id)

    @strawberry.field(extensions=READ, description="One glossary term by slug (or id).")
    async def glossary_term(self, info: ContextInfo, slug: str) -> GlossaryTerm | None:
        async def work(uow: UnitOfWork, p: Principal) -> m.GlossaryTerm:
            return await glossary.get_term(uow, p, slug)

        return GlossaryTerm.from_row(await run_query(info, work))

    @strawberry.field(
        extensions=READ,
        description="Glossary terms, alphabetical; with q, the closest matches (typos tolerated).",
    )
    async def glossary_terms(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        q: str | None = None,
    ) -> Connection[GlossaryTerm]:
        async def work(uow: UnitOfWork, p: Principal) -> Page[m.GlossaryTerm]:
            return await glossary.list_terms(
                uow, p, q=q, limit=first, cursor=after, location="argument"
            )

        return _connection(
            await run_query(info, work), GlossaryTerm.from_row, glossary.cursor_after
        )

    @strawberry.field(
        extensions=READ,
        description="Search resources, events, threads and the glossary: only what you may "
        "see, best first, with highlighted snippets. kind, tag, audience and stage narrow the "
        "search to resources.",
    )
    async def search(
        self,
        info: ContextInfo,
        q: str,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        types: list[ContentSearchType] | None = None,
        kind: ResourceKind | None = None,
        tag: str | None = None,
        audience: ResourceAudience | None = None,
        stage: ResourceStage | None = None,
        community_id: strawberry.ID | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
    ) -> ContentSearchResults:
        async def work(uow: UnitOfWork, p: Principal) -> SearchResults:
            filters = SearchFilters(
                q=q,
                types=types,
                kind=kind,
                tag=tag,
                audience=audience,
                stage=stage,
                community_id=optional_id(community_id, "Community", "communityId"),
                date_from=date_from,
                date_to=date_to,
            )
            return await search.search(
                uow, p, filters, limit=first, cursor=after, location="argument"
            )

        return ContentSearchResults.from_results(await run_query(info, work))


# -- inputs and payloads --------------------------------------------------------------


@strawberry.input
class CreateCommunityInput:
    name: str
    description: str = ""
    programme_id: strawberry.ID | None = None
    visibility: ContentVisibility = m.Visibility.programme


@strawberry.input
class CreateCommunityEventInput:
    community_id: strawberry.ID
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    timezone: str
    format: EventFormat
    summary: str = ""
    location: str = ""
    online_url: str | None = None
    agenda: str = ""
    facilitators: list[str] = strawberry.field(default_factory=list)
    recording_url: str | None = None
    notes: str = ""
    key_learning: str = ""
    visibility: ContentVisibility | None = None
    status: str = "draft"


@strawberry.input(description="Only the fields you send are changed.")
class UpdateCommunityEventInput:
    id: strawberry.ID
    expected_version: int
    title: str | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    starts_at: dt.datetime | None = strawberry.UNSET
    ends_at: dt.datetime | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    format: EventFormat | None = strawberry.UNSET
    location: str | None = strawberry.UNSET
    online_url: str | None = strawberry.UNSET
    agenda: str | None = strawberry.UNSET
    facilitators: list[str] | None = strawberry.UNSET
    recording_url: str | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET
    key_learning: str | None = strawberry.UNSET
    visibility: ContentVisibility | None = strawberry.UNSET
    status: str | None = strawberry.UNSET


@strawberry.input
class ResourceLinkInput:
    title: str
    url: str


@strawberry.input
class CreateResourceInput:
    kind: ResourceKind
    title: str
    summary: str = ""
    body: str = ""
    links: list[ResourceLinkInput] = strawberry.field(default_factory=list)
    audiences: list[ResourceAudience] = strawberry.field(default_factory=list)
    tags: list[str] = strawberry.field(default_factory=list)
    innovation_id: strawberry.ID | None = None
    stage: ResourceStage | None = None
    driver: ResourceDriver | None = None
    cycle_id: strawberry.ID | None = None
    community_id: strawberry.ID | None = None
    programme_id: strawberry.ID | None = None
    visibility: ContentVisibility = m.Visibility.programme
    status: str = "draft"


@strawberry.input(description="Only the fields you send are changed; every change is a revision.")
class UpdateResourceInput:
    id: strawberry.ID
    expected_version: int
    kind: ResourceKind | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    links: list[ResourceLinkInput] | None = strawberry.UNSET
    audiences: list[ResourceAudience] | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    stage: ResourceStage | None = strawberry.UNSET
    driver: ResourceDriver | None = strawberry.UNSET
    visibility: ContentVisibility | None = strawberry.UNSET
    status: str | None = strawberry.UNSET


@strawberry.input
class CreateDiscussionThreadInput:
    community_id: strawberry.ID
    title: str
    body: str = ""
    resource_id: strawberry.ID | None = None
    cycle_id: strawberry.ID | None = None


@strawberry.input
class CreateDiscussionPostInput:
    thread_id: strawberry.ID
    body: str
    parent_id: strawberry.ID | None = None


@strawberry.input
class HideDiscussionPostInput:
    id: strawberry.ID
    expected_version: int
    reason: str


@strawberry.input
class LockDiscussionThreadInput:
    id: strawberry.ID
    expected_version: int
    reason: str = ""


@strawberry.input
class CreateGlossaryTermInput:
    term: str
    definition: str
    aliases: list[str] = strawberry.field(default_factory=list)
    related: list[str] = strawberry.field(default_factory=list)
    visibility: ContentVisibility = m.Visibility.public
    programme_id: strawberry.ID | None = None


@strawberry.input(description="Only the fields you send are changed.")
class UpdateCommunityInput:
    id: strawberry.ID
    expected_version: int
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    visibility: ContentVisibility | None = strawberry.UNSET


@strawberry.input
class AddCommunityMemberInput:
    community_id: strawberry.ID
    kind: MemberKind
    ref: str
    display_name: str = ""
    role: MemberRole = m.MemberRole.member


@strawberry.input
class AttendanceInput:
    organisation_id: strawberry.ID
    attendees: int


@strawberry.input(description="Replaces the event's attendance counts.")
class SetEventAttendanceInput:
    event_id: strawberry.ID
    expected_version: int
    attendance: list[AttendanceInput]


@strawberry.input
class UpdateDiscussionThreadInput:
    id: strawberry.ID
    expected_version: int
    title: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET


@strawberry.input
class UpdateDiscussionPostInput:
    id: strawberry.ID
    expected_version: int
    body: str


@strawberry.input(description="Moderation: show again, unlock, or hide a thread.")
class ModerateInput:
    id: strawberry.ID
    expected_version: int
    reason: str = ""


@strawberry.input(description="Only the fields you send are changed.")
class UpdateGlossaryTermInput:
    id: strawberry.ID
    expected_version: int
    term: str | None = strawberry.UNSET
    definition: str | None = strawberry.UNSET
    aliases: list[str] | None = strawberry.UNSET
    related: list[str] | None = strawberry.UNSET
    visibility: ContentVisibility | None = strawberry.UNSET


@strawberry.type
class CommunityMemberPayload:
    member: CommunityMember | None
    errors: list[UserError]


@strawberry.type
class EventAttendancePayload:
    event_id: strawberry.ID | None
    total: int | None
    attendance: list[Attendance]
    errors: list[UserError]


@strawberry.type
class CommunityPayload:
    community: Community | None
    errors: list[UserError]


@strawberry.type
class CommunityEventPayload:
    event: CommunityEvent | None
    errors: list[UserError]


@strawberry.type
class ResourcePayload:
    resource: Resource | None
    errors: list[UserError]


@strawberry.type
class DiscussionThreadPayload:
    thread: DiscussionThread | None
    errors: list[UserError]


@strawberry.type
class DiscussionPostPayload:
    post: DiscussionPost | None
    errors: list[UserError]


@strawberry.type
class GlossaryTermPayload:
    term: GlossaryTerm | None
    errors: list[UserError]


LINKS = {
    "programme_id": ("Programme", "programmeId"),
    "community_id": ("Community", "communityId"),
    "cycle_id": ("Cycle", "cycleId"),
    "resource_id": ("Resource", "resourceId"),
    "innovation_id": ("Innovation", "innovationId"),
    "parent_id": ("DiscussionPost", "parentId"),
}


def _fields(value: object, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The sent fields, with ids of other objects turned into UUIDs and nested inputs into
    plain dicts, ready for the domain's schema."""
    fields = set_fields(value, skip)
    for name, (type_name, graphql_name) in LINKS.items():
        if fields.get(name) is not None:
            fields[name] = from_global_id(fields[name], type_name, field=f"/input/{graphql_name}")
    if isinstance(fields.get("links"), list):
        fields["links"] = [{"title": x.title, "url": x.url} for x in fields["links"]]
    return fields


UPDATE_SKIP = frozenset({"id", "expected_version"})


@strawberry.type
class CommunityMutations:
    @strawberry.mutation(extensions=WRITE, description="Start a community; you moderate it.")
    async def create_community(
        self, info: ContextInfo, input: CreateCommunityInput
    ) -> CommunityPayload:
        def prepare() -> Work[m.Community]:
            data = CommunityCreate.model_validate(_fields(input))
            return lambda uow, p: communities.create_community(uow, p, data)

        row, errors = await run_mutation(info, prepare)
        return CommunityPayload(community=Community.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(extensions=WRITE, description="Add a session to a community.")
    async def create_community_event(
        self, info: ContextInfo, input: CreateCommunityEventInput
    ) -> CommunityEventPayload:
        def prepare() -> Work[m.Event]:
            data = EventCreate.model_validate(_fields(input))
            return lambda uow, p: events.create_event(uow, p, data)

        row, errors = await run_mutation(info, prepare)
        return CommunityEventPayload(
            event=CommunityEvent.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Change an event (notes, key learning).")
    async def update_community_event(
        self, info: ContextInfo, input: UpdateCommunityEventInput
    ) -> CommunityEventPayload:
        def prepare() -> Work[m.Event]:
            event_id = from_global_id(input.id, "CommunityEvent", field="/input/id")
            data = EventUpdate.model_validate(_fields(input, UPDATE_SKIP))
            return lambda uow, p: events.update_event(
                uow, p, event_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return CommunityEventPayload(
            event=CommunityEvent.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Add a resource (Markdown body).")
    async def create_resource(
        self, info: ContextInfo, input: CreateResourceInput
    ) -> ResourcePayload:
        def prepare() -> Work[m.Resource]:
            data = ResourceCreate.model_validate(_fields(input))
            return lambda uow, p: resources.create_resource(uow, p, data)

        row, errors = await run_mutation(info, prepare)
        return ResourcePayload(resource=Resource.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(extensions=WRITE, description="Change, publish or archive a resource.")
    async def update_resource(
        self, info: ContextInfo, input: UpdateResourceInput
    ) -> ResourcePayload:
        def prepare() -> Work[m.Resource]:
            resource_id = from_global_id(input.id, "Resource", field="/input/id")
            data = ResourceUpdate.model_validate(_fields(input, UPDATE_SKIP))
            return lambda uow, p: resources.update_resource(
                uow, p, resource_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return ResourcePayload(resource=Resource.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(extensions=WRITE, description="Start a thread in a community.")
    async def create_discussion_thread(
        self, info: ContextInfo, input: CreateDiscussionThreadInput
    ) -> DiscussionThreadPayload:
        def prepare() -> Work[m.Thread]:
            data = ThreadCreate.model_validate(_fields(input))
            return lambda uow, p: discussions.create_thread(uow, p, data)

        row, errors = await run_mutation(info, prepare)
        return DiscussionThreadPayload(
            thread=DiscussionThread.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Post in a thread, or reply to a post.")
    async def create_discussion_post(
        self, info: ContextInfo, input: CreateDiscussionPostInput
    ) -> DiscussionPostPayload:
        def prepare() -> Work[m.Post]:
            thread_id = from_global_id(input.thread_id, "DiscussionThread", field="/input/threadId")
            data = PostCreate.model_validate(_fields(input, frozenset({"thread_id"})))
            return lambda uow, p: discussions.create_post(uow, p, thread_id, data)

        row, errors = await run_mutation(info, prepare)
        return DiscussionPostPayload(
            post=DiscussionPost.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Hide a post with a reason (moderators).")
    async def hide_discussion_post(
        self, info: ContextInfo, input: HideDiscussionPostInput
    ) -> DiscussionPostPayload:
        def prepare() -> Work[m.Post]:
            post_id = from_global_id(input.id, "DiscussionPost", field="/input/id")
            data = HideRequest(reason=input.reason)
            return lambda uow, p: discussions.hide_post(
                uow, p, post_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return DiscussionPostPayload(
            post=DiscussionPost.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Lock a thread (moderators).")
    async def lock_discussion_thread(
        self, info: ContextInfo, input: LockDiscussionThreadInput
    ) -> DiscussionThreadPayload:
        def prepare() -> Work[m.Thread]:
            thread_id = from_global_id(input.id, "DiscussionThread", field="/input/id")
            data = LockRequest(reason=input.reason)
            return lambda uow, p: discussions.lock_thread(
                uow, p, thread_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return DiscussionThreadPayload(
            thread=DiscussionThread.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Add a glossary term.")
    async def create_glossary_term(
        self, info: ContextInfo, input: CreateGlossaryTermInput
    ) -> GlossaryTermPayload:
        def prepare() -> Work[m.GlossaryTerm]:
            data = GlossaryTermCreate.model_validate(_fields(input))
            return lambda uow, p: glossary.create_term(uow, p, data)

        row, errors = await run_mutation(info, prepare)
        return GlossaryTermPayload(term=GlossaryTerm.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(extensions=WRITE, description="Change a community (its owners).")
    async def update_community(
        self, info: ContextInfo, input: UpdateCommunityInput
    ) -> CommunityPayload:
        def prepare() -> Work[m.Community]:
            community_id = from_global_id(input.id, "Community", field="/input/id")
            data = CommunityUpdate.model_validate(_fields(input, UPDATE_SKIP))
            return lambda uow, p: communities.update_community(
                uow, p, community_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return CommunityPayload(community=Community.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(
        extensions=WRITE, description="Add a member or name a moderator (owners, moderators)."
    )
    async def add_community_member(
        self, info: ContextInfo, input: AddCommunityMemberInput
    ) -> CommunityMemberPayload:
        def prepare() -> Work[m.CommunityMember]:
            community_id = from_global_id(
                input.community_id, "Community", field="/input/communityId"
            )
            data = MemberCreate.model_validate(_fields(input, frozenset({"community_id"})))
            return lambda uow, p: communities.add_member(uow, p, community_id, data)

        row, errors = await run_mutation(info, prepare)
        return CommunityMemberPayload(
            member=CommunityMember.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Replace an event's attendance counts.")
    async def set_event_attendance(
        self, info: ContextInfo, input: SetEventAttendanceInput
    ) -> EventAttendancePayload:
        def prepare() -> Work[AttendanceSummary]:
            event_id = from_global_id(input.event_id, "CommunityEvent", field="/input/eventId")
            data = AttendanceSet.model_validate(
                {
                    "attendance": [
                        {
                            "organisation_id": from_global_id(
                                a.organisation_id,
                                "Organisation",
                                field=f"/input/attendance/{i}/organisationId",
                            ),
                            "attendees": a.attendees,
                        }
                        for i, a in enumerate(input.attendance)
                    ]
                }
            )
            return lambda uow, p: events.set_attendance(
                uow, p, event_id, data, expected_version=input.expected_version
            )

        summary, errors = await run_mutation(info, prepare)
        if summary is None:
            return EventAttendancePayload(event_id=None, total=None, attendance=[], errors=errors)
        return EventAttendancePayload(
            event_id=input.event_id,
            total=summary.total,
            attendance=[
                Attendance(organisation_id=a.organisation_id, attendees=a.attendees)
                for a in summary.attendance
            ],
            errors=errors,
        )

    @strawberry.mutation(extensions=WRITE, description="Edit your thread (history kept).")
    async def update_discussion_thread(
        self, info: ContextInfo, input: UpdateDiscussionThreadInput
    ) -> DiscussionThreadPayload:
        def prepare() -> Work[m.Thread]:
            thread_id = from_global_id(input.id, "DiscussionThread", field="/input/id")
            data = ThreadUpdate.model_validate(_fields(input, UPDATE_SKIP))
            return lambda uow, p: discussions.update_thread(
                uow, p, thread_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return DiscussionThreadPayload(
            thread=DiscussionThread.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Edit your post (history kept).")
    async def update_discussion_post(
        self, info: ContextInfo, input: UpdateDiscussionPostInput
    ) -> DiscussionPostPayload:
        def prepare() -> Work[m.Post]:
            post_id = from_global_id(input.id, "DiscussionPost", field="/input/id")
            data = PostUpdate(body=input.body)
            return lambda uow, p: discussions.update_post(
                uow, p, post_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return DiscussionPostPayload(
            post=DiscussionPost.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Show a hidden post again (moderators).")
    async def unhide_discussion_post(
        self, info: ContextInfo, input: ModerateInput
    ) -> DiscussionPostPayload:
        def prepare() -> Work[m.Post]:
            post_id = from_global_id(input.id, "DiscussionPost", field="/input/id")
            return lambda uow, p: discussions.hide_post(
                uow, p, post_id, None, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return DiscussionPostPayload(
            post=DiscussionPost.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Unlock a thread (moderators).")
    async def unlock_discussion_thread(
        self, info: ContextInfo, input: ModerateInput
    ) -> DiscussionThreadPayload:
        def prepare() -> Work[m.Thread]:
            thread_id = from_global_id(input.id, "DiscussionThread", field="/input/id")
            return lambda uow, p: discussions.lock_thread(
                uow,
                p,
                thread_id,
                LockRequest(),
                expected_version=input.expected_version,
                locked=False,
            )

        row, errors = await run_mutation(info, prepare)
        return DiscussionThreadPayload(
            thread=DiscussionThread.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Hide a thread with a reason (moderators).")
    async def hide_discussion_thread(
        self, info: ContextInfo, input: ModerateInput
    ) -> DiscussionThreadPayload:
        def prepare() -> Work[m.Thread]:
            thread_id = from_global_id(input.id, "DiscussionThread", field="/input/id")
            data = HideRequest(reason=input.reason)
            return lambda uow, p: discussions.hide_thread(
                uow, p, thread_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return DiscussionThreadPayload(
            thread=DiscussionThread.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Change a glossary term.")
    async def update_glossary_term(
        self, info: ContextInfo, input: UpdateGlossaryTermInput
    ) -> GlossaryTermPayload:
        def prepare() -> Work[m.GlossaryTerm]:
            term_id = from_global_id(input.id, "GlossaryTerm", field="/input/id")
            data = GlossaryTermUpdate.model_validate(_fields(input, UPDATE_SKIP))
            return lambda uow, p: glossary.update_term(
                uow, p, term_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return GlossaryTermPayload(term=GlossaryTerm.from_row(row) if row else None, errors=errors)


# Global ids node() resolves through the same use cases as the typed fields.
COMMUNITY_NODE_TYPES = frozenset(
    {
        "Community",
        "CommunityEvent",
        "Resource",
        "DiscussionThread",
        "DiscussionPost",
        "GlossaryTerm",
    }
)


async def resolve_community_node(
    uow: UnitOfWork, principal: Principal, kind: str, value: uuid.UUID
) -> Node:
    if kind == "Community":
        return Community.from_row(await communities.get_community(uow, principal, value))
    if kind == "CommunityEvent":
        return CommunityEvent.from_row(await events.get_event(uow, principal, value))
    if kind == "Resource":
        return Resource.from_row(await resources.get_resource(uow, principal, value))
    if kind == "DiscussionThread":
        return DiscussionThread.from_row(await discussions.get_thread(uow, principal, value))
    if kind == "DiscussionPost":
        return DiscussionPost.from_row(await discussions.get_post(uow, principal, value))
    return GlossaryTerm.from_row(await glossary.get_term(uow, principal, str(value)))
