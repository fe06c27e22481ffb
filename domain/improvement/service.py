"""Use cases for PDSA cycle records. REST and GraphQL both call these."""

from __future__ import annotations

from uuid import UUID

from domain.audit import service as audit
from domain.improvement.models import Cycle
from domain.improvement.repository import CycleRepository
from domain.improvement.rules import date_errors, update_errors
from domain.improvement.schemas import CycleCreate, CycleFilters, CycleRead, CycleUpdate
from domain.shared.authz import require_owner, visible_to
from domain.shared.errors import FieldError, NotFound, PreconditionFailed, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork
from domain.tenancy.repository import TenancyRepository

ENTITY = "cycle"


def _snapshot(cycle: Cycle) -> dict[str, object]:
    return CycleRead.model_validate(cycle).model_dump(mode="json")


async def _check_placement(
    uow: UnitOfWork,
    principal: Principal,
    programme_id: UUID,
    site_id: UUID | None,
    errors: list[FieldError] | None = None,
) -> None:
    errors = list(errors or [])
    if programme_id not in principal.programme_ids:
        errors.append(
            FieldError("/programme_id", "is not a programme your organisation belongs to")
        )
    elif site_id is not None and not await TenancyRepository(uow.session).site_in_programme(
        site_id, programme_id
    ):
        errors.append(FieldError("/site_id", "is not a site of this programme's members"))
    if errors:
        raise ValidationFailed(errors)


async def create_cycle(uow: UnitOfWork, principal: Principal, data: CycleCreate) -> Cycle:
    organisation_id = visible_to(principal, Scope.cycles_write).organisation_id
    await _check_placement(
        uow, principal, data.programme_id, data.site_id, date_errors(data.start_date, data.end_date)
    )
    cycle = Cycle(
        **data.model_dump(),
        organisation_id=organisation_id,
        created_by=principal.subject,
    )
    CycleRepository(uow.session).add(cycle)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=ENTITY,
        entity_id=cycle.id,
        changes=_snapshot(cycle),
    )
    await uow.commit()
    return cycle


async def get_cycle(uow: UnitOfWork, principal: Principal, cycle_id: UUID) -> Cycle:
    access = visible_to(principal, Scope.cycles_read)
    cycle = await CycleRepository(uow.session).get(access, cycle_id)
    if cycle is None:
        raise NotFound("No cycle with that id.")
    return cycle


async def get_cycles_by_ids(
    uow: UnitOfWork, principal: Principal, cycle_ids: list[UUID]
) -> dict[UUID, Cycle]:
    """Batch read for DataLoaders; ids the caller may not see are simply absent."""
    access = visible_to(principal, Scope.cycles_read)
    rows = await CycleRepository(uow.session).get_many_by_ids(access, cycle_ids)
    return {row.id: row for row in rows}


async def list_cycles(
    uow: UnitOfWork, principal: Principal, filters: CycleFilters, page: PageRequest
) -> Page[Cycle]:
    access = visible_to(principal, Scope.cycles_read)
    rows = await CycleRepository(uow.session).list(access, filters, page)
    return make_page(rows, page, lambda c: c.id)


async def _editable(
    uow: UnitOfWork, principal: Principal, cycle_id: UUID, expected_version: int
) -> Cycle:
    access = visible_to(principal, Scope.cycles_write)
    # Row lock: two writers with the same version cannot both pass the check below.
    cycle = await CycleRepository(uow.session).get(access, cycle_id, for_update=True)
    if cycle is None:
        raise NotFound("No cycle with that id.")
    require_owner(principal, Scope.cycles_write, cycle, "cycle")
    if cycle.version != expected_version:
        raise PreconditionFailed(
            f"The cycle is at version {cycle.version}, not {expected_version}.", cycle.version
        )
    return cycle


async def update_cycle(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: UUID,
    data: CycleUpdate,
    *,
    expected_version: int,
) -> Cycle:
    cycle = await _editable(uow, principal, cycle_id, expected_version)
    changes = data.model_dump(exclude_unset=True)
    start = changes.get("start_date", cycle.start_date)
    end = changes.get("end_date", cycle.end_date)
    errors = update_errors(changes, start, end)
    if errors:
        raise ValidationFailed(errors)
    if "site_id" in changes and changes["site_id"] is not None:
        await _check_placement(uow, principal, cycle.programme_id, changes["site_id"])
    before = _snapshot(cycle)
    for name, value in changes.items():
        setattr(cycle, name, value)
    after = _snapshot(cycle)
    changed = audit.diff(before, after)
    if changed:
        cycle.version += 1
        cycle.updated_at = utcnow()
        await uow.session.flush()
        audit.record(
            uow,
            principal,
            action="update",
            entity_type=ENTITY,
            entity_id=cycle.id,
            changes=changed,
        )
        await uow.commit()
    return cycle


async def delete_cycle(
    uow: UnitOfWork, principal: Principal, cycle_id: UUID, *, expected_version: int
) -> None:
    cycle = await _editable(uow, principal, cycle_id, expected_version)
    cycle.deleted_at = utcnow()
    cycle.updated_at = cycle.deleted_at
    cycle.version += 1
    await uow.session.flush()
    audit.record(
        uow, principal, action="delete", entity_type=ENTITY, entity_id=cycle.id, changes={}
    )
    await uow.commit()
