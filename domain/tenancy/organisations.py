"""Use cases for organisations: platform administrators create, change and delete them;
anyone with tenancy:read reads them (a public directory)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.audit import service as audit
from domain.shared.authz import directory_visible_to
from domain.shared.errors import NotFound, ValidationFailed
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork
from domain.tenancy.common import check_version, plain, refuse_if_in_use, require_admin, touch
from domain.tenancy.models import Organisation
from domain.tenancy.repository import TenancyRepository
from domain.tenancy.rules import null_errors
from domain.tenancy.schemas import (
    OrganisationCreate,
    OrganisationFilters,
    OrganisationRead,
    OrganisationUpdate,
)

ORGANISATION = "organisation"


# Batch read for GraphQL DataLoaders: nested fields of objects the caller could already
# read, so it needs a login but not the tenancy:read scope; ids the caller may not see
# are absent.


async def organisations_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, Organisation]:
    directory_visible_to(principal, None)
    return {o.id: o for o in await TenancyRepository(uow.session).organisations_by_ids(ids)}


def _organisation_snapshot(row: Organisation) -> dict[str, Any]:
    return OrganisationRead.model_validate(row).model_dump(mode="json")


async def create_organisation(
    uow: UnitOfWork, principal: Principal, data: OrganisationCreate
) -> Organisation:
    require_admin(principal)
    repo = TenancyRepository(uow.session)
    row = Organisation(name=data.name, kind=data.kind.value, created_by=principal.subject)
    repo.add(row)
    await repo.flush(duplicate=f"An organisation named '{data.name}' already exists.")
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=ORGANISATION,
        entity_id=row.id,
        changes=_organisation_snapshot(row),
    )
    await uow.commit()
    return row


async def get_organisation(
    uow: UnitOfWork, principal: Principal, organisation_id: UUID
) -> Organisation:
    directory_visible_to(principal, Scope.tenancy_read)
    row = await TenancyRepository(uow.session).get_organisation(organisation_id)
    if row is None:
        raise NotFound("No organisation with that id.")
    return row


async def list_organisations(
    uow: UnitOfWork, principal: Principal, filters: OrganisationFilters, page: PageRequest
) -> Page[Organisation]:
    directory_visible_to(principal, Scope.tenancy_read)
    rows = await TenancyRepository(uow.session).list_organisations(filters, page)
    return make_page(rows, page, lambda o: o.id)


async def _editable_organisation(
    uow: UnitOfWork, principal: Principal, organisation_id: UUID, expected_version: int
) -> Organisation:
    directory_visible_to(principal, Scope.admin)
    # Row lock: two writers with the same version cannot both pass the version check.
    row = await TenancyRepository(uow.session).get_organisation(organisation_id, for_update=True)
    if row is None:
        raise NotFound("No organisation with that id.")
    require_admin(principal)
    check_version(ORGANISATION, row.version, expected_version)
    return row


async def update_organisation(
    uow: UnitOfWork,
    principal: Principal,
    organisation_id: UUID,
    data: OrganisationUpdate,
    *,
    expected_version: int,
) -> Organisation:
    row = await _editable_organisation(uow, principal, organisation_id, expected_version)
    changes = data.model_dump(exclude_unset=True)
    errors = null_errors(changes)
    if errors:
        raise ValidationFailed(errors)
    before = _organisation_snapshot(row)
    for name, value in changes.items():
        setattr(row, name, plain(value))
    changed = audit.diff(before, _organisation_snapshot(row))
    if changed:
        touch(row)
        await TenancyRepository(uow.session).flush(
            duplicate=f"An organisation named '{row.name}' already exists."
        )
        audit.record(
            uow,
            principal,
            action="update",
            entity_type=ORGANISATION,
            entity_id=row.id,
            changes=changed,
        )
        await uow.commit()
    return row


async def delete_organisation(
    uow: UnitOfWork, principal: Principal, organisation_id: UUID, *, expected_version: int
) -> None:
    row = await _editable_organisation(uow, principal, organisation_id, expected_version)
    repo = TenancyRepository(uow.session)
    refuse_if_in_use(ORGANISATION, await repo.organisation_references(row.id))
    snapshot = _organisation_snapshot(row)
    await repo.delete(row, in_use="The organisation is still referenced; nothing was deleted.")
    audit.record(
        uow,
        principal,
        action="delete",
        entity_type=ORGANISATION,
        entity_id=organisation_id,
        changes=snapshot,
    )
    await uow.commit()
