"""Use cases for practice-policy feedback items. REST and GraphQL both call these.

Feedback items are improvement work, so they use the cycles scopes. Only the owning
organisation writes; programme partners read items shared with the programme; everyone
else gets 404. The status moves through PATCH, along the allowed moves only, and the date
of each move is stamped here, never sent by a caller."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.audit import service as audit
from domain.improvement.feedback import (
    FeedbackItem,
    FeedbackItemCreate,
    FeedbackItemFilters,
    FeedbackItemRead,
    FeedbackItemUpdate,
    FeedbackStatus,
)
from domain.improvement.feedback_repository import FeedbackRepository
from domain.improvement.feedback_rules import (
    STAMPED_ON,
    field_errors,
    move_problem,
    response_errors,
    server_owned_errors,
)
from domain.improvement.repository import CycleRepository
from domain.shared.authz import RowAccess, require_owner, visible_to
from domain.shared.errors import FieldError, NotFound, PreconditionFailed, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork

ENTITY = "feedback_item"
NOT_FOUND = "No feedback item with that id."


def _snapshot(item: FeedbackItem) -> dict[str, object]:
    return FeedbackItemRead.model_validate(item).model_dump(mode="json")


def _plain(changes: dict[str, Any]) -> dict[str, Any]:
    # Enum members are stored as their value, as the constructor stores them.
    return {k: getattr(v, "value", v) for k, v in changes.items()}


async def _cycle_errors(
    uow: UnitOfWork, access: RowAccess, cycle_id: UUID | None, programme_id: UUID
) -> list[FieldError]:
    """The item may name a cycle of the caller's own organisation in the same programme."""
    if cycle_id is None:
        return []
    cycle = await CycleRepository(uow.session).get(access, cycle_id)
    if (
        cycle is None
        or cycle.organisation_id != access.organisation_id
        or cycle.programme_id != programme_id
    ):
        return [FieldError("/cycle_id", "is not a cycle of your organisation in this programme")]
    return []


async def create_feedback_item(
    uow: UnitOfWork, principal: Principal, data: FeedbackItemCreate
) -> FeedbackItem:
    access = visible_to(principal, Scope.cycles_write)
    sent = data.model_fields_set
    errors = server_owned_errors(sent) + field_errors({"barrier": data.barrier})
    if data.programme_id not in principal.programme_ids:
        errors.append(
            FieldError("/programme_id", "is not a programme your organisation belongs to")
        )
    else:
        errors += await _cycle_errors(uow, access, data.cycle_id, data.programme_id)
    if errors:
        raise ValidationFailed(errors)
    fields = _plain(data.model_dump(exclude=set(STAMPED_ON.values()) | {"raised_on"}))
    item = FeedbackItem(
        **fields,
        raised_on=data.raised_on or utcnow().date(),
        status=FeedbackStatus.raised.value,
        organisation_id=access.organisation_id,
        created_by=principal.subject,
    )
    FeedbackRepository(uow.session).add(item)
    await uow.session.flush()
    audit.record(
        uow,
        principal,
        action="create",
        entity_type=ENTITY,
        entity_id=item.id,
        changes=_snapshot(item),
    )
    await uow.commit()
    return item


async def get_feedback_item(uow: UnitOfWork, principal: Principal, item_id: UUID) -> FeedbackItem:
    access = visible_to(principal, Scope.cycles_read)
    item = await FeedbackRepository(uow.session).get(access, item_id)
    if item is None:
        raise NotFound(NOT_FOUND)
    return item


async def list_feedback_items(
    uow: UnitOfWork, principal: Principal, filters: FeedbackItemFilters, page: PageRequest
) -> Page[FeedbackItem]:
    access = visible_to(principal, Scope.cycles_read)
    rows = await FeedbackRepository(uow.session).list(access, filters, page)
    return make_page(rows, page, lambda item: item.id)


async def _editable(
    uow: UnitOfWork, principal: Principal, item_id: UUID, expected_version: int
) -> FeedbackItem:
    access = visible_to(principal, Scope.cycles_write)
    # Row lock: two writers with the same version cannot both pass the check below.
    item = await FeedbackRepository(uow.session).get(access, item_id, for_update=True)
    if item is None:
        raise NotFound(NOT_FOUND)
    require_owner(principal, Scope.cycles_write, item, "feedback item")
    if item.version != expected_version:
        raise PreconditionFailed(
            f"The feedback item is at version {item.version}, not {expected_version}.",
            item.version,
        )
    return item


async def update_feedback_item(
    uow: UnitOfWork,
    principal: Principal,
    item_id: UUID,
    data: FeedbackItemUpdate,
    *,
    expected_version: int,
) -> FeedbackItem:
    item = await _editable(uow, principal, item_id, expected_version)
    changes = data.model_dump(exclude_unset=True)
    errors = server_owned_errors(changes)
    for name in STAMPED_ON.values():
        changes.pop(name, None)
    errors += field_errors(changes)
    if changes.get("cycle_id") is not None:
        errors += await _cycle_errors(
            uow, visible_to(principal, Scope.cycles_write), changes["cycle_id"], item.programme_id
        )
    if errors:
        raise ValidationFailed(errors)
    current = FeedbackStatus(item.status)
    status = FeedbackStatus(changes.get("status", current))
    problem = move_problem(current, status)
    if problem is not None:
        raise problem
    response_problems = response_errors(status, changes.get("response", item.response))
    if response_problems:
        raise ValidationFailed(response_problems)
    before = _snapshot(item)
    for name, value in _plain(changes).items():
        setattr(item, name, value)
    if status is not current:
        setattr(item, STAMPED_ON[status], utcnow().date())
    changed = audit.diff(before, _snapshot(item))
    if changed:
        item.version += 1
        item.updated_at = utcnow()
        await uow.session.flush()
        audit.record(
            uow, principal, action="update", entity_type=ENTITY, entity_id=item.id, changes=changed
        )
        await uow.commit()
    return item


async def delete_feedback_item(
    uow: UnitOfWork, principal: Principal, item_id: UUID, *, expected_version: int
) -> None:
    item = await _editable(uow, principal, item_id, expected_version)
    item.deleted_at = utcnow()
    item.updated_at = item.deleted_at
    item.version += 1
    await uow.session.flush()
    audit.record(uow, principal, action="delete", entity_type=ENTITY, entity_id=item.id, changes={})
    await uow.commit()
