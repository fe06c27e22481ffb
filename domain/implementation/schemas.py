"""What callers send and get back for implementation tracking."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field

from domain.implementation.models import (
    AssessmentStatus,
    ComponentFlexibility,
    MemberRole,
    ProfileStatus,
    Stage,
    SubjectKind,
    Visibility,
)
from domain.shared.schemas import InputModel, ReadModel, ShortText, Text

Key = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
ItemKey = Annotated[str, Field(min_length=1, max_length=100)]
RequiredText = Annotated[Text, Field(min_length=1)]


# Innovations and practice profiles -------------------------------------------------------


class InnovationCreate(InputModel):
    programme_id: UUID
    name: ShortText
    visibility: Visibility = Visibility.programme
    description: Text = ""
    philosophy: Text = ""
    principles: Text = ""
    inclusion_criteria: Text = ""
    exclusion_criteria: Text = ""
    evidence_summary: Text = ""


class InnovationUpdate(InputModel):
    name: ShortText | None = None
    visibility: Visibility | None = None
    description: Text | None = None
    philosophy: Text | None = None
    principles: Text | None = None
    inclusion_criteria: Text | None = None
    exclusion_criteria: Text | None = None
    evidence_summary: Text | None = None


class InnovationRead(ReadModel):
    id: UUID
    organisation_id: UUID
    programme_id: UUID
    visibility: Visibility
    name: str
    description: str
    philosophy: str
    principles: str
    inclusion_criteria: str
    exclusion_criteria: str
    evidence_summary: str
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class InnovationFilters(InputModel):
    programme_id: UUID | None = None


class ComponentInput(InputModel):
    key: Key
    name: ShortText
    description: Text = ""
    fixed_or_adaptable: ComponentFlexibility = ComponentFlexibility.fixed
    expected_practice: Text = ""
    developmental_practice: Text = ""
    unacceptable_practice: Text = ""


class ProfileVersionCreate(InputModel):
    notes: Text = ""
    components: list[ComponentInput] | None = Field(
        default=None,
        max_length=100,
        description="Omit to start from a copy of the latest version's components.",
    )


class ProfileVersionUpdate(InputModel):
    """Drafts only. `components` replaces the whole list, in the order given."""

    notes: Text | None = None
    components: list[ComponentInput] | None = Field(default=None, max_length=100)


class ComponentRead(ReadModel):
    id: UUID
    key: str
    name: str
    description: str
    fixed_or_adaptable: ComponentFlexibility
    expected_practice: str
    developmental_practice: str
    unacceptable_practice: str
    position: int


class ProfileVersionRead(ReadModel):
    id: UUID
    innovation_id: UUID
    version_number: int
    status: ProfileStatus
    published_at: datetime | None
    notes: str
    organisation_id: UUID
    programme_id: UUID
    visibility: Visibility
    components: list[ComponentRead]
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


# Teams -----------------------------------------------------------------------------------


class MemberInput(InputModel):
    name: ShortText
    organisation_id: UUID
    role: MemberRole
    joined_on: date
    left_on: date | None = None
    user_id: UUID | None = Field(default=None, description="The person's login, if any.")


class MemberUpdate(InputModel):
    name: ShortText | None = None
    role: MemberRole | None = None
    joined_on: date | None = None
    left_on: date | None = None
    user_id: UUID | None = None


class MemberRead(ReadModel):
    id: UUID
    team_id: UUID
    name: str
    organisation_id: UUID
    role: MemberRole
    joined_on: date
    left_on: date | None
    user_id: UUID | None


class TeamCreate(InputModel):
    programme_id: UUID
    name: ShortText
    purpose: Text = ""
    visibility: Visibility = Visibility.programme
    members: list[MemberInput] = Field(default_factory=list, max_length=100)


class TeamUpdate(InputModel):
    name: ShortText | None = None
    purpose: Text | None = None
    visibility: Visibility | None = None


class TeamRead(ReadModel):
    id: UUID
    organisation_id: UUID
    programme_id: UUID
    visibility: Visibility
    name: str
    purpose: str
    members: list[MemberRead]
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class TeamFilters(InputModel):
    programme_id: UUID | None = None
    user_id: UUID | None = None


# Implementations and stages --------------------------------------------------------------


class ImplementationCreate(InputModel):
    innovation_id: UUID
    site_id: UUID
    team_id: UUID
    profile_version_id: UUID | None = Field(
        default=None, description="The published practice-profile version being implemented."
    )
    visibility: Visibility = Visibility.programme
    notes: Text = ""
    stage: Stage = Field(default=Stage.exploration, description="The stage it starts in.")
    started_on: date


class ImplementationUpdate(InputModel):
    team_id: UUID | None = None
    profile_version_id: UUID | None = None
    visibility: Visibility | None = None
    notes: Text | None = None


class ImplementationRead(BaseModel):
    id: UUID
    organisation_id: UUID
    programme_id: UUID
    visibility: Visibility
    innovation_id: UUID
    site_id: UUID
    team_id: UUID
    profile_version_id: UUID | None
    notes: str
    stage: Stage | None = Field(description="Derived from the transitions")
    stage_since: date | None
    days_in_stage: int | None
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class ImplementationFilters(InputModel):
    programme_id: UUID | None = None
    site_id: UUID | None = None
    innovation_id: UUID | None = None
    team_id: UUID | None = None
    stage: Stage | None = None


class EvidenceKind(StrEnum):
    cycle = "cycle"
    assessment = "assessment"
    # Community resources; stored as given (the community area checks them).
    resource = "resource"


class EvidenceLink(InputModel):
    kind: EvidenceKind
    id: UUID


class StageTransitionCreate(InputModel):
    to: Stage
    effective_on: date
    rationale: Text = Field(default="", description="Why; required to move back a stage")
    skip_reason: Text = Field(
        default="", description="Required to skip forward over a stage: why it was not needed"
    )
    evidence: list[EvidenceLink] = Field(default_factory=list, max_length=50)


class StageTransitionRead(ReadModel):
    id: UUID
    from_stage: Stage | None
    to_stage: Stage
    effective_on: date
    rationale: str
    skip_reason: str
    evidence: list[dict[str, Any]]
    actor: str
    recorded_at: datetime


class StagePeriodRead(BaseModel):
    stage: Stage
    started_on: date
    ended_on: date | None
    days: int


class TimelineRead(BaseModel):
    implementation_id: UUID
    stage: Stage | None
    days_in_stage: int | None
    transitions: list[StageTransitionRead]
    periods: list[StagePeriodRead]


class StageOnDate(BaseModel):
    implementation_id: UUID
    as_of: date
    stage: Stage | None = Field(description="null before the implementation began")


class AdaptationCreate(InputModel):
    component_id: UUID
    description: RequiredText
    rationale: Text = ""
    adopted_on: date | None = None


class AdaptationRead(ReadModel):
    id: UUID
    implementation_id: UUID
    component_id: UUID
    description: str
    rationale: str
    adopted_on: date | None
    created_at: datetime
    created_by: str
    version: int


class StageCount(BaseModel):
    stage: Stage
    implementations: int
    median_days_in_stage: float | None


class StageSummaryGroup(BaseModel):
    id: UUID = Field(description="The site or innovation id")
    stages: list[StageCount]


class StageSummary(BaseModel):
    programme_id: UUID
    as_of: date
    by_site: list[StageSummaryGroup]
    by_innovation: list[StageSummaryGroup]


# Instruments and assessments -------------------------------------------------------------


class InstrumentRead(ReadModel):
    id: UUID
    key: str
    instrument_version: str
    name: str
    applies_to: SubjectKind
    consensus: bool
    profile_version_id: UUID | None
    definition: dict[str, Any]
    created_at: datetime
    created_by: str
    version: int


class InstrumentFilters(InputModel):
    key: str | None = None
    applies_to: SubjectKind | None = None


class AssessmentCreate(InputModel):
    instrument_id: UUID | None = Field(
        default=None, description="The instrument; or give profile_version_id for fidelity."
    )
    profile_version_id: UUID | None = Field(
        default=None,
        description="Fidelity of a practitioner: the published practice-profile version whose "
        "core components make the instrument.",
    )
    subject_kind: SubjectKind
    subject_id: UUID = Field(
        description="A team, implementation or organisation id, or a team member id for a "
        "practitioner."
    )
    programme_id: UUID | None = Field(
        default=None, description="Needed only when the subject is an organisation."
    )
    assessed_on: date
    visibility: Visibility = Visibility.programme
    notes: Text = ""


class AssessmentUpdate(InputModel):
    assessed_on: date | None = None
    visibility: Visibility | None = None
    notes: Text | None = None


class ItemScoreInput(InputModel):
    item_key: ItemKey
    score: int | None = Field(description="null clears the score (the item is then unscored)")
    note: Text = ""


class ScoresInput(InputModel):
    scores: list[ItemScoreInput] = Field(min_length=1, max_length=500)


class VoteInput(InputModel):
    item_key: ItemKey
    participant: ShortText
    score: int


class VotesInput(InputModel):
    votes: list[VoteInput] = Field(min_length=1, max_length=2000)


class ItemScoreRead(ReadModel):
    item_key: str
    score: int | None
    note: str


class AssessmentRead(BaseModel):
    id: UUID
    organisation_id: UUID
    programme_id: UUID
    visibility: Visibility
    instrument_id: UUID
    subject_kind: SubjectKind
    subject_id: UUID
    team_id: UUID | None
    assessed_on: date
    status: AssessmentStatus
    submitted_at: datetime | None
    notes: str
    scores: list[ItemScoreRead]
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int


class AssessmentFilters(InputModel):
    programme_id: UUID | None = None
    instrument_id: UUID | None = None
    subject_id: UUID | None = None
    team_id: UUID | None = None
    status: AssessmentStatus | None = None


class TallyRead(BaseModel):
    points: int
    max_points: int
    percent: float | None = Field(description="Of the maximum over the scored items")
    scored: int
    unscored: int


class SectionScoreRead(BaseModel):
    key: str
    title: str
    stage: Stage | None
    group: str | None
    score: TallyRead
    change: float | None = Field(
        default=None, description="Percentage points since the previous assessment"
    )


class GroupScoreRead(BaseModel):
    group: str
    score: TallyRead
    change: float | None = None


class UnscoredItemRead(BaseModel):
    key: str
    section_key: str
    text: str


class SpreadRead(BaseModel):
    item_key: str
    votes: dict[str, int]
    lowest: int
    highest: int
    spread: int
    wide: bool = Field(description="The votes differ by the instrument's spread threshold")


class AssessmentResult(BaseModel):
    assessment_id: UUID
    assessed_on: date
    overall: TallyRead
    overall_change: float | None
    previous_assessment_id: UUID | None
    sections: list[SectionScoreRead]
    groups: list[GroupScoreRead]
    unscored_items: list[UnscoredItemRead]
    local_items: TallyRead = Field(description="The team's own checklist items, apart")
    spread: list[SpreadRead]


class SeriesPoint(BaseModel):
    assessment_id: UUID
    assessed_on: date
    status: AssessmentStatus
    overall: float | None
    sections: dict[str, float | None]
    groups: dict[str, float | None]


class AssessmentSeries(BaseModel):
    instrument_id: UUID
    subject_id: UUID
    points: list[SeriesPoint]


class ActionCreate(InputModel):
    item_key: ItemKey
    what: RequiredText
    who: ShortText
    due_on: date | None = None


class ActionUpdate(InputModel):
    what: RequiredText | None = None
    who: ShortText | None = None
    due_on: date | None = None
    done_on: date | None = None


class ActionRead(ReadModel):
    id: UUID
    assessment_id: UUID
    team_id: UUID | None
    item_key: str
    what: str
    who: str
    due_on: date | None
    done_on: date | None
    created_at: datetime
    updated_at: datetime
    version: int


class ChecklistItemCreate(InputModel):
    instrument_id: UUID
    section_key: ItemKey
    text: RequiredText


class ChecklistItemRead(ReadModel):
    id: UUID
    team_id: UUID
    instrument_id: UUID
    section_key: str
    key: str
    text: str
    position: int
    created_at: datetime
    version: int
