"""Use cases called directly, as both front doors call them: concurrent editors of one
resource, and the audit trail every write leaves."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlmodel import col

from api.state import AppState
from domain.audit.models import AuditEvent
from domain.community import resources
from domain.community.models import ResourceRevision
from domain.community.schemas import ResourceCreate, ResourceUpdate
from domain.identity.service import principal_for_token
from domain.shared.errors import PreconditionFailed
from domain.shared.principal import Principal
from domain.shared.uow import UnitOfWork
from tests.factories import World


async def principal(state: AppState, token: str) -> Principal:
    async with UnitOfWork(state.database.sessionmaker) as uow:
        return await principal_for_token(uow, state.keys, state.settings, token)


async def test_concurrent_editors_one_wins(world: World) -> None:
    state = world.state
    editor = await principal(state, world.a.token)
    async with UnitOfWork(state.database.sessionmaker) as uow:
        created = await resources.create_resource(
            uow,
            editor,
            ResourceCreate.model_validate({"kind": "faq", "title": "Q", "visibility": "public"}),
        )

    async def edit(title: str) -> str:
        async with UnitOfWork(state.database.sessionmaker) as uow:
            try:
                await resources.update_resource(
                    uow,
                    editor,
                    created.id,
                    ResourceUpdate(title=title),
                    expected_version=1,
                )
            except PreconditionFailed:
                return "stale"
            return "saved"

    outcomes = await asyncio.gather(edit("First"), edit("Second"))
    assert sorted(outcomes) == ["saved", "stale"]
    async with state.database.sessionmaker() as session:
        numbers = await session.scalars(
            select(col(ResourceRevision.number))
            .where(col(ResourceRevision.resource_id) == created.id)
            .order_by(col(ResourceRevision.number))
        )
        assert list(numbers.all()) == [1, 2]
        actions = await session.scalars(
            select(col(AuditEvent.action)).where(col(AuditEvent.entity_id) == created.id)
        )
        assert sorted(actions.all()) == ["create", "update"]


async def test_anonymous_cannot_write(world: World) -> None:
    from domain.shared.errors import AuthenticationRequired

    async with UnitOfWork(world.state.database.sessionmaker) as uow:
        with pytest.raises(AuthenticationRequired):
            await resources.create_resource(
                uow,
                Principal.anonymous(),
                ResourceCreate.model_validate({"kind": "faq", "title": "Q"}),
            )
