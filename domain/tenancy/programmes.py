"""Use cases for programmes and their member organisations: platform administrators write
them; members of a programme read it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.audit import service as audit
from domain.shared.authz import directory_visible_to
from domain.shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork
from domain.tenancy.common import check_version, refuse_if_in_use, require_admin, touch
from domain.tenancy.models import Organisation, OrganisationKind, Programme, ProgrammeMember
from domain.tenancy.repository import TenancyRepository
from domain.tenancy.rules import null_errors
from domain.tenancy.schemas import (
    ProgrammeCreate,
    ProgrammeMemberRead,
    ProgrammeRead,
    ProgrammeUpdate,
    ProgrammeWithMembers,
)

PROGRAMME = "programme"


# Batch reads for GraphQL DataLoaders: nested fields of objects the caller could already
# read, so they need a login but not the tenancy:read scope; ids the caller may not see
# are absent.


async def programmes_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, Programme]:
    access = directory_visible_to(principal, None)
    return {p.id: p for p in await TenancyRepository(uow.session).programmes_by_ids(access, ids)}


async def programme_members_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, list[Organisation]]:
    """Member organisations of each visible programme, by name."""
    access = directory_visible_to(principal, None)
    repo = TenancyRepository(uow.session)
    visible = [p.id for p in await repo.programmes_by_ids(access, ids)]
    return await repo.members_by_programme(visible) if visible else {}


async def _with_members(repo: TenancyRepository, row: Programme) -> ProgrammeWithMembers:
    members = await repo.member_ids([row.id])
    return ProgrammeWithMembers(row, members[row.id])


def _programme_snapshot(programme: ProgrammeWithMembers) -> dict[str, Any]:
    return ProgrammeRead.model_validate(programme).model_dump(mode="json")


async def create_programme(
    uow: UnitOfWork, principal: Principal, data: ProgrammeCreate
) -> ProgrammeWithMembers:
    require_admin(principal)
    repo = TenancyRepository(uow.session)
    wanted = [data.lead_organisation_id, *data.member_organisation_ids]
    existing = await repo.existing_organisation_ids(wanted)
    errors: list[FieldError] = []
    if data.lead_organisation_id not in existing:
        errors.append(FieldError("/lead_organisation_id", "is not an organisation", "not_found"))
    errors += [
        FieldError(f"/member_organisation_ids/{i}", "is not an organisation", "not_found")
        for i, member in enumerate(data.member_organisation_ids)
        if member not in existing
    ]
    if errors:
        raise ValidationFailed(errors)
    row = Programme(
        name=data.name,
        description=data.description,
        lead_organisation_id=data.lead_organisation_id,
        created_by=principal.subject,
    )
    repo.add(row)
    await repo.flush(duplicate=f"A programme named '{data.name}' already exists.")
    for organisation_id in dict.fromkeys(wanted):  # the lead first, then in order, no repeats
        repo.add(ProgrammeMember(programme_id=row.id, organisation_id=organisation_id))
    await repo.flush(duplicate="An organisation is listed twice.")
    result = await _with_members(repo, row)
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=PROGRAMME,
        entity_id=row.id,
        changes=_programme_snapshot(result),
    )
    await uow.commit()
    return result


async def get_programme(
    uow: UnitOfWork, principal: Principal, programme_id: UUID
) -> ProgrammeWithMembers:
    access = directory_visible_to(principal, Scope.tenancy_read)
    repo = TenancyRepository(uow.session)
    row = await repo.get_programme(access, programme_id)
    if row is None:
        raise NotFound("No programme with that id.")
    return await _with_members(repo, row)


async def list_programmes(
    uow: UnitOfWork, principal: Principal, page: PageRequest
) -> Page[ProgrammeWithMembers]:
    access = directory_visible_to(principal, Scope.tenancy_read)
    repo = TenancyRepository(uow.session)
    rows = await repo.list_programmes(access, page)
    members = await repo.member_ids([r.id for r in rows]) if rows else {}
    return make_page(
        [ProgrammeWithMembers(r, members[r.id]) for r in rows], page, lambda p: p.programme.id
    )


async def list_programme_members(
    uow: UnitOfWork, principal: Principal, programme_id: UUID, page: PageRequest
) -> Page[ProgrammeMemberRead]:
    access = directory_visible_to(principal, Scope.tenancy_read)
    repo = TenancyRepository(uow.session)
    if await repo.get_programme(access, programme_id) is None:
        raise NotFound("No programme with that id.")
    rows = [
        ProgrammeMemberRead(
            organisation_id=org.id,
            name=org.name,
            kind=OrganisationKind(org.kind),
            joined_at=member.joined_at,
        )
        for member, org in await repo.list_members(programme_id, page)
    ]
    return make_page(rows, page, lambda m: m.organisation_id)


async def _editable_programme(
    uow: UnitOfWork, principal: Principal, programme_id: UUID, expected_version: int | None
) -> Programme:
    access = directory_visible_to(principal, Scope.admin)
    row = await TenancyRepository(uow.session).get_programme(access, programme_id, for_update=True)
    if row is None:
        raise NotFound("No programme with that id.")
    require_admin(principal)
    if expected_version is not None:
        check_version(PROGRAMME, row.version, expected_version)
    return row


async def update_programme(
    uow: UnitOfWork,
    principal: Principal,
    programme_id: UUID,
    data: ProgrammeUpdate,
    *,
    expected_version: int,
) -> ProgrammeWithMembers:
    row = await _editable_programme(uow, principal, programme_id, expected_version)
    repo = TenancyRepository(uow.session)
    changes = data.model_dump(exclude_unset=True)
    errors = null_errors(changes)
    lead = changes.get("lead_organisation_id")
    if lead is not None and await repo.get_member(row.id, lead) is None:
        errors.append(
            FieldError(
                "/lead_organisation_id",
                "must be a member of the programme; add it as a member first",
                "not_a_member",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    result = await _with_members(repo, row)
    before = _programme_snapshot(result)
    for name, value in changes.items():
        setattr(row, name, value)
    changed = audit.diff(before, _programme_snapshot(result))
    if changed:
        touch(row)
        await repo.flush(duplicate=f"A programme named '{row.name}' already exists.")
        audit.record(
            uow,
            principal,
            action="update",
            entity_type=PROGRAMME,
            entity_id=row.id,
            changes=changed,
        )
        await uow.commit()
    return result


async def delete_programme(
    uow: UnitOfWork, principal: Principal, programme_id: UUID, *, expected_version: int
) -> None:
    row = await _editable_programme(uow, principal, programme_id, expected_version)
    repo = TenancyRepository(uow.session)
    cycles = await repo.programme_cycle_count(row.id)
    refuse_if_in_use(PROGRAMME, {"cycles (deleted ones included)": cycles})
    snapshot = _programme_snapshot(await _with_members(repo, row))
    # Memberships go with the programme (ON DELETE CASCADE).
    await repo.delete(row, in_use="The programme is still referenced; nothing was deleted.")
    audit.record(
        uow,
        principal,
        action="delete",
        entity_type=PROGRAMME,
        entity_id=programme_id,
        changes=snapshot,
    )
    await uow.commit()


async def add_programme_member(
    uow: UnitOfWork,
    principal: Principal,
    programme_id: UUID,
    organisation_id: UUID,
    *,
    expected_version: int | None = None,
) -> ProgrammeWithMembers:
    """Idempotent: adding a member already there changes nothing and keeps the version."""
    row = await _editable_programme(uow, principal, programme_id, expected_version)
    repo = TenancyRepository(uow.session)
    if await repo.get_organisation(organisation_id) is None:
        raise NotFound("No organisation with that id.")
    if await repo.get_member(row.id, organisation_id) is None:
        repo.add(ProgrammeMember(programme_id=row.id, organisation_id=organisation_id))
        touch(row)
        await repo.flush(duplicate="The organisation is already a member.")
        audit.record(
            uow,
            principal,
            action="add_member",
            entity_type=PROGRAMME,
            entity_id=row.id,
            changes={"organisation_id": organisation_id, "version": [row.version - 1, row.version]},
        )
        await uow.commit()
    return await _with_members(repo, row)


async def remove_programme_member(
    uow: UnitOfWork,
    principal: Principal,
    programme_id: UUID,
    organisation_id: UUID,
    *,
    expected_version: int,
) -> ProgrammeWithMembers:
    row = await _editable_programme(uow, principal, programme_id, expected_version)
    repo = TenancyRepository(uow.session)
    if await repo.get_member(row.id, organisation_id) is None:
        raise NotFound("That organisation is not a member of this programme.")
    if organisation_id == row.lead_organisation_id:
        raise Conflict("The lead organisation cannot leave its programme; change the lead first.")
    cycles = await repo.member_cycle_count(row.id, organisation_id)
    if cycles:
        raise Conflict(
            f"The organisation still has {cycles} cycle(s) in this programme, as owner or at "
            "its sites; move or delete them first. Nothing was changed."
        )
    await repo.remove_member(row.id, organisation_id)
    touch(row)
    await repo.flush(duplicate="The membership changed meanwhile; retry.")
    audit.record(
        uow,
        principal,
        action="remove_member",
        entity_type=PROGRAMME,
        entity_id=row.id,
        changes={"organisation_id": organisation_id, "version": [row.version - 1, row.version]},
    )
    await uow.commit()
    return await _with_members(repo, row)
