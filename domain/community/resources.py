"""Use cases for the resource library, with a revision row for every change."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.audit import service as audit
from domain.community.access import ContentAccess, content_access, content_editor
from domain.community.common import cycle_visible, editable, programme_error, readable, snapshot
from domain.community.conceal import conceal_links
from domain.community.markdown import render
from domain.community.models import Community, Resource, ResourceRevision
from domain.community.repository import CommunityRepository
from domain.community.schemas import (
    ResourceCreate,
    ResourceFilters,
    ResourceRead,
    ResourceUpdate,
    RevisionDetail,
    RevisionRead,
)
from domain.shared.errors import FieldError, NotFound, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork

ENTITY = "resource"
NOT_NULL = frozenset({"kind", "title", "summary", "body", "links", "audiences", "tags"})
NOT_NULL |= {"visibility", "status"}


async def _link_errors(
    uow: UnitOfWork,
    principal: Principal,
    access: ContentAccess,
    values: dict[str, Any],
) -> list[FieldError]:
    errors: list[FieldError] = []
    problem = programme_error(access, values.get("programme_id"))
    if problem is not None:
        errors.append(problem)
    if values.get("visibility") == "programme" and values.get("programme_id") is None:
        errors.append(FieldError("/visibility", "programme visibility needs a programme_id"))
    cycle_id = values.get("cycle_id")
    if cycle_id is not None and not await cycle_visible(uow, principal, cycle_id):
        errors.append(FieldError("/cycle_id", "is not a cycle you may see"))
    return errors


def _record_revision(
    uow: UnitOfWork, principal: Principal, resource: Resource, changes: dict[str, Any]
) -> None:
    uow.session.add(
        ResourceRevision(
            resource_id=resource.id,
            number=resource.version,
            actor=principal.subject,
            created_at=resource.updated_at,
            changes=changes,
            snapshot=snapshot(ResourceRead, resource),
        )
    )


async def create_resource(uow: UnitOfWork, principal: Principal, data: ResourceCreate) -> Resource:
    access = content_editor(principal)
    values = data.model_dump(mode="json", exclude={"links"})
    values["links"] = [link.model_dump() for link in data.links]
    for name in ("programme_id", "community_id", "cycle_id", "innovation_id"):
        values[name] = getattr(data, name)
    errors: list[FieldError] = []
    if data.community_id is not None:
        community = await CommunityRepository(uow.session).get(Community, access, data.community_id)
        if community is None:
            errors.append(FieldError("/community_id", "is not a community you may see"))
        elif values["programme_id"] is None:
            values["programme_id"] = community.programme_id
    errors += await _link_errors(uow, principal, access, values)
    if errors:
        raise ValidationFailed(errors)
    assert access.organisation_id is not None
    now = utcnow()
    resource = Resource(
        **values,
        organisation_id=access.organisation_id,
        body_html=render(data.body),
        published_at=now if data.status == "published" else None,
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    CommunityRepository(uow.session).add(resource)
    await uow.session.flush()
    after = snapshot(ResourceRead, resource)
    _record_revision(uow, principal, resource, after)
    audit.record(
        uow, principal, action="create", entity_type=ENTITY, entity_id=resource.id, changes=after
    )
    await uow.commit()
    return resource


async def get_resource(uow: UnitOfWork, principal: Principal, resource_id: UUID) -> Resource:
    access = content_access(principal)
    resource = await readable(uow, access, Resource, resource_id, ENTITY)
    await conceal_links(uow, principal, access, [resource])
    return resource


async def resources_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, Resource]:
    access = content_access(principal)
    rows = await CommunityRepository(uow.session).get_many(Resource, access, ids)
    await conceal_links(uow, principal, access, rows)
    return {row.id: row for row in rows}


async def list_resources(
    uow: UnitOfWork, principal: Principal, filters: ResourceFilters, page: PageRequest
) -> Page[Resource]:
    access = content_access(principal)
    rows = await CommunityRepository(uow.session).list_resources(
        access, filters, page.after, page.limit
    )
    await conceal_links(uow, principal, access, rows)
    return make_page(rows, page, lambda r: r.id)


async def update_resource(
    uow: UnitOfWork,
    principal: Principal,
    resource_id: UUID,
    data: ResourceUpdate,
    *,
    expected_version: int,
) -> Resource:
    """Changes what was sent; publishing sets published_at the first time. Every change is a
    new revision holding the whole resource, so any earlier version can be read back."""
    access = content_editor(principal)
    resource = await editable(uow, access, Resource, resource_id, ENTITY, expected_version)
    changes = data.model_dump(mode="json", exclude_unset=True)
    for name in ("programme_id", "cycle_id", "innovation_id"):
        if name in changes:
            changes[name] = getattr(data, name)
    errors = [
        FieldError(f"/{name}", "cannot be null")
        for name, value in changes.items()
        if value is None and name in NOT_NULL
    ]
    merged = {
        "programme_id": changes.get("programme_id", resource.programme_id),
        "visibility": changes.get("visibility", resource.visibility),
        "cycle_id": changes.get("cycle_id") if "cycle_id" in changes else None,
    }
    errors += await _link_errors(uow, principal, access, merged)
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(ResourceRead, resource)
    for name, value in changes.items():
        setattr(resource, name, value)
    if "body" in changes:
        resource.body_html = render(resource.body)
    if changes.get("status") == "published" and resource.published_at is None:
        resource.published_at = utcnow()
    changed = audit.diff(before, snapshot(ResourceRead, resource))
    if changed:
        resource.version += 1
        resource.updated_at = utcnow()
        await uow.session.flush()
        _record_revision(uow, principal, resource, changed)
        audit.record(
            uow,
            principal,
            action="update",
            entity_type=ENTITY,
            entity_id=resource.id,
            changes=changed,
        )
        await uow.commit()
    return resource


async def list_revisions(
    uow: UnitOfWork, principal: Principal, resource_id: UUID
) -> list[ResourceRevision]:
    """Who changed what and when; only for editors of the resource (the history of a
    published text may hold what its authors took out)."""
    resource = await _history_of(uow, principal, resource_id)
    found = await CommunityRepository(uow.session).revisions([resource.id])
    return found[resource.id]


async def get_revision(
    uow: UnitOfWork, principal: Principal, resource_id: UUID, number: int
) -> RevisionDetail:
    resource = await _history_of(uow, principal, resource_id)
    row = await CommunityRepository(uow.session).revision(resource.id, number)
    if row is None:
        raise NotFound("No revision with that number.")
    return RevisionDetail(
        **RevisionRead.model_validate(row).model_dump(),
        resource=ResourceRead.model_validate(row.snapshot),
    )


async def revisions_by_resource_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, list[ResourceRevision]]:
    access = content_access(principal)
    visible = await CommunityRepository(uow.session).get_many(Resource, access, ids)
    editable_ids = [r.id for r in visible if access.can_edit(r)]
    return await CommunityRepository(uow.session).revisions(editable_ids)


async def _history_of(uow: UnitOfWork, principal: Principal, resource_id: UUID) -> Resource:
    access = content_access(principal)
    resource = await readable(uow, access, Resource, resource_id, ENTITY)
    if not access.can_edit(resource):
        raise NotFound("No revision history for you on this resource.")
    return resource
