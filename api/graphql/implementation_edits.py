"""GraphQL mutations that change innovations, profiles, teams, implementations,
instruments, assessments and actions: the rest of what REST offers, through the same use
cases. Inputs are turned into the domain's Create/Update schemas, which hold the rules."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from api.graphql.errors import UserError
from api.graphql.ids import from_global_id
from api.graphql.implementation import (
    Adaptation,
    Assessment,
    AssessmentAction,
    Implementation,
    Innovation,
    Instrument,
    PracticeProfileVersion,
    Team,
    TeamChecklistItem,
)
from api.graphql.inputs import set_fields
from api.graphql.permissions import requires
from api.graphql.resolvers import run_mutation
from api.graphql.types import ContextInfo
from domain.implementation import assessments, implementations, innovations, instruments, teams
from domain.implementation.models import ComponentFlexibility, MemberRole
from domain.implementation.schemas import (
    ActionCreate,
    ActionUpdate,
    AdaptationCreate,
    AssessmentUpdate,
    ChecklistItemCreate,
    ImplementationUpdate,
    InnovationUpdate,
    MemberInput,
    MemberUpdate,
    ProfileVersionCreate,
    ProfileVersionUpdate,
    TeamCreate,
    TeamUpdate,
    VotesInput,
)
from domain.improvement.models import Visibility
from domain.shared.principal import Scope

WRITE = [requires(Scope.implementation_write)]


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    """Enum members as their values, inputs as dicts: what the domain schemas validate."""
    found: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, list):
            value = [_plain(dict(vars(v))) if hasattr(v, "__dict__") else v for v in value]
        found[name] = value
    return found


def _ids(fields: dict[str, Any], links: dict[str, str]) -> dict[str, Any]:
    for name, type_name in links.items():
        if fields.get(name) is not None:
            camel = name.split("_")[0] + "".join(p.title() for p in name.split("_")[1:])
            fields[name] = from_global_id(fields[name], type_name, field=f"/input/{camel}")
    return fields


# Inputs ------------------------------------------------------------------------------------


@strawberry.input(description="Only the fields you send are changed.")
class UpdateInnovationInput:
    id: strawberry.ID
    expected_version: int
    name: str | None = strawberry.UNSET
    visibility: Visibility | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    philosophy: str | None = strawberry.UNSET
    principles: str | None = strawberry.UNSET
    inclusion_criteria: str | None = strawberry.UNSET
    exclusion_criteria: str | None = strawberry.UNSET
    evidence_summary: str | None = strawberry.UNSET


@strawberry.input
class CoreComponentInput:
    key: str
    name: str
    fixed_or_adaptable: ComponentFlexibility = ComponentFlexibility.fixed
    description: str = ""
    expected_practice: str = ""
    developmental_practice: str = ""
    unacceptable_practice: str = ""


@strawberry.input(description="Omit components to start from a copy of the latest version.")
class CreateProfileVersionInput:
    innovation_id: strawberry.ID
    notes: str = ""
    components: list[CoreComponentInput] | None = None


@strawberry.input(description="Drafts only; components replace the whole list.")
class UpdateProfileVersionInput:
    id: strawberry.ID
    expected_version: int
    notes: str | None = strawberry.UNSET
    components: list[CoreComponentInput] | None = strawberry.UNSET


@strawberry.input
class PublishProfileVersionInput:
    id: strawberry.ID
    expected_version: int


@strawberry.input
class TeamMemberInput:
    name: str
    organisation_id: strawberry.ID
    role: MemberRole
    joined_on: dt.date
    left_on: dt.date | None = None
    user_id: UUID | None = None


@strawberry.input
class CreateTeamInput:
    programme_id: strawberry.ID
    name: str
    purpose: str = ""
    visibility: Visibility = Visibility.programme
    members: list[TeamMemberInput] = strawberry.field(default_factory=list)


@strawberry.input(description="Only the fields you send are changed.")
class UpdateTeamInput:
    id: strawberry.ID
    expected_version: int
    name: str | None = strawberry.UNSET
    purpose: str | None = strawberry.UNSET
    visibility: Visibility | None = strawberry.UNSET


@strawberry.input
class AddTeamMemberInput:
    team_id: strawberry.ID
    expected_version: int
    member: TeamMemberInput


@strawberry.input(description="Set leftOn when someone leaves the team.")
class UpdateTeamMemberInput:
    team_id: strawberry.ID
    member_id: UUID
    expected_version: int
    name: str | None = strawberry.UNSET
    role: MemberRole | None = strawberry.UNSET
    joined_on: dt.date | None = strawberry.UNSET
    left_on: dt.date | None = strawberry.UNSET
    user_id: UUID | None = strawberry.UNSET


@strawberry.input
class AddTeamChecklistItemInput:
    team_id: strawberry.ID
    instrument_id: strawberry.ID
    section_key: str
    text: str


@strawberry.input(description="Only the fields you send are changed.")
class UpdateImplementationInput:
    id: strawberry.ID
    expected_version: int
    team_id: strawberry.ID | None = strawberry.UNSET
    profile_version_id: strawberry.ID | None = strawberry.UNSET
    visibility: Visibility | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET


@strawberry.input(description="An adaptable component only; a fixed one is refused.")
class AddAdaptationInput:
    implementation_id: strawberry.ID
    expected_version: int
    component_id: UUID
    description: str
    rationale: str = ""
    adopted_on: dt.date | None = None


@strawberry.input(description="Drafts only.")
class UpdateAssessmentInput:
    id: strawberry.ID
    expected_version: int
    assessed_on: dt.date | None = strawberry.UNSET
    visibility: Visibility | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET


@strawberry.input
class VoteInput:
    item_key: str
    participant: str
    score: int


@strawberry.input
class SetAssessmentVotesInput:
    id: strawberry.ID
    expected_version: int
    votes: list[VoteInput]


@strawberry.input
class CreateAssessmentActionInput:
    assessment_id: strawberry.ID
    item_key: str
    what: str
    who: str
    due_on: dt.date | None = None


@strawberry.input(description="doneOn takes the action off the team's list.")
class UpdateAssessmentActionInput:
    id: UUID
    expected_version: int
    what: str | None = strawberry.UNSET
    who: str | None = strawberry.UNSET
    due_on: dt.date | None = strawberry.UNSET
    done_on: dt.date | None = strawberry.UNSET


@strawberry.input(description="The instrument document, as in the YAML files.")
class LoadInstrumentInput:
    document: JSON


# Payloads ----------------------------------------------------------------------------------


@strawberry.type
class InnovationPayload:
    innovation: Innovation | None
    errors: list[UserError]


@strawberry.type
class ProfileVersionPayload:
    profile_version: PracticeProfileVersion | None
    errors: list[UserError]


@strawberry.type
class TeamPayload:
    team: Team | None
    errors: list[UserError]


@strawberry.type
class TeamChecklistItemPayload:
    item: TeamChecklistItem | None
    errors: list[UserError]


@strawberry.type
class UpdateImplementationPayload:
    implementation: Implementation | None
    errors: list[UserError]


@strawberry.type
class AdaptationPayload:
    adaptation: Adaptation | None
    errors: list[UserError]


@strawberry.type
class UpdateAssessmentPayload:
    assessment: Assessment | None
    errors: list[UserError]


@strawberry.type
class AssessmentActionPayload:
    action: AssessmentAction | None
    errors: list[UserError]


@strawberry.type
class InstrumentPayload:
    instrument: Instrument | None
    created: bool
    errors: list[UserError]


def _member(value: TeamMemberInput, pointer: str) -> MemberInput:
    fields = _plain(vars(value))
    fields["organisation_id"] = from_global_id(
        value.organisation_id, "Organisation", field=f"{pointer}/organisationId"
    )
    return MemberInput.model_validate(fields)


@strawberry.type
class ImplementationEditMutations:
    @strawberry.mutation(extensions=WRITE)
    async def update_innovation(
        self, info: ContextInfo, input: UpdateInnovationInput
    ) -> InnovationPayload:
        def prepare() -> Any:
            innovation_id = from_global_id(input.id, "Innovation", field="/input/id")
            data = InnovationUpdate.model_validate(
                _plain(set_fields(input, skip=frozenset({"id", "expected_version"})))
            )
            return lambda uow, p: innovations.update_innovation(
                uow, p, innovation_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return InnovationPayload(
            innovation=Innovation.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Start the next version as a draft.")
    async def create_profile_version(
        self, info: ContextInfo, input: CreateProfileVersionInput
    ) -> ProfileVersionPayload:
        def prepare() -> Any:
            innovation_id = from_global_id(
                input.innovation_id, "Innovation", field="/input/innovationId"
            )
            data = ProfileVersionCreate.model_validate(
                _plain(set_fields(input, skip=frozenset({"innovation_id"})))
            )
            return lambda uow, p: innovations.create_profile_version(uow, p, innovation_id, data)

        view, errors = await run_mutation(info, prepare)
        return ProfileVersionPayload(
            profile_version=PracticeProfileVersion.from_view(view) if view else None,
            errors=errors,
        )

    @strawberry.mutation(extensions=WRITE, description="Change a draft version.")
    async def update_profile_version(
        self, info: ContextInfo, input: UpdateProfileVersionInput
    ) -> ProfileVersionPayload:
        def prepare() -> Any:
            profile_id = from_global_id(input.id, "PracticeProfileVersion", field="/input/id")
            data = ProfileVersionUpdate.model_validate(
                _plain(set_fields(input, skip=frozenset({"id", "expected_version"})))
            )
            return lambda uow, p: innovations.update_profile_version(
                uow, p, profile_id, data, expected_version=input.expected_version
            )

        view, errors = await run_mutation(info, prepare)
        return ProfileVersionPayload(
            profile_version=PracticeProfileVersion.from_view(view) if view else None,
            errors=errors,
        )

    @strawberry.mutation(extensions=WRITE, description="Publish a draft; it never changes again.")
    async def publish_profile_version(
        self, info: ContextInfo, input: PublishProfileVersionInput
    ) -> ProfileVersionPayload:
        def prepare() -> Any:
            profile_id = from_global_id(input.id, "PracticeProfileVersion", field="/input/id")
            return lambda uow, p: innovations.publish_profile_version(
                uow, p, profile_id, expected_version=input.expected_version
            )

        view, errors = await run_mutation(info, prepare)
        return ProfileVersionPayload(
            profile_version=PracticeProfileVersion.from_view(view) if view else None,
            errors=errors,
        )

    @strawberry.mutation(extensions=WRITE)
    async def create_team(self, info: ContextInfo, input: CreateTeamInput) -> TeamPayload:
        def prepare() -> Any:
            fields = _plain(set_fields(input, skip=frozenset({"members"})))
            fields["programme_id"] = from_global_id(
                input.programme_id, "Programme", field="/input/programmeId"
            )
            fields["members"] = [
                _member(m, f"/input/members/{i}") for i, m in enumerate(input.members)
            ]
            data = TeamCreate.model_validate(fields)
            return lambda uow, p: teams.create_team(uow, p, data)

        view, errors = await run_mutation(info, prepare)
        return TeamPayload(team=Team.from_row(view.team) if view else None, errors=errors)

    @strawberry.mutation(extensions=WRITE)
    async def update_team(self, info: ContextInfo, input: UpdateTeamInput) -> TeamPayload:
        def prepare() -> Any:
            team_id = from_global_id(input.id, "Team", field="/input/id")
            data = TeamUpdate.model_validate(
                _plain(set_fields(input, skip=frozenset({"id", "expected_version"})))
            )
            return lambda uow, p: teams.update_team(
                uow, p, team_id, data, expected_version=input.expected_version
            )

        view, errors = await run_mutation(info, prepare)
        return TeamPayload(team=Team.from_row(view.team) if view else None, errors=errors)

    @strawberry.mutation(extensions=WRITE, description="Add a member, with the team's version.")
    async def add_team_member(self, info: ContextInfo, input: AddTeamMemberInput) -> TeamPayload:
        def prepare() -> Any:
            team_id = from_global_id(input.team_id, "Team", field="/input/teamId")
            member = _member(input.member, "/input/member")
            return lambda uow, p: teams.add_member(
                uow, p, team_id, member, expected_version=input.expected_version
            )

        view, errors = await run_mutation(info, prepare)
        return TeamPayload(team=Team.from_row(view.team) if view else None, errors=errors)

    @strawberry.mutation(extensions=WRITE)
    async def update_team_member(
        self, info: ContextInfo, input: UpdateTeamMemberInput
    ) -> TeamPayload:
        def prepare() -> Any:
            team_id = from_global_id(input.team_id, "Team", field="/input/teamId")
            data = MemberUpdate.model_validate(
                _plain(
                    set_fields(input, skip=frozenset({"team_id", "member_id", "expected_version"}))
                )
            )
            return lambda uow, p: teams.update_member(
                uow, p, team_id, input.member_id, data, expected_version=input.expected_version
            )

        view, errors = await run_mutation(info, prepare)
        return TeamPayload(team=Team.from_row(view.team) if view else None, errors=errors)

    @strawberry.mutation(
        extensions=WRITE, description="The team's own checklist item; the instrument is unchanged."
    )
    async def add_team_checklist_item(
        self, info: ContextInfo, input: AddTeamChecklistItemInput
    ) -> TeamChecklistItemPayload:
        def prepare() -> Any:
            team_id = from_global_id(input.team_id, "Team", field="/input/teamId")
            data = ChecklistItemCreate(
                instrument_id=from_global_id(
                    input.instrument_id, "Instrument", field="/input/instrumentId"
                ),
                section_key=input.section_key,
                text=input.text,
            )
            return lambda uow, p: teams.add_checklist_item(uow, p, team_id, data)

        row, errors = await run_mutation(info, prepare)
        return TeamChecklistItemPayload(
            item=TeamChecklistItem.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="The stage changes only by a transition.")
    async def update_implementation(
        self, info: ContextInfo, input: UpdateImplementationInput
    ) -> UpdateImplementationPayload:
        def prepare() -> Any:
            implementation_id = from_global_id(input.id, "Implementation", field="/input/id")
            fields = _ids(
                _plain(set_fields(input, skip=frozenset({"id", "expected_version"}))),
                {"team_id": "Team", "profile_version_id": "PracticeProfileVersion"},
            )
            data = ImplementationUpdate.model_validate(fields)
            return lambda uow, p: implementations.update_implementation(
                uow, p, implementation_id, data, expected_version=input.expected_version
            )

        view, errors = await run_mutation(info, prepare)
        return UpdateImplementationPayload(
            implementation=Implementation.from_view(view) if view else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE)
    async def add_adaptation(
        self, info: ContextInfo, input: AddAdaptationInput
    ) -> AdaptationPayload:
        def prepare() -> Any:
            implementation_id = from_global_id(
                input.implementation_id, "Implementation", field="/input/implementationId"
            )
            data = AdaptationCreate.model_validate(
                _plain(set_fields(input, skip=frozenset({"implementation_id", "expected_version"})))
            )
            return lambda uow, p: implementations.add_adaptation(
                uow, p, implementation_id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        adaptation = (
            Adaptation(
                database_id=row.id,
                component_id=row.component_id,
                description=row.description,
                rationale=row.rationale,
                adopted_on=row.adopted_on,
            )
            if row
            else None
        )
        return AdaptationPayload(adaptation=adaptation, errors=errors)

    @strawberry.mutation(extensions=[requires(Scope.admin)], description="Platform admins.")
    async def load_instrument(
        self, info: ContextInfo, input: LoadInstrumentInput
    ) -> InstrumentPayload:
        def prepare() -> Any:
            return lambda uow, p: instruments.load_instrument(uow, p, input.document)

        found, errors = await run_mutation(info, prepare)
        if found is None:
            return InstrumentPayload(instrument=None, created=False, errors=errors)
        row, created = found
        return InstrumentPayload(instrument=Instrument.from_row(row), created=created, errors=[])

    @strawberry.mutation(extensions=WRITE, description="Change a draft assessment.")
    async def update_assessment(
        self, info: ContextInfo, input: UpdateAssessmentInput
    ) -> UpdateAssessmentPayload:
        def prepare() -> Any:
            assessment_id = from_global_id(input.id, "Assessment", field="/input/id")
            data = AssessmentUpdate.model_validate(
                _plain(set_fields(input, skip=frozenset({"id", "expected_version"})))
            )
            return lambda uow, p: assessments.update_assessment(
                uow, p, assessment_id, data, expected_version=input.expected_version
            )

        view, errors = await run_mutation(info, prepare)
        return UpdateAssessmentPayload(
            assessment=Assessment.from_view(view) if view else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="Participants' votes (consensus only).")
    async def set_assessment_votes(
        self, info: ContextInfo, input: SetAssessmentVotesInput
    ) -> UpdateAssessmentPayload:
        def prepare() -> Any:
            assessment_id = from_global_id(input.id, "Assessment", field="/input/id")
            data = VotesInput.model_validate({"votes": [vars(v) for v in input.votes]})
            return lambda uow, p: assessments.set_votes(
                uow, p, assessment_id, data, expected_version=input.expected_version
            )

        view, errors = await run_mutation(info, prepare)
        return UpdateAssessmentPayload(
            assessment=Assessment.from_view(view) if view else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE, description="An action on an item not in place.")
    async def create_assessment_action(
        self, info: ContextInfo, input: CreateAssessmentActionInput
    ) -> AssessmentActionPayload:
        def prepare() -> Any:
            assessment_id = from_global_id(
                input.assessment_id, "Assessment", field="/input/assessmentId"
            )
            data = ActionCreate.model_validate(
                _plain(set_fields(input, skip=frozenset({"assessment_id"})))
            )
            return lambda uow, p: assessments.create_action(uow, p, assessment_id, data)

        row, errors = await run_mutation(info, prepare)
        return AssessmentActionPayload(
            action=AssessmentAction.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation(extensions=WRITE)
    async def update_assessment_action(
        self, info: ContextInfo, input: UpdateAssessmentActionInput
    ) -> AssessmentActionPayload:
        def prepare() -> Any:
            data = ActionUpdate.model_validate(
                _plain(set_fields(input, skip=frozenset({"id", "expected_version"})))
            )
            return lambda uow, p: assessments.update_action(
                uow, p, input.id, data, expected_version=input.expected_version
            )

        row, errors = await run_mutation(info, prepare)
        return AssessmentActionPayload(
            action=AssessmentAction.from_row(row) if row else None, errors=errors
        )
