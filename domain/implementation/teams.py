"""Use cases for implementation teams, their members, their own checklist items and their
action list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.audit import service as audit
from domain.implementation.common import apply, programme_member_ids, require_programme, snapshot
from domain.implementation.instrument_schema import InstrumentDefinition
from domain.implementation.models import AssessmentAction, Team, TeamChecklistItem, TeamMember
from domain.implementation.repository import ImplementationRepository
from domain.implementation.schemas import (
    ChecklistItemCreate,
    ChecklistItemRead,
    MemberInput,
    MemberRead,
    MemberUpdate,
    TeamCreate,
    TeamFilters,
    TeamRead,
    TeamUpdate,
)
from domain.shared.authz import RowAccess, require_owner, visible_to
from domain.shared.errors import FieldError, NotFound, ValidationFailed
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.records import check_version, touch
from domain.shared.uow import UnitOfWork


@dataclass(frozen=True)
class TeamView:
    team: Team
    members: list[TeamMember]

    def read(self) -> TeamRead:
        t = self.team
        return TeamRead(
            id=t.id,
            organisation_id=t.organisation_id,
            programme_id=t.programme_id,
            visibility=t.visibility,
            name=t.name,
            purpose=t.purpose,
            members=[MemberRead.model_validate(m) for m in self.members],
            created_at=t.created_at,
            updated_at=t.updated_at,
            created_by=t.created_by,
            version=t.version,
        )


def checklist_item_read(row: TeamChecklistItem) -> ChecklistItemRead:
    return ChecklistItemRead(
        id=row.id,
        team_id=row.team_id,
        instrument_id=row.instrument_id,
        section_key=row.section_key,
        key=local_key(row.id),
        text=row.text,
        position=row.position,
        created_at=row.created_at,
        version=row.version,
    )


def local_key(item_id: UUID) -> str:
    return f"local:{item_id}"


def _member_errors(
    members: Sequence[MemberInput | MemberUpdate], allowed: set[UUID], prefix: str
) -> list[FieldError]:
    errors: list[FieldError] = []
    for index, member in enumerate(members):
        where = f"{prefix}/{index}" if prefix.endswith("members") else prefix
        organisation_id = getattr(member, "organisation_id", None)
        if organisation_id is not None and organisation_id not in allowed:
            errors.append(
                FieldError(f"{where}/organisation_id", "is not a member of the team's programme")
            )
    return errors


def _member(team_id: UUID, data: MemberInput) -> TeamMember:
    return TeamMember(
        team_id=team_id,
        name=data.name,
        organisation_id=data.organisation_id,
        role=data.role.value,
        joined_on=data.joined_on,
        left_on=data.left_on,
        user_id=data.user_id,
    )


def _dates_error(joined: date, left: date | None, pointer: str) -> list[FieldError]:
    if left is not None and left < joined:
        return [FieldError(pointer, "must not be before joined_on", "before_joined")]
    return []


async def create_team(uow: UnitOfWork, principal: Principal, data: TeamCreate) -> TeamView:
    access = visible_to(principal, Scope.implementation_write)
    require_programme(principal, data.programme_id, "/programme_id")
    allowed = await programme_member_ids(uow, data.programme_id)
    errors = _member_errors(data.members, allowed, "/members")
    for index, member in enumerate(data.members):
        errors += _dates_error(member.joined_on, member.left_on, f"/members/{index}/left_on")
    if errors:
        raise ValidationFailed(errors)
    team = Team(
        programme_id=data.programme_id,
        organisation_id=access.organisation_id,
        name=data.name,
        purpose=data.purpose,
        visibility=data.visibility.value,
        created_by=principal.subject,
    )
    repo = ImplementationRepository(uow.session)
    repo.add(team)
    await uow.session.flush()
    members = [_member(team.id, m) for m in data.members]
    repo.add(*members)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type="implementation_team",
        entity_id=team.id,
        changes={**snapshot(team, TeamRead), "members": [m.name for m in members]},
    )
    await uow.commit()
    return TeamView(team, members)


async def _visible_team(
    uow: UnitOfWork, access: RowAccess, team_id: UUID, *, for_update: bool = False
) -> Team:
    team = await ImplementationRepository(uow.session).get_team(
        access, team_id, for_update=for_update
    )
    if team is None:
        raise NotFound("No team with that id.")
    return team


async def get_team(uow: UnitOfWork, principal: Principal, team_id: UUID) -> TeamView:
    access = visible_to(principal, Scope.implementation_read)
    team = await _visible_team(uow, access, team_id)
    members = await ImplementationRepository(uow.session).members_of([team.id])
    return TeamView(team, members[team.id])


async def teams_by_ids(uow: UnitOfWork, principal: Principal, ids: list[UUID]) -> dict[UUID, Team]:
    access = visible_to(principal, Scope.implementation_read)
    rows = await ImplementationRepository(uow.session).teams_by_ids(access, ids)
    return {row.id: row for row in rows}


async def members_by_team_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, list[TeamMember]]:
    visible = await teams_by_ids(uow, principal, ids)
    if not visible:
        return {}
    return await ImplementationRepository(uow.session).members_of(list(visible))


async def list_teams(
    uow: UnitOfWork, principal: Principal, filters: TeamFilters, page: PageRequest
) -> Page[TeamView]:
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    rows = await repo.list_teams(access, filters, page)
    members = await repo.members_of([r.id for r in rows]) if rows else {}
    return make_page([TeamView(r, members[r.id]) for r in rows], page, lambda v: v.team.id)


async def _owned_team(
    uow: UnitOfWork, principal: Principal, team_id: UUID, expected_version: int
) -> Team:
    access = visible_to(principal, Scope.implementation_write)
    team = await _visible_team(uow, access, team_id, for_update=True)
    require_owner(principal, Scope.implementation_write, team, "team")
    check_version("team", team.version, expected_version)
    return team


async def update_team(
    uow: UnitOfWork,
    principal: Principal,
    team_id: UUID,
    data: TeamUpdate,
    *,
    expected_version: int,
) -> TeamView:
    team = await _owned_team(uow, principal, team_id, expected_version)
    changed = apply(team, data.model_dump(exclude_unset=True))
    if changed:
        touch(team)
        await uow.session.flush()
        audit.record(
            uow,
            principal,
            action="update",
            entity_type="implementation_team",
            entity_id=team.id,
            changes=changed,
        )
        await uow.commit()
    members = await ImplementationRepository(uow.session).members_of([team.id])
    return TeamView(team, members[team.id])


async def add_member(
    uow: UnitOfWork,
    principal: Principal,
    team_id: UUID,
    data: MemberInput,
    *,
    expected_version: int,
) -> TeamView:
    team = await _owned_team(uow, principal, team_id, expected_version)
    allowed = await programme_member_ids(uow, team.programme_id)
    errors = _member_errors([data], allowed, "")
    errors += _dates_error(data.joined_on, data.left_on, "/left_on")
    if errors:
        raise ValidationFailed(errors)
    member = _member(team.id, data)
    repo = ImplementationRepository(uow.session)
    repo.add(member)
    touch(team)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="add_member",
        entity_type="implementation_team",
        entity_id=team.id,
        changes=MemberRead.model_validate(member).model_dump(mode="json"),
    )
    await uow.commit()
    members = await repo.members_of([team.id])
    return TeamView(team, members[team.id])


async def update_member(
    uow: UnitOfWork,
    principal: Principal,
    team_id: UUID,
    member_id: UUID,
    data: MemberUpdate,
    *,
    expected_version: int,
) -> TeamView:
    """Changes a member; a member who leaves gets `left_on`, so the record of who was on
    the team when stays."""
    team = await _owned_team(uow, principal, team_id, expected_version)
    repo = ImplementationRepository(uow.session)
    member = await repo.get_member(member_id)
    if member is None or member.team_id != team.id:
        raise NotFound("No member with that id on this team.")
    changes = data.model_dump(exclude_unset=True)
    joined = changes.get("joined_on") or member.joined_on
    left = changes.get("left_on", member.left_on)
    errors = _dates_error(joined, left, "/left_on")
    if errors:
        raise ValidationFailed(errors)
    changed = apply(member, changes)
    if changed:
        touch(team)
        await uow.session.flush()
        audit.record(
            uow,
            principal,
            action="update_member",
            entity_type="implementation_team",
            entity_id=team.id,
            changes={"member_id": str(member.id), **changed},
        )
        await uow.commit()
    members = await repo.members_of([team.id])
    return TeamView(team, members[team.id])


async def team_actions(
    uow: UnitOfWork, principal: Principal, team_id: UUID
) -> list[AssessmentAction]:
    """The team's action list: actions on its assessments' items that are not done yet."""
    access = visible_to(principal, Scope.implementation_read)
    team = await _visible_team(uow, access, team_id)
    return await ImplementationRepository(uow.session).open_actions_of_team(access, team.id)


async def actions_by_team_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, list[AssessmentAction]]:
    """Batch read for DataLoaders: each visible team's open actions."""
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    visible = [t.id for t in await repo.teams_by_ids(access, ids)]
    return await repo.open_actions_of_teams(access, visible) if visible else {}


