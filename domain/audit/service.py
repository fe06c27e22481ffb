"""Appending to the audit trail, inside the caller's transaction."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic_core import to_jsonable_python

from domain.audit.models import AuditEvent
from domain.shared.context import request_id_var
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork


def record(
    uow: UnitOfWork,
    principal: Principal,
    *,
    action: str,
    entity_type: str,
    entity_id: UUID,
    changes: dict[str, Any],
) -> None:
    uow.session.add(
        AuditEvent(
            actor=principal.subject,
            client_id=principal.client_id,
            organisation_id=principal.organisation_id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            changes=to_jsonable_python(changes),
            request_id=request_id_var.get(),
        )
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only the fields that changed, as {field: [old, new]}."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
