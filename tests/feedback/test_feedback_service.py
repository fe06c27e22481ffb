"""The feedback item use cases, called as both front doors call them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from domain.audit.models import AuditEvent
from domain.improvement import feedback_service as service
from domain.improvement.feedback import FeedbackItemCreate, FeedbackItemUpdate, FeedbackStatus
from domain.shared.errors import InvalidTransition, NotFound, ValidationFailed
from domain.shared.ids import utcnow
from domain.shared.principal import Principal, PrincipalKind
from domain.shared.uow import UnitOfWork
from tests.factories import ALL_SCOPES, Party, World, create_feedback_item


def principal_of(world: World, party: Party) -> Principal:
    in_programme = party.organisation.id in (world.a.organisation.id, world.b.organisation.id)
    return Principal(
        kind=PrincipalKind.client,
        subject=f"client:{party.client.client_id}",
        organisation_id=party.organisation.id,
        client_id=party.client.client_id,
        programme_ids=frozenset({world.programme.id if in_programme else world.other_programme.id}),
        scopes=frozenset(ALL_SCOPES),
    )


def uow(world: World) -> UnitOfWork:
    return UnitOfWork(world.state.database.sessionmaker)


async def audit_count(world: World) -> int:
    async with world.state.database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


async def test_create_starts_raised_today_and_audits(world: World) -> None:
    async with uow(world) as u:
        item = await service.create_feedback_item(
            u,
            principal_of(world, world.a),
            FeedbackItemCreate(programme_id=world.programme.id, barrier="No interpreter budget"),
        )
    assert (item.status, item.raised_on) == ("raised", utcnow().date())
    assert item.organisation_id == world.a.organisation.id
    assert await audit_count(world) == 1


async def test_server_owned_dates_are_refused_by_name(world: World) -> None:
    data = FeedbackItemCreate.model_validate(
        {"programme_id": world.programme.id, "barrier": "B", "resolved_on": "2024-01-01"}
    )
    with pytest.raises(ValidationFailed) as refused:
        async with uow(world) as u:
            await service.create_feedback_item(u, principal_of(world, world.a), data)
    assert [(e.pointer, e.code) for e in refused.value.errors] == [("/resolved_on", "server_owned")]
    assert await audit_count(world) == 0


async def test_moves_stamp_dates_and_refusals_change_nothing(world: World) -> None:
    a = principal_of(world, world.a)
    item = await create_feedback_item(world.state, world.a.organisation, world.programme)
    with pytest.raises(InvalidTransition):
        async with uow(world) as u:
            await service.update_feedback_item(
                u,
                a,
                item.id,
                FeedbackItemUpdate(status=FeedbackStatus.resolved),
                expected_version=1,
            )
    async with uow(world) as u:
        moved = await service.update_feedback_item(
            u,
            a,
            item.id,
            FeedbackItemUpdate(status=FeedbackStatus.declined, response="Out of our hands"),
            expected_version=1,
        )
    assert (moved.status, moved.declined_on, moved.version) == ("declined", utcnow().date(), 2)
    assert await audit_count(world) == 1


async def test_a_partner_cannot_change_a_shared_item(world: World) -> None:
    item = await create_feedback_item(
        world.state, world.a.organisation, world.programme, visibility="programme"
    )
    b = principal_of(world, world.b)
    async with uow(world) as u:
        assert (await service.get_feedback_item(u, b, item.id)).id == item.id
    with pytest.raises(NotFound):
        async with uow(world) as u:
            await service.delete_feedback_item(u, b, item.id, expected_version=1)
