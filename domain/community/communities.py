"""Use cases for communities and their members and moderators."""

from __future__ import annotations

from uuid import UUID

from domain.audit import service as audit
from domain.community.access import content_access, content_editor
from domain.community.common import editable, programme_error, readable, snapshot
from domain.community.conceal import conceal_links
from domain.community.markdown import render
from domain.community.models import Community, CommunityMember, MemberKind, MemberRole
from domain.community.repository import CommunityRepository
from domain.community.schemas import CommunityCreate, CommunityRead, CommunityUpdate, MemberCreate
from domain.shared.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork

ENTITY = "community"


def _visibility_errors(programme_id: UUID | None, visibility: str) -> list[FieldError]:
    if programme_id is None and visibility == "programme":
        return [FieldError("/visibility", "programme visibility needs a programme_id")]
    return []


async def create_community(
    uow: UnitOfWork, principal: Principal, data: CommunityCreate
) -> Community:
    access = content_editor(principal)
    errors = _visibility_errors(data.programme_id, data.visibility.value)
    problem = programme_error(access, data.programme_id)
    if problem is not None:
        errors.append(problem)
    if errors:
        raise ValidationFailed(errors)
    assert access.organisation_id is not None
    community = Community(
        organisation_id=access.organisation_id,
        programme_id=data.programme_id,
        visibility=data.visibility.value,
        name=data.name,
        description=data.description,
        description_html=render(data.description),
        created_by=principal.subject,
    )
    repo = CommunityRepository(uow.session)
    repo.add(community)
    await uow.session.flush()
    # Whoever starts a community moderates it until they name others.
    repo.add(
        CommunityMember(
            community_id=community.id,
            kind=MemberKind.person.value,
            ref=principal.subject,
            role=MemberRole.moderator.value,
            added_by=principal.subject,
        )
    )
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=ENTITY,
        entity_id=community.id,
        changes=snapshot(CommunityRead, community),
    )
    await uow.commit()
    return community


async def get_community(uow: UnitOfWork, principal: Principal, community_id: UUID) -> Community:
    access = content_access(principal)
    community = await readable(uow, access, Community, community_id, ENTITY)
    await conceal_links(uow, principal, access, [community])
    return community


async def communities_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, Community]:
    access = content_access(principal)
    rows = await CommunityRepository(uow.session).get_many(Community, access, ids)
    await conceal_links(uow, principal, access, rows)
    return {row.id: row for row in rows}


async def list_communities(
    uow: UnitOfWork, principal: Principal, programme_id: UUID | None, page: PageRequest
) -> Page[Community]:
    access = content_access(principal)
    rows = await CommunityRepository(uow.session).list_communities(
        access, programme_id, page.after, page.limit
    )
    await conceal_links(uow, principal, access, rows)
    return make_page(rows, page, lambda c: c.id)


async def update_community(
    uow: UnitOfWork,
    principal: Principal,
    community_id: UUID,
    data: CommunityUpdate,
    *,
    expected_version: int,
) -> Community:
    access = content_editor(principal)
    community = await editable(uow, access, Community, community_id, ENTITY, expected_version)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    errors = _visibility_errors(
        community.programme_id, changes.get("visibility", community.visibility)
    )
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(CommunityRead, community)
    for name, value in changes.items():
        setattr(community, name, value)
    if "description" in changes:
        community.description_html = render(community.description)
    changed = audit.diff(before, snapshot(CommunityRead, community))
    if changed:
        community.version += 1
        community.updated_at = utcnow()
        await uow.session.flush()
        audit.record(
            uow,
            principal,
            action="update",
            entity_type=ENTITY,
            entity_id=community.id,
            changes=changed,
        )
        await uow.commit()
    return community


async def list_members(
    uow: UnitOfWork, principal: Principal, community_id: UUID
) -> list[CommunityMember]:
    await get_community(uow, principal, community_id)
    found = await CommunityRepository(uow.session).members([community_id])
    return found[community_id]


async def members_by_community_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, list[CommunityMember]]:
    """Batch read for DataLoaders; only communities the caller may read."""
    visible = await communities_by_ids(uow, principal, ids)
    return await CommunityRepository(uow.session).members(list(visible))


async def _managed(uow: UnitOfWork, principal: Principal, community_id: UUID) -> Community:
    """Members are managed by the community's owning organisation (content:write) and by its
    moderators."""
    access = content_editor(principal)
    community = await readable(uow, access, Community, community_id, ENTITY)
    repo = CommunityRepository(uow.session)
    if not access.can_edit(community) and not await repo.is_moderator(community_id, access.subject):
        raise Forbidden("Only the community's owners and moderators manage its members.")
    return community


async def add_member(
    uow: UnitOfWork, principal: Principal, community_id: UUID, data: MemberCreate
) -> CommunityMember:
    community = await _managed(uow, principal, community_id)
    repo = CommunityRepository(uow.session)
    if await repo.find_member(community.id, data.kind.value, data.ref) is not None:
        raise Conflict("That person or organisation is already a member.")
    if data.kind is MemberKind.organisation:
        try:
            UUID(data.ref)
        except ValueError:
            raise ValidationFailed([FieldError("/ref", "must be an organisation id")]) from None
    if data.role is MemberRole.moderator and data.kind is not MemberKind.person:
        raise ValidationFailed([FieldError("/role", "moderators are people, not organisations")])
    member = CommunityMember(
        community_id=community.id,
        kind=data.kind.value,
        ref=data.ref,
        display_name=data.display_name,
        role=data.role.value,
        added_by=principal.subject,
    )
    repo.add(member)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="add_member",
        entity_type=ENTITY,
        entity_id=community.id,
        changes={"kind": member.kind, "ref": member.ref, "role": member.role},
    )
    await uow.commit()
    return member


async def remove_member(
    uow: UnitOfWork, principal: Principal, community_id: UUID, member_id: UUID
) -> None:
    community = await _managed(uow, principal, community_id)
    repo = CommunityRepository(uow.session)
    member = await repo.member(community.id, member_id)
    if member is None:
        raise NotFound("No member with that id in this community.")
    await uow.session.delete(member)
    audit.record(
        uow,
        principal,
        action="remove_member",
        entity_type=ENTITY,
        entity_id=community.id,
        changes={"kind": member.kind, "ref": member.ref, "role": member.role},
    )
    await uow.commit()
