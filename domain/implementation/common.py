"""What the implementation use cases share: version checks, audit snapshots, placement
in a programme, and bumping a row's version."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from domain.audit import service as audit
from domain.shared.errors import FieldError, ValidationFailed
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork
from domain.tenancy.repository import TenancyRepository


def plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value


def snapshot(row: Any, read: type[BaseModel]) -> dict[str, Any]:
    """The audit view of a row: the fields the Read schema shows that the row has."""
    data: dict[str, Any] = {}
    for name in read.model_fields:
        if hasattr(row, name):
            data[name] = getattr(row, name)
    return data


def apply(row: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """Sets the changed fields; answers {field: [old, new]} for the audit trail."""
    before = {name: getattr(row, name) for name in changes}
    for name, value in changes.items():
        setattr(row, name, plain(value))
    return audit.diff(before, {name: getattr(row, name) for name in changes})


def require_programme(principal: Principal, programme_id: UUID, pointer: str) -> None:
    if programme_id not in principal.programme_ids:
        raise ValidationFailed(
            [FieldError(pointer, "is not a programme your organisation belongs to")]
        )


async def require_site_in_programme(
    uow: UnitOfWork, site_id: UUID, programme_id: UUID, pointer: str
) -> None:
    if not await TenancyRepository(uow.session).site_in_programme(site_id, programme_id):
        raise ValidationFailed([FieldError(pointer, "is not a site of this programme's members")])


async def programme_member_ids(uow: UnitOfWork, programme_id: UUID) -> set[UUID]:
    found = await TenancyRepository(uow.session).member_ids([programme_id])
    return set(found[programme_id])