async def checklist_items_by_team_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, list[TeamChecklistItem]]:
    """Batch read for DataLoaders: each visible team's own checklist items."""
    access = visible_to(principal, Scope.implementation_read)
    repo = ImplementationRepository(uow.session)
    visible = [t.id for t in await repo.teams_by_ids(access, ids)]
    return await repo.checklist_items_of_teams(visible) if visible else {}


async def add_checklist_item(
    uow: UnitOfWork, principal: Principal, team_id: UUID, data: ChecklistItemCreate
) -> TeamChecklistItem:
    """A team's own item on a shared instrument, for its own use; the instrument itself is
    unchanged and other teams never see the item."""
    access = visible_to(principal, Scope.implementation_write)
    team = await _visible_team(uow, access, team_id, for_update=True)
    require_owner(principal, Scope.implementation_write, team, "team")
    repo = ImplementationRepository(uow.session)
    instrument = await repo.get_instrument(data.instrument_id)
    if instrument is None or instrument.profile_version_id is not None:
        raise ValidationFailed([FieldError("/instrument_id", "is not a shared instrument")])
    definition = InstrumentDefinition.model_validate(instrument.definition)
    if data.section_key not in {s.key for s in definition.sections}:
        raise ValidationFailed([FieldError("/section_key", "is not a section of the instrument")])
    existing = await repo.checklist_items(team.id, instrument.id)
    item = TeamChecklistItem(
        team_id=team.id,
        instrument_id=instrument.id,
        section_key=data.section_key,
        text=data.text,
        position=len(existing),
        created_by=principal.subject,
    )
    repo.add(item)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type="team_checklist_item",
        entity_id=item.id,
        changes={"team_id": team.id, "instrument_id": instrument.id, "text": item.text},
    )
    await uow.commit()
    return item


async def list_checklist_items(
    uow: UnitOfWork, principal: Principal, team_id: UUID, instrument_id: UUID | None = None
) -> list[TeamChecklistItem]:
    access = visible_to(principal, Scope.implementation_read)
    team = await _visible_team(uow, access, team_id)
    return await ImplementationRepository(uow.session).checklist_items(team.id, instrument_id)
