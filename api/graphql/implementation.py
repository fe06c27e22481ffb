"""GraphQL for implementation tracking: thin calls into domain.implementation, nested
objects through the request's DataLoaders (api.graphql.implementation_loaders)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, cast
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from api.graphql.errors import UserError
from api.graphql.ids import from_global_id, parse_global_id, to_global_id
from api.graphql.implementation_loaders import implementation_loaders
from api.graphql.permissions import requires
from api.graphql.resolvers import optional_id, page_info, run_mutation, run_query
from api.graphql.types import ContextInfo, Node, Organisation, PageInfo, Site
from domain.implementation import assessments, implementations, innovations, instruments, teams
from domain.implementation.assessments import AssessmentView
from domain.implementation.implementations import ImplementationView
from domain.implementation.innovations import ProfileView
from domain.implementation.models import AssessmentAction as ActionRow
from domain.implementation.models import (
    AssessmentStatus,
    ComponentFlexibility,
    MemberRole,
    ProfileStatus,
    Stage,
    SubjectKind,
)
from domain.implementation.models import Innovation as InnovationRow
from domain.implementation.models import Instrument as InstrumentRow
from domain.implementation.models import Team as TeamRow
from domain.implementation.models import TeamChecklistItem as ChecklistItemRow
from domain.implementation.models import TeamMember as TeamMemberRow
from domain.implementation.rules import Move, stage_on
from domain.implementation.schemas import (
    AssessmentCreate,
    AssessmentFilters,
    AssessmentResult,
    EvidenceKind,
    ImplementationCreate,
    ImplementationFilters,
    InnovationCreate,
    InnovationFilters,
    InstrumentFilters,
    ScoresInput,
    StageTransitionCreate,
    TeamFilters,
    TimelineRead,
)
from domain.improvement.models import Visibility
from domain.shared.errors import FieldError, ValidationFailed
from domain.shared.pagination import DEFAULT_LIMIT, encode_cursor, page_request
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork

StageEnum = strawberry.enum(Stage, name="ImplementationStage")
ProfileStatusEnum = strawberry.enum(ProfileStatus, name="PracticeProfileStatus")
FlexibilityEnum = strawberry.enum(ComponentFlexibility, name="ComponentFlexibility")
MemberRoleEnum = strawberry.enum(MemberRole, name="TeamMemberRole")
SubjectKindEnum = strawberry.enum(SubjectKind, name="AssessmentSubjectKind")
AssessmentStatusEnum = strawberry.enum(AssessmentStatus, name="AssessmentStatus")
EvidenceKindEnum = strawberry.enum(EvidenceKind, name="EvidenceKind")


def _gid(type_name: str, value: UUID) -> strawberry.ID:
    return strawberry.ID(to_global_id(type_name, value))


# Types -------------------------------------------------------------------------------------


@strawberry.type(description="A core component of a practice-profile version.")
class CoreComponent:
    database_id: UUID
    key: str
    name: str
    description: str
    fixed_or_adaptable: ComponentFlexibility
    expected_practice: str
    developmental_practice: str
    unacceptable_practice: str
    position: int


@strawberry.type(description="One version of an innovation's practice profile.")
class PracticeProfileVersion(Node):
    database_id: UUID
    version_number: int
    status: ProfileStatus
    published_at: dt.datetime | None
    notes: str
    components: list[CoreComponent]
    version: int

    @classmethod
    def from_view(cls, view: ProfileView) -> PracticeProfileVersion:
        p = view.profile
        return cls(
            id=_gid("PracticeProfileVersion", p.id),
            database_id=p.id,
            version_number=p.version_number,
            status=ProfileStatus(p.status),
            published_at=p.published_at,
            notes=p.notes,
            components=[
                CoreComponent(
                    database_id=c.id,
                    key=c.key,
                    name=c.name,
                    description=c.description,
                    fixed_or_adaptable=ComponentFlexibility(c.fixed_or_adaptable),
                    expected_practice=c.expected_practice,
                    developmental_practice=c.developmental_practice,
                    unacceptable_practice=c.unacceptable_practice,
                    position=c.position,
                )
                for c in view.components
            ],
            version=p.version,
        )


@strawberry.type(description="A usable innovation: a practice being implemented.")
class Innovation(Node):
    database_id: UUID
    name: str
    description: str
    philosophy: str
    principles: str
    inclusion_criteria: str
    exclusion_criteria: str
    evidence_summary: str
    visibility: Visibility
    version: int
    organisation_id: strawberry.Private[UUID]

    @strawberry.field
    async def organisation(self, info: ContextInfo) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.organisation_id)
        return Organisation.from_row(row) if row else None

    @strawberry.field(description="Every practice-profile version, newest first.")
    async def profile_versions(self, info: ContextInfo) -> list[PracticeProfileVersion]:
        views = await implementation_loaders(info.context).profile_versions.load(self.database_id)
        return [PracticeProfileVersion.from_view(v) for v in views or []]

    @classmethod
    def from_row(cls, row: InnovationRow) -> Innovation:
        return cls(
            id=_gid("Innovation", row.id),
            database_id=row.id,
            name=row.name,
            description=row.description,
            philosophy=row.philosophy,
            principles=row.principles,
            inclusion_criteria=row.inclusion_criteria,
            exclusion_criteria=row.exclusion_criteria,
            evidence_summary=row.evidence_summary,
            visibility=Visibility(row.visibility),
            version=row.version,
            organisation_id=row.organisation_id,
        )


@strawberry.type
class TeamMember:
    database_id: UUID
    name: str
    role: MemberRole
    joined_on: dt.date
    left_on: dt.date | None
    user_id: UUID | None
    organisation_id: strawberry.Private[UUID]

    @strawberry.field(description="The agency the person comes from.")
    async def organisation(self, info: ContextInfo) -> Organisation | None:
        row = await info.context.loaders.organisation.load(self.organisation_id)
        return Organisation.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: TeamMemberRow) -> TeamMember:
        return cls(
            database_id=row.id,
            name=row.name,
            role=MemberRole(row.role),
            joined_on=row.joined_on,
            left_on=row.left_on,
            user_id=row.user_id,
            organisation_id=row.organisation_id,
        )


@strawberry.type(description="Follow-up of an assessment item not in place.")
class AssessmentAction:
    database_id: UUID
    assessment_id: UUID
    item_key: str
    what: str
    who: str
    due_on: dt.date | None
    done_on: dt.date | None
    version: int

    @classmethod
    def from_row(cls, row: ActionRow) -> AssessmentAction:
        return cls(
            database_id=row.id,
            assessment_id=row.assessment_id,
            item_key=row.item_key,
            what=row.what,
            who=row.who,
            due_on=row.due_on,
            done_on=row.done_on,
            version=row.version,
        )


@strawberry.type(description="A team's own item on a shared instrument.")
class TeamChecklistItem:
    database_id: UUID
    key: str
    instrument_id: UUID
    section_key: str
    text: str

    @classmethod
    def from_row(cls, row: ChecklistItemRow) -> TeamChecklistItem:
        return cls(
            database_id=row.id,
            key=teams.local_key(row.id),
            instrument_id=row.instrument_id,
            section_key=row.section_key,
            text=row.text,
        )


@strawberry.type(description="How one site adapts an adaptable core component.")
class Adaptation:
    database_id: UUID
    component_id: UUID
    description: str
    rationale: str
    adopted_on: dt.date | None


@strawberry.type(description="An implementation team across agencies.")
class Team(Node):
    database_id: UUID
    name: str
    purpose: str
    visibility: Visibility
    version: int

    @strawberry.field
    async def members(self, info: ContextInfo) -> list[TeamMember]:
        rows = await implementation_loaders(info.context).team_members.load(self.database_id)
        return [TeamMember.from_row(r) for r in rows or []]

    @strawberry.field(description="The implementations the team leads, newest first.")
    async def implementations(
        self, info: ContextInfo
    ) -> list[Annotated[Implementation, strawberry.lazy("api.graphql.implementation")]]:
        views = await implementation_loaders(info.context).team_implementations.load(
            self.database_id
        )
        return [Implementation.from_view(v) for v in views or []]

    @strawberry.field(description="The team's action list: actions not yet done.")
    async def actions(self, info: ContextInfo) -> list[AssessmentAction]:
        rows = await implementation_loaders(info.context).team_actions.load(self.database_id)
        return [AssessmentAction.from_row(r) for r in rows or []]

    @strawberry.field(description="The team's own checklist items (scored as local:<id>).")
    async def checklist_items(self, info: ContextInfo) -> list[TeamChecklistItem]:
        rows = await implementation_loaders(info.context).checklist_items.load(self.database_id)
        return [TeamChecklistItem.from_row(r) for r in rows or []]

    @classmethod
    def from_row(cls, row: TeamRow) -> Team:
        return cls(
            id=_gid("Team", row.id),
            database_id=row.id,
            name=row.name,
            purpose=row.purpose,
            visibility=Visibility(row.visibility),
            version=row.version,
        )


@strawberry.type
class StageTransition:
    from_stage: Stage | None
    to_stage: Stage
    effective_on: dt.date
    rationale: str
    skip_reason: str
    evidence: JSON
    actor: str


@strawberry.type
class StagePeriod:
    stage: Stage
    started_on: dt.date
    ended_on: dt.date | None
    days: int


@strawberry.type
class ImplementationTimeline:
    transitions: list[StageTransition]
    periods: list[StagePeriod]

    @classmethod
    def from_domain(cls, timeline: TimelineRead) -> ImplementationTimeline:
        return cls(
            transitions=[
                StageTransition(
                    from_stage=t.from_stage,
                    to_stage=t.to_stage,
                    effective_on=t.effective_on,
                    rationale=t.rationale,
                    skip_reason=t.skip_reason,
                    evidence=cast(JSON, t.evidence),
                    actor=t.actor,
                )
                for t in timeline.transitions
            ],
            periods=[StagePeriod(**p.model_dump()) for p in timeline.periods],
        )


@strawberry.type(description="One innovation at one site, led by one team.")
class Implementation(Node):
    database_id: UUID
    stage: Stage | None = strawberry.field(description="Derived from the transitions")
    stage_since: dt.date | None
    days_in_stage: int | None
    notes: str
    visibility: Visibility
    version: int
    innovation_id: strawberry.Private[UUID]
    site_id: strawberry.Private[UUID]
    team_id: strawberry.Private[UUID]
    profile_version_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def innovation(self, info: ContextInfo) -> Innovation | None:
        row = await implementation_loaders(info.context).innovation.load(self.innovation_id)
        return Innovation.from_row(row) if row else None

    @strawberry.field
    async def site(self, info: ContextInfo) -> Site | None:
        row = await info.context.loaders.site.load(self.site_id)
        return Site.from_row(row) if row else None

    @strawberry.field
    async def team(self, info: ContextInfo) -> Team | None:
        row = await implementation_loaders(info.context).team.load(self.team_id)
        return Team.from_row(row) if row else None

    @strawberry.field
    async def profile_version(self, info: ContextInfo) -> PracticeProfileVersion | None:
        if self.profile_version_id is None:
            return None
        view = await implementation_loaders(info.context).profile.load(self.profile_version_id)
        return PracticeProfileVersion.from_view(view) if view else None

    @strawberry.field(description="Every transition and the time spent in each stage.")
    async def timeline(self, info: ContextInfo) -> ImplementationTimeline | None:
        found = await implementation_loaders(info.context).timeline.load(self.database_id)
        return ImplementationTimeline.from_domain(found) if found else None

    @strawberry.field(description="The stage on a date; null before the implementation began.")
    async def stage_on(self, info: ContextInfo, as_of: dt.date) -> Stage | None:
        found = await implementation_loaders(info.context).timeline.load(self.database_id)
        if found is None:
            return None
        moves = [Move(t.from_stage, t.to_stage, t.effective_on) for t in found.transitions]
        return stage_on(moves, as_of)

    @strawberry.field(description="This site's adaptations of adaptable components.")
    async def adaptations(self, info: ContextInfo) -> list[Adaptation]:
        rows = await implementation_loaders(info.context).adaptations.load(self.database_id)
        return [
            Adaptation(
                database_id=r.id,
                component_id=r.component_id,
                description=r.description,
                rationale=r.rationale,
                adopted_on=r.adopted_on,
            )
            for r in rows or []
        ]

    @classmethod
    def from_view(cls, view: ImplementationView) -> Implementation:
        read = view.read()
        return cls(
            id=_gid("Implementation", read.id),
            database_id=read.id,
            stage=read.stage,
            stage_since=read.stage_since,
            days_in_stage=read.days_in_stage,
            notes=read.notes,
            visibility=Visibility(read.visibility.value),
            version=read.version,
            innovation_id=read.innovation_id,
            site_id=read.site_id,
            team_id=read.team_id,
            profile_version_id=read.profile_version_id,
        )


@strawberry.type
class ImplementationEdge:
    cursor: str
    node: Implementation


@strawberry.type
class ImplementationConnection:
    edges: list[ImplementationEdge]
    page_info: PageInfo


@strawberry.type
class StageCount:
    stage: Stage
    implementations: int
    median_days_in_stage: float | None


@strawberry.type
class SiteStages:
    site_id: strawberry.Private[UUID]
    stages: list[StageCount]

    @strawberry.field
    async def site(self, info: ContextInfo) -> Site | None:
        row = await info.context.loaders.site.load(self.site_id)
        return Site.from_row(row) if row else None


@strawberry.type
class InnovationStages:
    innovation_id: strawberry.Private[UUID]
    stages: list[StageCount]

    @strawberry.field
    async def innovation(self, info: ContextInfo) -> Innovation | None:
        row = await implementation_loaders(info.context).innovation.load(self.innovation_id)
        return Innovation.from_row(row) if row else None


@strawberry.type(description="Implementations per stage, by site and by innovation.")
class StageSummary:
    as_of: dt.date
    by_site: list[SiteStages]
    by_innovation: list[InnovationStages]


@strawberry.type(description="An assessment instrument: sections, items, scale and scoring.")
class Instrument(Node):
    database_id: UUID
    key: str
    instrument_version: str
    name: str
    applies_to: SubjectKind
    consensus: bool
    definition: JSON

    @classmethod
    def from_row(cls, row: InstrumentRow) -> Instrument:
        return cls(
            id=_gid("Instrument", row.id),
            database_id=row.id,
            key=row.key,
            instrument_version=row.instrument_version,
            name=row.name,
            applies_to=SubjectKind(row.applies_to),
            consensus=row.consensus,
            definition=cast(JSON, row.definition),
        )


@strawberry.type
class InstrumentEdge:
    cursor: str
    node: Instrument


@strawberry.type
class InstrumentConnection:
    edges: list[InstrumentEdge]
    page_info: PageInfo


@strawberry.type
class ItemScore:
    item_key: str
    score: int | None
    note: str


@strawberry.type
class ScoreTally:
    points: int
    max_points: int
    percent: float | None
    scored: int
    unscored: int


@strawberry.type
class SectionScore:
    key: str
    title: str
    stage: Stage | None
    group: str | None
    score: ScoreTally
    change: float | None


@strawberry.type
class GroupScore:
    group: str
    score: ScoreTally
    change: float | None


@strawberry.type
class UnscoredItem:
    key: str
    section_key: str
    text: str


@strawberry.type(description="Scores as a percentage of the maximum over scored items.")
class AssessmentScores:
    overall: ScoreTally
    overall_change: float | None
    sections: list[SectionScore]
    groups: list[GroupScore]
    unscored_items: list[UnscoredItem]
    local_items: ScoreTally
    spread: JSON

    @classmethod
    def from_domain(cls, result: AssessmentResult) -> AssessmentScores:
        def tally(value: Any) -> ScoreTally:
            return ScoreTally(**value.model_dump())

        return cls(
            overall=tally(result.overall),
            overall_change=result.overall_change,
            sections=[
                SectionScore(
                    key=s.key,
                    title=s.title,
                    stage=s.stage,
                    group=s.group,
                    score=tally(s.score),
                    change=s.change,
                )
                for s in result.sections
            ],
            groups=[
                GroupScore(group=g.group, score=tally(g.score), change=g.change)
                for g in result.groups
            ],
            unscored_items=[UnscoredItem(**u.model_dump()) for u in result.unscored_items],
            local_items=tally(result.local_items),
            spread=cast(JSON, [s.model_dump() for s in result.spread]),
        )


@strawberry.type(description="An instrument applied to one subject on a date.")
class Assessment(Node):
    database_id: UUID
    status: AssessmentStatus
    assessed_on: dt.date
    subject_kind: SubjectKind
    subject_id: UUID
    notes: str
    visibility: Visibility
    version: int
    scores: list[ItemScore]
    instrument_id: strawberry.Private[UUID]

    @strawberry.field
    async def instrument(self, info: ContextInfo) -> Instrument | None:
        row = await implementation_loaders(info.context).instrument.load(self.instrument_id)
        return Instrument.from_row(row) if row else None

    @strawberry.field(description="Scores per section, driver group and overall.")
    async def result(self, info: ContextInfo) -> AssessmentScores | None:
        found = await implementation_loaders(info.context).result.load(self.database_id)
        return AssessmentScores.from_domain(found) if found else None

    @classmethod
    def from_view(cls, view: AssessmentView) -> Assessment:
        a = view.assessment
        return cls(
            id=_gid("Assessment", a.id),
            database_id=a.id,
            status=AssessmentStatus(a.status),
            assessed_on=a.assessed_on,
            subject_kind=SubjectKind(a.subject_kind),
            subject_id=a.subject_id,
            notes=a.notes,
            visibility=Visibility(a.visibility),
            version=a.version,
            scores=[
                ItemScore(item_key=s.item_key, score=s.score, note=s.note) for s in view.scores
            ],
            instrument_id=a.instrument_id,
        )


@strawberry.type(description="One submitted assessment's percentages, for charts.")
class SeriesPoint:
    assessment_id: strawberry.ID
    assessed_on: dt.date
    overall: float | None
    sections: JSON = strawberry.field(description="Section key -> percent")
    groups: JSON = strawberry.field(description="Driver group -> percent")


@strawberry.type
class AssessmentEdge:
    cursor: str
    node: Assessment


@strawberry.type
class AssessmentConnection:
    edges: list[AssessmentEdge]
    page_info: PageInfo


@strawberry.type
class InnovationEdge:
    cursor: str
    node: Innovation


@strawberry.type
class InnovationConnection:
    edges: list[InnovationEdge]
    page_info: PageInfo


@strawberry.type
class TeamEdge:
    cursor: str
    node: Team


@strawberry.type
class TeamConnection:
    edges: list[TeamEdge]
    page_info: PageInfo


# Node resolution ---------------------------------------------------------------------------

IMPLEMENTATION_NODE_TYPES = frozenset(
    {"Innovation", "PracticeProfileVersion", "Team", "Implementation", "Instrument", "Assessment"}
)


async def resolve_node(uow: UnitOfWork, principal: Principal, kind: str, value: UUID) -> Node:
    """node(id:) for this area's types, through the same use cases as the typed fields."""
    if kind == "Innovation":
        return Innovation.from_row(await innovations.get_innovation(uow, principal, value))
    if kind == "PracticeProfileVersion":
        view = await innovations.get_profile_version(uow, principal, value)
        return PracticeProfileVersion.from_view(view)
    if kind == "Team":
        return Team.from_row((await teams.get_team(uow, principal, value)).team)
    if kind == "Implementation":
        return Implementation.from_view(
            await implementations.get_implementation(uow, principal, value)
        )
    if kind == "Instrument":
        return Instrument.from_row(await instruments.get_instrument(uow, principal, value))
    return Assessment.from_view(await assessments.get_assessment(uow, principal, value))


