"""Use cases for measures. REST and GraphQL both call these.

Measures are improvement work, so they use the cycles scopes: `cycles:read` to read,
`cycles:write` to change. Only the owning organisation writes; programme partners read
measures shared with the programme; everyone else gets 404."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.audit import service as audit
from domain.improvement.measures.models import Measure
from domain.improvement.measures.repository import DataPointRepository, MeasureRepository
from domain.improvement.measures.rules import FIXED_ONCE_POINTS_EXIST, update_errors
from domain.improvement.measures.schemas import (
    MeasureCreate,
    MeasureFilters,
    MeasureRead,
    MeasureUpdate,
)
from domain.shared.authz import require_owner, visible_to
from domain.shared.errors import FieldError, NotFound, PreconditionFailed, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork

ENTITY = "measure"
NOT_FOUND = "No measure with that id."


def _snapshot(measure: Measure) -> dict[str, object]:
    return MeasureRead.model_validate(measure).model_dump(mode="json")


def _plain(changes: dict[str, Any]) -> dict[str, Any]:
    # Enum members are stored as their value, as the constructor stores them.
    return {k: getattr(v, "value", v) for k, v in changes.items()}


async def create_measure(uow: UnitOfWork, principal: Principal, data: MeasureCreate) -> Measure:
    organisation_id = visible_to(principal, Scope.cycles_write).organisation_id
    if data.programme_id not in principal.programme_ids:
        raise ValidationFailed(
            [FieldError("/programme_id", "is not a programme your organisation belongs to")]
        )
    measure = Measure(
        **_plain(data.model_dump()),
        organisation_id=organisation_id,
        created_by=principal.subject,
    )
    MeasureRepository(uow.session).add(measure)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=ENTITY,
        entity_id=measure.id,
        changes=_snapshot(measure),
    )
    await uow.commit()
    return measure


async def get_measure(uow: UnitOfWork, principal: Principal, measure_id: UUID) -> Measure:
    access = visible_to(principal, Scope.cycles_read)
    measure = await MeasureRepository(uow.session).get(access, measure_id)
    if measure is None:
        raise NotFound(NOT_FOUND)
    return measure


async def list_measures(
    uow: UnitOfWork, principal: Principal, filters: MeasureFilters, page: PageRequest
) -> Page[Measure]:
    access = visible_to(principal, Scope.cycles_read)
    rows = await MeasureRepository(uow.session).list(access, filters, page)
    return make_page(rows, page, lambda m: m.id)


async def owned_measure(
    uow: UnitOfWork, principal: Principal, measure_id: UUID, *, lock: bool = True
) -> Measure:
    """A measure the caller may change (404 otherwise), locked by default: writes to a
    measure and to its points queue behind one another."""
    access = visible_to(principal, Scope.cycles_write)
    measure = await MeasureRepository(uow.session).get(access, measure_id, for_update=lock)
    if measure is None:
        raise NotFound(NOT_FOUND)
    require_owner(principal, Scope.cycles_write, measure, ENTITY)
    return measure


async def _editable(
    uow: UnitOfWork, principal: Principal, measure_id: UUID, expected_version: int
) -> Measure:
    measure = await owned_measure(uow, principal, measure_id)
    if measure.version != expected_version:
        raise PreconditionFailed(
            f"The measure is at version {measure.version}, not {expected_version}.",
            measure.version,
        )
    return measure


async def update_measure(
    uow: UnitOfWork,
    principal: Principal,
    measure_id: UUID,
    data: MeasureUpdate,
    *,
    expected_version: int,
) -> Measure:
    measure = await _editable(uow, principal, measure_id, expected_version)
    changes = _plain(data.model_dump(exclude_unset=True))
    before = _snapshot(measure)
    # Only asked when it matters: most changes leave value_type and reporting_period alone.
    touches_fixed = any(name in changes for name in FIXED_ONCE_POINTS_EXIST)
    has_points = touches_fixed and await DataPointRepository(uow.session).exist_for(measure.id)
    errors = update_errors(changes, has_points=has_points, current=before)
    if errors:
        raise ValidationFailed(errors)
    for name, value in changes.items():
        setattr(measure, name, value)
    changed = audit.diff(before, _snapshot(measure))
    if changed:
        measure.version += 1
        measure.updated_at = utcnow()
        await uow.session.flush()
        audit.record(
            uow,
            principal,
            action="update",
            entity_type=ENTITY,
            entity_id=measure.id,
            changes=changed,
        )
        await uow.commit()
    return measure


async def delete_measure(
    uow: UnitOfWork, principal: Principal, measure_id: UUID, *, expected_version: int
) -> None:
    """Soft delete: the measure and its points stay for history but nobody sees them."""
    measure = await _editable(uow, principal, measure_id, expected_version)
    measure.deleted_at = utcnow()
    measure.updated_at = measure.deleted_at
    measure.version += 1
    await uow.session.flush()
    audit.record(
        uow, principal, action="delete", entity_type=ENTITY, entity_id=measure.id, changes={}
    )
    await uow.commit()
