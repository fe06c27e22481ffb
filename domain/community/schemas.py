"""What callers send and get back for the community of practice."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BaseModel, Field, model_validator

from domain.community.markdown import is_safe_url
from domain.community.models import (
    Audience,
    Driver,
    EventFormat,
    MemberKind,
    MemberRole,
    ResourceKind,
    Stage,
    Status,
    Visibility,
)
from domain.shared.schemas import InputModel, ReadModel, ShortText, Text


def _safe_url(value: str) -> str:
    if not is_safe_url(value):
        raise ValueError("must be an absolute http, https or mailto URL")
    return value


def _web_url(value: str) -> str:
    if not is_safe_url(value, frozenset({"http", "https"})):
        raise ValueError("must be an absolute http or https URL")
    return value


def _time_zone(value: str) -> str:
    # The IANA database only: no bare offsets, no "local".
    if value not in _zones():
        raise ValueError("must be an IANA time zone name, such as Europe/London")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("must be an IANA time zone name, such as Europe/London") from exc
    return value


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


_TAG = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")


def _tag(value: str) -> str:
    value = value.strip().lower()
    if not _TAG.match(value):
        raise ValueError("must be 1-50 lowercase letters, digits or hyphens")
    return value


Url = Annotated[str, Field(max_length=2000), AfterValidator(_safe_url)]
WebUrl = Annotated[str, Field(max_length=2000), AfterValidator(_web_url)]
TimeZoneName = Annotated[str, Field(max_length=64), AfterValidator(_time_zone)]
Tag = Annotated[str, Field(max_length=50), AfterValidator(_tag)]
Reason = Annotated[Text, Field(min_length=1, max_length=2000)]
Summary = Annotated[Text, Field(max_length=2000)]
Person = Annotated[ShortText, Field(description="A person's subject or name")]
WritableStatus = Literal["draft", "published", "archived"]


# -- communities ------------------------------------------------------------------------


class CommunityCreate(InputModel):
    name: ShortText
    description: Text = ""
    programme_id: UUID | None = Field(
        default=None, description="The programme it belongs to; none for an open community."
    )
    visibility: Visibility = Visibility.programme


class CommunityUpdate(InputModel):
    name: ShortText | None = None
    description: Text | None = None
    visibility: Visibility | None = None


class CommunityRead(ReadModel):
    id: UUID
    organisation_id: UUID
    programme_id: UUID | None
    visibility: Visibility
    name: str
    description: str
    description_html: str
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class MemberCreate(InputModel):
    kind: MemberKind
    ref: ShortText = Field(description="A person's subject, or an organisation's id")
    display_name: Annotated[str, Field(max_length=200)] = ""
    role: MemberRole = MemberRole.member


class MemberRead(ReadModel):
    id: UUID
    community_id: UUID
    kind: MemberKind
    ref: str
    display_name: str
    role: MemberRole
    added_at: datetime
    added_by: str


# -- events -----------------------------------------------------------------------------


class EventCreate(InputModel):
    community_id: UUID
    title: ShortText
    summary: Summary = ""
    starts_at: datetime = Field(
        description="With an offset, or local time in `timezone` when given without one."
    )
    ends_at: datetime
    timezone: TimeZoneName
    format: EventFormat
    location: Annotated[str, Field(max_length=500)] = ""
    online_url: WebUrl | None = None
    agenda: Text = ""
    facilitators: list[Person] = Field(default_factory=list, max_length=50)
    recording_url: WebUrl | None = None
    notes: Text = ""
    key_learning: Text = ""
    visibility: Visibility | None = Field(
        default=None, description="Defaults to the community's visibility."
    )
    status: WritableStatus = "draft"


class EventUpdate(InputModel):
    title: ShortText | None = None
    summary: Summary | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timezone: TimeZoneName | None = None
    format: EventFormat | None = None
    location: Annotated[str, Field(max_length=500)] | None = None
    online_url: WebUrl | None = None
    agenda: Text | None = None
    facilitators: list[Person] | None = Field(default=None, max_length=50)
    recording_url: WebUrl | None = None
    notes: Text | None = None
    key_learning: Text | None = None
    visibility: Visibility | None = None
    status: WritableStatus | None = None


class EventRead(ReadModel):
    id: UUID
    community_id: UUID | None = Field(description="Null when you may not see the community")
    organisation_id: UUID
    programme_id: UUID | None
    visibility: Visibility
    status: Status
    published_at: datetime | None
    title: str
    summary: str
    starts_at: datetime = Field(description="In the event's time zone")
    ends_at: datetime
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
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int

    @model_validator(mode="after")
    def _local_times(self) -> EventRead:
        zone = ZoneInfo(self.timezone)
        self.starts_at = self.starts_at.astimezone(zone)
        self.ends_at = self.ends_at.astimezone(zone)
        return self


class AttendanceEntry(InputModel):
    organisation_id: UUID
    attendees: Annotated[int, Field(ge=0, le=100_000)]


class AttendanceSet(InputModel):
    attendance: list[AttendanceEntry] = Field(max_length=500)


class AttendanceRead(ReadModel):
    organisation_id: UUID
    attendees: int


class AttendanceSummary(BaseModel):
    event_id: UUID
    total: int
    attendance: list[AttendanceRead]


# -- resources ------------------------------------------------------------------------


class LinkIn(InputModel):
    title: ShortText
    url: Url


class LinkRead(BaseModel):
    title: str
    url: str


class ResourceCreate(InputModel):
    kind: ResourceKind
    title: ShortText
    summary: Summary = ""
    body: Text = ""
    links: list[LinkIn] = Field(default_factory=list, max_length=50)
    audiences: list[Audience] = Field(default_factory=list, max_length=4)
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    innovation_id: UUID | None = None
    stage: Stage | None = None
    driver: Driver | None = None
    cycle_id: UUID | None = None
    community_id: UUID | None = None
    programme_id: UUID | None = Field(
        default=None, description="Needed for programme visibility; defaults to the community's."
    )
    visibility: Visibility = Visibility.programme
    status: WritableStatus = "draft"


class ResourceUpdate(InputModel):
    kind: ResourceKind | None = None
    title: ShortText | None = None
    summary: Summary | None = None
    body: Text | None = None
    links: list[LinkIn] | None = Field(default=None, max_length=50)
    audiences: list[Audience] | None = Field(default=None, max_length=4)
    tags: list[Tag] | None = Field(default=None, max_length=20)
    innovation_id: UUID | None = None
    stage: Stage | None = None
    driver: Driver | None = None
    cycle_id: UUID | None = None
    programme_id: UUID | None = None
    visibility: Visibility | None = None
    status: WritableStatus | None = None


class ResourceRead(ReadModel):
    id: UUID
    organisation_id: UUID
    programme_id: UUID | None
    community_id: UUID | None
    visibility: Visibility
    status: Status
    published_at: datetime | None
    kind: ResourceKind
    title: str
    summary: str
    body: str
    body_html: str
    links: list[LinkRead]
    audiences: list[Audience]
    tags: list[str]
    innovation_id: UUID | None
    stage: Stage | None
    driver: Driver | None
    cycle_id: UUID | None
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class ResourceFilters(InputModel):
    kind: ResourceKind | None = None
    tag: Tag | None = None
    audience: Audience | None = None
    stage: Stage | None = None
    community_id: UUID | None = None
    status: Status | None = None


class RevisionRead(ReadModel):
    number: int
    actor: str
    created_at: datetime
    changes: dict[str, Any]


class RevisionDetail(RevisionRead):
    resource: ResourceRead = Field(description="The resource as it was at this revision")


# -- discussions ----------------------------------------------------------------------


class ThreadCreate(InputModel):
    community_id: UUID
    title: ShortText
    body: Text = ""
    resource_id: UUID | None = None
    cycle_id: UUID | None = None


class ThreadUpdate(InputModel):
    title: ShortText | None = None
    body: Text | None = None


class ThreadRead(ReadModel):
    id: UUID
    community_id: UUID
    organisation_id: UUID
    title: str
    body: str
    body_html: str
    resource_id: UUID | None
    cycle_id: UUID | None
    locked_at: datetime | None
    lock_reason: str
    hidden_at: datetime | None
    hidden_reason: str
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class PostCreate(InputModel):
    body: Annotated[Text, Field(min_length=1)]
    parent_id: UUID | None = Field(default=None, description="The post this one answers")


class PostUpdate(InputModel):
    body: Annotated[Text, Field(min_length=1)]


class PostRead(ReadModel):
    id: UUID
    thread_id: UUID
    parent_id: UUID | None
    organisation_id: UUID
    body: str
    body_html: str
    edited_at: datetime | None
    hidden_at: datetime | None
    hidden_reason: str
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class HideRequest(InputModel):
    reason: Reason


class LockRequest(InputModel):
    reason: Annotated[Text, Field(max_length=2000)] = ""


class EditRead(ReadModel):
    version: int
    title: str | None
    body: str
    edited_at: datetime
    editor: str


# -- glossary -------------------------------------------------------------------------


class GlossaryTermCreate(InputModel):
    term: ShortText
    definition: Annotated[Text, Field(min_length=1)]
    aliases: list[ShortText] = Field(default_factory=list, max_length=20)
    related: list[ShortText] = Field(default_factory=list, max_length=20)
    visibility: Visibility = Visibility.public
    programme_id: UUID | None = None


class GlossaryTermUpdate(InputModel):
    term: ShortText | None = None
    definition: Annotated[Text, Field(min_length=1)] | None = None
    aliases: list[ShortText] | None = Field(default=None, max_length=20)
    related: list[ShortText] | None = Field(default=None, max_length=20)
    visibility: Visibility | None = None


class GlossaryTermRead(ReadModel):
    id: UUID
    slug: str
    term: str
    definition: str
    definition_html: str
    aliases: list[str]
    related: list[str]
    visibility: Visibility
    organisation_id: UUID | None
    programme_id: UUID | None
    created_at: datetime
    updated_at: datetime
    version: int


# -- search ---------------------------------------------------------------------------


class SearchType(StrEnum):
    resource = "resource"
    event = "event"
    thread = "thread"
    glossary = "glossary"


# Filters that only resources have: sending one narrows the search to resources.
RESOURCE_ONLY_FILTERS = ("kind", "tag", "audience", "stage")


class SearchFilters(InputModel):
    q: Annotated[ShortText, Field(description="Words to look for (web search syntax)")]
    types: list[SearchType] | None = None
    kind: ResourceKind | None = None
    tag: Tag | None = None
    audience: Audience | None = None
    stage: Stage | None = None
    community_id: UUID | None = None
    date_from: date | None = None
    date_to: date | None = None

    def wanted_types(self) -> list[SearchType]:
        types = list(dict.fromkeys(self.types or SearchType))  # each type once
        if any(getattr(self, name) is not None for name in RESOURCE_ONLY_FILTERS):
            types = [t for t in types if t is SearchType.resource]
        if self.community_id is not None or self.date_from or self.date_to:
            # Glossary terms belong to no community and have no date.
            types = [t for t in types if t is not SearchType.glossary]
        return types


class SearchHit(BaseModel):
    type: SearchType
    id: UUID
    title: str
    snippet: str = Field(
        description="HTML: the matching text, escaped, with matches in <mark>...</mark>"
    )
    rank: float
    date: datetime | None
    community_id: UUID | None
    kind: str | None = Field(description="The resource kind, for resources")
    url: str


class SearchResults(BaseModel):
    items: list[SearchHit]
    next_cursor: str | None
    total: int = Field(description="How many items you may see match, all pages")
    counts: dict[str, int] = Field(description="Matches by type")