NODE_CLASSES = [Innovation, PracticeProfileVersion, Team, Implementation, Instrument, Assessment]


# Queries -----------------------------------------------------------------------------------

READ = [requires(Scope.implementation_read)]
WRITE = [requires(Scope.implementation_write)]


@strawberry.type
class ImplementationQueries:
    @strawberry.field(extensions=READ, description="One innovation, or null if not visible.")
    async def innovation(self, info: ContextInfo, id: strawberry.ID) -> Innovation | None:
        row = await run_query(
            info,
            lambda uow, p: innovations.get_innovation(uow, p, from_global_id(id, "Innovation")),
        )
        return Innovation.from_row(row)

    @strawberry.field(extensions=READ, description="Innovations you may see, newest first.")
    async def innovations(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        programme_id: strawberry.ID | None = None,
    ) -> InnovationConnection:
        async def work(uow: UnitOfWork, p: Principal) -> Any:
            filters = InnovationFilters(
                programme_id=optional_id(programme_id, "Programme", "programmeId")
            )
            page = page_request(first, after, location="argument")
            return await innovations.list_innovations(uow, p, filters, page)

        result = await run_query(info, work)
        return InnovationConnection(
            edges=[
                InnovationEdge(cursor=encode_cursor(r.id), node=Innovation.from_row(r))
                for r in result.items
            ],
            page_info=page_info(result),
        )

    @strawberry.field(extensions=READ, description="A practice-profile version.")
    async def practice_profile_version(
        self, info: ContextInfo, id: strawberry.ID
    ) -> PracticeProfileVersion | None:
        view = await run_query(
            info,
            lambda uow, p: innovations.get_profile_version(
                uow, p, from_global_id(id, "PracticeProfileVersion")
            ),
        )
        return PracticeProfileVersion.from_view(view)

    @strawberry.field(extensions=READ, description="One team, or null if not visible.")
    async def team(self, info: ContextInfo, id: strawberry.ID) -> Team | None:
        view = await run_query(
            info, lambda uow, p: teams.get_team(uow, p, from_global_id(id, "Team"))
        )
        return Team.from_row(view.team)

    @strawberry.field(extensions=READ, description="Teams you may see, newest first.")
    async def teams(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        programme_id: strawberry.ID | None = None,
    ) -> TeamConnection:
        async def work(uow: UnitOfWork, p: Principal) -> Any:
            filters = TeamFilters(
                programme_id=optional_id(programme_id, "Programme", "programmeId")
            )
            return await teams.list_teams(
                uow, p, filters, page_request(first, after, location="argument")
            )

        result = await run_query(info, work)
        return TeamConnection(
            edges=[
                TeamEdge(cursor=encode_cursor(v.team.id), node=Team.from_row(v.team))
                for v in result.items
            ],
            page_info=page_info(result),
        )

    @strawberry.field(extensions=READ, description="One implementation, or null if not visible.")
    async def implementation(self, info: ContextInfo, id: strawberry.ID) -> Implementation | None:
        view = await run_query(
            info,
            lambda uow, p: implementations.get_implementation(
                uow, p, from_global_id(id, "Implementation")
            ),
        )
        return Implementation.from_view(view)

    @strawberry.field(extensions=READ, description="Implementations you may see, newest first.")
    async def implementations(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        programme_id: strawberry.ID | None = None,
        site_id: strawberry.ID | None = None,
        innovation_id: strawberry.ID | None = None,
        stage: Stage | None = None,
    ) -> ImplementationConnection:
        async def work(uow: UnitOfWork, p: Principal) -> Any:
            filters = ImplementationFilters(
                programme_id=optional_id(programme_id, "Programme", "programmeId"),
                site_id=optional_id(site_id, "Site", "siteId"),
                innovation_id=optional_id(innovation_id, "Innovation", "innovationId"),
                stage=stage,
            )
            page = page_request(first, after, location="argument")
            return await implementations.list_implementations(uow, p, filters, page)

        result = await run_query(info, work)
        return ImplementationConnection(
            edges=[
                ImplementationEdge(
                    cursor=encode_cursor(v.implementation.id), node=Implementation.from_view(v)
                )
                for v in result.items
            ],
            page_info=page_info(result),
        )

    @strawberry.field(
        extensions=READ,
        description="Per site and per innovation: implementations in each stage and their "
        "median days in it (one SQL statement however many implementations).",
    )
    async def stage_summary(
        self, info: ContextInfo, programme_id: strawberry.ID, as_of: dt.date | None = None
    ) -> StageSummary | None:
        summary = await run_query(
            info,
            lambda uow, p: implementations.stage_summary(
                uow, p, from_global_id(programme_id, "Programme", field="programmeId"), as_of
            ),
        )

        def counts(group: Any) -> list[StageCount]:
            return [StageCount(**c.model_dump()) for c in group.stages]

        return StageSummary(
            as_of=summary.as_of,
            by_site=[SiteStages(site_id=g.id, stages=counts(g)) for g in summary.by_site],
            by_innovation=[
                InnovationStages(innovation_id=g.id, stages=counts(g))
                for g in summary.by_innovation
            ],
        )

    @strawberry.field(extensions=READ, description="Shared instruments.")
    async def instruments(
        self, info: ContextInfo, first: int = DEFAULT_LIMIT, after: str | None = None
    ) -> InstrumentConnection:
        async def work(uow: UnitOfWork, p: Principal) -> Any:
            page = page_request(first, after, location="argument")
            return await instruments.list_instruments(uow, p, InstrumentFilters(), page)

        result = await run_query(info, work)
        return InstrumentConnection(
            edges=[
                InstrumentEdge(cursor=encode_cursor(r.id), node=Instrument.from_row(r))
                for r in result.items
            ],
            page_info=page_info(result),
        )

    @strawberry.field(
        extensions=READ,
        description="Submitted assessments of one subject with one instrument over time.",
    )
    async def assessment_series(
        self, info: ContextInfo, instrument_id: strawberry.ID, subject_id: strawberry.ID
    ) -> list[SeriesPoint]:
        series = await run_query(
            info,
            lambda uow, p: assessments.assessment_series(
                uow,
                p,
                from_global_id(instrument_id, "Instrument", field="instrumentId"),
                _any_id(subject_id, "subjectId"),
            ),
        )
        return [
            SeriesPoint(
                assessment_id=_gid("Assessment", point.assessment_id),
                assessed_on=point.assessed_on,
                overall=point.overall,
                sections=cast(JSON, point.sections),
                groups=cast(JSON, point.groups),
            )
            for point in series.points
        ]

    @strawberry.field(extensions=READ, description="One assessment, or null if not visible.")
    async def assessment(self, info: ContextInfo, id: strawberry.ID) -> Assessment | None:
        view = await run_query(
            info,
            lambda uow, p: assessments.get_assessment(uow, p, from_global_id(id, "Assessment")),
        )
        return Assessment.from_view(view)

    @strawberry.field(extensions=READ, description="Assessments you may see, newest first.")
    async def assessments(
        self,
        info: ContextInfo,
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        subject_id: strawberry.ID | None = None,
        team_id: strawberry.ID | None = None,
    ) -> AssessmentConnection:
        async def work(uow: UnitOfWork, p: Principal) -> Any:
            filters = AssessmentFilters(
                subject_id=None if subject_id is None else _any_id(subject_id, "subjectId"),
                team_id=optional_id(team_id, "Team", "teamId"),
            )
            page = page_request(first, after, location="argument")
            return await assessments.list_assessments(uow, p, filters, page)

        result = await run_query(info, work)
        return AssessmentConnection(
            edges=[
                AssessmentEdge(cursor=encode_cursor(v.assessment.id), node=Assessment.from_view(v))
                for v in result.items
            ],
            page_info=page_info(result),
        )


