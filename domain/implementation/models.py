"""Implementation tracking tables: innovations and their versioned practice profiles,
implementation teams, implementations with append-only stage transitions and local
adaptations, instruments (stored as data) and the assessments that apply them.

Organisation-owned tables carry `organisation_id`, `programme_id` and `visibility` so that
`RowAccess.shared_rows` filters them the same way as cycles.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import CheckConstraint, Date, DateTime, Index, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from domain.shared.ids import new_id, utcnow
from domain.shared.models import RecordFields


class Visibility(StrEnum):
    private = "private"
    programme = "programme"


class ProfileStatus(StrEnum):
    draft = "draft"
    published = "published"


class ComponentFlexibility(StrEnum):
    # Adhered to closely wherever the innovation spreads.
    fixed = "fixed"
    # A site may flex it, and records how on its implementation.
    adaptable = "adaptable"


class Stage(StrEnum):
    exploration = "exploration"
    installation = "installation"
    initial_implementation = "initial_implementation"
    full_implementation = "full_implementation"


STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)


class MemberRole(StrEnum):
    lead = "lead"
    coordinator = "coordinator"
    data_lead = "data_lead"
    coach = "coach"
    practitioner_representative = "practitioner_representative"
    senior_leader = "senior_leader"
    member = "member"


class SubjectKind(StrEnum):
    team = "team"
    implementation = "implementation"
    organisation = "organisation"
    practitioner = "practitioner"


class AssessmentStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


class Innovation(RecordFields, table=True):
    """A usable innovation: a practice that is teachable, learnable, doable and assessable."""

    __tablename__ = "innovations"
    __table_args__ = (
        CheckConstraint(_in("visibility", Visibility), name="innovation_visibility"),
        Index("ix_innovations_programme_id_id", "programme_id", "id"),
    )

    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    programme_id: UUID = Field(foreign_key="programmes.id")
    visibility: str = Field(default=Visibility.programme.value, max_length=16)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    philosophy: str = Field(default="", sa_type=Text)
    principles: str = Field(default="", sa_type=Text)
    inclusion_criteria: str = Field(default="", sa_type=Text)
    exclusion_criteria: str = Field(default="", sa_type=Text)
    evidence_summary: str = Field(default="", sa_type=Text)
    deleted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class PracticeProfileVersion(RecordFields, table=True):
    """One version of an innovation's practice profile. Drafts are editable; a published
    version never changes, so fidelity results keep pointing at what they were scored on.

    Owner, programme and visibility are copied from the innovation (and kept in step with
    it) so the version can be filtered on its own by `RowAccess.shared_rows`."""

    __tablename__ = "practice_profile_versions"
    __table_args__ = (
        CheckConstraint(_in("status", ProfileStatus), name="practice_profile_status"),
        CheckConstraint(_in("visibility", Visibility), name="practice_profile_visibility"),
        CheckConstraint(
            "(status = 'published') = (published_at IS NOT NULL)",
            name="practice_profile_published_at",
        ),
        UniqueConstraint("innovation_id", "version_number", name="uq_practice_profile_number"),
        # At most one draft per innovation: the next version is being written in one place.
        Index(
            "uq_practice_profile_one_draft",
            "innovation_id",
            unique=True,
            postgresql_where=text("status = 'draft'"),
        ),
    )

    innovation_id: UUID = Field(foreign_key="innovations.id")
    version_number: int
    status: str = Field(default=ProfileStatus.draft.value, max_length=16)
    published_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    notes: str = Field(default="", sa_type=Text)
    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    programme_id: UUID = Field(foreign_key="programmes.id", index=True)
    visibility: str = Field(default=Visibility.programme.value, max_length=16)


class CoreComponent(SQLModel, table=True):
    """A core component of one practice-profile version, with its practice descriptions."""

    __tablename__ = "core_components"
    __table_args__ = (
        CheckConstraint(
            _in("fixed_or_adaptable", ComponentFlexibility), name="core_component_flexibility"
        ),
        UniqueConstraint("profile_version_id", "key", name="uq_core_components_key"),
        Index("ix_core_components_profile_position", "profile_version_id", "position"),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    profile_version_id: UUID = Field(foreign_key="practice_profile_versions.id", ondelete="CASCADE")
    key: str = Field(max_length=64)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    fixed_or_adaptable: str = Field(default=ComponentFlexibility.fixed.value, max_length=16)
    expected_practice: str = Field(default="", sa_type=Text)
    developmental_practice: str = Field(default="", sa_type=Text)
    unacceptable_practice: str = Field(default="", sa_type=Text)
    position: int = Field(default=0)


class Team(RecordFields, table=True):
    """An implementation team: a sustained group across agencies, accountable for moving
    the work through the stages."""

    __tablename__ = "implementation_teams"
    __table_args__ = (
        CheckConstraint(_in("visibility", Visibility), name="team_visibility"),
        Index("ix_implementation_teams_programme_id_id", "programme_id", "id"),
    )

    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    programme_id: UUID = Field(foreign_key="programmes.id")
    visibility: str = Field(default=Visibility.programme.value, max_length=16)
    name: str = Field(max_length=200)
    purpose: str = Field(default="", sa_type=Text)
    deleted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class TeamMember(SQLModel, table=True):
    """A person on a team. Many members have no login, so the person is a name and their
    organisation; `user_id` links a login when there is one (no foreign key: users live in
    the identity area). The same person may sit on several teams."""

    __tablename__ = "team_members"
    __table_args__ = (
        CheckConstraint(_in("role", MemberRole), name="team_member_role"),
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="team_member_dates"),
        Index("ix_team_members_team_id", "team_id", "id"),
        Index("ix_team_members_user_id", "user_id"),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    team_id: UUID = Field(foreign_key="implementation_teams.id", ondelete="CASCADE")
    name: str = Field(max_length=200)
    organisation_id: UUID = Field(foreign_key="organisations.id")
    role: str = Field(max_length=32)
    joined_on: date = Field(sa_type=Date)
    left_on: date | None = Field(default=None, sa_type=Date)
    user_id: UUID | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Implementation(RecordFields, table=True):
    """One innovation at one site, led by one team. Its stage is never stored here: it is
    derived from the append-only `stage_transitions`."""

    __tablename__ = "implementations"
    __table_args__ = (
        CheckConstraint(_in("visibility", Visibility), name="implementation_visibility"),
        Index("ix_implementations_programme_id_id", "programme_id", "id"),
    )

    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    programme_id: UUID = Field(foreign_key="programmes.id")
    visibility: str = Field(default=Visibility.programme.value, max_length=16)
    innovation_id: UUID = Field(foreign_key="innovations.id", index=True)
    site_id: UUID = Field(foreign_key="sites.id", index=True)
    team_id: UUID = Field(foreign_key="implementation_teams.id", index=True)
    profile_version_id: UUID | None = Field(
        default=None, foreign_key="practice_profile_versions.id"
    )
    notes: str = Field(default="", sa_type=Text)
    deleted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class StageTransition(SQLModel, table=True):
    """One move of an implementation between stages; append-only. The first row of an
    implementation has no `from_stage`. Evidence is a list of typed links
    (`{"kind": "cycle" | "assessment" | "resource", "id": ...}`); resource ids have no
    foreign key (the community area owns resources)."""

    __tablename__ = "stage_transitions"
    __table_args__ = (
        CheckConstraint(_in("to_stage", Stage), name="stage_transition_to"),
        CheckConstraint(
            f"from_stage IS NULL OR {_in('from_stage', Stage)}", name="stage_transition_from"
        ),
        Index(
            "ix_stage_transitions_implementation_effective",
            "implementation_id",
            "effective_on",
            "id",
        ),
    )

    id: UUID = Field(default_factory=new_id, primary_key=True)
    implementation_id: UUID = Field(foreign_key="implementations.id")
    from_stage: str | None = Field(default=None, max_length=32)
    to_stage: str = Field(max_length=32)
    effective_on: date = Field(sa_type=Date)
    rationale: str = Field(default="", sa_type=Text)
    skip_reason: str = Field(default="", sa_type=Text)
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    actor: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Adaptation(RecordFields, table=True):
    """How one implementation flexes an adaptable core component."""

    __tablename__ = "implementation_adaptations"
    __table_args__ = (Index("ix_implementation_adaptations_impl", "implementation_id", "id"),)

    implementation_id: UUID = Field(foreign_key="implementations.id")
    component_id: UUID = Field(foreign_key="core_components.id")
    description: str = Field(sa_type=Text)
    rationale: str = Field(default="", sa_type=Text)
    adopted_on: date | None = Field(default=None, sa_type=Date)


class Instrument(RecordFields, table=True):
    """An assessment instrument, stored as data: sections, items, scale and scoring rule in
    `definition` (validated on load by `domain.implementation.instrument_schema`). Shared
    reference data, except fidelity instruments generated from a practice-profile version,
    which are as visible as that version."""

    __tablename__ = "instruments"
    __table_args__ = (
        CheckConstraint(_in("applies_to", SubjectKind), name="instrument_applies_to"),
        UniqueConstraint("key", "instrument_version", name="uq_instruments_key_version"),
    )

    key: str = Field(max_length=100)
    instrument_version: str = Field(max_length=32)
    name: str = Field(max_length=200)
    applies_to: str = Field(max_length=32)
    consensus: bool = Field(default=False)
    definition: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    profile_version_id: UUID | None = Field(
        default=None, foreign_key="practice_profile_versions.id", unique=True
    )


class Assessment(RecordFields, table=True):
    """An instrument applied to one subject on a date. Draft, then submitted (read-only)."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint(_in("visibility", Visibility), name="assessment_visibility"),
        CheckConstraint(_in("status", AssessmentStatus), name="assessment_status"),
        CheckConstraint(_in("subject_kind", SubjectKind), name="assessment_subject_kind"),
        CheckConstraint(
            "(status = 'submitted') = (submitted_at IS NOT NULL)", name="assessment_submitted_at"
        ),
        Index("ix_assessments_programme_id_id", "programme_id", "id"),
        Index("ix_assessments_subject", "subject_id", "instrument_id", "assessed_on"),
        Index("ix_assessments_team_id", "team_id"),
    )

    organisation_id: UUID = Field(foreign_key="organisations.id", index=True)
    programme_id: UUID = Field(foreign_key="programmes.id")
    visibility: str = Field(default=Visibility.programme.value, max_length=16)
    instrument_id: UUID = Field(foreign_key="instruments.id", index=True)
    subject_kind: str = Field(max_length=32)
    # A team, implementation, organisation or team member (practitioner) id.
    subject_id: UUID
    # The team whose action list shows this assessment's actions (the subject team, or the
    # team leading the subject implementation).
    team_id: UUID | None = Field(default=None, foreign_key="implementation_teams.id")
    assessed_on: date = Field(sa_type=Date)
    status: str = Field(default=AssessmentStatus.draft.value, max_length=16)
    submitted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    notes: str = Field(default="", sa_type=Text)
    deleted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class AssessmentScore(SQLModel, table=True):
    """The (agreed) score of one item; `score` NULL means not scored, never zero."""

    __tablename__ = "assessment_scores"

    assessment_id: UUID = Field(foreign_key="assessments.id", primary_key=True, ondelete="CASCADE")
    item_key: str = Field(max_length=100, primary_key=True)
    score: int | None = Field(default=None)
    note: str = Field(default="", sa_type=Text)


