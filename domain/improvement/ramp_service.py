"""Use cases for ramps: chains of cycles testing one change idea. REST and GraphQL both call
these.

Ramps are improvement work, so they use the cycles scopes. Only the owning organisation
writes; programme partners read ramps shared with the programme, and see in them only the
cycles they could read anyway; everyone else gets 404."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.audit import service as audit
from domain.improvement.models import Ramp
from domain.improvement.ramp_repository import RampChainRepository
from domain.improvement.ramp_rules import ramp_order
from domain.improvement.ramp_schemas import (
    RampCreate,
    RampFilters,
    RampInOrder,
    RampRead,
    RampStep,
    RampUpdate,
)
from domain.shared.authz import RowAccess, require_owner, visible_to
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

ENTITY = "ramp"
NOT_FOUND = "No ramp with that id."


def _snapshot(ramp: Ramp) -> dict[str, object]:
    return RampRead.model_validate(ramp).model_dump(mode="json")


def _plain(changes: dict[str, Any]) -> dict[str, Any]:
    # Enum members are stored as their value, as the constructor stores them.
    return {k: getattr(v, "value", v) for k, v in changes.items()}


async def _steps(
    repo: RampChainRepository, access: RowAccess, ramp_ids: list[UUID]
) -> dict[UUID, list[RampStep]]:
    """Each ramp's cycles in order, left out where the caller may not see them: two
    statements however many ramps."""
    if not ramp_ids:
        return {}
    links = await repo.links(access, ramp_ids)
    visible = {cycle.id: cycle for cycle in await repo.visible_cycles(access, ramp_ids)}
    return {
        ramp_id: [
            RampStep(cycle=visible[placed.id], linked=placed.linked)
            for placed in ramp_order(ramp_links)
            if placed.id in visible
        ]
        for ramp_id, ramp_links in links.items()
    }


async def create_ramp(uow: UnitOfWork, principal: Principal, data: RampCreate) -> Ramp:
    organisation_id = visible_to(principal, Scope.cycles_write).organisation_id
    if data.programme_id not in principal.programme_ids:
        raise ValidationFailed(
            [FieldError("/programme_id", "is not a programme your organisation belongs to")]
        )
    ramp = Ramp(
        **_plain(data.model_dump()),
        organisation_id=organisation_id,
        created_by=principal.subject,
    )
    RampChainRepository(uow.session).add(ramp)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=ENTITY,
        entity_id=ramp.id,
        changes=_snapshot(ramp),
    )
    await uow.commit()
    return ramp


async def get_ramp(uow: UnitOfWork, principal: Principal, ramp_id: UUID) -> RampInOrder:
    """The ramp with its cycles in order: what was tried and learned at each step."""
    access = visible_to(principal, Scope.cycles_read)
    repo = RampChainRepository(uow.session)
    ramp = await repo.get(access, ramp_id)
    if ramp is None:
        raise NotFound(NOT_FOUND)
    steps = await _steps(repo, access, [ramp.id])
    return RampInOrder(ramp=ramp, steps=steps.get(ramp.id, []))


async def list_ramps(
    uow: UnitOfWork, principal: Principal, filters: RampFilters, page: PageRequest
) -> Page[Ramp]:
    access = visible_to(principal, Scope.cycles_read)
    rows = await RampChainRepository(uow.session).list(access, filters, page)
    return make_page(rows, page, lambda r: r.id)


async def steps_by_ramp_ids(
    uow: UnitOfWork, principal: Principal, ramp_ids: list[UUID]
) -> dict[UUID, list[RampStep]]:
    """Batch read for DataLoaders: the ordered cycles of each ramp the caller may see."""
    access = visible_to(principal, Scope.cycles_read)
    return await _steps(RampChainRepository(uow.session), access, ramp_ids)


async def _editable(
    uow: UnitOfWork, principal: Principal, ramp_id: UUID, expected_version: int
) -> Ramp:
    access = visible_to(principal, Scope.cycles_write)
    # Row lock: two writers with the same version cannot both pass the check below.
    ramp = await RampChainRepository(uow.session).get(access, ramp_id, for_update=True)
    if ramp is None:
        raise NotFound(NOT_FOUND)
    require_owner(principal, Scope.cycles_write, ramp, ENTITY)
    if ramp.version != expected_version:
        raise PreconditionFailed(
            f"The ramp is at version {ramp.version}, not {expected_version}.", ramp.version
        )
    return ramp


async def update_ramp(
    uow: UnitOfWork,
    principal: Principal,
    ramp_id: UUID,
    data: RampUpdate,
    *,
    expected_version: int,
) -> RampInOrder:
    ramp = await _editable(uow, principal, ramp_id, expected_version)
    changes = data.model_dump(exclude_unset=True)
    nulls = [
        FieldError(f"/{name}", "may not be null", "null_not_allowed")
        for name, value in changes.items()
        if value is None
    ]
    if nulls:
        raise ValidationFailed(nulls)
    before = _snapshot(ramp)
    for name, value in _plain(changes).items():
        setattr(ramp, name, value)
    changed = audit.diff(before, _snapshot(ramp))
    repo = RampChainRepository(uow.session)
    if changed:
        ramp.version += 1
        ramp.updated_at = utcnow()
        await uow.session.flush()
        audit.record(
            uow, principal, action="update", entity_type=ENTITY, entity_id=ramp.id, changes=changed
        )
    # Read in the same transaction as the write, so the answer is what was committed; the
    # write scope's access, as a writer may hold no read scope.
    steps = await _steps(repo, visible_to(principal, Scope.cycles_write), [ramp.id])
    if changed:
        await uow.commit()
    return RampInOrder(ramp=ramp, steps=steps.get(ramp.id, []))


async def delete_ramp(
    uow: UnitOfWork, principal: Principal, ramp_id: UUID, *, expected_version: int
) -> None:
    """Soft delete. A ramp that still has live cycles is refused: delete or move them first."""
    ramp = await _editable(uow, principal, ramp_id, expected_version)
    in_use = await RampChainRepository(uow.session).live_cycle_count(ramp.id)
    if in_use:
        raise Conflict(
            f"The ramp still has {in_use} live cycle{'s' if in_use != 1 else ''}; "
            "delete them or take them out of the ramp first. Nothing was deleted."
        )
    ramp.deleted_at = utcnow()
    ramp.updated_at = ramp.deleted_at
    ramp.version += 1
    await uow.session.flush()
    audit.record(uow, principal, action="delete", entity_type=ENTITY, entity_id=ramp.id, changes={})
    await uow.commit()
