"""Links a reader may not follow are not shown either. A public resource in a programme's
community, or a thread about a partner's private cycle, must not tell an outsider the id of
that community, programme or cycle: existence does not leak, here as everywhere (a private
record answers 404). So read use cases blank each link the caller could not open, after all
their queries and on rows taken out of the session (so nothing is ever written back)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from domain.community.access import ContentAccess
from domain.community.models import Community, Resource
from domain.community.repository import CommunityRepository
from domain.shared.authz import visible_to
from domain.shared.errors import DomainError
from domain.shared.principal import Principal, Scope
from domain.shared.uow import UnitOfWork


def _ids(rows: Sequence[Any], name: str) -> set[UUID]:
    return {value for row in rows if (value := getattr(row, name, None)) is not None}


async def _visible_cycles(uow: UnitOfWork, principal: Principal, ids: set[UUID]) -> set[UUID]:
    from domain.improvement.repository import CycleRepository

    if not ids:
        return set()
    try:
        access = visible_to(principal, Scope.cycles_read)
    except DomainError:
        return set()
    return {c.id for c in await CycleRepository(uow.session).get_many_by_ids(access, list(ids))}


async def conceal_links(
    uow: UnitOfWork, principal: Principal, access: ContentAccess, rows: Sequence[Any]
) -> None:
    """Blanks programme_id, community_id, resource_id and cycle_id on `rows` where the caller
    may not see what they point at. At most three statements for any number of rows."""
    if access.everything or not rows:
        return
    repo = CommunityRepository(uow.session)
    communities = _ids(rows, "community_id")
    resources = _ids(rows, "resource_id")
    seen_communities = (
        {c.id for c in await repo.get_many(Community, access, list(communities))}
        if communities
        else set()
    )
    seen_resources = (
        {r.id for r in await repo.get_many(Resource, access, list(resources))}
        if resources
        else set()
    )
    seen_cycles = await _visible_cycles(uow, principal, _ids(rows, "cycle_id"))
    for row in rows:
        if row in uow.session:
            uow.session.expunge(row)
        programme_id = getattr(row, "programme_id", None)
        if programme_id is not None and not access.in_programme(programme_id):
            row.programme_id = None
        if getattr(row, "community_id", None) not in seen_communities | {None}:
            row.community_id = None
        if getattr(row, "resource_id", None) not in seen_resources | {None}:
            row.resource_id = None
        if getattr(row, "cycle_id", None) not in seen_cycles | {None}:
            row.cycle_id = None