# Mutations ---------------------------------------------------------------------------------


@strawberry.input
class CreateInnovationInput:
    programme_id: strawberry.ID
    name: str
    visibility: Visibility = Visibility.programme
    description: str = ""
    philosophy: str = ""
    principles: str = ""
    inclusion_criteria: str = ""
    exclusion_criteria: str = ""
    evidence_summary: str = ""


@strawberry.type
class CreateInnovationPayload:
    innovation: Innovation | None
    errors: list[UserError]


@strawberry.input
class CreateImplementationInput:
    innovation_id: strawberry.ID
    site_id: strawberry.ID
    team_id: strawberry.ID
    started_on: dt.date
    profile_version_id: strawberry.ID | None = None
    stage: Stage = Stage.exploration
    visibility: Visibility = Visibility.programme
    notes: str = ""


@strawberry.type
class ImplementationPayload:
    implementation: Implementation | None
    errors: list[UserError]


@strawberry.input
class EvidenceInput:
    kind: EvidenceKind
    id: UUID


@strawberry.input
class TransitionImplementationInput:
    id: strawberry.ID
    expected_version: int
    to: Stage
    effective_on: dt.date
    rationale: str = ""
    skip_reason: str = ""
    evidence: list[EvidenceInput] = strawberry.field(default_factory=list)


