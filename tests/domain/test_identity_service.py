"""Client authentication, revocation and introspection, called as the OAuth routes call them."""

from __future__ import annotations

import pytest

from domain.identity import service as identity
from domain.identity.errors import InvalidClient, InvalidToken
from domain.shared.uow import UnitOfWork
from tests.factories import TEST_SECRET, World, mint_token


async def test_authenticate_client(world: World) -> None:
    state = world.state
    async with UnitOfWork(state.database.sessionmaker) as uow:
        client = await identity.authenticate_client(uow, world.a.client.client_id, TEST_SECRET)
        assert client.id == world.a.client.id
        for client_id, secret in (
            (world.a.client.client_id, "wrong"),
            ("hub_nobody", TEST_SECRET),
            ("", ""),
        ):
            with pytest.raises(InvalidClient):
                await identity.authenticate_client(uow, client_id, secret)


async def test_revoke_then_the_token_is_refused_and_inactive(world: World) -> None:
    state, cid = world.state, world.a.client.client_id
    token, other = await mint_token(state, world.a.client), await mint_token(state, world.a.client)
    async with UnitOfWork(state.database.sessionmaker) as uow:
        await identity.revoke_token(
            uow, state.keys, state.settings, client_id=cid, client_secret=TEST_SECRET, token=token
        )
    async with UnitOfWork(state.database.sessionmaker) as uow:
        with pytest.raises(InvalidToken, match="revoked"):
            await identity.principal_for_token(uow, state.keys, state.settings, token)
        assert await identity.principal_for_token(uow, state.keys, state.settings, other)
        inactive = await identity.introspect_token(
            uow, state.keys, state.settings, client_id=cid, client_secret=TEST_SECRET, token=token
        )
        assert inactive is None


async def test_revoking_another_clients_token_changes_nothing(world: World) -> None:
    state = world.state
    async with UnitOfWork(state.database.sessionmaker) as uow:
        await identity.revoke_token(
            uow,
            state.keys,
            state.settings,
            client_id=world.b.client.client_id,
            client_secret=TEST_SECRET,
            token=world.a.token,
        )
    async with UnitOfWork(state.database.sessionmaker) as uow:
        principal = await identity.principal_for_token(
            uow, state.keys, state.settings, world.a.token
        )
        assert principal.client_id == world.a.client.client_id


async def test_introspection_sees_only_its_own_organisations_tokens(world: World) -> None:
    state = world.state
    async with UnitOfWork(state.database.sessionmaker) as uow:
        own = await identity.introspect_token(
            uow,
            state.keys,
            state.settings,
            client_id=world.a.client.client_id,
            client_secret=TEST_SECRET,
            token=world.a.token,
        )
        assert own is not None
        assert own.org == world.a.organisation.id
        assert own.client_id == world.a.client.client_id
        foreign = await identity.introspect_token(
            uow,
            state.keys,
            state.settings,
            client_id=world.c.client.client_id,
            client_secret=TEST_SECRET,
            token=world.a.token,
        )
        assert foreign is None
