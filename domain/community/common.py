"""Helpers the community use cases share: loading a row the caller may read or edit, version
checks, and the links to other areas (programmes, cycles) the caller must be able to see."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar
from uuid import UUID

from pydantic import BaseModel
from sqlmodel import SQLModel

from domain.community.access import ContentAccess
from domain.community.repository import CommunityRepository
from domain.shared import records
from domain.shared.authz import visible_to
from domain.shared.errors import DomainError, FieldError, NotFound
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork

M = TypeVar("M", bound=SQLModel)


class Versioned(Protocol):
    version: int


def snapshot(read: type[BaseModel], row: Any) -> dict[str, Any]:
    return read.model_validate(row).model_dump(mode="json")


async def readable(
    uow: UnitOfWork, access: ContentAccess, model: type[M], row_id: UUID, noun: str
) -> M:
    row = await CommunityRepository(uow.session).get(model, access, row_id)
    if row is None:
        raise NotFound(f"No {noun} with that id.")
    return row


async def editable(
    uow: UnitOfWork,
    access: ContentAccess,
    model: type[M],
    row_id: UUID,
    noun: str,
    expected_version: int,
) -> M:
    """Locked for the use case; 404 for rows the caller cannot see or is not an editor of
    (a reader has no write path, and a non-editor must not learn a draft exists)."""
    row = await CommunityRepository(uow.session).get(model, access, row_id, for_update=True)
    if row is None or not access.can_edit(row):  # type: ignore[arg-type]
        raise NotFound(f"No {noun} with that id.")
    check_version(row, expected_version, noun)  # type: ignore[arg-type]
    return row


def check_version(row: Versioned, expected_version: int, noun: str) -> None:
    records.check_version(noun, row.version, expected_version)


async def cycle_visible(uow: UnitOfWork, principal: Principal, cycle_id: UUID) -> bool:
    """A cycle may be linked only by a caller who may read it (cycles:read and the cycles'
    own sharing rule)."""
    from domain.improvement.repository import CycleRepository

    try:
        access = visible_to(principal, Scope.cycles_read)
    except DomainError:
        return False
    return await CycleRepository(uow.session).get(access, cycle_id) is not None


def programme_error(access: ContentAccess, programme_id: UUID | None) -> FieldError | None:
    if programme_id is not None and not access.in_programme(programme_id):
        return FieldError("/programme_id", "is not a programme your organisation belongs to")
    return None