@strawberry.input
class CreateAssessmentInput:
    subject_kind: SubjectKind
    subject_id: strawberry.ID = strawberry.field(
        description="The team, implementation or organisation (global id), or the team "
        "member's databaseId for a practitioner."
    )
    assessed_on: dt.date
    instrument_id: strawberry.ID | None = None
    profile_version_id: strawberry.ID | None = None
    programme_id: strawberry.ID | None = None
    visibility: Visibility = Visibility.programme
    notes: str = ""


@strawberry.input
class ItemScoreInput:
    item_key: str
    score: int | None
    note: str = ""


@strawberry.input
class SetAssessmentScoresInput:
    id: strawberry.ID
    expected_version: int
    scores: list[ItemScoreInput]


@strawberry.input
class SubmitAssessmentInput:
    id: strawberry.ID
    expected_version: int


@strawberry.type
class AssessmentPayload:
    assessment: Assessment | None
    errors: list[UserError]


def _any_id(value: str, field: str) -> UUID:
    """A global id of any type, or a raw UUID (team members have no global id)."""
    try:
        return UUID(value)
    except ValueError:
        pass
    parsed = parse_global_id(value)
    if parsed is None:
        raise ValidationFailed([FieldError(field, "is not an id", "invalid_id")])
    return parsed[1]


