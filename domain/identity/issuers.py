"""Use cases for trusted issuers: platform administrators register, change, disable and
remove the identity providers whose tokens the hub accepts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from domain.audit import service as audit
from domain.identity.admin_repository import AdminRepository
from domain.identity.admin_schemas import (
    TrustedIssuerCreate,
    TrustedIssuerRead,
    TrustedIssuerUpdate,
)
from domain.identity.federation_models import TrustedIssuer
from domain.shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.pagination import Page, PageRequest, make_page
from domain.shared.principal import Principal, Scope
from domain.shared.records import check_version, touch
from domain.shared.uow import UnitOfWork
from domain.tenancy.models import Organisation

NOUN = "trusted_issuer"


def _snapshot(row: TrustedIssuer) -> dict[str, Any]:
    return TrustedIssuerRead.model_validate(row).model_dump(mode="json")


def _require(principal: Principal) -> None:
    principal.require_platform_admin(Scope.admin)


async def _organisation_exists(uow: UnitOfWork, organisation_id: UUID) -> None:
    if await uow.session.get(Organisation, organisation_id) is None:
        raise ValidationFailed([FieldError("/organisation_id", "no such organisation")])


async def _flush(uow: UnitOfWork, issuer: str) -> None:
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        raise Conflict(f"The issuer '{issuer}' is already registered.") from exc


async def create_trusted_issuer(
    uow: UnitOfWork, principal: Principal, data: TrustedIssuerCreate
) -> TrustedIssuer:
    _require(principal)
    await _organisation_exists(uow, data.organisation_id)
    row = TrustedIssuer(
        name=data.name,
        issuer=data.issuer,
        jwks_url=data.jwks_url,
        audience=data.audience,
        subject_claim=data.subject_claim,
        organisation_id=data.organisation_id,
        max_scopes=[s.value for s in data.max_scopes],
        created_by=principal.subject,
    )
    uow.session.add(row)
    await _flush(uow, data.issuer)
    audit.record(
        uow, principal, action="create", entity_type=NOUN, entity_id=row.id, changes=_snapshot(row)
    )
    await uow.commit()
    return row


async def get_trusted_issuer(
    uow: UnitOfWork, principal: Principal, issuer_id: UUID, *, for_update: bool = False
) -> TrustedIssuer:
    _require(principal)
    row = await uow.session.get(TrustedIssuer, issuer_id, with_for_update=for_update)
    if row is None:
        raise NotFound("No trusted issuer with that id.")
    return row


async def list_trusted_issuers(
    uow: UnitOfWork, principal: Principal, page: PageRequest
) -> Page[TrustedIssuer]:
    _require(principal)
    rows = await AdminRepository(uow.session).trusted_issuers(page)
    return make_page(rows, page, lambda r: r.id)


async def update_trusted_issuer(
    uow: UnitOfWork,
    principal: Principal,
    issuer_id: UUID,
    data: TrustedIssuerUpdate,
    *,
    expected_version: int,
) -> TrustedIssuer:
    row = await get_trusted_issuer(uow, principal, issuer_id, for_update=True)
    check_version(NOUN, row.version, expected_version)
    changes = data.model_dump(exclude_unset=True)
    nulls = [
        FieldError(f"/{name}", "must not be null")
        for name, value in changes.items()
        if value is None
    ]
    if nulls:
        raise ValidationFailed(nulls)
    before = _snapshot(row)
    for name, value in changes.items():
        if name == "disabled":
            row.disabled_at = (row.disabled_at or utcnow()) if value else None
        elif name == "max_scopes":
            row.max_scopes = list(dict.fromkeys(s.value for s in value))
        else:
            setattr(row, name, value)
    changed = audit.diff(before, _snapshot(row))
    if changed:
        touch(row)
        audit.record(
            uow, principal, action="update", entity_type=NOUN, entity_id=row.id, changes=changed
        )
        await uow.commit()
    return row


async def delete_trusted_issuer(
    uow: UnitOfWork, principal: Principal, issuer_id: UUID, *, expected_version: int
) -> None:
    row = await get_trusted_issuer(uow, principal, issuer_id, for_update=True)
    check_version(NOUN, row.version, expected_version)
    snapshot = _snapshot(row)
    await uow.session.delete(row)
    audit.record(
        uow, principal, action="delete", entity_type=NOUN, entity_id=issuer_id, changes=snapshot
    )
    await uow.commit()
