"""The cycle use cases, called as both front doors call them."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from domain.audit.models import AuditEvent
from domain.improvement import service
from domain.improvement.schemas import CycleCreate, CycleFilters, CycleUpdate
from domain.shared.errors import (
    AuthenticationRequired,
    InsufficientScope,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from domain.shared.pagination import PageRequest
from domain.shared.principal import Principal, PrincipalKind
from domain.shared.uow import UnitOfWork
from tests.factories import ALL_SCOPES, Party, World, create_cycle


def principal_of(world: World, party: Party, scopes: list[str] | None = None) -> Principal:
    programmes = {
        world.programme.id: {world.a.organisation.id, world.b.organisation.id},
        world.other_programme.id: {world.c.organisation.id},
    }
    return Principal(
        kind=PrincipalKind.client,
        subject=f"client:{party.client.client_id}",
        organisation_id=party.organisation.id,
        client_id=party.client.client_id,
        programme_ids=frozenset(
            p for p, orgs in programmes.items() if party.organisation.id in orgs
        ),
        scopes=frozenset(ALL_SCOPES if scopes is None else scopes),
    )


def uow(world: World) -> UnitOfWork:
    return UnitOfWork(world.state.database.sessionmaker)


async def audit_count(world: World) -> int:
    async with world.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


async def test_create_sets_owner_and_audits(world: World) -> None:
    a = principal_of(world, world.a)
    async with uow(world) as u:
        cycle = await service.create_cycle(
            u, a, CycleCreate(programme_id=world.programme.id, title="T", site_id=world.site_a.id)
        )
    assert cycle.organisation_id == world.a.organisation.id
    assert cycle.version == 1
    async with world.state.database.sessionmaker() as session:
        actions = (await session.scalars(select(col(AuditEvent.action)))).all()
    assert list(actions) == ["create"]


async def test_create_refuses_a_programme_the_caller_is_not_in(world: World) -> None:
    c = principal_of(world, world.c)
    with pytest.raises(ValidationFailed) as refused:
        async with uow(world) as u:
            await service.create_cycle(
                u, c, CycleCreate(programme_id=world.programme.id, title="T")
            )
    assert refused.value.errors[0].pointer == "/programme_id"
    assert await audit_count(world) == 0


async def test_anonymous_and_unscoped_callers(world: World) -> None:
    with pytest.raises(AuthenticationRequired):
        async with uow(world) as u:
            await service.list_cycles(u, Principal.anonymous(), CycleFilters(), PageRequest())
    reader = principal_of(world, world.a, ["cycles:read"])
    with pytest.raises(InsufficientScope):
        async with uow(world) as u:
            await service.create_cycle(
                u, reader, CycleCreate(programme_id=world.programme.id, title="T")
            )


async def test_partners_read_shared_cycles_but_only_owners_change_them(world: World) -> None:
    shared = await create_cycle(
        world.state, world.a.organisation, world.programme, visibility="programme"
    )
    b = principal_of(world, world.b)
    async with uow(world) as u:
        assert (await service.get_cycle(u, b, shared.id)).id == shared.id
    with pytest.raises(NotFound):
        async with uow(world) as u:
            await service.update_cycle(u, b, shared.id, CycleUpdate(title="x"), expected_version=1)
    with pytest.raises(NotFound):
        async with uow(world) as u:
            await service.delete_cycle(u, b, shared.id, expected_version=1)
    with pytest.raises(NotFound):
        async with uow(world) as u:
            await service.get_cycle(u, principal_of(world, world.c), shared.id)


async def test_an_update_that_changes_nothing_keeps_the_version(world: World) -> None:
    cycle = await create_cycle(world.state, world.a.organisation, world.programme, title="Same")
    a = principal_of(world, world.a)
    async with uow(world) as u:
        same = await service.update_cycle(
            u, a, cycle.id, CycleUpdate(title="Same"), expected_version=1
        )
    assert same.version == 1
    assert await audit_count(world) == 0


async def test_concurrent_updates_with_one_version_let_exactly_one_win(world: World) -> None:
    cycle = await create_cycle(world.state, world.a.organisation, world.programme)
    a = principal_of(world, world.a)

    async def attempt(title: str) -> str:
        try:
            async with uow(world) as u:
                await service.update_cycle(
                    u, a, cycle.id, CycleUpdate(title=title), expected_version=1
                )
        except PreconditionFailed:
            return "stale"
        return "won"

    results = await asyncio.gather(*(attempt(f"writer {n}") for n in range(4)))
    assert sorted(results) == ["stale", "stale", "stale", "won"]
    async with uow(world) as u:
        assert (await service.get_cycle(u, a, cycle.id)).version == 2
    assert await audit_count(world) == 1
