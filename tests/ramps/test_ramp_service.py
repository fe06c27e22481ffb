"""The ramp use cases, called as both front doors call them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from domain.audit.models import AuditEvent
from domain.improvement import ramp_service as service
from domain.improvement.ramp_schemas import RampCreate, RampFilters, RampUpdate
from domain.shared.errors import Conflict, InsufficientScope, NotFound, ValidationFailed
from domain.shared.pagination import PageRequest
from domain.shared.principal import Principal, PrincipalKind
from domain.shared.uow import UnitOfWork
from tests.factories import ALL_SCOPES, Party, World, create_cycle, create_ramp


def principal_of(world: World, party: Party, scopes: list[str] | None = None) -> Principal:
    in_programme = party.organisation.id in (world.a.organisation.id, world.b.organisation.id)
    return Principal(
        kind=PrincipalKind.client,
        subject=f"client:{party.client.client_id}",
        organisation_id=party.organisation.id,
        client_id=party.client.client_id,
        programme_ids=frozenset({world.programme.id if in_programme else world.other_programme.id}),
        scopes=frozenset(ALL_SCOPES if scopes is None else scopes),
    )


def uow(world: World) -> UnitOfWork:
    return UnitOfWork(world.state.database.sessionmaker)


async def audit_count(world: World) -> int:
    async with world.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


async def test_create_sets_the_owner_and_audits(world: World) -> None:
    a = principal_of(world, world.a)
    async with uow(world) as u:
        ramp = await service.create_ramp(
            u, a, RampCreate(programme_id=world.programme.id, title="Buddies")
        )
    assert ramp.organisation_id == world.a.organisation.id
    assert ramp.visibility == "private"
    assert await audit_count(world) == 1
    with pytest.raises(ValidationFailed) as refused:
        async with uow(world) as u:
            await service.create_ramp(
                u, a, RampCreate(programme_id=world.other_programme.id, title="Elsewhere")
            )
    assert refused.value.errors[0].pointer == "/programme_id"
    assert await audit_count(world) == 1


async def test_a_writer_without_the_read_scope_may_update(world: World) -> None:
    ramp = await create_ramp(world.state, world.a.organisation, world.programme)
    await create_cycle(world.state, world.a.organisation, world.programme, ramp_id=ramp.id)
    writer = principal_of(world, world.a, ["cycles:write"])
    async with uow(world) as u:
        found = await service.update_ramp(
            u, writer, ramp.id, RampUpdate(change_idea="Buddies at lunch"), expected_version=1
        )
    assert found.ramp.version == 2
    assert [step.linked for step in found.steps] == [True]
    with pytest.raises(InsufficientScope):
        async with uow(world) as u:
            await service.get_ramp(u, writer, ramp.id)


async def test_an_unchanged_update_writes_nothing(world: World) -> None:
    ramp = await create_ramp(world.state, world.a.organisation, world.programme, title="Same")
    async with uow(world) as u:
        found = await service.update_ramp(
            u, principal_of(world, world.a), ramp.id, RampUpdate(title="Same"), expected_version=1
        )
    assert found.ramp.version == 1
    assert await audit_count(world) == 0


async def test_steps_by_ramp_ids_answers_every_ramp_asked_for(world: World) -> None:
    mine = await create_ramp(world.state, world.a.organisation, world.programme)
    theirs = await create_ramp(world.state, world.c.organisation, world.other_programme)
    cycle = await create_cycle(world.state, world.a.organisation, world.programme, ramp_id=mine.id)
    await create_cycle(world.state, world.c.organisation, world.other_programme, ramp_id=theirs.id)
    async with uow(world) as u:
        steps = await service.steps_by_ramp_ids(
            u, principal_of(world, world.a), [mine.id, theirs.id]
        )
    assert [step.cycle.id for step in steps[mine.id]] == [cycle.id]
    assert steps[theirs.id] == []  # a ramp the caller may not see shows no cycles


async def test_deleting_refuses_a_ramp_in_use_and_hides_a_deleted_one(world: World) -> None:
    a = principal_of(world, world.a)
    ramp = await create_ramp(world.state, world.a.organisation, world.programme)
    await create_cycle(
        world.state, world.c.organisation, world.other_programme, ramp_id=ramp.id
    )  # counted even though A cannot see it
    with pytest.raises(Conflict):
        async with uow(world) as u:
            await service.delete_ramp(u, a, ramp.id, expected_version=1)
    empty = await create_ramp(world.state, world.a.organisation, world.programme)
    async with uow(world) as u:
        await service.delete_ramp(u, a, empty.id, expected_version=1)
    with pytest.raises(NotFound):
        async with uow(world) as u:
            await service.get_ramp(u, a, empty.id)
    async with uow(world) as u:
        page = await service.list_ramps(u, a, RampFilters(), PageRequest())
    assert [r.id for r in page.items] == [ramp.id]
