"""Use cases for organisations, programmes and sites."""

from __future__ import annotations

from uuid import UUID

from domain.shared.errors import AuthenticationRequired
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork
from domain.tenancy.models import Organisation, Programme, Site
from domain.tenancy.repository import TenancyRepository


def _require_member(principal: Principal) -> None:
    # Organisation, programme and site names are the partnership's directory: any
    # authenticated partner may read them; nothing private is held on these rows.
    if not principal.is_authenticated:
        raise AuthenticationRequired("A bearer token is required.")


async def organisations_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, Organisation]:
    _require_member(principal)
    return {o.id: o for o in await TenancyRepository(uow.session).organisations_by_ids(ids)}


async def programmes_by_ids(
    uow: UnitOfWork, principal: Principal, ids: list[UUID]
) -> dict[UUID, Programme]:
    _require_member(principal)
    return {p.id: p for p in await TenancyRepository(uow.session).programmes_by_ids(ids)}


async def sites_by_ids(uow: UnitOfWork, principal: Principal, ids: list[UUID]) -> dict[UUID, Site]:
    _require_member(principal)
    return {s.id: s for s in await TenancyRepository(uow.session).sites_by_ids(ids)}