class AssessmentVote(SQLModel, table=True):
    """One participant's vote on one item of a consensus-scored assessment."""

    __tablename__ = "assessment_votes"

    assessment_id: UUID = Field(foreign_key="assessments.id", primary_key=True, ondelete="CASCADE")
    item_key: str = Field(max_length=100, primary_key=True)
    participant: str = Field(max_length=200, primary_key=True)
    score: int


class AssessmentAction(RecordFields, table=True):
    """What will be done about an item not in place: what, who, by when, and when done.
    Open actions appear on the team's action list."""

    __tablename__ = "assessment_actions"
    __table_args__ = (
        Index("ix_assessment_actions_team_open", "team_id", "done_on", "id"),
        Index("ix_assessment_actions_assessment_id", "assessment_id"),
    )

    assessment_id: UUID = Field(foreign_key="assessments.id", ondelete="CASCADE")
    team_id: UUID | None = Field(default=None, foreign_key="implementation_teams.id")
    item_key: str = Field(max_length=100)
    what: str = Field(sa_type=Text)
    who: str = Field(max_length=200)
    due_on: date | None = Field(default=None, sa_type=Date)
    done_on: date | None = Field(default=None, sa_type=Date)


class TeamChecklistItem(RecordFields, table=True):
    """A team's own extra item on an instrument, for its own use; the shared instrument is
    unchanged. Scored like other items under the key `local:<id>` but reported apart."""

    __tablename__ = "team_checklist_items"
    __table_args__ = (Index("ix_team_checklist_items_team", "team_id", "instrument_id"),)

    team_id: UUID = Field(foreign_key="implementation_teams.id")
    instrument_id: UUID = Field(foreign_key="instruments.id")
    section_key: str = Field(max_length=100)
    text: str = Field(sa_type=Text)
    position: int = Field(default=0)
