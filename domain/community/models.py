"""Community of practice tables: communities and their members, events (community-of-practice
sessions) with attendance, resources with revisions, discussion threads and posts with edit
history, and the glossary.

People (members, moderators, authors) are stored as subject strings without a foreign key:
the people directory is another area, and a subject outlives a renamed account.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import CheckConstraint, Column, Computed, DateTime, Index, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlmodel import Field, SQLModel

from domain.shared.ids import new_id, utcnow
from domain.shared.models import RecordFields


class Visibility(StrEnum):
    public = "public"  # anyone, anonymous callers included
    programme = "programme"  # members of the owning programme
    organisation = "organisation"  # the owning organisation only


class Status(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class EventFormat(StrEnum):
    in_person = "in_person"
    online = "online"
    hybrid = "hybrid"


class ResourceKind(StrEnum):
    faq = "faq"
    webinar = "webinar"
    practice_profile = "practice_profile"
    briefing_paper = "briefing_paper"
    blog_post = "blog_post"
    case_study = "case_study"
    tool = "tool"
    reflection = "reflection"
    logic_model = "logic_model"
    other = "other"


class Audience(StrEnum):
    practitioners = "practitioners"
    data_officers = "data_officers"
    leaders = "leaders"
    families = "families"


class Stage(StrEnum):
    exploration = "exploration"
    installation = "installation"
    initial_implementation = "initial_implementation"
    full_implementation = "full_implementation"


class Driver(StrEnum):
    selection = "selection"
    training = "training"
    coaching = "coaching"
    fidelity_assessment = "fidelity_assessment"
    decision_support_data_system = "decision_support_data_system"
    facilitative_administration = "facilitative_administration"
    systems_intervention = "systems_intervention"
    technical_leadership = "technical_leadership"
    adaptive_leadership = "adaptive_leadership"


class MemberKind(StrEnum):
    person = "person"
    organisation = "organisation"


class MemberRole(StrEnum):
    member = "member"
    moderator = "moderator"


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


def _weighted(a: str, b: str, c: str) -> str:
    """A stored tsvector: title A, summary B, body C (the issue's weights)."""
    return (
        f"setweight(to_tsvector('english', {a}), 'A') || "
        f"setweight(to_tsvector('english', {b}), 'B') || "
        f"setweight(to_tsvector('english', {c}), 'C')"
    )


class Community(RecordFields, table=True):
    """A community of practice. With a programme it belongs to that partnership; without one
    it is open (its visibility is then public or organisation)."""

    __tablename__ = "communities"
    __table_args__ = (
        CheckConstraint(_in("visibility", Visibility), name="community_visibility"),
        CheckConstraint(
            "programme_id IS NOT NULL OR visibility <> 'programme'",
            name="community_programme_visibility",
        ),
    )

    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    programme_id: UUID | None = Field(default=None, foreign_key="programmes.id", index=True)
    visibility: str = Field(default=Visibility.programme.value, max_length=16)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    description_html: str = Field(default="", sa_type=Text)


class CommunityMember(SQLModel, table=True):
    """A person (by subject) or an organisation (by id, as text) in a community; moderators are
    people with the moderator role."""

    __tablename__ = "community_members"
    __table_args__ = (
        UniqueConstraint("community_id", "kind", "ref", name="uq_community_members_ref"),
        CheckConstraint(_in("kind", MemberKind), name="community_member_kind"),
        CheckConstraint(_in("role", MemberRole), name="community_member_role"),
        CheckConstraint("role = 'member' OR kind = 'person'", name="community_moderator_person"),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    community_id: UUID = Field(foreign_key="communities.id")
    kind: str = Field(max_length=16)
    ref: str = Field(max_length=200)
    display_name: str = Field(default="", max_length=200)
    role: str = Field(default=MemberRole.member.value, max_length=16)
    added_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    added_by: str = Field(max_length=200)


class Event(RecordFields, table=True):
    """A community-of-practice session."""

    __tablename__ = "community_events"
    __table_args__ = (
        CheckConstraint(_in("visibility", Visibility), name="event_visibility"),
        CheckConstraint(_in("status", Status), name="event_status"),
        CheckConstraint(_in("format", EventFormat), name="event_format"),
        CheckConstraint("ends_at > starts_at", name="event_times"),
        Index("ix_community_events_search", "search", postgresql_using="gin"),
        Index("ix_community_events_community_starts", "community_id", "starts_at"),
    )

    community_id: UUID = Field(foreign_key="communities.id")
    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    programme_id: UUID | None = Field(default=None, foreign_key="programmes.id")
    visibility: str = Field(default=Visibility.programme.value, max_length=16)
    status: str = Field(default=Status.draft.value, max_length=16)
    published_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    title: str = Field(max_length=200)
    summary: str = Field(default="", sa_type=Text)
    starts_at: datetime = Field(sa_type=DateTime(timezone=True))
    ends_at: datetime = Field(sa_type=DateTime(timezone=True))
    timezone: str = Field(max_length=64)
    format: str = Field(max_length=16)
    location: str = Field(default="", max_length=500)
    online_url: str | None = Field(default=None, max_length=2000)
    agenda: str = Field(default="", sa_type=Text)
    agenda_html: str = Field(default="", sa_type=Text)
    facilitators: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    recording_url: str | None = Field(default=None, max_length=2000)
    notes: str = Field(default="", sa_type=Text)
    notes_html: str = Field(default="", sa_type=Text)
    key_learning: str = Field(default="", sa_type=Text)
    key_learning_html: str = Field(default="", sa_type=Text)
    search: str | None = Field(
        default=None,
        sa_column=Column(
            TSVECTOR,
            Computed(
                _weighted(
                    "coalesce(title, '')",
                    "coalesce(summary, '')",
                    "coalesce(agenda, '') || ' ' || coalesce(notes, '') || ' ' || "
                    "coalesce(key_learning, '')",
                ),
                persisted=True,
            ),
        ),
    )


class EventAttendance(SQLModel, table=True):
    """How many people from one organisation came to an event."""

    __tablename__ = "community_event_attendance"
    __table_args__ = (CheckConstraint("attendees >= 0", name="event_attendance_count"),)

    event_id: UUID = Field(foreign_key="community_events.id", primary_key=True)
    organisation_id: UUID = Field(foreign_key="organisations.id", primary_key=True)
    attendees: int


class Resource(RecordFields, table=True):
    """An item of the resource library. Markdown is rendered and sanitised on write and kept
    beside its source, so reads never run the renderer."""

    __tablename__ = "community_resources"
    __table_args__ = (
        CheckConstraint(_in("visibility", Visibility), name="resource_visibility"),
        CheckConstraint(_in("status", Status), name="resource_status"),
        CheckConstraint(_in("kind", ResourceKind), name="resource_kind"),
        CheckConstraint(
            "programme_id IS NOT NULL OR visibility <> 'programme'",
            name="resource_programme_visibility",
        ),
        Index("ix_community_resources_search", "search", postgresql_using="gin"),
        Index("ix_community_resources_tags", "tags", postgresql_using="gin"),
        Index("ix_community_resources_published", "status", "published_at"),
    )

    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    programme_id: UUID | None = Field(default=None, foreign_key="programmes.id", index=True)
    community_id: UUID | None = Field(default=None, foreign_key="communities.id", index=True)
    visibility: str = Field(default=Visibility.programme.value, max_length=16)
    status: str = Field(default=Status.draft.value, max_length=16)
    published_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    kind: str = Field(max_length=32)
    title: str = Field(max_length=200)
    summary: str = Field(default="", sa_type=Text)
    body: str = Field(default="", sa_type=Text)
    body_html: str = Field(default="", sa_type=Text)
    links: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    audiences: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    tags: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    # What the resource helps with. Innovations live in another area: no foreign key.
    innovation_id: UUID | None = Field(default=None)
    stage: str | None = Field(default=None, max_length=32)
    driver: str | None = Field(default=None, max_length=40)
    cycle_id: UUID | None = Field(default=None, foreign_key="cycles.id")
    search: str | None = Field(
        default=None,
        sa_column=Column(
            TSVECTOR,
            Computed(
                _weighted("coalesce(title, '')", "coalesce(summary, '')", "coalesce(body, '')"),
                persisted=True,
            ),
        ),
    )


class ResourceRevision(SQLModel, table=True):
    """Append-only: revision n holds the whole resource as it was at version n, and what
    changed from n - 1."""

    __tablename__ = "community_resource_revisions"
    __table_args__ = (
        UniqueConstraint("resource_id", "number", name="uq_resource_revisions_number"),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    resource_id: UUID = Field(foreign_key="community_resources.id")
    number: int
    actor: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)


class Thread(RecordFields, table=True):
    """A discussion in a community: a title and an opening post body. Who may read it follows
    its community."""

    __tablename__ = "community_threads"
    __table_args__ = (
        Index("ix_community_threads_search", "search", postgresql_using="gin"),
        Index("ix_community_threads_community_id", "community_id", "id"),
    )

    community_id: UUID = Field(foreign_key="communities.id")
    organisation_id: UUID = Field(foreign_key="organisations.id")
    title: str = Field(max_length=200)
    body: str = Field(default="", sa_type=Text)
    body_html: str = Field(default="", sa_type=Text)
    resource_id: UUID | None = Field(default=None, foreign_key="community_resources.id")
    cycle_id: UUID | None = Field(default=None, foreign_key="cycles.id")
    locked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    locked_by: str | None = Field(default=None, max_length=200)
    lock_reason: str = Field(default="", sa_type=Text)
    hidden_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    hidden_by: str | None = Field(default=None, max_length=200)
    hidden_reason: str = Field(default="", sa_type=Text)
    search: str | None = Field(
        default=None,
        sa_column=Column(
            TSVECTOR,
            Computed(_weighted("coalesce(title, '')", "''", "coalesce(body, '')"), persisted=True),
        ),
    )


class Post(RecordFields, table=True):
    """A reply in a thread, or a reply to another reply (parent_id)."""

    __tablename__ = "community_posts"
    __table_args__ = (Index("ix_community_posts_thread_id", "thread_id", "id"),)

    thread_id: UUID = Field(foreign_key="community_threads.id")
    parent_id: UUID | None = Field(default=None, foreign_key="community_posts.id")
    organisation_id: UUID = Field(foreign_key="organisations.id")
    body: str = Field(sa_type=Text)
    body_html: str = Field(sa_type=Text)
    edited_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    hidden_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    hidden_by: str | None = Field(default=None, max_length=200)
    hidden_reason: str = Field(default="", sa_type=Text)


class DiscussionEdit(SQLModel, table=True):
    """What a thread or post said before an edit; append-only."""

    __tablename__ = "community_discussion_edits"
    __table_args__ = (
        CheckConstraint("target_kind IN ('thread', 'post')", name="discussion_edit_kind"),
        Index("ix_community_discussion_edits_target", "target_id", "version"),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    target_kind: str = Field(max_length=8)
    target_id: UUID
    version: int  # the version this text had
    title: str | None = Field(default=None, max_length=200)
    body: str = Field(sa_type=Text)
    edited_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    editor: str = Field(max_length=200)


class GlossaryTerm(RecordFields, table=True):
    """A term of the shared vocabulary. Seeded terms have no owning organisation."""

    __tablename__ = "glossary_terms"
    __table_args__ = (
        CheckConstraint(_in("visibility", Visibility), name="glossary_visibility"),
        CheckConstraint(
            "programme_id IS NOT NULL OR visibility <> 'programme'",
            name="glossary_programme_visibility",
        ),
        Index("ix_glossary_terms_search", "search", postgresql_using="gin"),
        Index(
            "ix_glossary_terms_term_trgm",
            "term",
            postgresql_using="gin",
            postgresql_ops={"term": "gin_trgm_ops"},
        ),
    )

    organisation_id: UUID | None = Field(default=None, foreign_key="organisations.id")
    programme_id: UUID | None = Field(default=None, foreign_key="programmes.id")
    visibility: str = Field(default=Visibility.public.value, max_length=16)
    slug: str = Field(max_length=200, unique=True)
    term: str = Field(max_length=200)
    definition: str = Field(sa_type=Text)
    definition_html: str = Field(sa_type=Text)
    aliases: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    # The aliases joined by spaces, kept by the service: a generated column may only use
    # immutable functions, and array_to_string is not one.
    alias_text: str = Field(default="", sa_type=Text)
    related: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))  # slugs
    search: str | None = Field(
        default=None,
        sa_column=Column(
            TSVECTOR,
            Computed(
                _weighted(
                    "coalesce(term, '')",
                    "coalesce(alias_text, '')",
                    "coalesce(definition, '')",
                ),
                persisted=True,
            ),
        ),
    )
