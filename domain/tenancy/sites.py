"""Use cases for sites, a tree of areas, localities and settings per organisation: platform
administrators write them; the owning organisation and its programme partners read them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.audit import service as audit
from domain.shared.authz import directory_visible_to
from domain.shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork
from domain.tenancy.common import check_version, plain, refuse_if_in_use, require_admin, touch
from domain.tenancy.models import Site, SiteKind
from domain.tenancy.repository import TenancyRepository
from domain.tenancy.rules import ParentSite, null_errors, site_tree_errors
from domain.tenancy.schemas import SiteCreate, SiteFilters, SiteRead, SiteUpdate

SITE = "site"


# Batch read for GraphQL DataLoaders: nested fields of objects the caller could already
# read, so it needs a login but not the tenancy:read scope; ids the caller may not see
# are absent.


async def sites_by_ids(uow: UnitOfWork, principal: Principal, ids: list[UUID]) -> dict[UUID, Site]:
    access = directory_visible_to(principal, None)
    return {s.id: s for s in await TenancyRepository(uow.session).sites_by_ids(access, ids)}


def _site_snapshot(row: Site) -> dict[str, Any]:
    return SiteRead.model_validate(row).model_dump(mode="json")


async def _site_tree_errors(
    repo: TenancyRepository,
    principal: Principal,
    *,
    site_id: UUID | None,
    organisation_id: UUID,
    kind: SiteKind,
    parent_id: UUID | None,
) -> list[FieldError]:
    parent: ParentSite | None = None
    if parent_id is not None:
        # Locked, so a concurrent change to the parent's kind or children waits for us and
        # we see its outcome (or it sees ours): the tree rules hold under concurrency.
        row = await repo.get_site(
            directory_visible_to(principal, Scope.admin), parent_id, for_update=True
        )
        if row is not None:
            parent = ParentSite(
                id=row.id,
                kind=SiteKind(row.kind),
                organisation_id=row.organisation_id,
                ancestor_ids=await repo.ancestor_ids(row.id),
            )
    child_kinds = await repo.child_kinds(site_id) if site_id is not None else frozenset()
    return site_tree_errors(
        site_id=site_id,
        organisation_id=organisation_id,
        kind=kind,
        parent_id=parent_id,
        parent=parent,
        child_kinds=child_kinds,
    )


def _site_duplicate(name: str) -> str:
    return f"A site named '{name}' already exists at that place in the organisation's tree."


async def create_site(uow: UnitOfWork, principal: Principal, data: SiteCreate) -> Site:
    require_admin(principal)
    repo = TenancyRepository(uow.session)
    if await repo.get_organisation(data.organisation_id) is None:
        raise ValidationFailed(
            [FieldError("/organisation_id", "is not an organisation", "not_found")]
        )
    errors = await _site_tree_errors(
        repo,
        principal,
        site_id=None,
        organisation_id=data.organisation_id,
        kind=data.kind,
        parent_id=data.parent_id,
    )
    if errors:
        raise ValidationFailed(errors)
    if await repo.sibling_name_taken(
        data.organisation_id, data.parent_id, data.name, except_id=None
    ):
        raise Conflict(_site_duplicate(data.name))
    row = Site(
        organisation_id=data.organisation_id,
        parent_id=data.parent_id,
        name=data.name,
        kind=data.kind.value,
        created_by=principal.subject,
    )
    repo.add(row)
    await repo.flush(duplicate=_site_duplicate(data.name))
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=SITE,
        entity_id=row.id,
        changes=_site_snapshot(row),
    )
    await uow.commit()
    return row


async def get_site(uow: UnitOfWork, principal: Principal, site_id: UUID) -> Site:
    access = directory_visible_to(principal, Scope.tenancy_read)
    row = await TenancyRepository(uow.session).get_site(access, site_id)
    if row is None:
        raise NotFound("No site with that id.")
    return row


async def list_sites(
    uow: UnitOfWork, principal: Principal, filters: SiteFilters, page: PageRequest
) -> Page[Site]:
    access = directory_visible_to(principal, Scope.tenancy_read)
    rows = await TenancyRepository(uow.session).list_sites(access, filters, page)
    return make_page(rows, page, lambda s: s.id)


async def _editable_site(
    uow: UnitOfWork, principal: Principal, site_id: UUID, expected_version: int
) -> Site:
    access = directory_visible_to(principal, Scope.admin)
    row = await TenancyRepository(uow.session).get_site(access, site_id, for_update=True)
    if row is None:
        raise NotFound("No site with that id.")
    require_admin(principal)
    check_version(SITE, row.version, expected_version)
    return row


async def update_site(
    uow: UnitOfWork,
    principal: Principal,
    site_id: UUID,
    data: SiteUpdate,
    *,
    expected_version: int,
) -> Site:
    row = await _editable_site(uow, principal, site_id, expected_version)
    repo = TenancyRepository(uow.session)
    changes = data.model_dump(exclude_unset=True)
    errors = null_errors(changes, nullable=frozenset({"parent_id"}))
    if errors:
        raise ValidationFailed(errors)
    kind = SiteKind(changes.get("kind", row.kind))
    parent_id = changes.get("parent_id", row.parent_id)
    name = changes.get("name", row.name)
    if "kind" in changes or "parent_id" in changes:
        errors = await _site_tree_errors(
            repo,
            principal,
            site_id=row.id,
            organisation_id=row.organisation_id,
            kind=kind,
            parent_id=parent_id,
        )
        if errors:
            raise ValidationFailed(errors)
    if ("name" in changes or "parent_id" in changes) and await repo.sibling_name_taken(
        row.organisation_id, parent_id, name, except_id=row.id
    ):
        raise Conflict(_site_duplicate(name))
    before = _site_snapshot(row)
    for field, value in changes.items():
        setattr(row, field, plain(value))
    changed = audit.diff(before, _site_snapshot(row))
    if changed:
        touch(row)
        await repo.flush(duplicate=_site_duplicate(name))
        audit.record(
            uow, principal, action="update", entity_type=SITE, entity_id=row.id, changes=changed
        )
        await uow.commit()
    return row


async def delete_site(
    uow: UnitOfWork, principal: Principal, site_id: UUID, *, expected_version: int
) -> None:
    row = await _editable_site(uow, principal, site_id, expected_version)
    repo = TenancyRepository(uow.session)
    refuse_if_in_use(SITE, await repo.site_references(row.id))
    snapshot = _site_snapshot(row)
    await repo.delete(row, in_use="The site is still referenced; nothing was deleted.")
    audit.record(
        uow, principal, action="delete", entity_type=SITE, entity_id=site_id, changes=snapshot
    )
    await uow.commit()
