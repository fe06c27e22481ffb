"""Use cases for organisations, programmes and sites: platform administrators change them;
members read them. REST and GraphQL both call these."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.audit import service as audit
from domain.shared.authz import directory_visible_to
from domain.shared.errors import (
    Conflict,
    FieldError,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork
from domain.tenancy.models import (
    Organisation,
    OrganisationKind,
    Programme,
    ProgrammeMember,
    Site,
    SiteKind,
)
from domain.tenancy.repository import TenancyRepository
from domain.tenancy.rules import ParentSite, null_errors, site_tree_errors
from domain.tenancy.schemas import (
    OrganisationCreate,
    OrganisationFilters,
    OrganisationRead,
    OrganisationUpdate,
    ProgrammeCreate,
    ProgrammeMemberRead,
    ProgrammeRead,
    ProgrammeUpdate,
    ProgrammeWithMembers,
    SiteCreate,
    SiteFilters,
    SiteRead,
    SiteUpdate,
)

ORGANISATION = "organisation"
PROGRAMME = "programme"
SITE = "site"


def _require_admin(principal: Principal) -> None:
    principal.require_platform_admin(Scope.tenancy_write)


def _check_version(noun: str, version: int, expected: int) -> None:
    if version != expected:
        raise PreconditionFailed(f"The {noun} is at version {version}, not {expected}.", version)


def _in_use(noun: str, references: Mapping[str, int]) -> None:
    held = [f"{count} {what}" for what, count in references.items() if count]
    if held:
        raise Conflict(f"The {noun} is still referenced by {', '.join(held)}; nothing was deleted.")


def _plain(value: Any) -> Any:
    # Enum members are stored as their value, as the constructors store them.
    return value.value if isinstance(value, StrEnum) else value


def _touch(row: Organisation | Programme | Site) -> None:
    row.version += 1
    row.updated_at = utcnow()


# Batch reads for GraphQL DataLoaders: nested fields of objects the caller could already read,
# so they need a login but not the tenancy:read scope; ids the caller may not see are absent.


async def organisations_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, Organisation]:
    directory_visible_to(principal, None)
    return {o.id: o for o in await TenancyRepository(uow.session).organisations_by_ids(ids)}


async def programmes_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, Programme]:
    access = directory_visible_to(principal, None)
    return {p.id: p for p in await TenancyRepository(uow.session).programmes_by_ids(access, ids)}


async def sites_by_ids(uow: UnitOfWork, principal: Principal, ids: list[UUID]) -> dict[UUID, Site]:
    access = directory_visible_to(principal, None)
    return {s.id: s for s in await TenancyRepository(uow.session).sites_by_ids(access, ids)}


async def programme_members_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, list[Organisation]]:
    """Member organisations of each visible programme, by name."""
    access = directory_visible_to(principal, None)
    repo = TenancyRepository(uow.session)
    visible = [p.id for p in await repo.programmes_by_ids(access, ids)]
    return await repo.members_by_programme(visible) if visible else {}


# Organisations


def _organisation_snapshot(row: Organisation) -> dict[str, Any]:
    return OrganisationRead.model_validate(row).model_dump(mode="json")


async def create_organisation(
    uow: UnitOfWork, principal: Principal, data: OrganisationCreate
) -> Organisation:
    _require_admin(principal)
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
    directory_visible_to(principal, Scope.tenancy_write)
    # Row lock: two writers with the same version cannot both pass the version check.
    row = await TenancyRepository(uow.session).get_organisation(organisation_id, for_update=True)
    if row is None:
        raise NotFound("No organisation with that id.")
    _require_admin(principal)
    _check_version(ORGANISATION, row.version, expected_version)
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
        setattr(row, name, _plain(value))
    changed = audit.diff(before, _organisation_snapshot(row))
    if changed:
        _touch(row)
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
    _in_use(ORGANISATION, await repo.organisation_references(row.id))
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


# Programmes


async def _with_members(repo: TenancyRepository, row: Programme) -> ProgrammeWithMembers:
    members = await repo.member_ids([row.id])
    return ProgrammeWithMembers(row, members[row.id])


def _programme_snapshot(programme: ProgrammeWithMembers) -> dict[str, Any]:
    return ProgrammeRead.model_validate(programme).model_dump(mode="json")


async def create_programme(
    uow: UnitOfWork, principal: Principal, data: ProgrammeCreate
) -> ProgrammeWithMembers:
    _require_admin(principal)
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
    access = directory_visible_to(principal, Scope.tenancy_write)
    row = await TenancyRepository(uow.session).get_programme(access, programme_id, for_update=True)
    if row is None:
        raise NotFound("No programme with that id.")
    _require_admin(principal)
    if expected_version is not None:
        _check_version(PROGRAMME, row.version, expected_version)
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
        _touch(row)
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
    _in_use(PROGRAMME, {"cycles (deleted ones included)": cycles})
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
        _touch(row)
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
    _touch(row)
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


# Sites


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
            directory_visible_to(principal, Scope.tenancy_write), parent_id, for_update=True
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
    _require_admin(principal)
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
    access = directory_visible_to(principal, Scope.tenancy_write)
    row = await TenancyRepository(uow.session).get_site(access, site_id, for_update=True)
    if row is None:
        raise NotFound("No site with that id.")
    _require_admin(principal)
    _check_version(SITE, row.version, expected_version)
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
        setattr(row, field, _plain(value))
    changed = audit.diff(before, _site_snapshot(row))
    if changed:
        _touch(row)
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
    _in_use(SITE, await repo.site_references(row.id))
    snapshot = _site_snapshot(row)
    await repo.delete(row, in_use="The site is still referenced; nothing was deleted.")
    audit.record(
        uow, principal, action="delete", entity_type=SITE, entity_id=site_id, changes=snapshot
    )
    await uow.commit()