def _id(value: strawberry.ID | None, type_name: str, field: str) -> UUID | None:
    return None if value is None else from_global_id(value, type_name, field=f"/input/{field}")


@strawberry.type
class ImplementationMutations:
    @strawberry.mutation(extensions=WRITE)
    async def create_innovation(
        self, info: ContextInfo, input: CreateInnovationInput
    ) -> CreateInnovationPayload:
        def prepare() -> Any:
            data = InnovationCreate.model_validate(
                {
                    "programme_id": _id(input.programme_id, "Programme", "programmeId"),
                    "name": input.name,
                    "visibility": input.visibility.value,
                    "description": input.description,
                    "philosophy": input.philosophy,
                    "principles": input.principles,
                    "inclusion_criteria": input.inclusion_criteria,
                    "exclusion_criteria": input.exclusion_criteria,
                    "evidence_summary": input.evidence_summary,
                }
            )
            return lambda uow, p: innovations.create_innovation(uow, p, data)

        row, errors = await run_mutation(info, prepare)
        return CreateInnovationPayload(
            innovation=Innovation.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE)
    async def create_implementation(
        self, info: ContextInfo, input: CreateImplementationInput
    ) -> ImplementationPayload:
        def prepare() -> Any:
            data = ImplementationCreate.model_validate(
                {
                    "innovation_id": _id(input.innovation_id, "Innovation", "innovationId"),
                    "site_id": _id(input.site_id, "Site", "siteId"),
                    "team_id": _id(input.team_id, "Team", "teamId"),
                    "profile_version_id": _id(
                        input.profile_version_id, "PracticeProfileVersion", "profileVersionId"
                    ),
                    "started_on": input.started_on,
                    "stage": input.stage.value,
                    "visibility": input.visibility.value,
                    "notes": input.notes,
                }
            )
            return lambda uow, p: implementations.create_implementation(uow, p, data)

        view, errors = await run_mutation(info, prepare)
        return ImplementationPayload(
            implementation=Implementation.from_view(view) if view else None, errors=errors
        )

    @strawberry.mutation(
        extensions=WRITE, description="Move an implementation to another stage (append-only)."
    )
    async def transition_implementation(
        self, info: ContextInfo, input: TransitionImplementationInput
    ) -> ImplementationPayload:
        def prepare() -> Any:
            implementation_id = from_global_id(input.id, "Implementation", field="/input/id")
            data = StageTransitionCreate.model_validate(
                {
                    "to": input.to.value,
                    "effective_on": input.effective_on,
                    "rationale": input.rationale,
                    "skip_reason": input.skip_reason,
                    "evidence": [{"kind": e.kind.value, "id": e.id} for e in input.evidence],
                }
            )
            return lambda uow, p: implementations.transition_implementation(
                uow, p, implementation_id, data, expected_version=input.expected_version
            )

        view, errors = await run_mutation(info, prepare)
        return ImplementationPayload(
            implementation=Implementation.from_view(view) if view else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE)
    async def create_assessment(
        self, info: ContextInfo, input: CreateAssessmentInput
    ) -> AssessmentPayload:
        def prepare() -> Any:
            data = AssessmentCreate.model_validate(
                {
                    "instrument_id": _id(input.instrument_id, "Instrument", "instrumentId"),
                    "profile_version_id": _id(
                        input.profile_version_id, "PracticeProfileVersion", "profileVersionId"
                    ),
                    "programme_id": _id(input.programme_id, "Programme", "programmeId"),
                    "subject_kind": input.subject_kind.value,
                    "subject_id": _any_id(input.subject_id, "/input/subjectId"),
                    "assessed_on": input.assessed_on,
                    "visibility": input.visibility.value,
                    "notes": input.notes,
                }
            )
            return lambda uow, p: assessments.create_assessment(uow, p, data)

        view, errors = await run_mutation(info, prepare)
        return AssessmentPayload(
            assessment=Assessment.from_view(view) if view else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Record item scores (null clears one).")
    async def set_assessment_scores(
        self, info: ContextInfo, input: SetAssessmentScoresInput
    ) -> AssessmentPayload:
        def prepare() -> Any:
            assessment_id = from_global_id(input.id, "Assessment", field="/input/id")
            data = ScoresInput.model_validate(
                {
                    "scores": [
                        {"item_key": s.item_key, "score": s.score, "note": s.note}
                        for s in input.scores
                    ]
                }
            )
            return lambda uow, p: assessments.set_scores(
                uow, p, assessment_id, data, expected_version=input.expected_version
            )

        view, errors = await run_mutation(info, prepare)
        return AssessmentPayload(
            assessment=Assessment.from_view(view) if view else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Submit; the assessment is then read-only.")
    async def submit_assessment(
        self, info: ContextInfo, input: SubmitAssessmentInput
    ) -> AssessmentPayload:
        def prepare() -> Any:
            assessment_id = from_global_id(input.id, "Assessment", field="/input/id")
            return lambda uow, p: assessments.submit_assessment(
                uow, p, assessment_id, expected_version=input.expected_version
            )

        view, errors = await run_mutation(info, prepare)
        return AssessmentPayload(
            assessment=Assessment.from_view(view) if view else None, errors=errors
        )
